"""The duty domain's vocabulary (dutyline/labels.py): every value the API can carry has a name in both
languages, and the CLI's catalogue and insight's documents say the same word for it."""

from __future__ import annotations

from typing import Any

import pytest

import dutyline.cli.main  # noqa: F401  (every command group adds its words to the catalogue)
from dutyline.cli.common import i18n
from dutyline.cli.common.enums import enum_names
from dutyline.common.v1 import common_pb2
from dutyline.incident.v1 import incident_pb2
from dutyline.intake.v1 import intake_pb2
from dutyline.labels import LABELS, label
from services.insight import documents
from services.insight.scoring import BonusKind, ViolationKind


@pytest.mark.parametrize(
    ("kind", "enum"),
    [
        ("channel", intake_pb2.Channel),
        ("call_category", intake_pb2.CallCategory),
        ("incident_category", incident_pb2.IncidentCategory),
    ],
)
def test_every_value_of_an_enum_of_the_api_has_a_name(kind: str, enum: Any) -> None:
    missing = [v for v in enum_names(enum) if f"{kind}.{v}" not in LABELS]
    assert not missing, f"no {kind} label for {missing}"


def test_every_severity_and_scored_kind_has_a_name() -> None:
    severities = {name for value, name in documents.SEVERITY_NAMES.items() if value in common_pb2.Severity.values()}
    kinds = [*ViolationKind, *BonusKind]
    missing = [f"severity.{s}" for s in severities if f"severity.{s}" not in LABELS]
    missing += [f"score_kind.{k}" for k in kinds if f"score_kind.{k}" not in LABELS]
    assert not missing


def test_each_name_is_given_in_both_languages_and_the_cli_says_the_same() -> None:
    for key, (zh, en) in LABELS.items():
        assert zh.strip() and en.strip(), key
        assert i18n.MESSAGES[key] == (zh, en), f"the CLI's catalogue (a command group's words) redefines {key}"


def test_a_value_without_a_name_is_shown_as_it_is() -> None:
    assert label("channel", "walk_in", "zh") == "来访"
    assert label("channel", "walk_in", "en") == "Walk-in"
    assert label("channel", "pigeon", "zh") == "pigeon"


def test_every_fact_a_duty_log_line_is_worded_from_has_a_name() -> None:
    """The kinds of reports, the missed calls' states, the callbacks' kinds and the events a log lists
    (services/insight/projections/dutylog.py) each have their words (dutyline.labels.log_line)."""
    from services.insight.dutylog import ABANDONED, MISSED
    from services.insight.projections.dutylog import ENTRY_KINDS

    wanted = [f"report_kind.{k}" for k in enum_names(incident_pb2.ReportKind)]
    wanted += [f"missed_state.{s}" for s in (MISSED, ABANDONED)]
    wanted += [f"callback_done.{k}" for k in ("callback", "message", "notice")]
    wanted += [f"log_event.{k}" for k in ENTRY_KINDS.values()]
    assert [key for key in wanted if key not in LABELS] == []
