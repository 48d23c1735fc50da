"""`dutyline insight …`: the assessment's scoring rules (考核细则) — their versions and points, and a new
version — a leader's note of an exceptional circumstance (特殊情况说明) that waives scored records,
how far the read model's projections are behind the event stream, and a rebuild of them from it.

``rebuild`` is an operator's command that talks to PostgreSQL and NATS directly, as insight's own role
(DUTYLINE_PG_DSN signed in as dutyline_insight with DUTYLINE_INSIGHT_PG_PASSWORD, or ``--dsn``): it
needs no more rights than the service has (it empties with DELETE: dutyline.projection).

Every error is one line with exit code 2; every change sends an idempotency key (``--idempotency-key``
to retry safely); times are shown and read in ``--zone`` (Asia/Shanghai unless told).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import asyncpg
import nats.errors
import typer
from rich.markup import escape

import dutyline.cli.insight.text  # noqa: F401  (adds the group's words to the CLI's catalogue)
from dutyline import natsconn
from dutyline.cli.common import connect
from dutyline.cli.common.i18n import label, t
from dutyline.cli.common.session import (
    KeyOpt,
    LangOpt,
    SiteOpt,
    StateDirOpt,
    TokenOpt,
    new_key,
    read_text,
    session,
    site_or_default,
    start_session,
)
from dutyline.cli.common.state import DEFAULT_STATE_DIR
from dutyline.cli.common.tables import Ids, list_table
from dutyline.cli.common.times import at_local, local_time, parse_moment, zone_named
from dutyline.cli.insight.client import TIMEOUT, run
from dutyline.grpckit.convert import ts
from dutyline.insight.v1 import insight_pb2, insight_pb2_grpc
from dutyline.projection import rebuild as rebuild_projection
from services.insight.projections import PROJECTIONS
from services.insight.settings import InsightSettings

insight_app = typer.Typer(
    help="值班分析 Insight: scoring rules, annotations, the read model's status.", no_args_is_help=True
)
rules_app = typer.Typer(help="考核细则 Scoring rules: list, upsert.", no_args_is_help=True)
insight_app.add_typer(rules_app, name="rules")

ZoneOpt = Annotated[str, typer.Option("--zone", help="时区 the time zone times are shown and read in")]
FMT = "%Y-%m-%d %H:%M"


@insight_app.callback()
def insight_main(
    ctx: typer.Context, lang: LangOpt = None, token: TokenOpt = None, state_dir: StateDirOpt = DEFAULT_STATE_DIR
) -> None:
    """值班分析 Insight: the assessment's rules and annotations, and the read model."""
    start_session(ctx, "insight", lang, token, state_dir)


def _shown(message: insight_pb2.ScoringRules, field: str, zone: ZoneInfo) -> str:
    at = local_time(message, field, zone)
    return at.strftime(FMT) if at else ""


def _state(rules: insight_pb2.ScoringRules, in_force: int, now: datetime) -> str:
    if rules.version == in_force:
        return t("insight.in_force")
    return t("insight.pending") if rules.effective_from.ToDatetime(tzinfo=UTC) > now else t("insight.superseded")


@rules_app.command("list")
def rules_list(
    ctx: typer.Context,
    version: Annotated[
        int | None, typer.Option("--version", min=1, help="显示此版分值 show this version's points (default: in force)")
    ] = None,
    zone: ZoneOpt = "Asia/Shanghai",
) -> None:
    """细则列表 Every version of the scoring rules, and the points of the one in force (or --version)."""

    async def work(stub: insight_pb2_grpc.InsightServiceStub) -> insight_pb2.ListScoringRulesResponse:
        answer: insight_pb2.ListScoringRulesResponse = await stub.ListScoringRules(
            insight_pb2.ListScoringRulesRequest(), timeout=TIMEOUT
        )
        return answer

    found = run(ctx, work)
    shown_zone, now = zone_named(zone), datetime.now(UTC)
    out = session(ctx).out
    versions = list_table(
        t("insight.rules_title"),
        t("insight.col.version"),
        t("insight.col.from"),
        t("insight.col.state"),
        t("insight.col.changed_by"),
        t("insight.col.changed_at"),
    )
    for rules in found.versions:
        who = rules.changed_by.display_name or rules.changed_by.person_id or t("insight.built_in")
        versions.add_row(
            str(rules.version),
            _shown(rules, "effective_from", shown_zone),
            _state(rules, found.in_force_version, now),
            escape(who),
            _shown(rules, "changed_at", shown_zone),
        )
    out.print(versions)
    wanted = version or found.in_force_version
    chosen = next((r for r in found.versions if r.version == wanted), None)
    if chosen is None:
        connect.fail(t("insight.no_version", version=wanted))
    points = list_table(
        t("insight.points_title", version=chosen.version, since=_shown(chosen, "effective_from", shown_zone)),
        Ids(t("insight.col.kind")),
        t("insight.col.what"),
        t("insight.col.points"),
    )
    for title, given in ((t("insight.penalty"), chosen.penalties), (t("insight.bonus"), chosen.bonuses)):
        for kind in sorted(given):
            points.add_row(kind, f"{title} · {escape(label('score_kind', kind))}", f"{given[kind]:+d}")
    out.print(points)


def _points(values: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for value in values:
        kind, sep, points = value.partition("=")
        try:
            found[kind.strip()] = int(points)
        except ValueError:
            raise typer.BadParameter(t("insight.bad_points"), param_hint="--set") from None
        if not sep or not kind.strip():
            raise typer.BadParameter(t("insight.bad_points"), param_hint="--set")
    return found


@rules_app.command("upsert")
def rules_upsert(
    ctx: typer.Context,
    version: Annotated[
        int, typer.Option("--version", min=1, help="版本号 the version (a new one, or one not yet in force)")
    ],
    from_: Annotated[
        str, typer.Option("--from", metavar="YYYY-MM-DDTHH:MM", help="生效时间 in force from (now or later)")
    ],
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", metavar="KIND=POINTS", help="修改分值 a kind's points, e.g. late_report=-3 (repeat)"),
    ] = None,
    zone: ZoneOpt = "Asia/Shanghai",
    idempotency_key: KeyOpt = None,
) -> None:
    """新版细则 A version of the scoring rules (a central admin): the points of the version in force,
    changed by --set, in force from --from. Penalties are -100..0, bonuses 0..100."""
    changes = _points(set_ or [])
    moment = parse_moment(from_, "--from")
    assert moment is not None  # --from is required
    start = at_local(moment, zone_named(zone))
    key = new_key(idempotency_key)

    async def work(stub: insight_pb2_grpc.InsightServiceStub) -> insight_pb2.UpsertScoringRulesResponse:
        listed = await stub.ListScoringRules(insight_pb2.ListScoringRulesRequest(), timeout=TIMEOUT)
        base = next(r for r in listed.versions if r.version == listed.in_force_version)
        penalties, bonuses = dict(base.penalties), dict(base.bonuses)
        for kind, points in changes.items():
            if kind in penalties:
                penalties[kind] = points
            elif kind in bonuses:
                bonuses[kind] = points
            else:
                kinds = ", ".join(sorted([*penalties, *bonuses]))
                connect.fail(t("insight.unknown_kind", kind=kind, kinds=kinds))
        request = insight_pb2.UpsertScoringRulesRequest(
            idempotency_key=key,
            rules=insight_pb2.ScoringRules(
                version=version, effective_from=ts(start), penalties=penalties, bonuses=bonuses
            ),
        )
        answer: insight_pb2.UpsertScoringRulesResponse = await stub.UpsertScoringRules(request, timeout=TIMEOUT)
        return answer

    saved = run(ctx, work, key=key)
    since = _shown(saved.rules, "effective_from", zone_named(zone))
    line = t("insight.rules_saved", version=saved.rules.version, since=since)
    if saved.replayed:
        line += t("insight.replayed")
    session(ctx).out.print(f"[green]{escape(line)}[/]")


def _records(values: list[str]) -> list[insight_pb2.SourceRef]:
    found = []
    for value in values:
        record_type, sep, record_id = value.partition(":")
        if not sep or not record_type.strip() or not record_id.strip():
            raise typer.BadParameter(t("insight.bad_record"), param_hint="--record")
        found.append(insight_pb2.SourceRef(record_type=record_type.strip(), record_id=record_id.strip()))
    return found


@insight_app.command()
def annotate(
    ctx: typer.Context,
    record: Annotated[
        list[str],
        typer.Option("--record", metavar="TYPE:ID", help="不计分的记录 a record whose points are waived (repeat)"),
    ],
    reason: Annotated[str, typer.Option("--reason", help="特殊情况说明 why; - reads standard input")],
    site: SiteOpt = None,
    idempotency_key: KeyOpt = None,
) -> None:
    """特殊情况说明 A leader's decision that the scored facts of these records of the site do not count,
    recorded with who decided and why."""
    waives = _records(record)
    site_id = site_or_default(site, session(ctx).target())
    key = new_key(idempotency_key)
    request = insight_pb2.AnnotateFactRequest(
        idempotency_key=key, site_id=site_id, waives=waives, reason=read_text(reason)
    )

    async def work(stub: insight_pb2_grpc.InsightServiceStub) -> insight_pb2.AnnotateFactResponse:
        answer: insight_pb2.AnnotateFactResponse = await stub.AnnotateFact(request, timeout=TIMEOUT)
        return answer

    saved = run(ctx, work, key=key).annotation
    who = saved.decided_by.display_name or saved.decided_by.person_id
    line = t("insight.annotated", id=saved.id, site=saved.site_id, count=len(saved.waives), who=who)
    session(ctx).out.print(f"[green]{escape(line)}[/]")


@insight_app.command()
def status(ctx: typer.Context, zone: ZoneOpt = "Asia/Shanghai") -> None:
    """投影状态 Where each projection of the read model stands on the event stream, and how far behind it is."""

    async def work(stub: insight_pb2_grpc.InsightServiceStub) -> insight_pb2.GetProjectionStatusResponse:
        answer: insight_pb2.GetProjectionStatusResponse = await stub.GetProjectionStatus(
            insight_pb2.GetProjectionStatusRequest(), timeout=TIMEOUT
        )
        return answer

    found = run(ctx, work)
    shown_zone = zone_named(zone)
    out = session(ctx).out
    if not found.projections:
        out.print(t("insight.no_projections"))
        return
    stream_at = local_time(found, "stream_last_at", shown_zone)
    table = list_table(
        t(
            "insight.status_title",
            sequence=found.stream_last_sequence,
            at=stream_at.strftime(FMT) if stream_at else t("insight.unknown"),
        ),
        Ids(t("insight.col.projection")),
        t("insight.col.sequence"),
        t("insight.col.last_event"),
        t("insight.col.lag_events"),
        t("insight.col.lag_seconds"),
    )
    for p in found.projections:
        last = local_time(p, "last_event_at", shown_zone)
        table.add_row(
            p.name,
            str(p.stream_sequence),
            last.strftime(FMT) if last else "",
            str(p.lag_events) if p.lag_known else t("insight.unknown"),
            f"{p.lag_seconds:.1f}" if p.lag_known else t("insight.unknown"),
        )
    out.print(table)


@insight_app.command()
def rebuild(
    ctx: typer.Context,
    projection: Annotated[
        str | None, typer.Option("--projection", help="投影名 one projection (default: every one)")
    ] = None,
    dsn: Annotated[
        str | None,
        typer.Option("--dsn", help="PostgreSQL 连接串 (default: $DUTYLINE_PG_DSN as the role dutyline_insight)"),
    ] = None,
) -> None:
    """重建读模型 Empty projections' tables and replay them from the start of the event stream; the
    running service fills them again (its figures are the old ones until each projection is emptied)."""
    names = [p.name for p in PROJECTIONS]
    if projection is not None and projection not in names:
        connect.fail(t("insight.unknown_projection", name=projection, names=", ".join(names)))
    chosen = [p for p in PROJECTIONS if projection in (None, p.name)]
    settings = InsightSettings()

    async def main() -> None:
        conn = await asyncpg.connect(
            dsn or settings.service_dsn(), timeout=10, server_settings={"search_path": settings.service}
        )
        try:
            client = await natsconn.connect(settings, name="dutyline-insight-rebuild")
            try:
                for each in chosen:
                    await rebuild_projection(conn, client.jetstream(), each, stream=settings.stream)
            finally:
                await client.close()
        finally:
            await conn.close()

    try:
        asyncio.run(main())
    except (OSError, TimeoutError, asyncpg.PostgresError, nats.errors.Error) as error:
        connect.fail(t("insight.rebuild_failed", error=" ".join(str(error).split()) or repr(error)))
    for each in chosen:
        session(ctx).out.print(f"[green]{escape(t('insight.rebuilt', name=each.name))}[/]")
