"""The Prometheus scrape configuration of a running platform (`dutyline up` writes it into the state
directory): each service and worker process as a static target on its own metrics port, with the
labels deploy/prometheus/alerts.yaml and deploy/grafana/dutyline.json expect (component, process), and
the alert rules of deploy/. `dutyline up --prometheus` runs a local Prometheus with it (Debian's package:
`apt-get install prometheus`); by hand: ``prometheus --config.file=<state>/prometheus.yml``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from dutyline.stack.platform import HOST, ROOT, Platform
from dutyline.stack.process import ManagedProcess, bin_path, ensure_port_free, wait_for_http_async

ALERT_RULES = ROOT / "deploy" / "prometheus" / "alerts.yaml"
CONFIG_FILE = "prometheus.yml"
PROMETHEUS_PORT = 9090
PROMETHEUS_INSTALL = "sudo apt-get install prometheus"


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


async def start_prometheus(platform: Platform, port: int = PROMETHEUS_PORT, timeout: float = 60.0) -> ManagedProcess:
    """A local Prometheus on ``HOST:port`` scraping ``platform`` with the file ``write_prometheus_config`` writes
    (its data under the state directory), once it answers ready; raises MissingBinaryError when it is not
    installed (PROMETHEUS_INSTALL)."""
    binary = bin_path("prometheus")
    ensure_port_free(HOST, port, "prometheus")
    process = ManagedProcess(
        [
            binary,
            f"--config.file={write_prometheus_config(platform)}",
            f"--storage.tsdb.path={platform.state_dir / 'prometheus'}",
            f"--web.listen-address={HOST}:{port}",
        ],
        platform.state_dir / "logs" / "prometheus.log",
        name="prometheus",
    )
    process.start()
    try:
        await wait_for_http_async(f"http://{HOST}:{port}/-/ready", process, timeout=timeout)
    except BaseException:
        process.stop()
        raise
    return process
