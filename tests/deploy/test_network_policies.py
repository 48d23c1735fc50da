"""The NetworkPolicies (deploy/k8s/base/network-policies.yaml, deploy/k8s/helm/network-policies.yaml):
everything denied by default, every workload allowed exactly what it uses, the Temporal frontend
only from dutyline's services and workers, the internet only for notify (and https for the console's
OpenID Connect provider) and only public addresses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.test_kubernetes import RENDERABLE, objects, rendered

HELM_POLICIES = Path(__file__).resolve().parents[2] / "deploy" / "k8s" / "helm" / "network-policies.yaml"
PRIVATE = {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "127.0.0.0/8"}
# What sends to gateways, mail servers and users' URLs: notify's server and worker (the legacy-queue
# worker runs notify's worker too).
SENDERS = {"notify", "notify-worker", "legacy-queue-worker"}
# What each kind of workload must reach, by port.
USES = {
    "service": {5432, 4222, 7233, 50051, 50054},
    "worker": {5432, 7233, 50051, 50054},
    "migration": {5432},
    "console": {50051, 50054, 443},
}


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        assert expression["operator"] == "In", "only In is read here"
        if labels.get(expression["key"]) not in expression["values"]:
            return False
    return True


def pods(docs: tuple[Any, ...]) -> dict[str, dict[str, str]]:
    return {
        f"{d['kind']}/{d['metadata']['name']}": d["spec"]["template"]["metadata"]["labels"]
        for d in docs
        if d["kind"] in ("Deployment", "Job")
    }


def ports(rules: list[dict[str, Any]]) -> set[int]:
    found: set[int] = set()
    for rule in rules:
        for port in rule.get("ports", []):
            found |= set(range(port["port"], port.get("endPort", port["port"]) + 1))
    return found


@pytest.mark.parametrize("name", RENDERABLE)
def test_everything_is_denied_by_default_and_each_workload_allowed_what_it_uses(name: str) -> None:
    docs = rendered(name)
    # The drain overlay is applied beside production, whose policies then select its worker too.
    policies = list(objects(docs if name != "drain-legacy-queue" else rendered("production"), "NetworkPolicy").values())
    deny = [
        p
        for p in policies
        if p["spec"]["podSelector"] == {}
        and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
    ]
    assert deny, "no default-deny NetworkPolicy"
    for what, labels in pods(docs).items():
        mine = [p["spec"] for p in policies if selects(p["spec"]["podSelector"], labels)]
        egress = [rule for spec in mine for rule in spec.get("egress", [])]
        ingress = [rule for spec in mine for rule in spec.get("ingress", [])]
        assert 53 in ports(egress), f"{what} cannot resolve names"
        component = labels["app.kubernetes.io/component"]
        assert USES[component] <= ports(egress), f"{what} cannot reach {sorted(USES[component] - ports(egress))}"
        if component == "service":
            assert {50051, 8081, 9464} <= ports(ingress), f"{what}: no gRPC, probe or metrics ingress"
        elif component == "console":
            assert ports(ingress) == {8080}, f"{what}: HTTP only"
            assert not ports(egress) & {5432, 4222, 7233}, f"{what} reaches a database, NATS or Temporal"
        elif component == "worker":
            assert ports(ingress) == {9464}, f"{what}: metrics and probes only"
        else:
            assert not ingress, f"{what} listens to nobody, and nobody may connect to it"
        internet = [rule for rule in egress for peer in rule.get("to", []) if "ipBlock" in peer]
        if labels["app.kubernetes.io/name"] in SENDERS or component == "console":
            # The console: its OpenID Connect provider, over https only.
            allowed = {443} if component == "console" else {443, 25, 465, 587}
            assert internet and ports(internet) <= allowed
            for rule in internet:
                for peer in rule["to"]:
                    assert set(peer["ipBlock"]["except"]) >= PRIVATE, f"{what} may reach private addresses"
        else:
            assert not internet, f"{what} may reach the internet"


def test_the_temporal_frontend_admits_only_dutylines_services_and_workers() -> None:
    policies = [d for d in yaml.safe_load_all(HELM_POLICIES.read_text()) if d]
    temporal = [p for p in policies if p["metadata"]["namespace"] == "temporal"]
    assert any(p["spec"]["podSelector"] == {} and not p["spec"].get("ingress") for p in temporal), "no default deny"
    frontend = {"app.kubernetes.io/name": "temporal", "app.kubernetes.io/component": "frontend"}
    outside = [
        peer
        for p in temporal
        if selects(p["spec"]["podSelector"], frontend)
        for rule in p["spec"].get("ingress", [])
        for peer in rule.get("from", [])
        if "namespaceSelector" in peer
    ]
    assert outside, "nobody outside Temporal reaches the frontend"
    for peer in outside:
        assert peer["namespaceSelector"] == {"matchLabels": {"kubernetes.io/metadata.name": "dutyline"}}
        assert peer["podSelector"]["matchExpressions"] == [
            {"key": "app.kubernetes.io/component", "operator": "In", "values": ["service", "worker"]}
        ]
    for namespace in ("nats", "postgres"):
        assert any(
            p["metadata"]["namespace"] == namespace and p["spec"]["podSelector"] == {} and not p["spec"].get("ingress")
            for p in policies
        ), f"no default deny in {namespace}"


def test_the_services_admit_the_consoles_grpc() -> None:
    docs = rendered("base")
    console = pods(docs)["Deployment/console"]
    policies = objects(docs, "NetworkPolicy").values()
    admitting = [
        rule
        for p in policies
        if selects(p["spec"]["podSelector"], pods(docs)["Deployment/roster"])
        for rule in p["spec"].get("ingress", [])
        if any("podSelector" in peer and selects(peer["podSelector"], console) for peer in rule.get("from", []))
    ]
    assert {50051, 50054} <= ports(admitting), "the services refuse the console's calls"
