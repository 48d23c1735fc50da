"""What deployment files may say to the `dutyline` image, checked without running anything.

docker-compose.yml and the Kubernetes manifests give the image command lines (the ENTRYPOINT is
`dutyline`) and DUTYLINE_* environment variables. `check_command` parses a command line exactly as
the entry point would — click resolves the (sub)commands and parses their options and arguments,
`gateway`'s own arguments go through its argparse parser — and `settings_names` lists the
variables the settings classes read (the shared `Settings` and each service's own), so a typo in
either fails a test instead of a container.
"""

from __future__ import annotations

import contextlib
import importlib
import io
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import Any

import typer

from dutyline.cli.main import app
from dutyline.config import SERVICES, Settings
from dutyline.launch import SERVICES as LAUNCHED
from dutyline.stack.gateway import parse_args as parse_gateway_args

# Commands whose first argument names one of the services.
_SERVICE_COMMANDS = ("serve", "health")


class CommandRejected(ValueError):
    """The `dutyline` entry point would refuse this command line."""


def _exception_types(name: str) -> tuple[type[BaseException], ...]:
    """The click exception class `name`, from click and from the copy of click newer typers ship."""
    found: list[type[BaseException]] = []
    for module_name in ("click.exceptions", "typer._click.exceptions"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if isinstance(getattr(module, name, None), type):
            found.append(getattr(module, name))
    return tuple(found)


# Usage errors, unknown options and bad parameters; --help and other eager options; Ctrl-C.
_USAGE_ERRORS = _exception_types("ClickException")
_EXITS: tuple[type[BaseException], ...] = (typer.Exit, *_exception_types("Exit"))
_ABORTS: tuple[type[BaseException], ...] = (typer.Abort, *_exception_types("Abort"))


@cache
def dutyline_command() -> Any:
    """The click command behind the `dutyline` console script (click's, or typer's own copy of it)."""
    return typer.main.get_command(app)


def _is_group(command: Any) -> bool:
    return hasattr(command, "resolve_command") and hasattr(command, "commands")


def _pending_args(ctx: Any) -> list[str]:
    """What a group left for its subcommand (click >= 8.2 keeps the first one in _protected_args)."""
    protected = getattr(ctx, "_protected_args", None)
    if protected is None:  # click < 8.2
        protected = ctx.protected_args
    return [*protected, *ctx.args]


def _parse(args: list[str], output: io.StringIO) -> None:
    command = dutyline_command()
    name = "dutyline"
    parent: Any = None
    while True:
        ctx = command.make_context(name, list(args), parent=parent)
        if not _is_group(command):
            break
        pending = _pending_args(ctx)
        if not pending:
            raise CommandRejected(f"{ctx.command_path}: missing command")
        sub_name, sub, rest = command.resolve_command(ctx, pending)
        if sub is None or sub_name is None:
            raise CommandRejected(f"{ctx.command_path}: no such command {pending[0]!r}")
        command, name, args, parent = sub, sub_name, rest, ctx

    if name == "gateway" and parent is not None and parent.parent is None:
        # `dutyline gateway` hands everything to the gateway's argparse parser (it exits on errors).
        try:
            parse_gateway_args(ctx.args)
        except SystemExit as exc:
            if exc.code not in (0, None):
                said = output.getvalue().strip().splitlines()
                raise CommandRejected(f"dutyline gateway {' '.join(ctx.args)}: {said[-1] if said else exc}") from exc
        return
    if name in _SERVICE_COMMANDS and parent is not None and parent.parent is None:
        service = ctx.params.get("service")
        if service not in SERVICES:
            raise CommandRejected(f"dutyline {name}: unknown service {service!r}; one of {', '.join(SERVICES)}")


def check_command(args: Sequence[str]) -> None:
    """Raise CommandRejected unless `dutyline *args` is a command line the entry point accepts.

    Nothing runs: only the parsing, with the same click objects the console script uses (unknown
    commands or options, missing or badly typed arguments fail), plus the checks a command makes
    of its arguments before doing anything (`serve`/`health` take one of SERVICES). `--help`
    anywhere is accepted. Environment variables an option reads (e.g. DUTYLINE_SEED_DEMO) are read
    from this process's environment, as click would."""
    if isinstance(args, str):
        raise TypeError("check_command takes the argument list, not a string")
    args = [str(a) for a in args]
    line = " ".join(["dutyline", *args])
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            _parse(args, sink)
    except _EXITS as exc:  # --help (and other eager options) stop with a code
        code = getattr(exc, "exit_code", 1)
        if code != 0:
            raise CommandRejected(f"{line}: exits {code}") from exc
    except _USAGE_ERRORS as exc:
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        message = message or "no command given (prints the help and fails)"
        raise CommandRejected(f"{line}: {message}") from exc
    except _ABORTS as exc:
        raise CommandRejected(f"{line}: aborted") from exc


def settings_classes() -> tuple[type[Settings], ...]:
    """The shared settings (dutyline/config.py), each service's own (services/<name>/settings.py) and the
    console's (services/console/settings.py)."""
    from services.console.settings import ConsoleSettings

    return (Settings, *(service.settings_class() for service in LAUNCHED.values()), ConsoleSettings)


def names_of(settings_class: type[Settings]) -> dict[str, str]:
    """The DUTYLINE_* environment variables a settings class reads, with their fields."""
    prefix = settings_class.model_config.get("env_prefix") or ""
    return {f"{prefix}{name}".upper(): name for name in settings_class.model_fields}


def settings_names() -> set[str]:
    """The DUTYLINE_* environment variables any process reads as settings."""
    return {name for cls in settings_classes() for name in names_of(cls)}


def check_settings(env: Mapping[str, str]) -> None:
    """Build every settings class from the DUTYLINE_* variables of ``env`` it reads; ValueError if a
    value is invalid."""
    for cls in settings_classes():
        fields = names_of(cls)
        values: dict[str, Any] = {fields[name]: value for name, value in env.items() if name in fields}
        cls(**values)


def _walk(command: Any) -> Iterator[Any]:
    yield command
    if _is_group(command):
        for sub in command.commands.values():
            yield from _walk(sub)


def command_envvars() -> set[str]:
    """The DUTYLINE_* variables that command-line options read themselves (e.g. DUTYLINE_SEED_DEMO of
    `migrate`): not settings, but real inputs of the entry point."""
    names: set[str] = set()
    for command in _walk(dutyline_command()):
        for param in command.params:
            envvar = getattr(param, "envvar", None)
            for name in [envvar] if isinstance(envvar, str) else list(envvar or ()):
                if name.startswith("DUTYLINE_"):
                    names.add(name)
    return names
