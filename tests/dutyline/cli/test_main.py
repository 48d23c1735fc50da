"""The `dutyline` command line itself: tokens, the worker's services, and the commands of optional
parts (the embedded dev stack) registered when they are installed and explained when they are not."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from dutyline.cli.common.enums import enum_names
from dutyline.cli.main import Plugin, add_plugins, app
from dutyline.common.v1 import common_pb2
from dutyline.config import DEV_TOKEN_SECRET
from dutyline.grpckit.auth import verify_token


def test_token_issues_a_verifiable_token() -> None:
    result = CliRunner().invoke(
        app, ["token", "--person", "p-hz-officer-1", "--role", "officer", "--site", "hz-01"], env={}
    )
    assert result.exit_code == 0, result.output
    principal = verify_token(DEV_TOKEN_SECRET, result.output.strip())
    assert principal.person_id == "p-hz-officer-1" and principal.sites == ("hz-01",)


def test_token_refuses_an_unknown_role() -> None:
    result = CliRunner().invoke(app, ["token", "--person", "p", "--role", "janitor", "--site", "hz-01"])
    assert result.exit_code == 2
    assert "'janitor' is not one of" in " ".join(result.output.split())


def test_token_offers_the_roles_of_the_proto() -> None:
    result = CliRunner().invoke(app, ["token", "--help"], env={"COLUMNS": "300"})
    assert result.exit_code == 0
    assert "[" + "|".join(enum_names(common_pb2.Role)) + "]" in result.output


def test_worker_refuses_an_unknown_service() -> None:
    result = CliRunner().invoke(app, ["worker", "incident,payments"])
    assert result.exit_code == 2
    assert "payments" in " ".join(result.output.split())


def test_worker_runs_the_named_services(monkeypatch: pytest.MonkeyPatch) -> None:
    from dutyline import launch

    ran: list[tuple[str, bool]] = []
    monkeypatch.setattr(launch, "worker", lambda services, settings, drain_legacy: ran.append((services, drain_legacy)))
    assert CliRunner().invoke(app, ["worker", "incident,notify"]).exit_code == 0
    assert CliRunner().invoke(app, ["worker", "--drain-legacy-queue"]).exit_code == 0
    assert ran == [("incident,notify", False), ("all", True)]


def test_the_dev_stack_registers_its_commands() -> None:
    commands = {c.name for c in typer.main.get_command(app).commands.values() if not c.hidden}  # type: ignore[attr-defined]
    assert {"up", "demo", "gateway"} <= commands


def test_a_missing_plugin_s_commands_say_what_to_install() -> None:
    cli = typer.Typer()
    cli.command()(lambda: None)
    add_plugins(cli, [Plugin("dutyline.no_such_part", ("frobnicate",), "the frobnicator", "pip install frob")])
    helped = CliRunner().invoke(cli, ["--help"])
    assert "frobnicate" not in helped.output
    result = CliRunner().invoke(cli, ["frobnicate", "--anything", "x"])
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert "needs the frobnicator" in said and "pip install frob" in said and "dutyline.no_such_part" in said
