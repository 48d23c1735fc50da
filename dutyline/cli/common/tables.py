"""The house style of tables: ids never cut short."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table

# Narrower than this, a text column becomes a tower of one or two characters.
TEXT_MIN_WIDTH = 8


@dataclass(frozen=True)
class Ids:
    """A column of identifiers: never wrapped at a hyphen nor cut short, so that they can be copied."""

    header: str


def list_table(title: str, *columns: str | Ids, caption: str | None = None) -> Table:
    table = Table(
        title=title,
        caption=caption,
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        title_justify="left",
        caption_justify="left",
    )
    for column in columns:
        if isinstance(column, Ids):
            table.add_column(column.header, no_wrap=True, overflow="fold")
        else:
            table.add_column(column, overflow="fold", min_width=TEXT_MIN_WIDTH)
    return table


class Out(Console):
    """The CLI's console. A table wider at its narrowest than the terminal is printed at that width and
    left to the terminal to wrap, rather than cropped at the edge: an id must never be cut off."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        if len(objects) == 1 and isinstance(objects[0], Table) and "width" not in kwargs:
            unbounded = self.options.update(max_width=10_000)
            needed = Measurement.get(self, unbounded, objects[0]).minimum
            if needed > self.width:
                kwargs.update(width=needed, crop=False)
        super().print(*objects, **kwargs)


def record_table(title: str, rows: list[tuple[str, str]]) -> Table:
    """A two-column table of a single record (empty values left out); ids are never cut short."""
    table = Table(title=title, show_header=False, box=None, pad_edge=False, title_justify="left")
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for key, value in rows:
        if value:
            table.add_row(key, escape(value))
    return table


def summary_table(title: str, rows: list[tuple[str, str]]) -> Table:
    """A boxed two-column table that sums something up (what `dutyline up` and the demo print)."""
    table = Table(title=title, show_header=False)
    for key, value in rows:
        table.add_row(key, value)
    return table
