"""A page of scorecards stays under what a gRPC client takes (4 MiB by default): a region's site cards
hold every line of the month. The page's cards are picked by their count of lines, then checked by
their size; a card larger than the room still goes, alone, so that paging always moves on."""

from __future__ import annotations

from collections.abc import Iterator

from dutyline.insight.v1 import insight_pb2
from services.insight.rpc_scorecards import PAGE_BYTES, keys_that_fit, messages_that_fit

KEYS = [("s1", ""), ("s2", ""), ("s1", "p1"), ("s1", "p2"), ("s2", "p3")]
LINES = {("s1", ""): 40, ("s2", ""): 9, ("s1", "p1"): 30, ("s1", "p2"): 10, ("s2", "p3"): 9}


def card(lines: int) -> insight_pb2.Scorecard:
    return insight_pb2.Scorecard(
        site_id="s1", lines=[insight_pb2.ScoreLine(kind="late_answer", detail="x" * 100) for _ in range(lines)]
    )


def test_keys_are_taken_while_their_lines_fit() -> None:
    # Each card counts its lines and one more (a bonus).
    assert keys_that_fit(KEYS, LINES, room=51) == [("s1", ""), ("s2", "")]
    assert keys_that_fit(KEYS, LINES, room=50) == [("s1", "")]
    assert keys_that_fit(KEYS[2:], LINES, room=1000) == KEYS[2:]
    # A card longer than the room alone, and a card nobody counted (a site without facts) as one line.
    assert keys_that_fit(KEYS, LINES, room=10) == [("s1", "")]
    assert keys_that_fit([("s9", ""), ("s1", "")], LINES, room=1) == [("s9", "")]
    # Without lines, cards are small: the page size decides.
    assert keys_that_fit(KEYS, None, room=1) == KEYS
    assert keys_that_fit([], LINES) == []


def test_messages_are_taken_while_their_bytes_fit_and_the_rest_are_not_made() -> None:
    sizes = [card(n).ByteSize() for n in (3, 2, 5)]
    made: list[int] = []

    def cards() -> Iterator[insight_pb2.Scorecard]:
        for n in (3, 2, 5):
            made.append(n)
            yield card(n)

    assert [len(c.lines) for c in messages_that_fit(cards(), room=sizes[0] + sizes[1])] == [3, 2]
    assert made == [3, 2, 5]  # the third was made to learn it does not fit; nothing after it
    assert [len(c.lines) for c in messages_that_fit(iter([card(3), card(2)]), room=1)] == [3]
    assert len(messages_that_fit(iter([card(3)] * 4))) == 4 and PAGE_BYTES < 4 << 20
