"""`dutyline agency …`: other agencies (公安, 消防, 卫健, 上级应急局) that subscribe to the events of their
sites — registering one (with the webhook secret shown once), the agencies, issuing an agency's NATS
credentials (a ``.creds`` file written owner-only, with the subjects the server admits and how to
connect) and the webhook deliveries. For admins and supervisors; served by the NotifyService."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from dutyline.cli.agency import views
from dutyline.cli.common import connect
from dutyline.cli.common.enums import Choices
from dutyline.cli.common.i18n import t
from dutyline.cli.common.session import KeyOpt, LangOpt, StateDirOpt, TokenOpt, new_key, session, start_session
from dutyline.cli.common.state import DEFAULT_STATE_DIR
from dutyline.cli.events.client import nats_source
from dutyline.cli.notify.client import MAX_PAGE, TIMEOUT, Notify, call
from dutyline.common.v1 import common_pb2
from dutyline.config import get_settings
from dutyline.notify.v1 import notify_pb2

agency_app = typer.Typer(
    help="外部机构 Agencies subscribing to events: add, list, credentials, revoke, deliveries.", no_args_is_help=True
)

AgencyArg = Annotated[str, typer.Argument(metavar="ID", help="机构编号 agency id, e.g. fire-hz")]


# From the proto: the states ListAgencyDeliveries filters by.
DELIVERY_STATES = Choices.of_field(notify_pb2.ListAgencyDeliveriesRequest, "status")


@agency_app.callback()
def agency_main(
    ctx: typer.Context, lang: LangOpt = None, token: TokenOpt = None, state_dir: StateDirOpt = DEFAULT_STATE_DIR
) -> None:
    """外部机构 Agencies (公安, 消防, 卫健, 上级应急局) that receive the events of their sites: on NATS
    (protobuf, JSON, CAP 1.2) and by webhook."""
    start_session(ctx, "notify", lang, token, state_dir)


@agency_app.command()
def add(
    ctx: typer.Context,
    agency: AgencyArg,
    name: Annotated[str, typer.Option("--name", help="名称 the agency's name")],
    site: Annotated[list[str], typer.Option("--site", help="站点或区域 a site or region whose events it receives")],
    event: Annotated[
        list[str],
        typer.Option("--event", metavar="TYPE", help="事件类型 incident.registered, a family incident.*, or *"),
    ],
    webhook: Annotated[
        str, typer.Option("--webhook", metavar="URL", help="回调地址 also deliver each event to this URL")
    ] = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """登记机构 Register an agency; with --webhook, its webhook secret is shown once: store it."""
    key = new_key(idempotency_key)
    request = notify_pb2.RegisterAgencyRequest(
        idempotency_key=key,
        agency=notify_pb2.Agency(id=agency, name=name, site_ids=site, event_types=event, webhook_url=webhook),
    )

    async def work(nx: Notify) -> notify_pb2.Agency:
        registered: notify_pb2.Agency = await nx.stub.RegisterAgency(request, timeout=TIMEOUT)
        return registered

    registered = call(ctx, work, key=key)
    out = session(ctx).out
    out.print(f"[green]{escape(t('agency.added', id=registered.id))}[/]", soft_wrap=True)
    out.print(views.agency_record(registered))
    if registered.webhook_secret:
        out.print()
        out.print(f"[bold yellow]{escape(t('agency.secret_warning'))}[/]", soft_wrap=True)
        out.print(f"{t('agency.secret')}: {registered.webhook_secret}", markup=False, soft_wrap=True)


@agency_app.command("list")
def list_agencies(ctx: typer.Context) -> None:
    """机构列表 The agencies, their sites, event types, webhook and NATS user."""

    async def work(nx: Notify) -> list[notify_pb2.Agency]:
        return list((await nx.stub.ListAgencies(notify_pb2.ListAgenciesRequest(), timeout=TIMEOUT)).agencies)

    found = call(ctx, work)
    out = session(ctx).out
    if not found:
        out.print(t("agency.none"))
        return
    out.print(views.agencies(found))


@agency_app.command()
def credentials(
    ctx: typer.Context,
    agency: AgencyArg,
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out", metavar="FILE", dir_okay=False, help="写入 where to write the .creds file (default ID.creds)"
        ),
    ] = None,
    idempotency_key: KeyOpt = None,
) -> None:
    """签发 NATS 凭据 Issue the agency's NATS credentials: writes the .creds file (owner-only, 0600) and shows
    the subjects the server admits, the inbox prefix, the consumer, and how to connect with nats-py."""
    s = session(ctx)
    path = (out_file or Path(f"{agency}.creds")).expanduser()
    key = new_key(idempotency_key)
    request = notify_pb2.IssueAgencyCredentialsRequest(idempotency_key=key, agency_id=agency)

    async def work(nx: Notify) -> notify_pb2.AgencyCredentials:
        issued: notify_pb2.AgencyCredentials = await nx.stub.IssueAgencyCredentials(request, timeout=TIMEOUT)
        return issued

    issued = call(ctx, work, key=key)
    from dutyline.natsauth import write_secret  # nkeys and NaCl, only for this command

    try:
        write_secret(path, issued.creds)
    except OSError as error:
        # The same key issues the same user again: nothing is lost by retrying.
        connect.fail(t("agency.write_failed", path=path, error=error.strerror or error, key=key))
    url = nats_source(None, None, s.state_dir).url
    s.out.print(f"[green]{escape(t('agency.creds_written', path=path))}[/]", soft_wrap=True)
    s.out.print(f"[yellow]{escape(t('agency.creds_warning'))}[/]", soft_wrap=True)
    s.out.print(views.credentials_view(issued, path, url, get_settings().stream))


@agency_app.command()
def revoke(ctx: typer.Context, agency: AgencyArg, idempotency_key: KeyOpt = None) -> None:
    """吊销 NATS 凭据 Revoke every NATS user issued to the agency: the NATS servers refuse and disconnect
    them at once (an agency disbanded, its creds leaked). Issue new ones with `credentials`."""
    key = new_key(idempotency_key)
    request = notify_pb2.RevokeAgencyCredentialsRequest(idempotency_key=key, agency_id=agency)

    async def work(nx: Notify) -> notify_pb2.Agency:
        revoked: notify_pb2.Agency = await nx.stub.RevokeAgencyCredentials(request, timeout=TIMEOUT)
        return revoked

    call(ctx, work, key=key)
    session(ctx).out.print(f"[green]{escape(t('agency.revoked', id=agency))}[/]", soft_wrap=True)


@agency_app.command()
def rescope(
    ctx: typer.Context,
    agency: AgencyArg,
    site: Annotated[list[str], typer.Option("--site", help="站点或区域 every site or region it is to receive")],
    event: Annotated[
        list[str], typer.Option("--event", metavar="TYPE", help="事件类型 every event type it is to receive")
    ],
    idempotency_key: KeyOpt = None,
) -> None:
    """调整范围 Change the sites and event types an agency receives (the given ones replace the old); a
    change revokes its NATS credentials, which carry the old subjects."""
    key = new_key(idempotency_key)
    request = notify_pb2.RescopeAgencyRequest(idempotency_key=key, agency_id=agency, site_ids=site, event_types=event)

    async def work(nx: Notify) -> notify_pb2.Agency:
        rescoped: notify_pb2.Agency = await nx.stub.RescopeAgency(request, timeout=TIMEOUT)
        return rescoped

    rescoped = call(ctx, work, key=key)
    out = session(ctx).out
    out.print(f"[green]{escape(t('agency.rescoped', id=agency))}[/]", soft_wrap=True)
    if not rescoped.nats_user:
        out.print(f"[yellow]{escape(t('agency.rescoped_revoked', id=agency))}[/]", soft_wrap=True)
    out.print(views.agency_record(rescoped))


@agency_app.command()
def deliveries(
    ctx: typer.Context,
    agency: Annotated[str, typer.Argument(metavar="[ID]", help="机构编号 only this agency's")] = "",
    status: Annotated[str | None, DELIVERY_STATES.option("--status", help="状态 only in this state")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=MAX_PAGE, help="最多显示 at most this many")] = 50,
) -> None:
    """推送记录 Webhook deliveries to agencies: status, attempts, the receipt or the last error."""
    request = notify_pb2.ListAgencyDeliveriesRequest(
        agency_id=agency, status=status or "", page=common_pb2.PageRequest(page_size=limit)
    )

    async def work(nx: Notify) -> list[notify_pb2.AgencyDelivery]:
        return list((await nx.stub.ListAgencyDeliveries(request, timeout=TIMEOUT)).deliveries)

    found = call(ctx, work)
    out = session(ctx).out
    if not found:
        out.print(t("agency.no_deliveries"))
        return
    out.print(views.deliveries(found))
