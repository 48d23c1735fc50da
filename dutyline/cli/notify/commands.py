"""`dutyline notify …`: notifications (通知) and their acknowledgement (确认) — the notifications of a
site or a person, one notification with its body and every delivery attempt, acknowledging (with
one's own login, or with the one-time token from the message and no login at all), an escalation
(升级通知) with who was notified in which loop and step, and a site's escalation chain (升级链).

Like the other groups: every error is one line with exit code 2, every change sends an idempotency
key (``--idempotency-key`` to retry safely), times are in the site's zone (UTC when the site cannot
be read) and drills are labelled 【演练 DRILL】.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated
from zoneinfo import ZoneInfo

import jwt
import typer
from rich.markup import escape

from dutyline.cli.common import connect
from dutyline.cli.common.i18n import t
from dutyline.cli.common.session import KeyOpt, LangOpt, StateDirOpt, TokenOpt, new_key, session, start_session
from dutyline.cli.common.state import DEFAULT_STATE_DIR
from dutyline.cli.notify import views
from dutyline.cli.notify.chain import CHANNELS as STEP_CHANNELS
from dutyline.cli.notify.chain import ROLES as CHAIN_ROLES
from dutyline.cli.notify.chain import StepError, parse_steps
from dutyline.cli.notify.client import MAX_PAGE, TIMEOUT, Notify, acknowledge_with_token, call
from dutyline.common.v1 import common_pb2
from dutyline.envelope import SITE_ID_PATTERN
from dutyline.notify.v1 import notify_pb2

notify_app = typer.Typer(help="通知 Notifications: list, show, ack, escalation, chain show|set.", no_args_is_help=True)
chain_app = typer.Typer(help="升级链 A site's escalation chain: show, set.", no_args_is_help=True)
notify_app.add_typer(chain_app, name="chain")

NotificationArg = Annotated[str, typer.Argument(metavar="ID", help="通知编号 notification id")]
SiteArg = Annotated[str, typer.Argument(metavar="SITE", help="站点 site id")]
# A bearer token is a JWT (three dot-separated parts); the one-time token of a message is not.
_JWT = re.compile(r"^[\w-]+\.[\w-]+\.[\w-]+$")


@notify_app.callback()
def notify_main(
    ctx: typer.Context, lang: LangOpt = None, token: TokenOpt = None, state_dir: StateDirOpt = DEFAULT_STATE_DIR
) -> None:
    """通知 Notifications: who was told what, on which channel, and who acknowledged (确认)."""
    start_session(ctx, "notify", lang, token, state_dir)


def _site(site: str | None, option: str = "--site") -> str:
    if site is not None and not SITE_ID_PATTERN.match(site):
        raise typer.BadParameter(t("error.not_a_site", site=site), param_hint=option)
    return site or ""


def token_person(token: str) -> str:
    """The person a bearer token names, read without verifying it (the server verifies)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return ""
    return str(claims.get("sub", ""))


# -- notifications ----------------------------------------------------------------------------------


@notify_app.command("list")
def list_notifications(
    ctx: typer.Context,
    site: Annotated[str | None, typer.Option("--site", help="站点 site id (default: every site you may see)")] = None,
    person: Annotated[str | None, typer.Option("--person", help="人员编号 only those sent to this person")] = None,
    mine: Annotated[bool, typer.Option("--mine", help="只看发给我的 only those sent to me")] = False,
    unacknowledged: Annotated[
        bool, typer.Option("--unacknowledged", help="只看未确认的 only those nobody acknowledged")
    ] = False,
    ref: Annotated[str, typer.Option("--ref", metavar="ID", help="关联 only about this incident, call…")] = "",
    escalation: Annotated[
        str, typer.Option("--escalation", metavar="ID", help="只看该次升级的 of one escalation")
    ] = "",
    limit: Annotated[int, typer.Option("--limit", min=1, max=MAX_PAGE - 1, help="最多显示 at most this many")] = 50,
) -> None:
    """通知列表 Notifications, newest first: to whom, what, status, channel, who acknowledged when."""
    if mine and person:
        raise typer.BadParameter(t("error.person_or_mine"), param_hint="--person / --mine")
    target = session(ctx).target()
    site_id = _site(site)
    person_id = token_person(target.token) if mine else (person or "")
    if mine and not person_id:
        connect.fail(t("error.token_names_nobody"))
    request = notify_pb2.ListNotificationsRequest(
        site_id=site_id,
        person_id=person_id,
        unacknowledged_only=unacknowledged,
        ref_id=ref,
        escalation_id=escalation,
        # One more than shown: tells whether there are more.
        page=common_pb2.PageRequest(page_size=limit + 1),
    )

    async def work(nx: Notify) -> tuple[list[notify_pb2.Notification], Callable[[str], ZoneInfo], dict[str, str], str]:
        found = list((await nx.stub.ListNotifications(request, timeout=TIMEOUT)).notifications)
        await nx.zones(n.site_id for n in found)
        names = await nx.names(n.acknowledged_by for n in found if n.acknowledged_by != n.person_id)
        where = await nx.site_label(site_id) if site_id else t("notify.all_sites")
        return found, nx.known_zone, names, where

    found, zone_of, names, where = call(ctx, work, target=target)
    out = session(ctx).out
    if not found:
        out.print(t("notify.none"))
        return
    out.print(views.notifications(found[:limit], zone_of, names, t("notify.list_title", site=where)))
    if len(found) > limit:
        out.print(f"[yellow]{escape(t('notify.more', count=limit))}[/]")


@notify_app.command()
def show(ctx: typer.Context, notification: NotificationArg) -> None:
    """查看通知 One notification: subject, body and every delivery attempt (channel, address, when,
    status, what the provider answered)."""

    async def work(nx: Notify) -> tuple[notify_pb2.Notification, ZoneInfo, str, dict[str, str]]:
        found = await nx.stub.GetNotification(
            notify_pb2.GetNotificationRequest(notification_id=notification), timeout=TIMEOUT
        )
        zone = await nx.zone(found.site_id)
        return found, zone, await nx.site_label(found.site_id), await nx.names([found.acknowledged_by])

    found, zone, site, names = call(ctx, work)
    session(ctx).out.print(views.notification_view(found, zone, site, names))


@notify_app.command()
def ack(
    ctx: typer.Context,
    notification: NotificationArg,
    ack_token: Annotated[
        str | None,
        typer.Option(
            "--token",
            "--ack-token",
            metavar="TOKEN",
            help="消息中的一次性确认码 the one-time token from the message (then no login is needed)",
        ),
    ] = None,
    idempotency_key: KeyOpt = None,
) -> None:
    """确认 Acknowledge a notification: as the person it was sent to (your login), or with the one-time
    token from the message — `dutyline notify ack ID --token TOKEN` needs no login."""
    s = session(ctx)
    key = new_key(idempotency_key)
    request = notify_pb2.AcknowledgeRequest(idempotency_key=key, notification_id=notification)
    if ack_token is not None:
        if _JWT.match(ack_token.strip()):
            # A login given after the command: say where it goes rather than send it as the message's token.
            raise typer.BadParameter(t("error.ack_token_is_login"), param_hint="--token")
        if not ack_token.strip():
            raise typer.BadParameter(t("error.empty_ack_token"), param_hint="--token")
        request.ack_token = ack_token.strip()
        done = acknowledge_with_token(s.state_dir, request)
        # Without a login the roster cannot be asked for the site's zone: the time is in UTC.
        s.out.print(f"[green]{escape(views.acknowledged_line(done, ZoneInfo('UTC'), {}))}[/]", soft_wrap=True)
        return

    async def work(nx: Notify) -> tuple[notify_pb2.Notification, ZoneInfo, dict[str, str]]:
        done = await nx.stub.Acknowledge(request, timeout=TIMEOUT)
        return done, await nx.zone(done.site_id), await nx.names([done.acknowledged_by])

    done, zone, names = call(ctx, work, key=key)
    s.out.print(f"[green]{escape(views.acknowledged_line(done, zone, names))}[/]", soft_wrap=True)


@notify_app.command()
def escalation(
    ctx: typer.Context,
    escalation_id: Annotated[str, typer.Argument(metavar="ID", help="升级编号 escalation id")],
) -> None:
    """升级通知 One escalation: its status, the chain it walks, who was notified in which loop and step,
    and who acknowledged."""

    async def work(nx: Notify) -> tuple[notify_pb2.Escalation, ZoneInfo, str, dict[str, str]]:
        found = await nx.stub.GetEscalation(
            notify_pb2.GetEscalationRequest(escalation_id=escalation_id), timeout=TIMEOUT
        )
        zone = await nx.zone(found.site_id)
        return found, zone, await nx.site_label(found.site_id), await nx.names([found.acknowledged_by])

    found, zone, site, names = call(ctx, work)
    session(ctx).out.print(views.escalation_view(found, zone, site, names))


# -- escalation chains ------------------------------------------------------------------------------


@chain_app.command("show")
def chain_show(ctx: typer.Context, site: SiteArg) -> None:
    """查看升级链 The site's escalation chain: who is told in turn, on which channel, how long each is
    waited for, and how many times it is walked (the default chain when the site has none of its own)."""
    site_id = _site(site, "SITE")

    async def work(nx: Notify) -> tuple[notify_pb2.EscalationChain, ZoneInfo]:
        chain = await nx.stub.GetEscalationChain(notify_pb2.GetEscalationChainRequest(site_id=site_id), timeout=TIMEOUT)
        return chain, await nx.zone(site_id)

    chain, zone = call(ctx, work)
    session(ctx).out.print(views.chain_view(chain, zone))


@chain_app.command("set")
def chain_set(
    ctx: typer.Context,
    site: SiteArg,
    step: Annotated[
        list[str],
        typer.Option(
            "--step",
            metavar="RECIPIENT[:CHANNEL]:SECONDS",
            help=f"一步 a step, in order: {'|'.join(CHAIN_ROLES)}\\[@SITE], superior, or person:ID; then an "
            f"optional channel ({', '.join(STEP_CHANNELS)}); then how many seconds to wait for an "
            "acknowledgement. E.g. leader:300, person:p-x:sms:120",
        ),
    ],
    repeat: Annotated[
        int, typer.Option("--repeat", min=1, max=10, help="整条链重复次数 times the chain is walked")
    ] = 2,
    idempotency_key: KeyOpt = None,
) -> None:
    """设置升级链 Set the site's escalation chain (admin, duty leader or supervisor)."""
    site_id = _site(site, "SITE")
    try:
        steps = parse_steps(step)
    except StepError as error:
        raise typer.BadParameter(str(error), param_hint="--step") from None
    key = new_key(idempotency_key)
    request = notify_pb2.UpsertEscalationChainRequest(
        idempotency_key=key, chain=notify_pb2.EscalationChain(site_id=site_id, steps=steps, repeat=repeat)
    )

    async def work(nx: Notify) -> tuple[notify_pb2.EscalationChain, ZoneInfo]:
        chain = await nx.stub.UpsertEscalationChain(request, timeout=TIMEOUT)
        return chain, await nx.zone(site_id)

    chain, zone = call(ctx, work, key=key)
    out = session(ctx).out
    out.print(f"[green]{escape(t('chain.set', site=site_id))}[/]", soft_wrap=True)
    out.print(views.chain_view(chain, zone))
