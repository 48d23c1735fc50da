"""The alert rules (deploy/prometheus/alerts.yaml) and the Grafana dashboard (deploy/grafana/dutyline.json)
ask only for series that exist: dutyline's as dutyline.metrics declares them, the scrape's `up`, and the
Temporal SDK's (temporal_*, checked against a live worker's scrape in tests/observability). Every
service and worker pod is annotated for scraping on the port DUTYLINE_METRICS_PORT says."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY
from prometheus_client.metrics import MetricWrapperBase

from dutyline import metrics
from tests.deploy.test_kubernetes import KUSTOMIZATIONS, config_map, objects, rendered

ROOT = Path(__file__).resolve().parents[2]
ALERTS = ROOT / "deploy" / "prometheus" / "alerts.yaml"
DASHBOARD = ROOT / "deploy" / "grafana" / "dutyline.json"
# Sample names of each metric type (prometheus_client's text exposition).
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}
# What a PromQL expression names that is not a series.
KEYWORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset",
    "inf", "nan",
}  # fmt: skip


def dutyline_series() -> set[str]:
    """Every sample name dutyline.metrics can serve."""
    names: set[str] = set()
    for value in vars(metrics).values():
        if isinstance(value, metrics.DatabaseSeries):
            names.add(value.exposed)
        elif isinstance(value, MetricWrapperBase):
            for family in value.describe():
                names |= {family.name + suffix for suffix in SUFFIXES[family.type]}
    # Collectors of their own (the pools' gauge) describe themselves by collecting.
    names |= {f.name for f in REGISTRY.collect() if f.name.startswith("dutyline_") and f.type == "gauge"}
    return names


def series_in(expr: str) -> set[str]:
    """The series an expression selects (a plain reading of PromQL: enough for these files)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)  # strings (label values)
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # ranges
    expr = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)  # label lists
    names = re.findall(r"(?<![\w$])([a-zA-Z_:][\w:]*)\b(?!\s*\()", expr)
    return {n for n in names if n.lower() not in KEYWORDS and not re.fullmatch(r"\d+\w*", n)}


def alert_rules() -> list[dict[str, Any]]:
    return [rule for group in yaml.safe_load(ALERTS.read_text(encoding="utf-8"))["groups"] for rule in group["rules"]]


def dashboard_exprs() -> dict[str, str]:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return {
        f"{panel['title']} / {target['refId']}": target["expr"]
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
    }


def exprs() -> dict[str, str]:
    return {**{f"alert {r['alert']}": r["expr"] for r in alert_rules()}, **dashboard_exprs()}


def temporal_series() -> set[str]:
    """The Temporal SDK series the files use (tests/observability checks them on a worker's scrape)."""
    return {name for expr in exprs().values() for name in series_in(expr) if name.startswith("temporal_")}


def test_the_expression_reader_finds_series_and_nothing_else() -> None:
    assert series_in(
        'histogram_quantile(0.99, sum by (le, method) (rate(a_bucket{code!="OK"}[$__rate_interval]))) / b > 0.05'
    ) == {"a_bucket", "b"}
    assert series_in('up{component="worker"} == 0 and max(increase(c_total[15m])) > 1e3') == {"up", "c_total"}


def test_alerts_and_dashboard_use_only_series_that_exist() -> None:
    known = dutyline_series() | {"up"}
    unknown = {
        where: names
        for where, expr in exprs().items()
        if (names := sorted(n for n in series_in(expr) if n not in known and not n.startswith("temporal_")))
    }
    assert not unknown, f"series nothing serves: {unknown}"
    # Every named series of the issue is on the dashboard or in an alert.
    used = {name for expr in exprs().values() for name in series_in(expr)}
    assert dutyline_series() - used <= {"dutyline_grpc_server_handling_seconds_count",
                                        "dutyline_grpc_server_handling_seconds_sum"}  # fmt: skip


def test_the_alerts_the_issue_names_exist() -> None:
    rules = {r["alert"]: r for r in alert_rules()}
    for name in (
        "DutylineRelayLag",
        "DutylineDeadLetters",
        "DutylineDeadlinesMissed",
        "DutylineEscalationsExhausted",
        "DutylineWorkerDown",
        "DutylineRpcErrors",
    ):
        assert name in rules, name
        assert rules[name]["labels"]["severity"] in ("warning", "critical"), name
        assert rules[name]["annotations"]["summary"], name


@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_every_service_and_worker_pod_is_scraped_on_the_metrics_port(name: str) -> None:
    docs = rendered(name)
    port = config_map(docs)["DUTYLINE_METRICS_PORT"]
    for deployment, spec in objects(docs, "Deployment").items():
        pod = spec["spec"]["template"]
        if pod["metadata"]["labels"]["app.kubernetes.io/component"] not in ("service", "worker"):
            continue
        annotations = pod["metadata"].get("annotations", {})
        assert annotations.get("prometheus.io/scrape") == "true", deployment
        assert annotations.get("prometheus.io/port") == port and annotations.get("prometheus.io/path") == "/metrics"
