"""`dutyline up`: the platform on embedded servers until Ctrl-C."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.console import Console

from dutyline.cli.common.state import PlatformInfo
from dutyline.cli.common.tables import summary_table
from dutyline.config import SERVICES, get_settings
from dutyline.grpckit.auth import issue_token
from dutyline.signals import stop_on_signals
from dutyline.stack.platform import HOST, Platform
from dutyline.stack.process import ManagedProcess, MissingBinaryError
from dutyline.stack.scrape import PROMETHEUS_INSTALL, PROMETHEUS_PORT, start_prometheus, write_prometheus_config
from dutyline.stack.supervisor import write_pid

console = Console()


async def run_up(state_dir: Path, *, ui: bool, replicas: int = 1, prometheus: bool = False) -> None:
    settings = get_settings()
    platform = Platform(
        state_dir, ui=ui, token_secret=settings.token_secret.get_secret_value(), replicas=replicas, supervise=True
    )
    secret = settings.signing_secret()
    console.print(f"[bold]dutyline[/] 正在启动 starting… 数据目录 state: {platform.state_dir}")
    stop = asyncio.Event()
    stop_on_signals(stop)
    timings = await platform.start()
    # `dutyline up restart <component>` from another terminal finds this process through it.
    write_pid(platform.state_dir)
    scraper: ManagedProcess | None = None
    try:
        if prometheus:
            try:
                scraper = await start_prometheus(platform)
            except MissingBinaryError:
                console.print(f"[yellow]未安装 Prometheus not installed[/]: {PROMETHEUS_INSTALL}")
        token = issue_token(
            secret, person_id="p-hz-officer-1", name="王芳 Wang Fang", roles=["officer"], sites=["hz-01"]
        )
        admin = issue_token(
            secret, person_id="p-admin", name="管理员 Admin", roles=["admin", "supervisor"], sites=["*"]
        )
        PlatformInfo(
            addresses={s: platform.address(s) for s in SERVICES},
            nats_url=platform.nats_url,
            nats_creds=str(platform.nats_creds),
            temporal_address=platform.temporal.address,
            temporal_ui_url=platform.temporal_ui_url,
            token=token,
            console_url=platform.console_url,
        ).write(platform.state_dir)
        console.print(
            summary_table(
                "dutyline 已就绪 ready",
                [
                    ("值班台 console", platform.console_url),
                    *((f"{s} (gRPC)", ", ".join(platform.addresses(s))) for s in SERVICES),
                    ("PostgreSQL", platform.postgres.dsn),
                    ("NATS JetStream", ", ".join(node.url for node in platform.nats_nodes)),
                    ("Temporal", platform.temporal.address),
                    ("Temporal UI", platform.temporal_ui_url or "(--no-ui)"),
                    (
                        "local gateway 本地网关",
                        f"SMTP {platform.ports.gateway_smtp} · HTTP {platform.gateway_url} (SMS, voice, IM, agencies)",
                    ),
                    ("messages sent 已发消息", str(platform.gateway_dir / "messages.jsonl")),
                    ("logs 日志", str(platform.state_dir / "logs")),
                    ("started in 启动耗时", f"{timings['total']:.1f} s"),
                    ("memory 内存 (PSS)", f"{sum(platform.memory_mb().values()):.0f} MiB"),
                    *((f"{p} /metrics 指标", platform.metrics_address(p)) for p in sorted(platform.metrics_ports)),
                    *scraping(platform, scraper),
                ],
            )
        )
        console.print("[bold]值班员令牌 officer token[/] (p-hz-officer-1, hz-01):")
        console.print(token, soft_wrap=True)
        console.print("[bold]管理员令牌 admin token[/] (all sites):")
        console.print(admin, soft_wrap=True)
        console.print(f"[bold]值班台 Duty console[/]: {platform.console_url}  (开发环境选人登录 pick a demo person)")
        console.print("另开终端运行 In another terminal run: [bold]dutyline demo[/]   ·   Ctrl-C 停止 stops everything")
        console.print(
            "崩溃的组件会自动重启 a crashed component is restarted · "
            "手动重启 restart one: [bold]dutyline up restart worker[/]"
        )
        await stop.wait()
    finally:
        console.print("正在停止 stopping…")
        if scraper is not None:
            scraper.stop()
        await platform.stop()
        console.print("已全部停止 everything stopped.")


def scraping(platform: Platform, scraper: ManagedProcess | None) -> list[tuple[str, str]]:
    """The summary's lines about Prometheus: the running one's URL, or how to scrape the processes."""
    config = str(write_prometheus_config(platform))
    if scraper is not None:
        return [("Prometheus", f"http://{HOST}:{PROMETHEUS_PORT} (抓取配置 scrape config {config})")]
    return [
        ("Prometheus 抓取配置 scrape config", config),
        (
            "抓取 to scrape",
            f"dutyline up --prometheus, or: prometheus --config.file={config} (每个进程的 /metrics every process's)",
        ),
    ]
