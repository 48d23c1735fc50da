"""`dutyline score`: the assessment's cards (考核) of a site or region, or of one person there, for a
month (2026-12), a quarter (2026-Q4) or a year (2026) — each card's base, total and score, and every
line with the record it comes from, the rule version that priced it and a leader's annotation with who
decided. An officer is shown only their own cards (the service filters).

Every error is one line with exit code 2; times are shown in ``--zone`` (Asia/Shanghai unless told).
"""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape

import dutyline.cli.insight.text  # noqa: F401  (the kinds' names: score_kind.*)
from dutyline.cli.common.i18n import MESSAGES, label, t
from dutyline.cli.common.session import LangOpt, SiteOpt, StateDirOpt, TokenOpt, session, site_or_default, start_session
from dutyline.cli.common.state import DEFAULT_STATE_DIR
from dutyline.cli.common.tables import Ids, list_table
from dutyline.cli.common.times import when, zone_named
from dutyline.cli.insight.client import TIMEOUT, run
from dutyline.insight.v1 import insight_pb2, insight_pb2_grpc

MESSAGES.update(
    {
        "score.bad_period": (
            "期间格式应为 2026-12（月）、2026-Q4（季度）或 2026（年）",
            "give a month 2026-12, a quarter 2026-Q4 or a year 2026",
        ),
        "score.none": ("{period} 没有考核记录", "No scorecards for {period}."),
        "score.site_card": ("站点 {site} · {period}", "Site {site} · {period}"),
        "score.person_card": ("{person}（{site}）· {period}", "{person} at {site} · {period}"),
        "score.caption": (
            "基准分 {base}，合计 {total:+d}，得分 {score}",
            "base {base}, total {total:+d}, score {score}",
        ),
        "score.no_lines": ("（无扣分或加分）", "(no points)"),
        "score.waived": ("不计分：{reason}（{who} 决定，{at}）", "waived: {reason} (decided by {who}, {at})"),
        "score.col.when": ("时间", "When"),
        "score.col.kind": ("项目", "Kind"),
        "score.col.person": ("人员", "Person"),
        "score.col.points": ("得分", "Points"),
        "score.col.rule": ("规则分值（版本）", "Rule (version)"),
        "score.col.source": ("来源记录", "Source record"),
        "score.col.detail": ("说明", "Detail"),
        "score.more": ("还有更多，请缩小范围（--person）", "More cards follow; narrow with --person"),
    }
)

# As the service checks it (GetScorecardsRequest.period): refused here before anything is sent.
PERIOD = re.compile(r"^20[0-9][0-9](-(0[1-9]|1[0-2])|-Q[1-4])?$")


def _card(out: Console, card: insight_pb2.Scorecard, zone: ZoneInfo) -> None:
    if card.subject == insight_pb2.SCORE_SUBJECT_SITE:
        title = t("score.site_card", site=card.site_id, period=card.period)
    else:
        title = t("score.person_card", person=card.person_id, site=card.site_id, period=card.period)
    caption = t("score.caption", base=card.base, total=card.total, score=card.score)
    table = list_table(
        escape(title),
        t("score.col.when"),
        t("score.col.kind"),
        Ids(t("score.col.person")),
        t("score.col.points"),
        t("score.col.rule"),
        Ids(t("score.col.source")),
        t("score.col.detail"),
        caption=caption if card.lines else f"{caption} {t('score.no_lines')}",
    )
    for line in card.lines:
        detail = line.detail
        if line.HasField("annotation"):
            a = line.annotation
            who = a.decided_by.display_name or a.decided_by.person_id
            waived = t("score.waived", reason=a.reason, who=who, at=when(a, "decided_at", zone, "%Y-%m-%d %H:%M"))
            detail = f"{detail}; {waived}" if detail else waived
        table.add_row(
            when(line, "occurred_at", zone, "%Y-%m-%d %H:%M"),
            escape(label("score_kind", line.kind)),
            line.person_id,
            f"{line.points:+d}",
            f"{line.rule_points:+d} (v{line.rules_version})",
            f"{line.source.record_type}:{line.source.record_id}",
            escape(detail),
        )
    out.print(table)


def score(
    ctx: typer.Context,
    period: Annotated[
        str, typer.Option("--period", metavar="2026-12|2026-Q4|2026", help="期间 month, quarter or year")
    ],
    site: SiteOpt = None,
    person: Annotated[str | None, typer.Option("--person", help="人员 only this person's cards")] = None,
    zone: Annotated[str, typer.Option("--zone", help="时区 the time zone times are shown in")] = "Asia/Shanghai",
    lang: LangOpt = None,
    token: TokenOpt = None,
    state_dir: StateDirOpt = DEFAULT_STATE_DIR,
) -> None:
    """考核 The scorecards of a site (a region: its sites) for a period: each card's score and every line
    with the record it comes from."""
    start_session(ctx, "insight", lang, token, state_dir)
    if not PERIOD.match(period):
        raise typer.BadParameter(t("score.bad_period"), param_hint="--period")
    site_id = site_or_default(site, session(ctx).target())
    request = insight_pb2.GetScorecardsRequest(site_id=site_id, period=period, person_id=person or "")

    async def work(stub: insight_pb2_grpc.InsightServiceStub) -> insight_pb2.GetScorecardsResponse:
        answer: insight_pb2.GetScorecardsResponse = await stub.GetScorecards(request, timeout=TIMEOUT)
        return answer

    found = run(ctx, work)
    out, shown_zone = session(ctx).out, zone_named(zone)
    if not found.scorecards:
        out.print(t("score.none", period=period))
        return
    for card in found.scorecards:
        _card(out, card, shown_zone)
    if found.page.next_page_token:
        out.print(t("score.more"))
