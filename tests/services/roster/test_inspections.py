"""InspectionService on the real stack (带班领导查岗): the unit head sets a site's checklist, a duty
leader of the site records an inspection of a shift once per idempotency key, the site's people list
it; a leader of another site, an officer and an inspection that does not answer the checklist or lies
outside the shift are refused, and write nothing. The CLI (`dutyline inspection …`) in both languages."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import grpc
import pytest
from typer.testing import CliRunner, Result

from dutyline.cli.main import app
from dutyline.db.pool import create_pool
from dutyline.grpckit.client import channel
from dutyline.grpckit.convert import ts
from dutyline.grpckit.errors import field_violations
from dutyline.roster.v1 import inspections_pb2, inspections_pb2_grpc, roster_pb2_grpc
from services.roster import rules, schedule_store
from tests.support import staffed_site, token_for

pytestmark = pytest.mark.stack

SITE = "t-inspect"
ADMIN = token_for("p-admin", ["admin"], ["*"])
LEADER = token_for(f"{SITE}-l1", ["leader"], [SITE])
ITEMS = [
    inspections_pb2.ChecklistItem(code="on_post", label="值班人员在岗 Officers on post"),
    inspections_pb2.ChecklistItem(code="log_kept", label="值班记录完整 Duty log kept"),
]


def key() -> str:
    return str(uuid.uuid4())


@pytest.fixture
async def roster_pool(platform: Any) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(platform.postgres.dsn, schema="roster", min_size=1, max_size=2)
    yield pool
    await pool.close()


@pytest.fixture
async def shift(platform: Any, roster_pool: asyncpg.Pool) -> rules.Assignment:
    """An officer's shift at a fresh site with a checklist, over an hour ago (unpublished: no workflow)."""
    async with channel(platform.address("roster"), ADMIN) as ch:
        await staffed_site(roster_pb2_grpc.RosterServiceStub(ch), SITE, officers=1, leaders=1)
    async with channel(platform.address("roster"), token_for(f"{SITE}-head", ["unit_head"], [SITE])) as ch:
        head = inspections_pb2_grpc.InspectionServiceStub(ch)
        checklist = await head.UpsertInspectionChecklist(
            inspections_pb2.UpsertInspectionChecklistRequest(idempotency_key=key(), site_id=SITE, items=ITEMS)
        )
        assert [i.code for i in checklist.items] == ["on_post", "log_kept"]
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=5)
    assignment = rules.Assignment(
        id=f"a-insp-{uuid.uuid4()}",
        site_id=SITE,
        person_id=f"{SITE}-o1",
        role="officer",
        shift_name="day",
        local_date=start.date(),
        starts_at=start,
        ends_at=start + timedelta(hours=4),
    )
    async with roster_pool.acquire() as conn:
        await schedule_store.add_assignment(conn, assignment=assignment)
    return assignment


def request(a: rules.Assignment, **fields: Any) -> inspections_pb2.RecordInspectionRequest:
    values: dict[str, Any] = {
        "idempotency_key": key(),
        "assignment_id": a.id,
        "inspected_at": ts(a.starts_at + timedelta(hours=1)),
        "results": [
            inspections_pb2.ItemResult(code="on_post", ok=True),
            inspections_pb2.ItemResult(code="log_kept", ok=False, note="交班记录缺夜间来电 night calls not logged"),
        ],
        **fields,
    }
    return inspections_pb2.RecordInspectionRequest(**values)


async def count(pool: asyncpg.Pool, a: rules.Assignment) -> int:
    async with pool.acquire() as conn:
        found: int = await conn.fetchval("SELECT count(*) FROM inspections WHERE assignment_id = $1", a.id)
    return found


async def test_a_leader_records_an_inspection_once_and_the_site_lists_it(
    platform: Any, roster_pool: asyncpg.Pool, shift: rules.Assignment
) -> None:
    async with channel(platform.address("roster"), LEADER) as ch:
        leader = inspections_pb2_grpc.InspectionServiceStub(ch)
        sent = request(shift)
        first = await leader.RecordInspection(sent)
        again = await leader.RecordInspection(sent)  # a retry: the same inspection, nothing new
        assert again == first
        assert (first.inspector.person_id, first.shift_name, first.all_ok) == (f"{SITE}-l1", "day", False)
        assert first.checklist_version == 1
    async with channel(platform.address("roster"), token_for(f"{SITE}-o1", ["officer"], [SITE])) as ch:
        officer = inspections_pb2_grpc.InspectionServiceStub(ch)
        listed = await officer.ListInspections(
            inspections_pb2.ListInspectionsRequest(site_id=SITE, assignment_id=shift.id)
        )
        # The site's inspections during the shift: the module's other tests' shifts overlap this one.
        assert [i.id for i in listed.inspections if i.assignment_id == shift.id] == [first.id]
        # The period of another time finds none.
        before = await officer.ListInspections(
            inspections_pb2.ListInspectionsRequest(
                site_id=SITE, period={"end": ts(shift.starts_at)}, page={"page_size": 10}
            )
        )
        assert list(before.inspections) == []
    async with roster_pool.acquire() as conn:
        events = await conn.fetchval(
            "SELECT count(*) FROM outbox WHERE subject = $1", f"dutyline.{SITE}.inspection.recorded"
        )
    assert await count(roster_pool, shift) == 1
    assert events <= 1  # the relay may have published it already; never a second one


async def test_other_sites_leaders_officers_and_bad_inspections_are_refused(
    platform: Any, roster_pool: asyncpg.Pool, shift: rules.Assignment
) -> None:
    refusals = [
        (token_for("p-nb-leader-1", ["leader"], ["nb-01"]), request(shift), grpc.StatusCode.PERMISSION_DENIED),
        (token_for(f"{SITE}-o1", ["officer"], [SITE]), request(shift), grpc.StatusCode.PERMISSION_DENIED),
        (
            LEADER,
            request(shift, results=[inspections_pb2.ItemResult(code="on_post", ok=True)]),
            grpc.StatusCode.INVALID_ARGUMENT,
        ),
        (
            LEADER,
            request(shift, inspected_at=ts(shift.ends_at + timedelta(minutes=5))),
            grpc.StatusCode.INVALID_ARGUMENT,
        ),
    ]
    for token, sent, code in refusals:
        async with channel(platform.address("roster"), token) as ch:
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await inspections_pb2_grpc.InspectionServiceStub(ch).RecordInspection(sent)
        assert refused.value.code() == code, refused.value.details()
        if code == grpc.StatusCode.INVALID_ARGUMENT:
            assert {v.field for v in field_violations(refused.value)} <= {"results", "inspected_at"}
    # Another site's leader may neither read the site's inspections nor set its checklist.
    async with channel(platform.address("roster"), token_for("p-nb-leader-1", ["leader"], ["nb-01"])) as ch:
        other = inspections_pb2_grpc.InspectionServiceStub(ch)
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await other.ListInspections(inspections_pb2.ListInspectionsRequest(site_id=SITE))
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    async with channel(platform.address("roster"), LEADER) as ch:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await inspections_pb2_grpc.InspectionServiceStub(ch).UpsertInspectionChecklist(
                inspections_pb2.UpsertInspectionChecklistRequest(idempotency_key=key(), site_id=SITE, items=ITEMS)
            )
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert await count(roster_pool, shift) == 0


async def cli(platform: Any, tmp_path: Path, token: str, *args: str, locale: str = "en_US.UTF-8") -> Result:
    env = {
        "COLUMNS": "200",
        "DUTYLINE_ROSTER_ADDRESS": platform.address("roster"),
        "DUTYLINE_TOKEN": None,
        "LC_ALL": None,
        "LC_MESSAGES": None,
        "LANG": locale,
    }
    argv = ["inspection", "--token", token, "--state-dir", str(tmp_path), *args]
    result = await asyncio.to_thread(CliRunner().invoke, app, argv, env=env)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


async def test_the_cli_shows_the_demo_checklist_records_and_lists_in_both_languages(
    platform: Any, tmp_path: Path, shift: rules.Assignment
) -> None:
    hz = token_for("p-hz-leader-1", ["leader"], ["hz-01"])
    shown = await cli(platform, tmp_path, hz, "checklist", locale="zh_CN.UTF-8")
    assert shown.exit_code == 0, shown.output
    assert "查岗清单 hz-01" in shown.output and "on_post" in shown.output and "conduct" in shown.output

    at = (shift.starts_at + timedelta(minutes=30)).isoformat()
    recorded = await cli(
        platform, tmp_path, LEADER, "record", shift.id, "--all-ok", "--fail", "log_kept=缺记录", "--at", at
    )
    assert recorded.exit_code == 0, recorded.output
    assert "1 item(s) not ok" in " ".join(recorded.output.split())

    listed = await cli(
        platform, tmp_path, LEADER, "list", "--site", SITE, "--assignment", shift.id, locale="zh_CN.UTF-8"
    )
    assert listed.exit_code == 0, listed.output
    # The shift's inspections are the site's during it (the other tests' shifts overlap this one).
    assert "查岗记录（" in listed.output and "log_kept: 缺记录" in listed.output

    refused = await cli(platform, tmp_path, hz, "record", shift.id, "--all-ok", "--at", at)
    assert refused.exit_code == 2 and "PERMISSION_DENIED" in refused.output
