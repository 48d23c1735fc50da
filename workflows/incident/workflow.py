"""The emergency process of one incident (register → verify → escalate → track → feedback → close).

Deterministic: no I/O, time from workflow.now(); persistence happens in activities. Operators act
through Temporal updates that the workflow validates against its stage, so an illegal step is
refused with the current stage named. Deadlines come from the reporting policy in force when the
incident is verified and are re-planned on reclassification; a deadline that passes without its
report is a violation (迟报), and one still unmet at closing becomes 漏报.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from temporalio import workflow
from temporalio.common import SearchAttributeKey
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from services.incident import rules
    from workflows.common import ACTIVITY_TIMEOUT, call_activity, patched
    from workflows.incident import convert
    from workflows.incident.types import (
        APPLY_CHANGE,
        CALLS_LINKED_SIGNAL,
        LOAD_POLICY,
        LOAD_REPORT,
        LOAD_VERIFY_WITHIN,
        LOCAL_LEADER_NOTICE_REVISION,
        NOTIFY_DUTY_LEADER,
        NOTIFY_RESPONSIBLE,
        RECORD_FAILURE,
        SYSTEM,
        AbsorbArgs,
        AccidentData,
        Actor,
        CasualtiesData,
        ChangeSet,
        CloseArgs,
        CorrectArgs,
        CorrectionData,
        DeadlineData,
        FeedbackData,
        IncidentFacts,
        IncidentInput,
        IncidentOutcome,
        LeaderNotice,
        NoteArgs,
        PolicyData,
        PolicyQuery,
        ReclassifyArgs,
        ReportArgs,
        ReportData,
        ReportQuery,
        ReportVersionData,
        ResponsibleNotice,
        StepFailure,
        UpdateResult,
        VerifyArgs,
        ViolationData,
    )

# Stages of an incident not verified yet.
_UNVERIFIED = ("register", "verify")

STAGE = SearchAttributeKey.for_keyword("DutylineStage")
SITE = SearchAttributeKey.for_keyword("DutylineSite")
SEVERITY = SearchAttributeKey.for_keyword("DutylineSeverity")

ILLEGAL = "IllegalTransition"
STEP_FAILED = "StepFailed"
CLOSE_REFUSED = "CloseRefused"
NOTHING_TO_CORRECT = "NothingToCorrect"
# Processes started before verification had a deadline and the scene a contact interval keep
# replaying without them.
VERIFICATION_PATCH = "verification-deadline"
# Processes started since read the time to verify as a local activity, in the workflow task that
# follows the leader's notice: one workflow task and one activity task fewer per incident.
LOCAL_VERIFY_WITHIN_PATCH = "verify-within-local"
# A local leader notice holds its workflow task, and so the officer's Verify, while an attempt runs
# (tens of milliseconds; at most this long when notify hangs, within UPDATE_TIMEOUT's 30 s). One that
# fails (notify unreachable) retries in the task for at most LEADER_NOTICE_LOCAL_RETRY of backoff, then
# on a timer, between which updates are applied at once.
LEADER_NOTICE_LOCAL_TIMEOUT = timedelta(seconds=12)
LEADER_NOTICE_LOCAL_RETRY = timedelta(seconds=2)


@workflow.defn(name="IncidentWorkflow")
class IncidentWorkflow:
    @workflow.init
    def __init__(self, incident: IncidentInput) -> None:
        # With the input at hand before any handler runs, an update that arrives before the first
        # workflow task is valid from the first instant.
        self._stage = "register"
        self._dirty = False
        self._lock = asyncio.Lock()
        self._incident: IncidentInput | None = incident
        self._deadlines: list[rules.Deadline] = []
        self._policy: rules.Policy | None = None
        self._category = ""
        self._sub_type = ""
        self._severity = "unrated"
        self._verified_at: datetime | None = None
        self._leader_notified_at: datetime | None = None
        self._feedback = False
        # Steps of a surge of calls (来电激增) heard of, and the duty leader told of.
        self._surge_heard: list[int] = []
        self._surge_told = 0
        # The site's time zone as load_policy last told it ("": the one the incident started with).
        self._time_zone = ""
        # The update being applied, as its grant must cover it (convert.authorised), and when it
        # arrived; "" outside one.
        self._authorised = ""
        self._authorised_at = ""
        # 核实时限 and 现场联系 (only in processes started with VERIFICATION_PATCH): when verification
        # is due and whether its miss is recorded; when the scene last reported while in tracking
        # and how many alerts its silence has raised since.
        self._verification_rules = False
        self._verify_due: datetime | None = None
        self._verify_overdue = False
        self._scene_since: datetime | None = None
        self._scene_alerts = 0

    # -- the process ---------------------------------------------------------------------------

    @workflow.run
    async def run(self, incident: IncidentInput) -> IncidentOutcome:
        # Asked first, so a process replaying an older history answers False for good. A revised input
        # decides without asking (types.INCIDENT_REVISION).
        revised = incident.revision >= 1
        self._verification_rules = patched(VERIFICATION_PATCH, by_input=revised)
        await self._notify_leader(incident.title)
        self._leader_notified_at = workflow.now()
        if self._stage == "register":
            self._set_stage("verify")
        else:
            # Verified while the leader was being told: the notice meets its deadline now.
            notified = self._leader_notified_at
            self._deadlines, _, _ = rules.mark_report(self._deadlines, kind="leader_notice", at=notified)
            self._dirty = True
        if self._verification_rules:
            await self._plan_verification(local=patched(LOCAL_VERIFY_WITHIN_PATCH, by_input=revised))
        while not self._closed:
            due = self._next_wake()
            if due is None:
                await workflow.wait_condition(lambda: self._dirty or self._closed)
            else:
                with contextlib.suppress(TimeoutError):
                    await workflow.wait_condition(
                        lambda: self._dirty or self._closed, timeout=max(due - workflow.now(), timedelta(0))
                    )
            self._dirty = False
            if not self._closed:
                async with self._lock:
                    await self._deadlines_passed()
                    await self._surge_grew()
                    await self._verification_overdue()
                    await self._scene_silent()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return IncidentOutcome(incident_id=incident.incident_id, stage=self._stage)

    async def _deadlines_passed(self) -> None:
        """Every report now overdue is a violation (迟报) charged to the responsible person; the
        leader is told and the event published."""
        now = workflow.now()
        due = rules.due_now(self._deadlines, now)
        if not due:
            return
        self._deadlines = rules.mark_missed(self._deadlines, [d.key for d in due])
        self._extend_follow_ups(now)
        names = "、".join(f"{d.kind}{'#' + str(d.number) if d.number else ''}" for d in due)
        missed = "missed:" + ",".join(d.key for d in due)
        try:
            await self._persist(
                missed,
                "incident.deadline_missed",
                "deadline_missed",
                f"迟报 overdue reports: {names}",
                SYSTEM,
                violations=[
                    ViolationData(kind="late", report_kind=d.kind, number=d.number, due_at=convert.iso(d.due_at))
                    for d in due
                ],
            )
        except ActivityError as failure:
            # The deadlines stay missed here (the timer must not fire again and again); the failure
            # is recorded and the leader told by another route.
            await self._record_failure(missed, failure, tell_leader=True)
        await self._notify_leader(f"迟报 Report overdue ({names}): {self._require_input().title}", step=missed)

    async def _surge_grew(self) -> None:
        """Tell the duty leader once per step a surge of calls reaches (100, 1000 calls): a growing
        event, without a page per call."""
        steps = [s for s in self._surge_heard if s > self._surge_told]
        if not steps:
            return
        self._surge_told = max(steps)
        title = self._require_input().title
        await self._notify_leader(
            f"来电激增 Surge: {self._surge_told}+ calls about {title}", step=f"calls:{self._surge_told}"
        )

    def _next_wake(self) -> datetime | None:
        """When the process must look again: the next report due, and (VERIFICATION_PATCH) the time
        to verify and the next alert for silence from the scene."""
        wakes = [rules.next_due(self._deadlines)]
        if self._verification_rules:
            if not self._verify_overdue and self._stage in _UNVERIFIED:
                wakes.append(self._verify_due)
            wakes.append(self._scene_alert_due())
        return min((w for w in wakes if w is not None), default=None)

    async def _plan_verification(self, *, local: bool = False) -> None:
        """The time to verify runs from the first call's answer (or the registration of an incident
        opened directly). The category and severity are not known yet, so the jurisdiction's
        strictest policy gives it (rules.verify_within); if the policies cannot be read, the
        platform's default, so the deadline never lapses for want of a policy."""
        incident = self._require_input()
        clock = convert.parse(incident.clock_from or incident.registered_at)
        query = PolicyQuery(
            jurisdiction=incident.jurisdiction,
            category="",
            sub_type="",
            severity="unrated",
            at=clock.isoformat(),
            incident_id=incident.incident_id,
        )
        try:
            within = timedelta(seconds=await call_activity(LOAD_VERIFY_WITHIN, query, result_type=int, local=local))
        except ActivityError as failure:
            await self._record_failure("verify_within", failure, tell_leader=False)
            within = rules.DEFAULT_VERIFY_WITHIN
        self._verify_due = clock + within

    async def _verification_overdue(self) -> None:
        """未及时核实: still unverified when verification was due. The responsible person is charged
        ("unverified"), the duty leader told, and the event published (the oversight of 瞒报 hears
        of it: leaving an incident unverified must not be a way around its reports)."""
        due = self._verify_due
        if due is None or self._verify_overdue or self._stage not in _UNVERIFIED or workflow.now() < due:
            return
        self._verify_overdue = True
        incident = self._require_input()
        step = "unverified"
        try:
            await self._persist(
                step,
                "incident.verification_overdue",
                "verification_overdue",
                f"未及时核实 Not verified by {convert.iso(due)}",
                SYSTEM,
                violations=[
                    ViolationData(
                        kind="unverified",
                        report_kind="",
                        number=0,
                        due_at=convert.iso(due),
                        ref=f"unverified:{incident.incident_id}",
                    )
                ],
            )
        except ActivityError as failure:
            await self._record_failure(step, failure, tell_leader=True)
        await self._notify_leader(f"未及时核实 Not verified in time: {incident.title}", step=step)

    def _scene_alert_due(self) -> datetime | None:
        if self._stage != "track" or self._scene_since is None or self._policy is None:
            return None
        return rules.scene_alert_due(self._scene_since, self._policy.progress_every, alerts=self._scene_alerts)

    async def _scene_silent(self) -> None:
        """现场联系中断: no progress from the scene within the policy's interval. The first alert goes
        to the responsible person, the second (one interval later) to the duty leader, whose
        escalation goes on up the chain until acknowledged; a progress report starts over."""
        due = self._scene_alert_due()
        if due is None or workflow.now() < due:
            return
        assert self._scene_since is not None
        self._scene_alerts += 1
        incident = self._require_input()
        minutes = int((workflow.now() - self._scene_since).total_seconds() // 60)
        detail = f"现场 {minutes} 分钟无进展报告 No progress from the scene for {minutes} min"
        step = f"scene_silent:{self._scene_since.isoformat()}:{self._scene_alerts}"
        if self._scene_alerts == 1:
            notice = ResponsibleNotice(
                incident_id=incident.incident_id,
                site_id=incident.site_id,
                title=incident.title,
                detail=detail,
                drill=incident.drill,
                step=step,
            )
            try:
                person = await call_activity(NOTIFY_RESPONSIBLE, notice, result_type=str)
            except ActivityError as failure:
                # Not even the person could be told: the leader hears of it now, not an interval later.
                await self._record_failure(step, failure, tell_leader=True)
                person = ""
            text = f"{detail}; 已提醒责任人 responsible person alerted: {person or '-'}"
        else:
            await self._notify_leader(f"现场联系中断 {detail}: {incident.title}", step=step)
            text = f"{detail}; 已报告带班领导 duty leader alerted"
        try:
            await self._persist(step, "incident.scene_silent", "scene_silent", text, SYSTEM)
        except ActivityError as failure:
            await self._record_failure(step, failure, tell_leader=False)

    def _heard_from_scene(self, at: datetime) -> None:
        """A progress note or a report while in tracking (entering it included): the scene's
        silence counts from `at`."""
        if self._verification_rules and self._stage == "track":
            self._scene_since, self._scene_alerts = at, 0
            self._dirty = True

    @workflow.signal(name=CALLS_LINKED_SIGNAL)
    def calls_linked(self, step: int) -> None:
        self._surge_heard.append(step)
        self._dirty = True

    # -- updates (operator actions) ------------------------------------------------------------

    @workflow.update
    async def verify(self, args: VerifyArgs) -> UpdateResult:
        action = "verify" if args.confirmed else "unfounded"
        async with self._step("verify", args):
            self._check(action)
            now = workflow.now()
            if not args.confirmed:
                self._stage = rules.after(self._stage, action)
                await self._persist(
                    self._update_id(),
                    "incident.unfounded",
                    "unfounded",
                    f"核实不实 Unfounded: {args.reason}",
                    args.actor,
                    fields=IncidentFacts(stage=self._stage, closed_at=now.isoformat(), close_reason=args.reason),
                )
                self._set_stage(self._stage)
                return UpdateResult(stage=self._stage)
            self._category, self._sub_type, self._severity = args.category, args.sub_type, args.severity
            self._verified_at = now
            policy = await self._load_policy(now)
            self._policy = policy
            self._deadlines = self._planned(policy, now) if policy is not None else []
            if self._leader_notified_at is not None:
                self._deadlines, _, _ = rules.mark_report(
                    self._deadlines, kind="leader_notice", at=self._leader_notified_at
                )
            self._stage = rules.after(self._stage, action)
            await self._persist(
                self._update_id(),
                "incident.verified",
                "verified",
                f"核实属实 Verified: {args.category}/{args.sub_type or '-'} 等级 severity {args.severity}"
                + (f"; 报告规则 policy {policy.id} v{policy.version}" if policy else "; no reporting policy applies"),
                args.actor,
                fields=IncidentFacts(
                    stage=self._stage,
                    category=args.category,
                    sub_type=args.sub_type,
                    severity=args.severity,
                    casualties=args.casualties,
                    verified_at=now.isoformat(),
                    set_policy=True,
                    policy_id=policy.id if policy else None,
                    policy_version=policy.version if policy else None,
                ),
            )
            self._set_stage(self._stage, severity=args.severity)
            self._dirty = True
            return UpdateResult(stage=self._stage)

    @verify.validator
    def _validate_verify(self, args: VerifyArgs) -> None:
        self._check("verify" if args.confirmed else "unfounded")

    @workflow.update
    async def reclassify(self, args: ReclassifyArgs) -> UpdateResult:
        async with self._step("reclassify", args):
            self._check("reclassify")
            now = workflow.now()
            before = self._severity
            self._category, self._sub_type, self._severity = args.category, args.sub_type, args.severity
            policy = await self._load_policy(now)
            if policy is not None:
                self._policy = policy
                self._deadlines = rules.replan(self._deadlines, self._planned(policy, now), now=now)
            await self._persist(
                self._update_id(),
                "incident.reclassified",
                "reclassified",
                f"等级调整 Reclassified {before} → {args.severity} "
                f"({args.category}/{args.sub_type or '-'}): {args.reason}",
                args.actor,
                fields=IncidentFacts(
                    category=args.category,
                    sub_type=args.sub_type,
                    severity=args.severity,
                    set_policy=True,
                    policy_id=policy.id if policy else None,
                    policy_version=policy.version if policy else None,
                ),
            )
            self._set_stage(self._stage, severity=args.severity)
            self._dirty = True
            return UpdateResult(stage=self._stage)

    @reclassify.validator
    def _validate_reclassify(self, args: ReclassifyArgs) -> None:
        self._check("reclassify")

    @workflow.update
    async def report(self, args: ReportArgs) -> UpdateResult:
        async with self._step("report", args):
            self._check("report")
            now = workflow.now()
            self._deadlines, met, late = rules.mark_report(self._deadlines, kind=args.kind, at=now)
            number = met.number if met is not None else self._next_number(args.kind)
            self._extend_follow_ups(now)
            self._stage = rules.after(self._stage, "report")
            self._heard_from_scene(now)
            violations = []
            if met is not None and late > 0:
                violations.append(
                    ViolationData(
                        kind="late",
                        report_kind=met.kind,
                        number=met.number,
                        due_at=convert.iso(met.due_at),
                        late_seconds=late,
                    )
                )
            fields = IncidentFacts(stage=self._stage)
            if convert.casualties(args.casualties) is not None:
                fields.casualties = args.casualties
            await self._persist(
                self._update_id(),
                "incident.report_submitted",
                "report_submitted",
                f"报告 Report {args.kind}{' #' + str(number) if number else ''} → {args.recipient}"
                + (f" ({late / 60:.0f} min late 迟报)" if late > 0 else ""),
                args.actor,
                fields=fields,
                report=ReportData(
                    id=args.report_id,
                    kind=args.kind,
                    number=number,
                    recipient=args.recipient,
                    content=args.content,
                    accident=args.accident,
                    author_id=args.actor.person_id,
                    submitted_at=now.isoformat(),
                    late_seconds=late,
                ),
                violations=violations,
            )
            self._set_stage(self._stage)
            self._dirty = True
            return UpdateResult(stage=self._stage, late_seconds=late, number=number)

    @report.validator
    def _validate_report(self, args: ReportArgs) -> None:
        self._check("report")

    @workflow.update
    async def correct(self, args: CorrectArgs) -> UpdateResult:
        """A correction of a report (更正): its next version, with the differences of the material
        figures; one changed later than the policy allows is 错报, charged to the author of the version
        corrected. The incident's casualties follow the corrected figures; its severity changes only by
        reclassifying (which re-plans the deadlines)."""
        async with self._step("correct", args):
            self._check("correct")
            now = workflow.now()
            incident = self._require_input()
            current: ReportVersionData = await call_activity(
                LOAD_REPORT,
                ReportQuery(incident_id=incident.incident_id, report_id=args.report_id),
                result_type=ReportVersionData,
            )
            version = _corrected(current, args, version=current.version + 1, at=now)
            changes = rules.figure_changes(_figures(current), _figures(version))
            allowed_until = rules.correction_allowed_until(
                self._policy, clock_from=convert.parse(incident.clock_from or incident.registered_at)
            )
            late = rules.wrong_report(changes, allowed_until=allowed_until, at=now)
            version.changes = [convert.figure_change_data(c) for c in changes]
            version.content_changed = version.content != current.content or _items(version.accident) != _items(
                current.accident
            )
            if not changes and not version.content_changed:
                raise ApplicationError(
                    f"report {args.report_id} v{current.version} already says so; nothing to correct",
                    type=NOTHING_TO_CORRECT,
                    non_retryable=True,
                )
            version.late, version.allowed_until = late, convert.iso(allowed_until)
            violations = []
            if late:
                violations.append(
                    ViolationData(
                        kind="wrong_report",
                        report_kind=current.kind,
                        number=current.number,
                        person_id=current.author_id,
                        ref=f"corrected:{args.report_id}:v{version.version}",
                        report_id=args.report_id,
                    )
                )
            described = rules.describe_changes(changes) or "措辞 wording only"
            await self._persist(
                self._update_id(),
                "incident.report_corrected",
                "report_corrected",
                f"更正 Report {current.kind}{' #' + str(current.number) if current.number else ''} corrected "
                f"v{current.version}→v{version.version}: {described}; 原因 reason: {args.reason}"
                + (" (超出更正时限 错报 wrong report: corrected too late)" if late else ""),
                args.actor,
                fields=IncidentFacts(casualties=version.casualties) if args.casualties or args.accident else None,
                correction=version,
                violations=violations,
            )
            return UpdateResult(stage=self._stage, number=version.version, detail="wrong_report" if late else "")

    @correct.validator
    def _validate_correct(self, args: CorrectArgs) -> None:
        self._check("correct")

    @workflow.update
    async def progress(self, args: NoteArgs) -> UpdateResult:
        async with self._step("progress", args):
            self._check("progress")
            self._heard_from_scene(workflow.now())
            await self._persist(
                self._update_id(), "incident.progress", "progress", f"进展 Progress: {args.text}", args.actor
            )
            return UpdateResult(stage=self._stage)

    @progress.validator
    def _validate_progress(self, args: NoteArgs) -> None:
        self._check("progress")

    @workflow.update
    async def feedback(self, args: NoteArgs) -> UpdateResult:
        async with self._step("feedback", args):
            self._check("feedback")
            self._stage = rules.after(self._stage, "feedback")
            self._feedback = True
            await self._persist(
                self._update_id(),
                "incident.feedback_recorded",
                "feedback_recorded",
                f"反馈 Feedback to caller {args.call_id or '-'} by {args.method}: {args.text}",
                args.actor,
                fields=IncidentFacts(stage=self._stage, feedback_recorded=True),
                feedback=FeedbackData(
                    id=args.feedback_id,
                    call_id=args.call_id,
                    method=args.method,
                    message=args.text,
                    author_id=args.actor.person_id,
                    recorded_at=workflow.now().isoformat(),
                ),
            )
            self._set_stage(self._stage)
            return UpdateResult(stage=self._stage)

    @feedback.validator
    def _validate_feedback(self, args: NoteArgs) -> None:
        self._check("feedback")

    @workflow.update
    async def close(self, args: CloseArgs) -> UpdateResult:
        async with self._step("close", args):
            self._check_close(args)
            now = workflow.now()
            merged = bool(args.merged_into)
            if not merged:
                missing = self._missing_at_close()
            elif workflow.patched("merge-records-overdue"):
                missing = self._overdue_at_merge(args.reported_there)
            else:
                missing = []
            violations = [
                ViolationData(kind="missed", report_kind=d.kind, number=d.number, due_at=convert.iso(d.due_at))
                for d in missing
            ]
            self._stage = rules.after(self._stage, "merge_into" if merged else "close")
            text = (
                f"并入 Merged into {args.merged_into}: {args.summary}"
                if merged
                else f"结案 Closed: {args.summary}"
                + (f"; 管理员强制 admin override: {args.override_reason}" if args.override_reason else "")
            ) + (f"; 漏报 missed: {', '.join(d.key for d in missing)}" if missing else "")
            await self._persist(
                self._update_id(),
                "incident.merged" if merged else "incident.closed",
                "merged" if merged else "closed",
                text,
                args.actor,
                fields=IncidentFacts(
                    stage=self._stage,
                    closed_at=now.isoformat(),
                    summary_at_close=args.summary,
                    close_reason=args.override_reason or ("merged" if merged else ""),
                ),
                violations=violations,
                merged_into=args.merged_into,
            )
            self._set_stage(self._stage)
            return UpdateResult(stage=self._stage, detail=", ".join(d.key for d in missing))

    @close.validator
    def _validate_close(self, args: CloseArgs) -> None:
        self._check_close(args)

    def _check_close(self, args: CloseArgs) -> None:
        self._check("merge_into" if args.merged_into else "close")
        if args.merged_into or args.override_reason:
            return
        missing = [d.key for d in self._missing_at_close()]
        if not self._feedback:
            missing.append("feedback")
        if missing:
            raise ApplicationError(
                f"cannot close in stage {self._stage}: still missing {', '.join(missing)} "
                "(an admin may close with an override reason)",
                type=CLOSE_REFUSED,
                non_retryable=True,
            )

    def _missing_at_close(self) -> list[rules.Deadline]:
        """Every unmet report but the follow-ups not yet due, which lapse with the closing."""
        now = workflow.now()
        return [
            d
            for d in rules.unmet_required(self._deadlines)
            if d.kind != "follow_up" or d.due_at is None or d.due_at <= now
        ]

    def _overdue_at_merge(self, reported_there: Sequence[str]) -> list[rules.Deadline]:
        """A merge closes without the close checks (the other incident goes on with the event), but
        is no way out of a 漏报: every report already overdue here and not made there either."""
        now = workflow.now()
        return [
            d
            for d in rules.unmet_required(self._deadlines)
            if d.due_at is not None and d.due_at <= now and d.kind not in reported_there
        ]

    @workflow.update
    async def absorb(self, args: AbsorbArgs) -> UpdateResult:
        """A duplicate was merged into this incident: its reports count here."""
        async with self._step("absorb", args):
            self._check("report")
            at = convert.parse(args.at)
            for kind in args.report_kinds:
                self._deadlines, _, _ = rules.mark_report(self._deadlines, kind=kind, at=at)
            await self._persist(
                self._update_id(),
                "incident.merged",
                "merged",
                f"并入 Absorbed duplicate {args.duplicate_id} ({len(args.report_kinds)} reports)",
                args.actor,
            )
            self._dirty = True
            return UpdateResult(stage=self._stage)

    @absorb.validator
    def _validate_absorb(self, args: AbsorbArgs) -> None:
        self._check("report")

    @contextlib.asynccontextmanager
    async def _step(self, name: str, args: object) -> AsyncIterator[None]:
        """One operator step, all or nothing: when what it must record cannot be recorded for good
        (the activity said so — also when the update's grant does not cover it), the workflow's
        state is as before the step, the failure is on the timeline, and the update fails
        (FAILED_PRECONDITION to the operator) — never "verified in the workflow, not in the database"."""
        # A grant is checked against when the update arrived: waiting for the step before it (or for
        # roster, to choose a policy) must not make it expire.
        received = workflow.now()
        async with self._lock:
            saved = self._snapshot()
            self._authorised = convert.authorised(name, args)
            self._authorised_at = received.isoformat()
            try:
                yield
            except ActivityError as failure:
                self._restore(saved)
                reason = await self._record_failure(f"update:{name}", failure, tell_leader=False)
                raise ApplicationError(
                    f"{name} could not be recorded, nothing changed: {reason}", type=STEP_FAILED, non_retryable=True
                ) from failure

    _STATE = (
        "_stage",
        "_deadlines",
        "_policy",
        "_category",
        "_sub_type",
        "_severity",
        "_verified_at",
        "_feedback",
        "_scene_since",
        "_scene_alerts",
    )

    def _snapshot(self) -> dict[str, object]:
        return {name: copy.copy(getattr(self, name)) for name in self._STATE}

    def _restore(self, saved: dict[str, object]) -> None:
        for name, value in saved.items():
            setattr(self, name, value)

    async def _record_failure(self, step: str, failure: ActivityError, *, tell_leader: bool) -> str:
        """Put a step that failed for good on the timeline (and tell the leader by another route);
        the process goes on. Returns the reason."""
        cause = failure.cause if failure.cause is not None else failure
        reason = str(getattr(cause, "message", "") or cause)
        incident = self._require_input()
        try:
            await call_activity(
                RECORD_FAILURE,
                StepFailure(
                    incident_id=incident.incident_id,
                    site_id=incident.site_id,
                    drill=incident.drill,
                    step=step,
                    reason=reason,
                    tell_leader=tell_leader,
                ),
            )
        except ActivityError as again:  # not even that: the worker's log keeps it
            workflow.logger.error(
                "incident %s: step %s failed (%s) and could not be recorded: %s",
                incident.incident_id,
                step,
                reason,
                again,
            )
        return reason

    # -- queries -------------------------------------------------------------------------------

    @workflow.query
    def stage(self) -> str:
        return self._stage

    @workflow.query
    def deadlines(self) -> list[DeadlineData]:
        return [convert.deadline_to_data(d) for d in self._deadlines]

    # -- helpers -------------------------------------------------------------------------------

    def _check(self, action: str) -> None:
        if not rules.allowed(self._stage, action):
            raise ApplicationError(
                rules.illegal_transition_message(self._stage, action), type=ILLEGAL, non_retryable=True
            )

    @property
    def _closed(self) -> bool:
        return self._stage == "closed"

    def _require_input(self) -> IncidentInput:
        assert self._incident is not None
        return self._incident

    @staticmethod
    def _update_id() -> str:
        info = workflow.current_update_info()
        assert info is not None
        return f"update:{info.id}"

    def _planned(self, policy: rules.Policy, now: datetime) -> list[rules.Deadline]:
        incident = self._require_input()
        assert self._verified_at is not None
        clock_from = convert.parse(incident.clock_from or incident.registered_at)
        return rules.plan_deadlines(
            policy,
            # The clocks run from the first call's answer (DESIGN §2), else from the registration.
            registered_at=clock_from,
            verified_at=self._verified_anchor(policy),
            tz=self._zone(),
            now=now,
        )

    def _zone(self) -> ZoneInfo:
        return convert.zone(self._time_zone or self._require_input().time_zone)

    def _extend_follow_ups(self, now: datetime) -> None:
        if self._policy is None or self._verified_at is None:
            return
        self._deadlines = rules.extend_follow_ups(
            self._deadlines,
            self._policy,
            tz=self._zone(),
            verified_at=self._verified_anchor(self._policy),
            now=now,
        )

    def _verified_anchor(self, policy: rules.Policy) -> datetime:
        """What "verified" counts from: with VERIFICATION_PATCH never later than verification was due,
        so verifying late cannot push a deadline later (rules.verified_anchor)."""
        incident = self._require_input()
        assert self._verified_at is not None
        if not self._verification_rules:
            return self._verified_at
        clock_from = convert.parse(incident.clock_from or incident.registered_at)
        return rules.verified_anchor(policy, clock_from=clock_from, verified_at=self._verified_at)

    def _next_number(self, kind: str) -> int:
        if kind != "follow_up":
            return 0
        return max((d.number for d in self._deadlines if d.kind == "follow_up"), default=0) + 1

    async def _notify_leader(self, title: str, step: str = "registered") -> None:
        incident = self._require_input()
        # Revision 2 on: told in the workflow task, each attempt bounded (LEADER_NOTICE_LOCAL_*).
        local = incident.revision >= LOCAL_LEADER_NOTICE_REVISION
        try:
            await call_activity(
                NOTIFY_DUTY_LEADER,
                LeaderNotice(
                    incident_id=incident.incident_id,
                    site_id=incident.site_id,
                    title=title,
                    drill=incident.drill,
                    step=step,
                ),
                local=local,
                retry_locally_within=LEADER_NOTICE_LOCAL_RETRY if local else None,
                timeout=LEADER_NOTICE_LOCAL_TIMEOUT if local else ACTIVITY_TIMEOUT,
            )
        except ActivityError as failure:
            # Refused for good (say the notice cannot be sent as it is): the process goes on, the
            # failure is recorded and the leader told by another route.
            await self._record_failure(f"leader_notice:{step}", failure, tell_leader=True)

    async def _load_policy(self, now: datetime) -> rules.Policy | None:
        incident = self._require_input()
        data: PolicyData | None = await call_activity(
            LOAD_POLICY,
            PolicyQuery(
                jurisdiction=incident.jurisdiction,
                category=self._category,
                sub_type=self._sub_type,
                severity=self._severity,
                at=now.isoformat(),
                incident_id=incident.incident_id,
            ),
            result_type=PolicyData,
        )
        if data is not None and data.time_zone:
            self._time_zone = data.time_zone
        return convert.policy_from_data(data) if data is not None else None

    async def _persist(
        self,
        change_id: str,
        event_type: str,
        timeline_kind: str,
        text: str,
        actor: Actor,
        *,
        fields: IncidentFacts | None = None,
        report: ReportData | None = None,
        feedback: FeedbackData | None = None,
        violations: Sequence[ViolationData] = (),
        merged_into: str = "",
        correction: CorrectionData | None = None,
    ) -> None:
        incident = self._require_input()
        await call_activity(
            APPLY_CHANGE,
            ChangeSet(
                incident_id=incident.incident_id,
                change_id=change_id,
                event_type=event_type,
                at=workflow.now().isoformat(),
                actor=actor,
                timeline_kind=timeline_kind,
                timeline_text=text,
                fields=fields or IncidentFacts(),
                deadlines=[convert.deadline_to_data(d) for d in self._deadlines],
                report=report,
                feedback=feedback,
                correction=correction,
                violations=list(violations),
                merged_into=merged_into,
                authorised=self._authorised if change_id.startswith("update:") else "",
                authorised_at=self._authorised_at if change_id.startswith("update:") else "",
            ),
        )

    def _set_stage(self, stage: str, *, severity: str | None = None) -> None:
        self._stage = stage
        # Kept up to date only where the starter set them: the time-skipping test server cannot
        # register custom search attributes.
        present = workflow.info().typed_search_attributes
        updates = [STAGE.value_set(stage)] if STAGE in present else []
        if severity is not None and SEVERITY in present:
            updates.append(SEVERITY.value_set(severity))
        if updates:
            workflow.upsert_search_attributes(updates)


def _corrected(current: ReportVersionData, args: CorrectArgs, *, version: int, at: datetime) -> CorrectionData:
    """The report's next version: what the correction says, the rest as the current version says it.
    New casualties also stand in the accident report's items, so the two never disagree."""
    accident = args.accident or current.accident
    casualties = args.accident.casualties if args.accident else args.casualties or current.casualties
    if accident is not None and accident.casualties != casualties:
        accident = dataclasses.replace(accident, casualties=casualties)
    return CorrectionData(
        report_id=current.report_id,
        version=version,
        content=args.content or current.content,
        casualties=casualties,
        severity=args.severity or current.severity,
        cause=args.cause or current.cause,
        reason=args.reason,
        author_id=args.actor.person_id,
        recorded_at=at.isoformat(),
        accident=accident,
    )


def _items(accident: AccidentData | None) -> AccidentData | None:
    """The accident report's items but its figures (those are compared as figures)."""
    return dataclasses.replace(accident, casualties=CasualtiesData()) if accident is not None else None


def _figures(version: ReportVersionData | CorrectionData) -> rules.ReportFigures:
    casualties = convert.casualties(version.casualties)
    assert casualties is not None
    return rules.ReportFigures(casualties=casualties, severity=version.severity, cause=version.cause)
