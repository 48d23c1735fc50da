"""The Prometheus scrape configuration of a running platform (`dutyline up` writes it into the state
directory): each service and worker process as a static target on its own metrics port, with the
labels deploy/prometheus/alerts.yaml and deploy/grafana/dutyline.json expect (component, process), and
the alert rules of deploy/. Run it with Prometheus (Debian: `apt-get install prometheus`):
``prometheus --config.file=<state>/prometheus.yml``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from dutyline.stack.platform import ROOT, Platform

ALERT_RULES = ROOT / "deploy" / "prometheus" / "alerts.yaml"
CONFIG_FILE = "prometheus.yml"


def prometheus_config(platform: Platform) -> dict[str, Any]:
    targets = [
        {
            "targets": [platform.metrics_address(process)],
            "labels": {"component": "worker" if process in platform.worker_groups else "service", "process": process},
        }
        for process in sorted(platform.metrics_ports)
    ]
    return {
        "global": {"scrape_interval": "5s", "evaluation_interval": "5s"},
        # The rules ship with the source tree (deploy/), not with an installed package.
        "rule_files": [str(ALERT_RULES)] if ALERT_RULES.exists() else [],
        "scrape_configs": [{"job_name": "dutyline", "static_configs": targets}],
    }


def write_prometheus_config(platform: Platform) -> Path:
    path = platform.state_dir / CONFIG_FILE
    path.write_text(
        "# Written by `dutyline up`: prometheus --config.file="
        + str(path)
        + "\n"
        + yaml.safe_dump(prometheus_config(platform), sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    return path
