"""Plain data passed in and out of the incident workflow and its activities (JSON-able: times are
ISO 8601 strings, durations seconds)."""

from __future__ import annotations

from dataclasses import dataclass, field

# Signal: the incident's calls reached a step of a surge (an int: 100, 1000 calls).
CALLS_LINKED_SIGNAL = "calls_linked"
# The incident process's activities, implemented by the incident service (services/incident/activities.py).
LOAD_VERIFY_WITHIN = "load_verify_within"  # (PolicyQuery) -> int seconds
NOTIFY_RESPONSIBLE = "notify_responsible"  # (ResponsibleNotice) -> str, the person's name ("" when nobody)
NOTIFY_DUTY_LEADER = "notify_duty_leader"  # (LeaderNotice) -> LeaderNotified
LOAD_POLICY = "load_policy"  # (PolicyQuery) -> PolicyData | None
APPLY_CHANGE = "apply_incident_change"  # (ChangeSet) -> None
RECORD_FAILURE = "record_incident_failure"  # (StepFailure) -> None
LOAD_REPORT = "load_incident_report"  # (ReportQuery) -> ReportVersionData, the report's current version
SEARCH_ATTRIBUTES = {"DutylineSite": "Keyword", "DutylineSeverity": "Keyword", "DutylineStage": "Keyword"}


@dataclass
class IncidentInput:
    incident_id: str
    site_id: str
    title: str
    first_responder_id: str
    drill: bool
    registered_at: str  # ISO 8601, UTC
    # Added with the full process; defaults keep incidents started before them replayable.
    jurisdiction: str = ""
    time_zone: str = "Asia/Shanghai"
    # The first call's answer (ISO 8601, UTC), from which the reporting deadlines count; "": from
    # registered_at (an incident opened without a call, or started before this field).
    clock_from: str = ""
    # The process revision its starter chose (below). 0: an input from before revisions, whose process
    # asks workflow.patched as it always did.
    revision: int = 0


# Revision 1: VERIFICATION_PATCH and LOCAL_VERIFY_WITHIN_PATCH apply (workflows/incident/workflow.py).
# Decided by the input, which the history holds, instead of by workflow.patched: each patched call
# records a marker and an upsert of TemporalChangeVersion (a visibility write) in every new process.
# Revision 2: the duty leader's notices are local activities (LOCAL_LEADER_NOTICE_REVISION).
INCIDENT_REVISION = 2
# What every worker since revisions runs. A worker from before revision 2 would write a revision 2
# process's history in the older shape, so the starter gives the newest revision only once every
# worker polling the queue announces it (dutyline.temporal_worker.polled_revision), and this until then.
INCIDENT_REVISION_EVERY_WORKER_RUNS = 1
# Told in the first workflow task, with the time to verify: no activity task and no second workflow
# task per incident (a fifth less of Temporal's CPU per incident in the bench's skeleton).
LOCAL_LEADER_NOTICE_REVISION = 2


@dataclass
class LeaderNotice:
    incident_id: str
    site_id: str
    title: str
    drill: bool
    # What the notice is about: the registration, or a missed deadline ("missed:<keys>").
    step: str = "registered"


@dataclass
class ResponsibleNotice:
    """An alert to the incident's responsible person (e.g. silence from the scene, 现场联系中断)."""

    incident_id: str
    site_id: str
    title: str
    detail: str
    drill: bool
    # Makes the notice idempotent: one per silence and level.
    step: str


@dataclass
class StepFailure:
    """A step of the process that failed for good: recorded on the timeline; with tell_leader, the
    duty leader is also told by another route than the failed one."""

    incident_id: str
    site_id: str
    drill: bool
    step: str
    reason: str
    tell_leader: bool = False


@dataclass
class LeaderNotified:
    leader_ids: list[str]
    # Empty when the site had no duty leader on the roster at that moment.
    channel: str


@dataclass
class IncidentOutcome:
    incident_id: str
    stage: str


@dataclass
class Actor:
    person_id: str
    name: str = ""
    kind: str = "person"
    admin: bool = False
    # In an update: the incident service's signed authorisation of it (services/incident/grants.py).
    # Reaching Temporal is not being authorised: the activity that persists the step checks it.
    grant: str = ""


# The workflow itself, on what it records on its own (the leader notified, deadlines missed).
SYSTEM = Actor(person_id="system:incident-workflow", name="IncidentWorkflow", kind="system")


@dataclass
class RequirementData:
    kind: str
    recipient: str
    due_after_seconds: int | None = None
    anchor: str = "registered"
    fixed_local_times: list[str] = field(default_factory=list)
    required_content: list[str] = field(default_factory=list)


@dataclass
class PolicyData:
    id: str
    version: int
    name: str
    jurisdiction: str
    category: str
    severity: str
    sub_types: list[str]
    requirements: list[RequirementData]
    effective_from: str
    # The incident's time zone as roster says it when the policy was chosen ("": the one it was
    # started with). Results recorded before this field keep planning as they did.
    time_zone: str = ""
    # 核实时限 and 现场联系 (0: not required); results recorded before these fields read as the defaults.
    verify_within_seconds: int = 600
    progress_every_seconds: int = 0
    # How long material figures may be corrected (更正); None: no limit (and results recorded before).
    correction_within_seconds: int | None = None


@dataclass
class PolicyQuery:
    jurisdiction: str
    category: str
    sub_type: str
    severity: str
    at: str
    # When set, the activity takes the jurisdiction from the incident as stored, first filling it in
    # from roster if roster was away at opening; ``jurisdiction`` is then only a fallback.
    incident_id: str = ""


@dataclass
class DeadlineData:
    kind: str
    number: int
    recipient: str
    due_at: str | None
    met_at: str | None = None
    missed: bool = False


@dataclass
class CasualtiesData:
    deaths: int = 0
    serious_injuries: int = 0
    injuries: int = 0
    missing: int = 0
    loss_yuan: int = 0


@dataclass
class VerifyArgs:
    actor: Actor
    confirmed: bool
    category: str = ""
    sub_type: str = ""
    severity: str = ""
    casualties: CasualtiesData = field(default_factory=CasualtiesData)
    reason: str = ""


@dataclass
class ReclassifyArgs:
    actor: Actor
    severity: str
    category: str
    sub_type: str
    reason: str


@dataclass
class AccidentData:
    """The required content of a production-safety accident report (事故报告内容)."""

    unit: str = ""
    time_place_scene: str = ""
    what_happened: str = ""
    measures: str = ""
    other: str = ""
    casualties: CasualtiesData = field(default_factory=CasualtiesData)


@dataclass
class ReportArgs:
    actor: Actor
    report_id: str
    kind: str
    recipient: str
    content: str
    accident: AccidentData | None = None
    casualties: CasualtiesData | None = None


@dataclass
class CorrectArgs:
    """A correction of a report (更正): what the new version says; None or "" keeps what the version
    before says."""

    actor: Actor
    report_id: str
    reason: str
    content: str = ""
    casualties: CasualtiesData | None = None
    accident: AccidentData | None = None
    severity: str = ""
    cause: str = ""


@dataclass
class ReportQuery:
    incident_id: str
    report_id: str


@dataclass
class ReportVersionData:
    """A report's current version as stored: what a correction is compared with."""

    report_id: str
    kind: str
    number: int
    version: int
    content: str
    # The author of this version (the submitter, or the last corrector).
    author_id: str
    casualties: CasualtiesData = field(default_factory=CasualtiesData)
    severity: str = ""
    cause: str = ""
    accident: AccidentData | None = None


@dataclass
class FigureChangeData:
    figure: str
    before: str
    after: str
    material: bool


@dataclass
class CorrectionData:
    """A report's new version (更正) and its differences from the one before."""

    report_id: str
    version: int
    content: str
    casualties: CasualtiesData
    severity: str
    cause: str
    reason: str
    author_id: str
    recorded_at: str
    changes: list[FigureChangeData] = field(default_factory=list)
    content_changed: bool = False
    # 错报: a material figure corrected after allowed_until (ISO 8601; None: no limit).
    late: bool = False
    allowed_until: str | None = None
    accident: AccidentData | None = None


@dataclass
class NoteArgs:
    """Progress (进展) or feedback to a caller (反馈)."""

    actor: Actor
    text: str
    call_id: str = ""
    method: str = ""
    feedback_id: str = ""


@dataclass
class CloseArgs:
    actor: Actor
    summary: str
    override_reason: str = ""
    # Closing as a duplicate merged into another incident.
    merged_into: str = ""
    # When merging: the report kinds the other incident has made (the event was reported so); a
    # report overdue here and made there is no 漏报.
    reported_there: list[str] = field(default_factory=list)


@dataclass
class AbsorbArgs:
    actor: Actor
    duplicate_id: str
    report_kinds: list[str]
    at: str


@dataclass
class UpdateResult:
    stage: str
    detail: str = ""
    late_seconds: float = 0.0
    number: int = 0


@dataclass
class IncidentFacts:
    """The incident's facts one step sets; a fact left None stays as it is. The JSON keys are the
    columns' names (the same as the dict this replaced, so a change scheduled before still reads)."""

    stage: str | None = None
    category: str | None = None
    sub_type: str | None = None
    severity: str | None = None
    casualties: CasualtiesData | None = None
    verified_at: str | None = None  # ISO 8601, UTC
    closed_at: str | None = None
    close_reason: str | None = None
    summary_at_close: str | None = None
    feedback_recorded: bool | None = None
    # The reporting policy in force: written when set_policy, None then meaning "none applies".
    set_policy: bool = False
    policy_id: str | None = None
    policy_version: int | None = None


@dataclass
class ReportData:
    id: str
    kind: str
    number: int
    recipient: str
    content: str
    author_id: str
    submitted_at: str
    late_seconds: float = 0.0
    accident: AccidentData | None = None


@dataclass
class FeedbackData:
    """Feedback given to a caller (反馈)."""

    id: str
    call_id: str
    method: str
    message: str
    author_id: str
    recorded_at: str


@dataclass
class ViolationData:
    """A report late (迟报) or missed (漏报), charged to the responsible person."""

    kind: str  # late | missed
    report_kind: str
    number: int
    due_at: str | None = None
    late_seconds: float | None = None
    # A charge other than a deadline's (错报 …): whom it is charged to, what it is about (a retry
    # records it once) and the report.
    person_id: str = ""
    ref: str = ""
    report_id: str = ""


@dataclass
class ChangeSet:
    """One persisted step of the process: the incident's new facts, a timeline entry and its event,
    written in one transaction by the apply_incident_change activity. `change_id` makes it
    idempotent (an update id, or a deadline key)."""

    incident_id: str
    change_id: str
    event_type: str
    at: str
    actor: Actor
    timeline_kind: str
    timeline_text: str
    fields: IncidentFacts = field(default_factory=IncidentFacts)
    deadlines: list[DeadlineData] | None = None
    report: ReportData | None = None
    feedback: FeedbackData | None = None
    correction: CorrectionData | None = None
    violations: list[ViolationData] = field(default_factory=list)
    merged_into: str = ""
    # For a step of an update: the update as the workflow received it (convert.authorised), which
    # the actor's grant must cover, or the activity writes nothing.
    authorised: str = ""
    # When the workflow received that update (ISO 8601): the grant must not have expired by then.
    authorised_at: str = ""
