"""dutyline — 应急值班值守平台 command line."""

from __future__ import annotations

import asyncio
import json
import signal
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dutyline.cli.agency import agency_app
from dutyline.cli.call import call_app
from dutyline.cli.events import events_app
from dutyline.cli.incident import incident_app
from dutyline.cli.notify import notify_app
from dutyline.cli.ops import ops_app
from dutyline.cli.roster import roster_app
from dutyline.config import SERVICES, get_settings

app = typer.Typer(help="dutyline — 应急值班值守平台 central 24/7 emergency duty platform", no_args_is_help=True)
console = Console()
app.add_typer(roster_app, name="roster")
app.add_typer(incident_app, name="incident")
app.add_typer(call_app, name="call")
app.add_typer(notify_app, name="notify")
app.add_typer(agency_app, name="agency")
app.add_typer(events_app, name="events")
app.add_typer(ops_app, name="ops")

StateDir = Annotated[Path, typer.Option("--state-dir", help="数据目录 where the platform keeps its data")]


def _default_state_dir() -> Path:
    from dutyline.cli.state import DEFAULT_STATE_DIR

    return DEFAULT_STATE_DIR


@app.command()
def up(
    state_dir: StateDir = _default_state_dir(),
    no_ui: Annotated[bool, typer.Option("--no-ui", help="不启动 Temporal 界面 no Temporal web UI")] = False,
) -> None:
    """启动整个平台 Start the whole platform on embedded, real servers (Ctrl-C stops it)."""
    from dutyline.cli.up import run_up

    asyncio.run(run_up(state_dir, ui=not no_ui))


@app.command()
def demo(state_dir: StateDir = _default_state_dir()) -> None:
    """演示 Register an emergency call against a running `dutyline up` and show what happens."""
    from dutyline.cli.demo import run_demo

    asyncio.run(run_demo(state_dir))


@app.command()
def migrate(
    temporal: Annotated[
        bool,
        typer.Option("--temporal", help="同时注册 Temporal 搜索属性 also register Temporal search attributes"),
    ] = False,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo/--no-demo",
            envvar="DUTYLINE_SEED_DEMO",
            help="空库时写入演示组织 seed the demo organization into an empty roster",
        ),
    ] = False,
) -> None:
    """迁移数据库 Apply every service's schema migrations (DUTYLINE_PG_DSN)."""
    from dutyline.db.migrations import migrate_all

    settings = get_settings()
    applied = asyncio.run(migrate_all(settings.pg_dsn, SERVICES))
    for service, names in applied.items():
        console.print(f"{service}: " + (", ".join(names) if names else "已是最新 up to date"))
    if demo:
        from dutyline.db.seeding import seed_demo_organization

        seeded = asyncio.run(seed_demo_organization(settings.pg_dsn))
        console.print("demo organization: " + ("seeded 已写入" if seeded else "roster not empty, left alone 已有数据"))
    if temporal:
        from temporalio.client import Client

        from dutyline.temporal_setup import register_search_attributes

        async def register() -> list[str]:
            client = await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace)
            return await register_search_attributes(client)

        added = asyncio.run(register())
        console.print("Temporal search attributes: " + (", ".join(added) or "已存在 already registered"))


@app.command()
def token(
    person: Annotated[str, typer.Option(help="人员编号 person id")],
    role: Annotated[list[str], typer.Option(help="角色 role: officer, leader, unit_head, admin, supervisor, agency")],
    site: Annotated[list[str], typer.Option(help="站点或区域 site or region id; * for all")],
    name: Annotated[str, typer.Option(help="姓名 display name")] = "",
    days: Annotated[int, typer.Option(help="有效天数 days valid")] = 30,
) -> None:
    """签发开发令牌 Issue a bearer token for development (signed with DUTYLINE_TOKEN_SECRET)."""
    from dutyline.grpckit.auth import issue_token

    secret = get_settings().signing_secret()
    try:
        typer.echo(issue_token(secret, person_id=person, name=name, roles=role, sites=site, ttl=timedelta(days=days)))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


@app.command()
def serve(service: Annotated[str, typer.Argument(help="intake | roster | incident | notify")]) -> None:
    """运行一个服务 Run one service (what a container runs)."""
    if service not in SERVICES:
        raise typer.BadParameter(f"unknown service {service!r}; one of {', '.join(SERVICES)}")
    from dutyline.grpckit.server import run

    run(service, get_settings())


@app.command()
def health(
    service: Annotated[str, typer.Argument(help="intake | roster | incident | notify")],
    address: Annotated[str, typer.Option(help="地址 host:port (default: this host, the service's port)")] = "",
) -> None:
    """健康检查 Exit 0 if the service answers SERVING to the gRPC health check (for container probes)."""
    if service not in SERVICES:
        raise typer.BadParameter(f"unknown service {service!r}; one of {', '.join(SERVICES)}")
    from dutyline.grpckit.health import check

    target = address or f"127.0.0.1:{get_settings().address_of(service).rsplit(':', 1)[1]}"
    status = asyncio.run(check(target))
    typer.echo(f"{service} {target}: {status}")
    raise typer.Exit(0 if status == "SERVING" else 1)


@app.command(name="nats-auth")
def nats_auth(
    directory: Annotated[Path, typer.Argument(help="目录 where to keep the NATS operator setup (a secret)")],
    store_dir: Annotated[str, typer.Option(help="JetStream 存储目录 the server's JetStream directory")] = "/data",
    port: Annotated[int, typer.Option(help="NATS 端口 client port")] = 4222,
) -> None:
    """NATS 认证 Create (once) the operator, accounts and services' user for a NATS server in operator mode.

    Writes nats.conf (JetStream, fsync always, the operator trusted), auth.conf (only the operator part,
    to merge into a cluster's config), services.creds and account.seed; a second run keeps them."""
    from dutyline.natsauth import OperatorSetup, write_secret

    setup = OperatorSetup.load_or_create(directory)
    write_secret(directory / "auth.conf", setup.server_config())
    server = [
        f"port: {port}",
        "jetstream {",
        f"  store_dir: {json.dumps(store_dir)}",
        "  sync_interval: always",
        "}",
        "include auth.conf",
    ]
    write_secret(directory / "nats.conf", "\n".join(server) + "\n")
    setup.write_service_creds(directory / "services.creds")
    write_secret(directory / "account.seed", setup.account_seed + "\n")
    typer.echo(f"NATS operator setup in {directory}: nats.conf, auth.conf, services.creds, account.seed")
    typer.echo(
        "services: DUTYLINE_NATS_CREDS=<dir>/services.creds; notify: DUTYLINE_NATS_ACCOUNT_SEED_FILE=<dir>/account.seed"
    )


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True}, add_help_option=False)
def gateway(ctx: typer.Context) -> None:
    """本地网关 The local SMTP + HTTP message gateway of `dutyline up` (options: `dutyline gateway --help`)."""
    from dutyline.stack.gateway import main as gateway_main

    gateway_main(ctx.args)


@app.command()
def worker() -> None:
    """运行工作流执行器 Run the Temporal worker."""
    from workflows.worker import run

    run(get_settings())


def _stop_on_signals(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


def print_table(title: str, rows: list[tuple[str, str]]) -> None:
    table = Table(title=title, show_header=False)
    for key, value in rows:
        table.add_row(key, value)
    console.print(table)


if __name__ == "__main__":
    app()
