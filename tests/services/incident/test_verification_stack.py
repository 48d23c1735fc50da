"""The time to verify (核实时限) on the real stack: an incident left unverified past its policy's time is
charged as "unverified" (未及时核实) and listed by ListViolations, with its timeline entry.

The site lies in a division code no other test uses, and the policy giving it 2 s to verify applies
only there (the strictest policy of a jurisdiction gives the time to verify)."""

from __future__ import annotations

import random
import uuid
from pathlib import Path
from typing import Any

import pytest

from dutyline.grpckit.client import channel
from dutyline.incident.v1 import incident_pb2, incident_pb2_grpc
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from tests.dutyline.cli.test_incident import cli
from tests.support import token_for, until

pytestmark = pytest.mark.stack

ADMIN = token_for("p-admin", ["admin"], ["*"])
K = incident_pb2


def key() -> str:
    return str(uuid.uuid4())


async def test_an_incident_left_unverified_is_listed_as_an_unverified_violation(platform: Any, tmp_path: Path) -> None:
    site_id = f"vt-{uuid.uuid4().hex[:8]}"
    jurisdiction = f"99{random.randrange(10**8):08d}"
    async with (
        channel(platform.address("roster"), ADMIN) as roster_channel,
        channel(platform.address("incident"), ADMIN) as incident_channel,
    ):
        roster = roster_pb2_grpc.RosterServiceStub(roster_channel)
        incidents = incident_pb2_grpc.IncidentServiceStub(incident_channel)
        await roster.UpsertSite(
            roster_pb2.UpsertSiteRequest(
                idempotency_key=key(),
                site=roster_pb2.Site(
                    id=site_id,
                    name="核实时限测试 verification test",
                    kind=roster_pb2.SITE_KIND_SITE,
                    parent_id="east",
                    time_zone="Asia/Shanghai",
                    jurisdiction=jurisdiction,
                ),
            )
        )
        policy = await incidents.UpsertReportingPolicy(
            K.UpsertReportingPolicyRequest(
                idempotency_key=key(),
                policy=K.ReportingPolicy(
                    id=f"verify-{site_id}",
                    name="两秒核实 verify within 2 s",
                    jurisdiction=jurisdiction,
                    requirements=[K.ReportRequirement(kind=K.REPORT_KIND_FINAL, recipient="上级值班室")],
                    verify_within_seconds=2,
                ),
            )
        )
        assert (policy.verify_within_seconds, policy.progress_every_seconds) == (2, 0)
        listed = await incidents.ListReportingPolicies(K.ListReportingPoliciesRequest(jurisdiction=jurisdiction))
        assert {p.id: p.verify_within_seconds for p in listed.policies}[policy.id] == 2
        assert {p.id: p.progress_every_seconds for p in listed.policies}["national-I"] == 3600

        opened = await incidents.OpenIncident(
            K.OpenIncidentRequest(idempotency_key=key(), site_id=site_id, title="燃气泄漏 gas leak")
        )
        incident_id = opened.incident.id

        async def unverified() -> list[tuple[str, str]]:
            page = await incidents.ListViolations(K.ListViolationsRequest(site_id=site_id))
            return [(v.incident_id, v.kind) for v in page.violations]

        await until(unverified, [(incident_id, "unverified")], seconds=30)
        [violation] = (await incidents.ListViolations(K.ListViolationsRequest(site_id=site_id))).violations
        assert violation.person_id == "p-admin" and violation.HasField("due_at")
        timeline = await incidents.GetTimeline(K.GetTimelineRequest(incident_id=incident_id))
        assert "verification_overdue" in [e.kind for e in timeline.entries]

    policies = await cli(platform, tmp_path, ADMIN, "policies", "--jurisdiction", jurisdiction)
    assert policies.exit_code == 0, policies.output
    assert policy.id in policies.output and "Verify within" in policies.output
    violations = await cli(platform, tmp_path, ADMIN, "--lang", "zh", "violations", "--site", site_id)
    assert violations.exit_code == 0, violations.output
    assert "未及时核实" in violations.output, violations.output
