"""`dutyline roster handover submit | countersign` and `dutyline roster handovers` on the real platform:
the submitted handover shows the equipment checks due and the open fault; the leader countersigns; the
register lists, pages and exports to a workbook — in English and zh-CN."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from dutyline.grpckit.client import channel
from tests.dutyline.cli.test_roster import ADMIN, flat, roster
from tests.services.roster.test_handover_countersign_export import rostered_site_with_a_faulty_radio
from tests.support import token_for

pytestmark = pytest.mark.stack

SITE = "t-handover-cli"
HANDOVER_ID = re.compile(r"ho-[0-9A-Z]{26}")


async def test_submit_shows_the_equipment_then_the_leader_countersigns_and_the_register_exports(
    platform: Any, tmp_path: Path
) -> None:
    async with channel(platform.address("roster"), ADMIN) as ch:
        shifts, _, fault = await rostered_site_with_a_faulty_radio(ch, SITE)

    submitted = await roster(
        platform, tmp_path, ADMIN, "handover", "submit", "--assignment", shifts[0].id, "--log", "quiet", columns=200
    )
    assert submitted.exit_code == 0, submitted.output
    out = flat(submitted.output)
    assert "equipment check" in out and "radio channel check" in out, out
    assert "equipment fault" in out and fault.id in out and "no signal" in out, out
    match = HANDOVER_ID.search(submitted.output)
    assert match, submitted.output
    handover_id = match.group(0)

    leader = token_for(f"{SITE}-l1", ["leader"], [SITE])
    signed = await roster(
        platform, tmp_path, leader, "--lang", "zh", "handover", "countersign", "--handover", handover_id, columns=200
    )
    assert signed.exit_code == 0, signed.output
    assert f"带班领导签字 {SITE}-l1" in flat(signed.output), signed.output

    await roster(platform, tmp_path, ADMIN, "handover", "submit", "--assignment", shifts[1].id)
    listed = await roster(platform, tmp_path, leader, "handovers", "--site", SITE, columns=200)
    assert listed.exit_code == 0, listed.output
    out = flat(listed.output)
    assert "Handover register" in out and handover_id in out and f"{SITE}-l1" in out, out

    workbook = tmp_path / "register.xlsx"
    exported = await roster(
        platform, tmp_path, leader, "--lang", "zh", "handovers", "--site", SITE, "--export", str(workbook)
    )
    assert exported.exit_code == 0, exported.output
    assert "已导出 2 条交接班" in flat(exported.output)
    sheet = openpyxl.load_workbook(workbook).active
    assert sheet is not None
    header, *lines = list(sheet.iter_rows(values_only=True))
    # Oldest first: the countersigned one, with what it carried.
    first = dict(zip(header, lines[0], strict=True))
    assert first["交接班编号"] == handover_id and first["带班领导签字"] == f"{SITE}-l1" and len(lines) == 2
    assert "radio channel check" in str(first["未结事项"]) and "no signal" in str(first["未结事项"])
