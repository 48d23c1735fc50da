"""`dutyline competence require|train|list` and `dutyline drill schedule|record|list`: the qualifications a
site requires of each role (资格要求, e.g. 值班员培训合格证 of officers, valid two years), trainings that
grant them (培训记录), who holds what and until when; the drill calendar (演练计划) with attendance and the
after-action review (演练总结). The roster refuses to put anyone on duty without a valid required
qualification.

Every error is one line with exit code 2; every change sends an idempotency key (``--idempotency-key``
to retry safely); times are in the site's zone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import grpc
import typer
from rich.markup import escape

import dutyline.cli.competence.text  # noqa: F401  (adds the groups' words to the CLI's catalogue)
from dutyline.cli.common.enums import Choices
from dutyline.cli.common.i18n import label, t
from dutyline.cli.common.lookups import RosterLookups, run_with_roster
from dutyline.cli.common.session import (
    FromOpt,
    KeyOpt,
    LangOpt,
    SiteOpt,
    StateDirOpt,
    TokenOpt,
    ToOpt,
    new_key,
    read_text,
    session,
    site_or_default,
    start_session,
)
from dutyline.cli.common.state import DEFAULT_STATE_DIR
from dutyline.cli.common.tables import Ids, list_table
from dutyline.cli.common.times import at_local, local_period, parse_date, parse_moment, when
from dutyline.grpckit.convert import ROLE_NAMES, ROLE_VALUES, ts
from dutyline.roster.v1 import competence_pb2, competence_pb2_grpc

TIMEOUT = 15.0
FMT = "%Y-%m-%d %H:%M"
# From the proto: the roles a requirement names, the states and statuses listed by.
ROLES = Choices.of_field(competence_pb2.QualificationRequirement, "role")
STATES = Choices.of_field(competence_pb2.ListQualificationsRequest, "state")
DRILL_STATUSES = Choices.of_field(competence_pb2.ListDrillsRequest, "status")

competence_app = typer.Typer(help="资格与培训 Qualifications and training: require, train, list.", no_args_is_help=True)
drill_app = typer.Typer(help="演练 Drills: schedule, record, list.", no_args_is_help=True)


class Competence(RosterLookups):
    """CompetenceService (hosted by the roster process), with the roster for the sites' zones."""

    def __init__(self, ch: grpc.aio.Channel, roster: grpc.aio.Channel) -> None:
        super().__init__(roster)
        self.stub = competence_pb2_grpc.CompetenceServiceStub(ch)


def _people(value: str) -> list[str]:
    return [p.strip() for p in value.split(",") if p.strip()]


@competence_app.callback()
def competence_main(
    ctx: typer.Context, lang: LangOpt = None, token: TokenOpt = None, state_dir: StateDirOpt = DEFAULT_STATE_DIR
) -> None:
    """资格与培训 The qualifications each role requires, and who holds them until when."""
    start_session(ctx, "roster", lang, token, state_dir)


@competence_app.command()
def require(
    ctx: typer.Context,
    qualification: Annotated[str, typer.Argument(help="资格名称 e.g. 值班员培训合格证")],
    role: Annotated[str, ROLES.option("--role", help="角色 the role requiring it")],
    valid_days: Annotated[
        int, typer.Option("--valid-days", min=1, max=3660, help="有效天数 how long a training grants it (730: 2 years)")
    ] = 730,
    remove: Annotated[bool, typer.Option("--remove", help="取消此项要求 no longer require it")] = False,
    site: SiteOpt = None,
    idempotency_key: KeyOpt = None,
) -> None:
    """资格要求 Require a qualification of a role at a site (or --remove it); prints the site's list."""
    site_id = site_or_default(site, session(ctx).target())
    key = new_key(idempotency_key)
    wanted = qualification.strip()

    async def work(c: Competence) -> competence_pb2.RequiredQualifications:
        # The site's list as it stands: this command changes one line of it.
        now = await c.stub.ListQualifications(
            competence_pb2.ListQualificationsRequest(site_id=site_id, state="missing"), timeout=TIMEOUT
        )
        kept = [r for r in now.requirements if not (ROLE_NAMES[r.role] == role and r.qualification == wanted)]
        if not remove:
            kept.append(
                competence_pb2.QualificationRequirement(
                    role=ROLE_VALUES[role], qualification=wanted, valid_days=valid_days
                )
            )
        return await c.stub.SetRequiredQualifications(
            competence_pb2.SetRequiredQualificationsRequest(idempotency_key=key, site_id=site_id, requirements=kept),
            timeout=TIMEOUT,
        )

    answer = run_with_roster(ctx, Competence, work, key=key)
    out = session(ctx).out
    if not answer.requirements:
        out.print(t("competence.required_none", site=site_id))
        return
    out.print(t("competence.required", site=site_id))
    for r in answer.requirements:
        text = t(
            "competence.requirement",
            role=label("role", ROLE_NAMES[r.role]),
            qualification=r.qualification,
            days=r.valid_days,
        )
        out.print(f"  {escape(text)}")


@competence_app.command()
def train(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(metavar="PERSON", help="人员编号 who was trained")],
    qualification: Annotated[str, typer.Argument(help="资格名称 the qualification it grants")],
    completed: Annotated[
        str, typer.Option("--completed", metavar="YYYY-MM-DD", help="培训完成日期 the day it was completed")
    ],
    valid_until: Annotated[
        str, typer.Option("--valid-until", metavar="YYYY-MM-DD", help="有效期至 (default: by the site's rule)")
    ] = "",
    course: Annotated[str, typer.Option("--course", help="培训课程 the course")] = "",
    certificate: Annotated[str, typer.Option("--certificate", help="证书编号 certificate number")] = "",
    idempotency_key: KeyOpt = None,
) -> None:
    """培训记录 Record a completed training: grants or renews the qualification."""
    parse_date(completed, "--completed")
    parse_date(valid_until or None, "--valid-until")
    key = new_key(idempotency_key)

    async def work(c: Competence) -> competence_pb2.Training:
        return await c.stub.RecordTraining(
            competence_pb2.RecordTrainingRequest(
                idempotency_key=key,
                person_id=person,
                qualification=qualification,
                completed_on=completed,
                valid_until=valid_until,
                course=course,
                certificate_no=certificate,
            ),
            timeout=TIMEOUT,
        )

    made = run_with_roster(ctx, Competence, work, key=key)
    session(ctx).out.print(
        escape(
            t(
                "competence.trained",
                id=made.id,
                person=made.person_id,
                qualification=made.qualification,
                until=made.valid_until,
            )
        )
    )


@competence_app.command(name="list")
def list_(
    ctx: typer.Context,
    site: SiteOpt = None,
    person: Annotated[str, typer.Option("--person", help="只看此人 only this person")] = "",
    state: Annotated[str | None, STATES.option("--state", help="状态 only this state")] = None,
) -> None:
    """人员资格 Who holds the required qualifications, until when (expiring: within 30 days)."""
    site_id = site_or_default(site, session(ctx).target())

    async def work(c: Competence) -> competence_pb2.ListQualificationsResponse:
        return await c.stub.ListQualifications(
            competence_pb2.ListQualificationsRequest(site_id=site_id, person_id=person, state=state or ""),
            timeout=TIMEOUT,
        )

    found = run_with_roster(ctx, Competence, work)
    out = session(ctx).out
    if not found.requirements:
        out.print(t("competence.required_none", site=site_id))
        return
    if not found.qualifications:
        out.print(t("competence.none"))
        return
    table = list_table(
        t("competence.title", site=site_id, count=len(found.qualifications)),
        t("col.name"),
        t("col.role"),
        t("competence.col.qualification"),
        t("competence.col.valid_until"),
        t("competence.col.state"),
    )
    for q in found.qualifications:
        table.add_row(
            f"{escape(q.display_name)}\n[dim]{escape(q.person_id)}[/]",
            label("role", ROLE_NAMES[q.role]),
            escape(q.qualification),
            q.valid_until or "—",
            label("qualification_state", q.state),
        )
    out.print(table)


@drill_app.callback()
def drill_main(
    ctx: typer.Context, lang: LangOpt = None, token: TokenOpt = None, state_dir: StateDirOpt = DEFAULT_STATE_DIR
) -> None:
    """演练 The site's drill calendar (演练计划), attendance and after-action review (演练总结)."""
    start_session(ctx, "roster", lang, token, state_dir)


@drill_app.command()
def schedule(
    ctx: typer.Context,
    subject: Annotated[str, typer.Argument(help="演练科目 e.g. 防汛应急演练")],
    at: Annotated[str, typer.Option("--at", metavar="ISO", help="演练时间 e.g. 2026-12-20T09:30 in the site's zone")],
    participants: Annotated[
        str, typer.Option("--participants", metavar="P1,P2", help="参演人员 person ids, comma-separated")
    ],
    site: SiteOpt = None,
    idempotency_key: KeyOpt = None,
) -> None:
    """安排演练 Put a drill on the site's calendar."""
    moment = parse_moment(at, "--at")
    assert moment is not None
    site_id = site_or_default(site, session(ctx).target())
    key = new_key(idempotency_key)

    async def work(c: Competence) -> tuple[competence_pb2.Drill, str]:
        zone = await c.zone(site_id)
        made = await c.stub.ScheduleDrill(
            competence_pb2.ScheduleDrillRequest(
                idempotency_key=key,
                site_id=site_id,
                subject=subject,
                scheduled_for=ts(at_local(moment, zone)),
                participant_ids=_people(participants),
            ),
            timeout=TIMEOUT,
        )
        return made, when(made, "scheduled_for", zone, f"{FMT} ({zone.key})")

    made, at_text = run_with_roster(ctx, Competence, work, key=key)
    session(ctx).out.print(escape(t("drill.scheduled", id=made.id, subject=made.subject, at=at_text)))


@drill_app.command()
def record(
    ctx: typer.Context,
    drill_id: Annotated[str, typer.Argument(metavar="DRILL", help="演练编号 the drill")],
    review: Annotated[str, typer.Option("--review", help="演练总结 the after-action review; - reads standard input")],
    attended: Annotated[
        str, typer.Option("--attended", metavar="P1,P2", help="到场人员 who came, comma-separated")
    ] = "",
    held_at: Annotated[
        str | None,
        typer.Option("--held-at", metavar="ISO", help="实际时间 when it was held, in the site's zone (default: now)"),
    ] = None,
    site: SiteOpt = None,
    idempotency_key: KeyOpt = None,
) -> None:
    """记录演练 Record a drill held: attendance and the after-action review (演练总结)."""
    moment = parse_moment(held_at, "--held-at")
    text = read_text(review)
    key = new_key(idempotency_key)
    site_id = site_or_default(site, session(ctx).target()) if moment else ""

    async def work(c: Competence) -> competence_pb2.Drill:
        at = at_local(moment, await c.zone(site_id)) if moment else datetime.now(UTC)
        return await c.stub.RecordDrill(
            competence_pb2.RecordDrillRequest(
                idempotency_key=key, drill_id=drill_id, held_at=ts(at), attended_ids=_people(attended), review=text
            ),
            timeout=TIMEOUT,
        )

    held = run_with_roster(ctx, Competence, work, key=key)
    session(ctx).out.print(
        t("drill.recorded", id=held.id, attended=len(held.attended_ids), participants=len(held.participant_ids))
    )


@drill_app.command(name="list")
def list_drills(
    ctx: typer.Context,
    site: SiteOpt = None,
    status: Annotated[str | None, DRILL_STATUSES.option("--status", help="状态 only this status")] = None,
    from_: FromOpt = None,
    to: ToOpt = None,
) -> None:
    """演练计划 The site's drills, earliest first, with attendance and review once held."""
    first, last = parse_date(from_, "--from"), parse_date(to, "--to")
    site_id = site_or_default(site, session(ctx).target())

    async def work(c: Competence) -> tuple[competence_pb2.ListDrillsResponse, ZoneInfo]:
        zone = await c.zone(site_id)
        found = await c.stub.ListDrills(
            competence_pb2.ListDrillsRequest(
                site_id=site_id, status=status or "", period=local_period(zone, first, last)
            ),
            timeout=TIMEOUT,
        )
        return found, zone

    found, zone = run_with_roster(ctx, Competence, work)
    out = session(ctx).out
    if not found.drills:
        out.print(t("drill.none"))
        return
    table = list_table(
        t("drill.title", site=site_id, count=len(found.drills)),
        Ids(t("col.id")),
        t("drill.col.when"),
        t("drill.col.subject"),
        t("col.status"),
        t("drill.col.participants"),
        t("drill.col.attended"),
        t("drill.col.review"),
    )
    for d in found.drills:
        table.add_row(
            d.id,
            when(d, "scheduled_for", zone, FMT),
            escape(d.subject),
            label("drill_status", d.status),
            escape(", ".join(d.participant_ids)),
            escape(", ".join(d.attended_ids)),
            escape(d.review),
        )
    out.print(table)
