"""dutyline — 应急值班值守平台 command line: the command groups of each area (dutyline/cli/<area>/), the
commands a container runs (serve, console, worker, migrate, health, nats-auth) and, when the embedded dev stack
is installed, its commands (up, demo, gateway).

The dev stack sits above the CLI: it imports the CLI, never the other way round. The CLI names it
only in ``PLUGINS``, by module path, and loads it when it is there; in an installation without it (the
production image) its commands say what to install.
"""

from __future__ import annotations

import asyncio
import importlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dutyline.cli.agency.commands import agency_app
from dutyline.cli.call.commands import call_app
from dutyline.cli.case.commands import case_app
from dutyline.cli.common.enums import Choices
from dutyline.cli.competence.commands import competence_app, drill_app
from dutyline.cli.equipment.commands import equipment_app, supplies_app
from dutyline.cli.events.commands import events_app
from dutyline.cli.inbox.commands import inbox_app
from dutyline.cli.incident.commands import incident_app
from dutyline.cli.insight.commands import insight_app
from dutyline.cli.insight.log import log_app
from dutyline.cli.insight.report import report_app
from dutyline.cli.insight.score import score
from dutyline.cli.insight.stats import stats_app
from dutyline.cli.inspection.commands import inspection_app
from dutyline.cli.instruction.commands import instruction_app
from dutyline.cli.line.commands import line_app
from dutyline.cli.notify.commands import notify_app
from dutyline.cli.ops.commands import ops_app
from dutyline.cli.plan.commands import plan_app
from dutyline.cli.roster.commands import roster_app
from dutyline.cli.roster.presence import checkout, presence_app
from dutyline.cli.roster.records import counts, violations
from dutyline.cli.signals.commands import signals_app
from dutyline.common.v1 import common_pb2
from dutyline.config import SERVICES, get_settings

app = typer.Typer(help="dutyline — 应急值班值守平台 central 24/7 emergency duty platform", no_args_is_help=True)
console = Console()
app.add_typer(roster_app, name="roster")
roster_app.command(name="counts")(counts)
roster_app.command(name="violations")(violations)
roster_app.command(name="checkout")(checkout)
roster_app.add_typer(presence_app, name="presence")
app.add_typer(incident_app, name="incident")
app.add_typer(inbox_app, name="inbox")
app.add_typer(instruction_app, name="instruction")
app.add_typer(competence_app, name="competence")
app.add_typer(drill_app, name="drill")
app.add_typer(inspection_app, name="inspection")
app.add_typer(equipment_app, name="equipment")
app.add_typer(supplies_app, name="supplies")
app.add_typer(plan_app, name="plan")
app.add_typer(signals_app, name="signals")
app.add_typer(call_app, name="call")
app.add_typer(line_app, name="line")
app.add_typer(case_app, name="case")
app.add_typer(notify_app, name="notify")
app.add_typer(agency_app, name="agency")
app.add_typer(events_app, name="events")
app.add_typer(ops_app, name="ops")
app.add_typer(insight_app, name="insight")
app.add_typer(stats_app, name="stats")
app.add_typer(log_app, name="log")
app.add_typer(report_app, name="report")
app.command(name="score")(score)

ROLES = Choices.of_enum(common_pb2.Role)


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
    """迁移数据库 Apply every service's schema migrations and give each service's database role its rights
    (as the administrator of DUTYLINE_PG_DSN; sets a role's password if DUTYLINE_<SERVICE>_PG_PASSWORD is given)."""
    from dutyline import launch

    settings = get_settings()
    applied = asyncio.run(launch.migrate_all(settings.pg_dsn))
    for service, names in applied.items():
        console.print(f"{service}: " + (", ".join(names) if names else "已是最新 up to date"))
    if demo:
        seeded = asyncio.run(launch.seed_demo(settings.pg_dsn))
        console.print("demo organization: " + ("seeded 已写入" if seeded else "roster not empty, left alone 已有数据"))
    if temporal:
        from temporalio.client import Client

        async def register() -> list[str]:
            client = await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace)
            return await launch.register_search_attributes(client)

        added = asyncio.run(register())
        console.print("Temporal search attributes: " + (", ".join(added) or "已存在 already registered"))


@app.command()
def token(
    person: Annotated[str, typer.Option(help="人员编号 person id")],
    role: Annotated[list[str], ROLES.option("--role", help="角色 role (repeat for several)")],
    site: Annotated[list[str], typer.Option(help="站点或区域 site or region id; * for all")],
    name: Annotated[str, typer.Option(help="姓名 display name")] = "",
    hours: Annotated[float, typer.Option(help="有效小时数 hours valid (≤ DUTYLINE_TOKEN_MAX_HOURS)")] = 12.0,
) -> None:
    """签发开发令牌 Issue a bearer token for development (signed with DUTYLINE_TOKEN_SECRET)."""
    from dutyline.grpckit.auth import issue_token

    settings = get_settings()
    # A token lasts one shift: a lost one stops working by the next; only a development stack may
    # hand out longer ones (a month at most).
    longest = settings.token_max_hours if settings.env != "development" else 24 * 30.0
    if not 0 < hours <= longest:
        raise typer.BadParameter(f"有效期为 0–{longest:g} 小时 / between 0 and {longest:g} hours", param_hint="--hours")
    ttl = timedelta(hours=hours)
    if settings.oidc_issuer or not settings.token_secrets():
        raise typer.BadParameter(
            "本平台令牌由身份提供方签发 / persons' tokens come from the OpenID Connect provider here"
        )
    try:
        typer.echo(issue_token(settings.signing_secret(), person_id=person, name=name, roles=role, sites=site, ttl=ttl))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


@app.command()
def serve(service: Annotated[str, typer.Argument(help=" | ".join(SERVICES))]) -> None:
    """运行一个服务 Run one service (what a container runs)."""
    if service not in SERVICES:
        raise typer.BadParameter(f"unknown service {service!r}; one of {', '.join(SERVICES)}")
    from dutyline.launch import serve as serve_service

    serve_service(service)


@app.command(name="console")
def run_console() -> None:
    """运行值班台 Run the duty console, the web screen (on DUTYLINE_CONSOLE_ADDRESS; what its container runs)."""
    from dutyline.launch import console as serve_console

    serve_console()


@app.command()
def health(
    service: Annotated[str, typer.Argument(help=" | ".join(SERVICES))],
    address: Annotated[str, typer.Option(help="地址 host:port (default: this host, the service's port)")] = "",
) -> None:
    """健康检查 Exit 0 if the service answers SERVING to the gRPC health check (for container probes)."""
    if service not in SERVICES:
        raise typer.BadParameter(f"unknown service {service!r}; one of {', '.join(SERVICES)}")
    from dutyline.grpckit.health import check

    target = address or f"127.0.0.1:{get_settings().listen_address(service).rsplit(':', 1)[1]}"
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
    to merge into a cluster's config), services.creds, account.seed, and for notify's revocations
    signing.seed and system.creds; a second run keeps them."""
    from dutyline.natsauth import OperatorSetup, write_secret

    setup = OperatorSetup.load_or_create(directory)
    # The account resolver keeps pushed account JWTs (revocations) next to JetStream's files.
    write_secret(directory / "auth.conf", setup.server_config(f"{store_dir.rstrip('/')}/jwt"))
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
    write_secret(directory / "signing.seed", setup.signing_seed + "\n")
    setup.write_system_creds(directory / "system.creds")
    typer.echo(
        f"NATS operator setup in {directory}: nats.conf, auth.conf, services.creds, account.seed, signing.seed, "
        "system.creds"
    )
    typer.echo(
        "services: DUTYLINE_NATS_CREDS=<dir>/services.creds; "
        "notify: DUTYLINE_NATS_ACCOUNT_SEED_FILE=<dir>/account.seed, "
        "DUTYLINE_NATS_SIGNING_SEED_FILE=<dir>/signing.seed, DUTYLINE_NATS_SYSTEM_CREDS=<dir>/system.creds"
    )


@app.command()
def worker(
    services: Annotated[
        str,
        typer.Argument(
            metavar="SERVICES", help="服务 the services whose Temporal workers to run: all, or e.g. incident,notify"
        ),
    ] = "all",
    drain_legacy_queue: Annotated[
        bool,
        typer.Option(
            "--drain-legacy-queue",
            help="同时处理旧任务队列 also run the workflows still on the one task queue of before (every service "
            "needed; docs/operations.md)",
        ),
    ] = False,
) -> None:
    """运行工作流执行器 Run the Temporal workers of services, each on its own task queue (dutyline-<service>)."""
    from dutyline import launch

    try:
        launch.services_named(services)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="SERVICES") from exc
    launch.worker(services, get_settings(), drain_legacy=drain_legacy_queue)


# -- optional parts: their commands, registered when they are installed -------------------------------


@dataclass(frozen=True)
class Plugin:
    """A part of dutyline above the CLI that adds commands to it: ``module.register(app)``."""

    module: str
    commands: tuple[str, ...]
    what: str
    install: str


PLUGINS = (
    Plugin(
        "dutyline.stack.commands",
        ("up", "demo", "gateway"),
        "the embedded dev stack",
        "pip install 'dutyline[embedded]'",
    ),
)


def _not_installed(name: str, plugin: Plugin, why: str) -> Callable[[], None]:
    def command() -> None:
        typer.echo(
            f"dutyline {name} needs {plugin.what}, which this installation does not have ({why}): {plugin.install}",
            err=True,
        )
        raise typer.Exit(2)

    return command


def add_plugins(app: typer.Typer, plugins: Iterable[Plugin] = PLUGINS) -> None:
    """Let each installed plugin register its commands; for one that is not installed, its commands
    (hidden from --help) say what to install."""
    for plugin in plugins:
        try:
            module = importlib.import_module(plugin.module)
        except ModuleNotFoundError as exc:
            for name in plugin.commands:
                settings = {"allow_extra_args": True, "ignore_unknown_options": True}
                app.command(name, hidden=True, context_settings=settings, add_help_option=False)(
                    _not_installed(name, plugin, str(exc))
                )
            continue
        module.register(app)


add_plugins(app)


if __name__ == "__main__":
    app()
