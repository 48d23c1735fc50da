"""The Kubernetes manifests (deploy/k8s), checked without a cluster.

Every manifest and every document kustomize renders from the base and the production overlay must
validate against the Kubernetes schemas (kubernetes-validate, strict: unknown fields fail); the
rendered objects must fit together (probes, ports, Services, the ConfigMap's addresses, hardening,
autoscalers, disruption budgets, the migration Job); and what they tell the image — command lines and
DUTYLINE_* variables — must be what `dutyline` accepts. Rendering needs `kubectl` (its built-in
kustomize), nothing else.
"""

from __future__ import annotations

import functools
import posixpath
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml
from pydantic import SecretStr

from dutyline.config import SERVICES, WORKER_SERVICES, Settings, role_of
from dutyline.launch import SERVICES as LAUNCHED
from dutyline.launch import services_named
from services.console.settings import ConsoleSettings
from tests.deploy.commands import check_command, names_of, settings_names

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
BASE = K8S / "base"
PRODUCTION = K8S / "overlays" / "production"
# Applied beside production only while workflows of the one queue of before issue 13 are running.
DRAIN = K8S / "overlays" / "drain-legacy-queue"
HELM = K8S / "helm"
KUSTOMIZATIONS = {"base": BASE, "production": PRODUCTION}
RENDERABLE = {**KUSTOMIZATIONS, "drain-legacy-queue": DRAIN}

# The oldest Kubernetes the manifests are written for, and the newest kubernetes-validate knows.
KUBERNETES_VERSIONS = ("1.29", kubernetes_validate.latest_version())

UID = 10001
CONFIG_MAP = "dutyline-config"
ENV_SECRET = "dutyline-secrets"
ADMIN_SECRET = "dutyline-db-admin"
NATS_SECRET = "dutyline-nats"
TLS_SECRET = "dutyline-tls"
# The duty console's own Secret: its OpenID Connect client secret, and nothing of the services'.
CONSOLE_SECRET = "dutyline-console"
# Each service's Temporal worker is its own Deployment, running `worker <service>` (insight has none).
WORKERS = {service: f"{service}-worker" for service in WORKER_SERVICES}
AUTOSCALED = ("intake", *WORKERS.values())
PART_OF = "dutyline"

Doc = dict[str, Any]


# --- loading and rendering ---------------------------------------------------------------------


def load_documents(path: Path) -> list[Doc]:
    with path.open(encoding="utf-8") as f:
        return [doc for doc in yaml.safe_load_all(f) if doc]


def manifest_files() -> list[Path]:
    """Every YAML file of the base and the overlays but the kustomizations themselves."""
    files = [*BASE.rglob("*.yaml"), *(K8S / "overlays").rglob("*.yaml")]
    return sorted(p for p in files if p.name != "kustomization.yaml")


@functools.cache
def kubectl() -> str:
    path = shutil.which("kubectl")
    if path is None:
        pytest.fail(
            "kubectl is needed to render the kustomizations (its built-in kustomize; no cluster is used). "
            "Install it: on Debian/Ubuntu `apt-get install kubernetes-client`, elsewhere see "
            "https://kubernetes.io/docs/tasks/tools/",
            pytrace=False,
        )
    return path


@functools.cache
def rendered(name: str) -> tuple[Doc, ...]:
    """`kubectl kustomize` of the base or an overlay, as documents."""
    result = subprocess.run(
        [kubectl(), "kustomize", str(RENDERABLE[name])],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"kubectl kustomize {RENDERABLE[name]} failed:\n{result.stderr}", pytrace=False)
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def objects(docs: tuple[Doc, ...], kind: str) -> dict[str, Doc]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def workloads(docs: tuple[Doc, ...]) -> Iterator[tuple[str, Doc]]:
    """(kind/name, pod spec) of every Deployment and Job."""
    for doc in docs:
        if doc["kind"] in ("Deployment", "Job"):
            yield f"{doc['kind']}/{doc['metadata']['name']}", doc["spec"]["template"]["spec"]


def config_map(docs: tuple[Doc, ...]) -> dict[str, str]:
    return objects(docs, "ConfigMap")[CONFIG_MAP]["data"]


def secret_template() -> dict[str, Doc]:
    return {doc["metadata"]["name"]: doc for doc in load_documents(BASE / "secret.template.yaml")}


def service_secret(service: str) -> str:
    """The Secret of one service's own settings (its database role's password, …)."""
    return f"dutyline-{service}"


def secret_keys(settings_class: type[Settings]) -> set[str]:
    """The variables of a settings class that are secrets."""
    return {
        name
        for name, field in names_of(settings_class).items()
        if settings_class.model_fields[field].annotation is SecretStr
    }


def env_from_secrets(spec: Doc) -> set[str]:
    """The Secrets a pod's container takes its whole environment from."""
    (container,) = spec["containers"]
    return {e["secretRef"]["name"] for e in container.get("envFrom", []) if "secretRef" in e}


def env_from_sources(spec: Doc) -> set[str]:
    """The ConfigMaps and Secrets a pod's container takes its whole environment from, by kind."""
    (container,) = spec["containers"]
    return {
        f"{kind}/{source[kind]['name']}"
        for source in container.get("envFrom", [])
        for kind in ("configMapRef", "secretRef")
        if kind in source
    }


def env_secret_refs(spec: Doc) -> dict[str, str]:
    """Variable -> Secret of the single keys a pod's container takes from Secrets."""
    (container,) = spec["containers"]
    return {
        e["name"]: e["valueFrom"]["secretKeyRef"]["name"]
        for e in container.get("env", [])
        if "secretKeyRef" in e.get("valueFrom", {})
    }


def hosted_services(args: list[str]) -> tuple[str, ...]:
    """The services whose code a container runs, by its command line."""
    if args[:1] == ["serve"]:
        return (args[1],)
    if args[:1] == ["worker"]:
        # `worker [SERVICES] [--drain-legacy-queue]`: the services as `dutyline worker` reads them.
        chosen = next((a for a in args[1:] if not a.startswith("-")), "all")
        return tuple(service.name for service in services_named(chosen))
    return ()


def port_of(address: str) -> int:
    return int(address.rsplit(":", 1)[1])


# --- schemas -----------------------------------------------------------------------------------


def schema_errors(doc: Doc) -> list[str]:
    what = f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
    errors = []
    for version in KUBERNETES_VERSIONS:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            where = ".".join(str(p) for p in exc.path)
            errors.append(f"{what} (Kubernetes {version}) {where}: {exc.message}")
        except kubernetes_validate.SchemaNotFoundError as exc:
            errors.append(f"{what}: {exc.message}")
    return errors


@pytest.mark.parametrize("path", manifest_files(), ids=lambda p: str(p.relative_to(K8S)))
def test_every_manifest_file_validates_strictly(path: Path) -> None:
    docs = load_documents(path)
    assert docs, f"{path} has no documents"
    errors = [error for doc in docs for error in schema_errors(doc)]
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("name", RENDERABLE)
def test_kustomization_renders_and_validates_strictly(name: str) -> None:
    docs = rendered(name)
    assert docs
    errors = [error for doc in docs for error in schema_errors(doc)]
    assert not errors, "\n".join(errors)


# --- how the rendered objects fit together ------------------------------------------------------


@pytest.mark.parametrize("name", KUSTOMIZATIONS)
@pytest.mark.parametrize("service", SERVICES)
def test_service_probes_ports_and_address_agree(name: str, service: str) -> None:
    docs = rendered(name)
    port = port_of(config_map(docs)[f"DUTYLINE_{service.upper()}_ADDRESS"])
    pod = objects(docs, "Deployment")[service]["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    named_ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    # grpc.health.v1 in plaintext on a port of its own (DUTYLINE_HEALTH_PORT): the service's port may be TLS.
    health_port = int(config_map(docs)["DUTYLINE_HEALTH_PORT"])
    metrics_port = int(config_map(docs)["DUTYLINE_METRICS_PORT"])
    assert named_ports == {"grpc": port, "health": health_port, "metrics": metrics_port}, (
        f"{service}: container ports {named_ports}"
    )

    def resolve(value: int | str) -> int:
        return named_ports[value] if isinstance(value, str) else value

    # Probed as the workers are, over HTTP on the metrics port (/readyz: the gRPC health answer).
    paths = {"startupProbe": "/readyz", "readinessProbe": "/readyz", "livenessProbe": "/healthz"}
    for probe, path in paths.items():
        check = container[probe]["httpGet"]
        assert (check["path"], resolve(check["port"])) == (path, metrics_port), f"{service}: {probe} {check}"

    svc = objects(docs, "Service")[service]["spec"]
    assert svc.get("type", "ClusterIP") == "ClusterIP"
    # Clients balance over the pods: a headless Service resolved by a dns:/// target (round_robin).
    assert svc.get("clusterIP") == "None", f"{service}: not headless, every client would stick to one pod"
    assert config_map(docs)[f"DUTYLINE_{service.upper()}_ADDRESS"] == f"dns:///{service}:{port}"
    (svc_port,) = svc["ports"]
    assert svc_port["name"] == "grpc" and svc_port["appProtocol"] == "grpc"
    assert svc_port["port"] == port, "clients dial the address's port"
    assert resolve(svc_port["targetPort"]) == port
    labels = pod["metadata"]["labels"]
    assert svc["selector"].items() <= labels.items(), f"Service {service} does not select its pods"


@pytest.mark.parametrize("name", RENDERABLE)
def test_every_pod_is_hardened_and_sized(name: str) -> None:
    docs = rendered(name)
    # The ConfigMap is the base's (the drain overlay is applied beside production and has none).
    grace = float(config_map(rendered("base"))["DUTYLINE_SHUTDOWN_GRACE_SECONDS"])
    found = dict(workloads(docs))
    if name in KUSTOMIZATIONS:
        deployments = {f"Deployment/{d}" for d in (*SERVICES, *WORKERS.values(), "console")}
        assert found.keys() >= {*deployments, "Job/migrate"}
    else:
        assert found, f"{name} has no pods"
    for what, spec in found.items():
        pod_sc = spec.get("securityContext", {})
        assert pod_sc.get("runAsNonRoot") is True, what
        assert pod_sc.get("runAsUser") == UID and pod_sc.get("runAsGroup") == UID, what
        assert pod_sc.get("seccompProfile", {}).get("type") == "RuntimeDefault", what
        assert spec.get("automountServiceAccountToken") is False, what
        if what.startswith("Deployment/"):
            assert spec["terminationGracePeriodSeconds"] > grace, f"{what}: killed before its graceful shutdown"
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for container in spec["containers"]:
            sc = container.get("securityContext", {})
            assert sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is True, what
            assert sc.get("readOnlyRootFilesystem") is True, what
            assert sc.get("allowPrivilegeEscalation") is False, what
            assert "ALL" in sc.get("capabilities", {}).get("drop", []), what
            assert sc.get("seccompProfile", pod_sc.get("seccompProfile", {})).get("type") == "RuntimeDefault", what
            resources = container.get("resources", {})
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= resources.get(bound, {}).keys(), f"{what}: no {bound}"
            tmp = [m for m in container.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
            assert tmp and "emptyDir" in volumes[tmp[0]["name"]], f"{what}: /tmp is not a writable emptyDir"
            assert "command" not in container, f"{what}: the image's entry point `dutyline` runs the args"


@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_nats_credentials_are_mounted_where_the_settings_point(name: str) -> None:
    docs = rendered(name)
    creds_path = PurePosixPath(config_map(docs)["DUTYLINE_NATS_CREDS"])
    for what, spec in workloads(docs):
        nats_volumes = {
            v["name"]: v["secret"]
            for v in spec.get("volumes", [])
            if v.get("secret", {}).get("secretName") == NATS_SECRET
        }
        (container,) = spec["containers"]
        mounts = {m["name"]: m for m in container.get("volumeMounts", []) if m["name"] in nats_volumes}
        files = {
            PurePosixPath(m["mountPath"]) / item["path"]: item["key"]
            for volume, m in mounts.items()
            for item in nats_volumes[volume]["items"]
        }
        assert all(m.get("readOnly") for m in mounts.values()), f"{what}: NATS credentials mounted writable"
        env = {e["name"]: e.get("value") for e in container.get("env", [])}
        is_service = what in {f"Deployment/{s}" for s in SERVICES}
        if is_service:
            assert files.get(creds_path) == "services.creds", f"{what}: DUTYLINE_NATS_CREDS is not mounted"
        else:
            assert not files, f"{what} does not use NATS and gets no credentials"
        notify_only = {
            "DUTYLINE_NATS_ACCOUNT_SEED_FILE": "account.seed",
            "DUTYLINE_NATS_SIGNING_SEED_FILE": "signing.seed",
            "DUTYLINE_NATS_SYSTEM_CREDS": "system.creds",
        }
        for variable, key in notify_only.items():
            if what == "Deployment/notify":
                assert files.get(PurePosixPath(env[variable])) == key, f"notify's {variable} is not mounted"
            else:
                assert key not in files.values(), f"{what} gets {key}, which only notify needs"


def test_production_runs_at_least_two_of_everything_spread_over_nodes() -> None:
    docs = rendered("production")
    deployments = objects(docs, "Deployment")
    hpas = objects(docs, "HorizontalPodAutoscaler")
    for name in (*SERVICES, *WORKERS.values()):
        spec = deployments[name]["spec"]
        if name in AUTOSCALED:
            assert "replicas" not in spec, f"{name}: its autoscaler owns the replica count"
            assert hpas[name]["spec"]["minReplicas"] >= 2, name
        else:
            assert spec["replicas"] >= 2, name
        spread = spec["template"]["spec"].get("topologySpreadConstraints", [])
        assert any(c["topologyKey"] == "kubernetes.io/hostname" for c in spread), f"{name}: not spread over nodes"


@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_autoscalers_disruption_budgets_and_migration_job(name: str) -> None:
    docs = rendered(name)
    deployments = objects(docs, "Deployment")
    hpas = objects(docs, "HorizontalPodAutoscaler")
    assert hpas.keys() == set(AUTOSCALED)
    for hpa_name, hpa in hpas.items():
        assert hpa["apiVersion"] == "autoscaling/v2"
        target = hpa["spec"]["scaleTargetRef"]
        assert target["kind"] == "Deployment" and target["name"] in deployments, hpa_name
        assert "replicas" not in deployments[target["name"]]["spec"], f"{hpa_name}: apply would reset the count"
        assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"], hpa_name

    pdbs = objects(docs, "PodDisruptionBudget")
    for workload in (*SERVICES, *WORKERS.values()):
        assert workload in pdbs, f"no PodDisruptionBudget for {workload}"
        selector = pdbs[workload]["spec"]["selector"]["matchLabels"]
        labels = deployments[workload]["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items(), f"the PodDisruptionBudget {workload} selects none of its pods"

    job = objects(docs, "Job")["migrate"]["spec"]
    (container,) = job["template"]["spec"]["containers"]
    assert container["args"] == ["migrate", "--temporal"]
    assert job["backoffLimit"] >= 1 and job["ttlSecondsAfterFinished"] > 0
    assert job["template"]["spec"]["restartPolicy"] in ("Never", "OnFailure")


@pytest.mark.parametrize("name", RENDERABLE)
def test_labels_and_no_secret_in_the_kustomization(name: str) -> None:
    docs = rendered(name)
    for doc in docs:
        labels = doc["metadata"].get("labels", {})
        what = f"{doc['kind']}/{doc['metadata']['name']}"
        assert labels.get("app.kubernetes.io/part-of") == PART_OF and labels.get("app.kubernetes.io/name"), what
    # The Secrets are created by hand: applying the kustomization must never overwrite them.
    assert not objects(docs, "Secret")


def test_production_namespace_and_image() -> None:
    docs = rendered("production")
    assert "dutyline" in objects(docs, "Namespace")
    for doc in docs:
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == "dutyline", f"{doc['kind']}/{doc['metadata']['name']}"
    images = {c["image"] for _, spec in workloads(docs) for c in spec["containers"]}
    (image,) = images
    assert image != "dutyline" and ":" in image.rsplit("/", 1)[-1], f"the overlay does not set the image: {image}"


# --- what the manifests tell the image ----------------------------------------------------------


@pytest.mark.parametrize("name", RENDERABLE)
def test_every_container_runs_a_command_the_image_has(name: str) -> None:
    for what, spec in workloads(rendered(name)):
        for container in spec["containers"]:
            assert container.get("args"), f"{what}: no command for the `dutyline` entry point"
            check_command(container["args"])


@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_every_dutyline_variable_is_a_setting(name: str) -> None:
    docs = rendered(name)
    known = settings_names()
    secrets = secret_template()
    as_environment = {f"ConfigMap {CONFIG_MAP}": set(config_map(docs))}
    for secret in (ENV_SECRET, ADMIN_SECRET, CONSOLE_SECRET, *(service_secret(s) for s in SERVICES)):
        as_environment[f"Secret {secret}"] = set(secrets[secret]["stringData"])
    named = dict(as_environment)
    for what, spec in workloads(docs):
        named[f"{what} env"] = {e["name"] for e in spec["containers"][0].get("env", [])}
    for where, names in named.items():
        unknown = {n for n in names if n.startswith("DUTYLINE_")} - known
        assert not unknown, f"{where}: not settings of dutyline/config.py or services/*/settings.py: {sorted(unknown)}"
    # They become the environment of pods (envFrom, or single keys): nothing but settings belongs there.
    for where, names in as_environment.items():
        others = {n for n in names if not n.startswith("DUTYLINE_")}
        assert not others, f"{where}: not DUTYLINE_* settings: {sorted(others)}"


def test_config_map_and_secrets_cover_every_setting_once() -> None:
    docs = rendered("base")
    data = set(config_map(docs))
    template = secret_template()
    shared = set(template[ENV_SECRET]["stringData"])
    notify_env = {
        e["name"] for e in objects(docs, "Deployment")["notify"]["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert shared == secret_keys(Settings), "the shared Secret holds exactly the shared secret settings"
    # The account seed is given as a file (DUTYLINE_NATS_ACCOUNT_SEED_FILE, notify only), not as a value.
    as_file = {"DUTYLINE_NATS_ACCOUNT_SEED", "DUTYLINE_NATS_SIGNING_SEED"}
    secrets = set(shared)
    for name, service in LAUNCHED.items():
        own = set(template[service_secret(name)]["stringData"])
        expected = secret_keys(service.settings_class()) - secret_keys(Settings) - as_file
        assert own == expected, f"Secret {service_secret(name)} holds exactly {name}'s own secret settings"
        assert f"DUTYLINE_{name.upper()}_PG_PASSWORD" in own
        secrets |= own
    console_own = set(template[CONSOLE_SECRET]["stringData"])
    assert console_own == secret_keys(ConsoleSettings) - secret_keys(Settings), "the console's own secrets"
    secrets |= console_own
    assert not data & secrets, f"both in the ConfigMap and a Secret: {sorted(data & secrets)}"
    # The administrator's DSN, for the migration only; the ConfigMap's has no credentials.
    assert set(template[ADMIN_SECRET]["stringData"]) == {"DUTYLINE_PG_DSN"}
    config_dsn = urlsplit(config_map(docs)["DUTYLINE_PG_DSN"])
    assert config_dsn.username is None and config_dsn.password is None, "the ConfigMap's DSN carries credentials"
    missing = settings_names() - data - secrets - notify_env - as_file
    assert not missing, (
        f"settings in neither deploy/k8s/base/configmap.yaml nor secret.template.yaml: {sorted(missing)}"
    )


@pytest.mark.parametrize("name", RENDERABLE)
def test_each_pod_has_the_secrets_of_the_services_it_runs_only(name: str) -> None:
    every_service_secret = {service_secret(s) for s in SERVICES}
    for what, spec in workloads(rendered(name)):
        (container,) = spec["containers"]
        hosted = hosted_services(container["args"])
        secrets = env_from_secrets(spec)
        if hosted:
            # Its services' own Secrets (their database roles), the shared one, and no other service's.
            assert secrets == {ENV_SECRET, *(service_secret(s) for s in hosted)}, f"{what}: {sorted(secrets)}"
        else:
            assert not secrets & every_service_secret, f"{what} gets a service's Secret"
        refs = env_secret_refs(spec)
        if what == "Job/migrate":
            assert refs == {"DUTYLINE_PG_DSN": ADMIN_SECRET}, "the migration signs in as the administrator"
        else:
            assert ADMIN_SECRET not in {*secrets, *refs.values()}, f"{what} gets the administrator's DSN"


@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_each_service_has_a_worker_of_its_own(name: str) -> None:
    """One Deployment per service's worker, `<service>-worker` running `worker <service>`, with the
    settings and Secrets of that service alone, its own autoscaler and disruption budget; no pod runs
    the workers of two services, nor polls the old queue."""
    docs = rendered(name)
    deployments = objects(docs, "Deployment")
    hpas = objects(docs, "HorizontalPodAutoscaler")
    pdbs = objects(docs, "PodDisruptionBudget")
    for service, worker in WORKERS.items():
        assert worker in deployments, f"{service} has no worker Deployment {worker}"
        deployment = deployments[worker]
        pod = deployment["spec"]["template"]
        (container,) = pod["spec"]["containers"]
        assert container["args"] == ["worker", service], f"{worker}: {container['args']}"
        assert hosted_services(container["args"]) == (service,)
        for labels in (deployment["metadata"]["labels"], pod["metadata"]["labels"]):
            assert labels["app.kubernetes.io/name"] == worker, worker
            assert labels["app.kubernetes.io/component"] == "worker", worker
        # Its one port serves metrics and the probes' /healthz (live) and /readyz (polling; Temporal and
        # PostgreSQL reachable).
        metrics_port = int(config_map(docs)["DUTYLINE_METRICS_PORT"])
        assert [(p["name"], p["containerPort"]) for p in container["ports"]] == [("metrics", metrics_port)], worker
        paths = {probe: container[probe]["httpGet"] for probe in ("startupProbe", "readinessProbe", "livenessProbe")}
        assert {probe: (get["path"], get["port"]) for probe, get in paths.items()} == {
            "startupProbe": ("/healthz", "metrics"),
            "readinessProbe": ("/readyz", "metrics"),
            "livenessProbe": ("/healthz", "metrics"),
        }, worker
        # The settings of its service, as the service's server reads them: the ConfigMap, the shared
        # Secret and the service's own (the server's single `env` values, e.g. notify's NATS account
        # seed file, are the server's alone).
        server = deployments[service]["spec"]["template"]["spec"]
        expected = {f"configMapRef/{CONFIG_MAP}", f"secretRef/{ENV_SECRET}", f"secretRef/{service_secret(service)}"}
        assert env_from_sources(pod["spec"]) == env_from_sources(server) == expected, worker
        assert not env_secret_refs(pod["spec"]), f"{worker}: Secrets come by envFrom only"
        assert hpas[worker]["spec"]["scaleTargetRef"]["name"] == worker
        assert pdbs[worker]["spec"]["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
    # Whatever else runs workers, it runs one service's: each service's worker is in exactly one Deployment.
    running: dict[str, list[str]] = {}
    for what, spec in workloads(docs):
        (container,) = spec["containers"]
        if container["args"][:1] == ["worker"]:
            assert "--drain-legacy-queue" not in container["args"], f"{what}: the drain worker is not part of {name}"
            hosted = hosted_services(container["args"])
            assert len(hosted) == 1, f"{what} runs the workers of {hosted}: one service's per Deployment"
            running.setdefault(hosted[0], []).append(what)
    assert running == {s: [f"Deployment/{w}"] for s, w in WORKERS.items()}, running


def test_the_legacy_queue_drain_worker_runs_every_service_beside_production() -> None:
    """The temporary `worker all --drain-legacy-queue` Deployment: every service's worker (the old
    queue's tasks may be any service's) with their Secrets, the production image and namespace,
    nothing else, and no part of the base or production."""
    docs = rendered("drain-legacy-queue")
    assert [doc["kind"] for doc in docs] == ["Deployment"], "only the drain worker: no autoscaler, nothing shared"
    (doc,) = docs
    name = doc["metadata"]["name"]
    assert name not in objects(rendered("production"), "Deployment"), "production must not create or own it"
    assert doc["metadata"]["namespace"] == "dutyline"
    assert doc["metadata"]["labels"]["app.kubernetes.io/component"] == "worker"
    assert doc["spec"]["replicas"] == 1
    spec = doc["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    assert container["args"] == ["worker", "all", "--drain-legacy-queue"]
    assert hosted_services(container["args"]) == WORKER_SERVICES
    assert env_from_secrets(spec) == {ENV_SECRET, *(service_secret(s) for s in WORKER_SERVICES)}
    (production_image,) = {c["image"] for _, s in workloads(rendered("production")) for c in s["containers"]}
    assert container["image"] == production_image, "keep the drain overlay's `images` the same as production's"


def test_secret_template_is_only_placeholders() -> None:
    for name, doc in secret_template().items():
        for key, value in doc["stringData"].items():
            assert "REPLACE" in value, f"{name}.{key} looks like a real value; the template holds placeholders only"
    assert set(secret_template()[NATS_SECRET]["stringData"]) == {
        "services.creds",
        "account.seed",
        "signing.seed",
        "system.creds",
    }


# --- the engines' values agree with the ConfigMap and the Secret ------------------------------------


def test_engine_values_match_dutyline_settings() -> None:
    data = config_map(rendered("base"))
    pg_docs = load_documents(HELM / "postgresql-cluster.yaml")
    (cluster,) = [d for d in pg_docs if d["kind"] == "Cluster"]
    assert cluster["spec"]["instances"] >= 3
    primary = f"{cluster['metadata']['name']}-rw.postgres.svc:5432"
    database = f"{primary}/{cluster['spec']['bootstrap']['initdb']['database']}"
    admin = urlsplit(secret_template()[ADMIN_SECRET]["stringData"]["DUTYLINE_PG_DSN"])
    assert f"{admin.hostname}:{admin.port}{admin.path}" == database
    assert admin.username == cluster["spec"]["bootstrap"]["initdb"]["owner"], "the migration signs in as the owner"
    assert data["DUTYLINE_PG_DSN"] == f"postgresql://{database}"
    # The services' roles are declared with their passwords' Secrets (in the namespace postgres).
    roles = {r["name"]: r for r in cluster["spec"]["managed"]["roles"]}
    for service in SERVICES:
        role = roles[role_of(service)]
        assert role["ensure"] == "present" and role["login"] is True, service
        assert not role.get("superuser") and not role.get("createrole") and not role.get("bypassrls"), service
        assert role["passwordSecret"]["name"] == f"dutyline-db-{service}", service

    temporal = load_documents(HELM / "temporal-values.yaml")[0]["server"]["config"]["persistence"]
    assert temporal["numHistoryShards"] > 0
    databases = {d["spec"]["name"] for d in pg_docs if d["kind"] == "Database"}
    for store in (temporal["defaultStore"], temporal["visibilityStore"]):
        sql = temporal["datastores"][store]["sql"]
        assert sql["connectAddr"] == primary and sql["databaseName"] in databases, store
    assert data["DUTYLINE_TEMPORAL_ADDRESS"] == "temporal-frontend.temporal.svc:7233"

    nats = load_documents(HELM / "nats-values.yaml")[0]
    assert nats["config"]["cluster"]["enabled"] and nats["config"]["jetstream"]["fileStore"]["pvc"]["enabled"]
    assert int(data["DUTYLINE_STREAM_REPLICAS"]) == nats["config"]["cluster"]["replicas"] == 3
    assert data["DUTYLINE_NATS_URL"] == "nats://nats.nats.svc:4222"
    (mount,) = [p["value"] for p in nats["container"]["patch"] if p["value"]["name"] == "nats-auth"]
    # nats-server resolves an include relative to the directory of nats.conf (/etc/nats-config in the chart).
    include = posixpath.normpath(posixpath.join("/etc/nats-config", nats["config"]["merge"]["$include"]))
    assert include == posixpath.join(mount["mountPath"], "auth.conf"), "auth.conf is not included from its mount"


# --- the duty console ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_the_console_serves_http_with_its_own_secret_only_and_one_replica(name: str) -> None:
    """The console's Deployment runs `console`, listens where DUTYLINE_CONSOLE_ADDRESS says, is probed
    on /healthz there, is reached through its Service; it gets the ConfigMap and its own Secret only —
    never the shared one with the services' credential key, nor a service's or NATS' — mounts the gRPC
    TLS files where the ConfigMap points, and runs one replica (its sessions live in memory)."""
    docs = rendered(name)
    data = config_map(docs)
    deployment = objects(docs, "Deployment")["console"]
    pod = deployment["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    assert container["args"] == ["console"]
    port = port_of(data["DUTYLINE_CONSOLE_ADDRESS"])
    assert data["DUTYLINE_CONSOLE_ADDRESS"].startswith("0.0.0.0:"), "it must listen beyond loopback in its pod"
    assert data["DUTYLINE_CONSOLE_PUBLIC_URL"].startswith("https://"), "people open it over TLS"
    named_ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert named_ports == {"http": port}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        check = container[probe]["httpGet"]
        assert check["path"] == "/healthz" and named_ports.get(check["port"], check["port"]) == port, probe

    assert env_from_sources(pod["spec"]) == {f"configMapRef/{CONFIG_MAP}", f"secretRef/{CONSOLE_SECRET}"}
    assert not env_secret_refs(pod["spec"])
    secret_volumes = {v["name"]: v["secret"]["secretName"] for v in pod["spec"]["volumes"] if "secret" in v}
    assert set(secret_volumes.values()) == {TLS_SECRET}, "no NATS credentials, no other Secret"
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    (tls_volume,) = [v for v, secret in secret_volumes.items() if secret == TLS_SECRET]
    assert mounts[tls_volume]["readOnly"]
    for variable, key in (("DUTYLINE_TLS_CERT_FILE", "tls.crt"), ("DUTYLINE_TLS_CA_FILE", "ca.crt")):
        assert data[variable] == f"{mounts[tls_volume]['mountPath']}/{key}", variable

    assert deployment["spec"]["replicas"] == 1
    assert "console" not in objects(docs, "HorizontalPodAutoscaler"), "an autoscaler would add replicas"
    svc = objects(docs, "Service")["console"]["spec"]
    (svc_port,) = svc["ports"]
    assert svc_port["port"] == port and named_ports.get(svc_port["targetPort"], svc_port["targetPort"]) == port
    assert svc["selector"].items() <= pod["metadata"]["labels"].items(), "the Service selects no console pod"


def test_the_console_refuses_to_start_in_production_without_an_oidc_provider_or_with_a_placeholder() -> None:
    """What the ConfigMap and the Secret template give it: in production it refuses to start until the
    provider is set and the client secret replaced; it never asks for the services' keys."""
    data = config_map(rendered("base"))
    placeholder = secret_template()[CONSOLE_SECRET]["stringData"]
    env = {**data, **placeholder}
    fields = names_of(ConsoleSettings)

    def settings(**overrides: str) -> ConsoleSettings:
        values = {fields[k]: v for k, v in {**env, **overrides}.items() if k in fields}
        return ConsoleSettings(**values)

    assert settings().insecure_secrets() == ["DUTYLINE_OIDC_ISSUER"]
    with_provider = settings(DUTYLINE_OIDC_ISSUER="https://sso.example.org/realms/duty")
    assert with_provider.insecure_secrets() == ["DUTYLINE_CONSOLE_OIDC_CLIENT_SECRET"]
    ready = settings(
        DUTYLINE_OIDC_ISSUER="https://sso.example.org/realms/duty",
        DUTYLINE_CONSOLE_OIDC_CLIENT_SECRET="k7Jx2-real-looking-client-secret",
    )
    assert ready.insecure_secrets() == []
    assert set(ready.secrets()) == {"console_oidc_client_secret"}
