"""The CLI's tables on a narrow terminal: every id whole, text columns still readable."""

from __future__ import annotations

import io

from dutyline.cli.common.tables import Ids, Out, list_table

FIRST = "inc-01M93D2K1D3216Y5K1B0ZYE8VB"
SECOND = "inc-01M93D3D8ZN2TZATQGJ6K7N0XZ"


def rendered(width: int) -> str:
    table = list_table("事件 incidents", Ids("id"), "title", "stage", "site", "when", Ids("merged into"))
    title = "居民楼燃气泄漏，已疏散 12 人，无伤亡 Gas leak in a residential block"
    table.add_row(FIRST, title, "verify", "hz-01", "2026-12-05 23:27", SECOND)
    out = io.StringIO()
    Out(width=width, file=out, color_system=None).print(table)
    return out.getvalue()


def test_a_table_wider_than_the_terminal_keeps_every_id_whole() -> None:
    # Cropped at the terminal's edge, the last id came out as "inc".
    text = rendered(80)
    assert FIRST in text and SECOND in text
    assert "verify" in text  # not a tower of single letters


def test_a_table_that_fits_is_printed_as_before() -> None:
    text = rendered(200)
    assert FIRST in text and SECOND in text
    assert max(len(line) for line in text.splitlines()) <= 200
