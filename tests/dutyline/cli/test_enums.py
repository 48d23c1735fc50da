"""The CLI names API values and takes the choices of its options from the protos: a value added to a
proto is a choice with no change to the CLI, and the CLI offers nothing the server refuses."""

from __future__ import annotations

import pytest
import typer

from dutyline.cli.agency.commands import DELIVERY_STATES
from dutyline.cli.call.commands import CATEGORIES as CALL_CATEGORIES
from dutyline.cli.call.commands import CHANNELS as CALL_CHANNELS
from dutyline.cli.call.commands import OUTCOMES
from dutyline.cli.common.enums import Choices, allowed_names, enum_names
from dutyline.cli.incident.commands import KINDS, SEVERITIES, STAGES
from dutyline.cli.notify.chain import CHANNELS as STEP_CHANNELS
from dutyline.cli.notify.chain import ROLES as CHAIN_ROLES
from dutyline.cli.roster.commands import REQUEST_STATES
from dutyline.common.v1 import common_pb2
from dutyline.incident.v1 import incident_pb2
from dutyline.intake.v1 import intake_pb2
from dutyline.notify.v1 import notify_pb2
from dutyline.roster.v1 import roster_pb2


def test_enum_names_are_every_value_but_unspecified_in_the_proto_s_order() -> None:
    assert enum_names(intake_pb2.Channel)[:2] == ("phone", "sms")
    assert "walk_in" in enum_names(intake_pb2.Channel) and "unspecified" not in enum_names(intake_pb2.Channel)
    assert enum_names(common_pb2.Role, [common_pb2.ROLE_LEADER, common_pb2.ROLE_OFFICER]) == ("officer", "leader")


def test_the_choices_are_the_protos() -> None:
    assert CALL_CHANNELS.names == enum_names(intake_pb2.Channel)
    assert CALL_CATEGORIES.names == enum_names(intake_pb2.CallCategory)
    assert STAGES.names == enum_names(incident_pb2.Stage)
    assert KINDS.names == enum_names(incident_pb2.ReportKind)
    assert SEVERITIES.names == ("I", "II", "III", "IV")  # the grades; "unrated" is no grade one gives
    # String fields: what their buf.validate `in` rule allows (the empty "any" left out).
    assert OUTCOMES.names == ("connected", "unreachable")
    assert DELIVERY_STATES.names == ("pending", "acknowledged", "failed")
    assert REQUEST_STATES.names == allowed_names(roster_pb2.ListSwapsRequest, "status")
    assert STEP_CHANNELS == ("sms", "voice", "email", "im", "webhook", "console")
    # An enum field with an `in` rule: the roles a chain may name (not "agency").
    assert set(CHAIN_ROLES) == {"officer", "leader", "unit_head", "admin", "supervisor"}
    assert "agency" in enum_names(common_pb2.Role)


def test_a_string_field_without_an_in_rule_is_a_mistake_here() -> None:
    with pytest.raises(ValueError, match=r"no buf\.validate `in` rule"):
        allowed_names(notify_pb2.ListAgencyDeliveriesRequest, "agency_id")


def test_a_choice_is_read_without_regard_to_case_and_spelled_as_the_choices_spell_it() -> None:
    grades = Choices.of_enum(common_pb2.Severity, leave_out=("unrated",), upper=True)
    assert grades.parse("ii") == "II" and grades.parse(" IV ") == "IV"
    assert grades.metavar == "[I|II|III|IV]"
    assert grades.complete("i") == ["I", "II", "III", "IV"]
    with pytest.raises(typer.BadParameter, match="'V' is not one of I, II, III, IV"):
        grades.parse("V")
