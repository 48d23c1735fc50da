"""Who may call each InsightService RPC (deny by default: dutyline.grpckit.policy). The figures are of
sites: officers read their site's logs, reports and statistics and their own scorecard; duty leaders
and unit heads their sites'; supervisors their region's (a token for a region covers its sites);
admins everything. Agencies read nothing here, and no other component needs to call it."""

from __future__ import annotations

from dutyline.grpckit.policy import STAFF, for_service, reads, unscoped, writes
from dutyline.insight.v1 import insight_pb2

SERVICE = insight_pb2.DESCRIPTOR.services_by_name["InsightService"].full_name
# Who signs a duty log: the outgoing officer (the person on the log) or the duty leader.
SIGNERS = {"officer", "leader", "unit_head"}
# Who corrects a signed log and annotates a scored fact: the site's leaders, or an admin.
LEADERS = {"leader", "unit_head", "admin"}
OPERATORS = {"admin", "supervisor"}
# Who reads other people's figures (scorecards, violations, answer times, check-ins); anyone else (an
# officer) reads only their own, filtered rather than refused.
READ_OTHERS = {"leader", "unit_head", "supervisor", "admin"}

POLICIES = for_service(
    SERVICE,
    {
        "GetDutyLog": reads(STAFF, "log_id → its site, or site_id"),
        "ListDutyLogs": reads(STAFF, "site_id (a region: its sites)"),
        "SignDutyLog": writes(SIGNERS, "log_id → its site", "the signer → the log's outgoing officer or leader"),
        "CorrectDutyLog": writes(LEADERS, "log_id → its site"),
        "GetDailyReport": reads(STAFF, "site_id (a region: its sites)"),
        # An officer's answer keeps of the per-person rows only their own.
        "GetStatistics": reads(STAFF, "site_id (a region: its sites)", "per-person rows → officers: themselves only"),
        "RenderChart": reads(
            STAFF,
            "statistics.site_id (a region: its sites), as GetStatistics",
            "kind VIOLATIONS → only those who read other people's cards (leaders, unit heads, supervisors, admins)",
        ),
        # An officer's answer is filtered to their own cards rather than refused.
        "GetScorecards": reads(STAFF, "site_id (a region: its sites)", "person_id → officers: themselves only"),
        "UpsertScoringRules": writes({"admin"}, "every site (an admin acting for *)"),
        "ListScoringRules": unscoped(reads(STAFF, "none: the platform's scoring rules")),
        "AnnotateFact": writes(LEADERS, "site_id (an annotation waives facts of its own site only)"),
        "ExportReport": reads(
            STAFF, "the document's read: as GetDutyLog, GetDailyReport, GetStatistics, GetScorecards"
        ),
        "GetProjectionStatus": unscoped(reads(OPERATORS, "none: the platform's read model")),
    },
)
