"""Agency renditions of events, without servers: the JSON rendition of any event (round-trips into the
same Event) and the CAP 1.2 rendition of incident events, validated against the OASIS schema for every
message type (Alert, Update, Cancel), drills (Exercise) and real incidents (Actual), with and without
coordinates, with Chinese text and with arbitrary user text."""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from google.protobuf import json_format
from google.protobuf.any_pb2 import Any as AnyPb
from hypothesis import given, settings
from hypothesis import strategies as st

from dutyline.common.v1 import common_pb2
from dutyline.envelope import build_event, timestamp
from dutyline.events.v1 import event_pb2
from dutyline.incident.v1 import incident_pb2
from services.notify.agencies.renditions import (
    CAP_NAMESPACE,
    DEFAULT_SENDER,
    alert_identifier,
    cap_message_type,
    event_json,
    incident_cap,
)

STANDARDS = Path(__file__).resolve().parents[4] / "services" / "notify" / "agencies" / "standards"
NS = {"cap": CAP_NAMESPACE}
CAP_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$")
REGISTERED_AT = datetime(2026, 11, 27, 0, 30, 12, 345678, tzinfo=UTC)  # 08:30:12 in Hangzhou
VERIFIED_AT = REGISTERED_AT + timedelta(minutes=9)
LATER = REGISTERED_AT + timedelta(minutes=42, seconds=7, microseconds=654_321)  # 01:12:19.999999
OFFICER = common_pb2.Actor(person_id="p-hz-officer-1", display_name="王值班", kind="person")
SYSTEM = common_pb2.Actor(person_id="system:incident-workflow", display_name="IncidentWorkflow", kind="system")
WENSAN_ROAD = common_pb2.Place(text="杭州市西湖区文三路与教工路交叉口", latitude=30.2799, longitude=120.1302)
NO_COORDINATES = common_pb2.Place(text="杭州市西湖区文三路（来电人未能说明门牌）")

UPDATES = (
    "incident.verified",
    "incident.reclassified",
    "incident.escalated",
    "incident.report_submitted",
    "incident.progress",
    "incident.deadline_missed",
    "incident.feedback_recorded",
)
CANCELS = ("incident.unfounded", "incident.closed", "incident.merged")


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(STANDARDS / "CAP-v1.2.xsd"))


# -- building events the way the services do --------------------------------------------------------


def registered_event(
    *, incident_id: str = "inc-01JD3XHZ01", place: common_pb2.Place = WENSAN_ROAD, drill: bool = False, **fields: Any
) -> event_pb2.Event:
    """incident.registered as IncidentServicer._register emits it."""
    payload = event_pb2.IncidentRegistered(
        incident_id=incident_id,
        title=fields.pop("title", "文三路居民楼燃气泄漏"),
        severity=common_pb2.SEVERITY_UNRATED,
        place=place,
        call_ids=["call-01JD3XH0AA"],
        first_responder_id=OFFICER.person_id,
        registered_at=timestamp(REGISTERED_AT),
        workflow_id=incident_id,
        **fields,
    )
    return build_event(
        event_type="incident.registered",
        site_id="hz-01",
        aggregate_id=incident_id,
        aggregate_version=1,
        actor=OFFICER,
        payload=payload,
        # emit() stamps the event a moment after the incident's registered_at
        occurred_at=REGISTERED_AT + timedelta(milliseconds=3),
        drill=drill,
        request_id="req-1",
    )


def incident(
    *, stage: incident_pb2.Stage = incident_pb2.STAGE_TRACK, verified: bool = True, **fields: Any
) -> incident_pb2.Incident:
    """An incident as services.incident.convert.incident_message renders it."""
    message = incident_pb2.Incident(
        id=fields.pop("id", "inc-01JD3XHZ01"),
        site_id="hz-01",
        title="文三路居民楼燃气泄漏",
        category=incident_pb2.INCIDENT_CATEGORY_ACCIDENT,
        sub_type="gas",
        severity=common_pb2.SEVERITY_III,
        stage=stage,
        place=fields.pop("place", WENSAN_ROAD),
        summary="居民楼三单元燃气泄漏，已疏散 40 人，消防到场处置。",
        call_ids=["call-01JD3XH0AA", "call-01JD3XH0AB"],
        first_responder_id=OFFICER.person_id,
        registered_at=timestamp(REGISTERED_AT),
        casualties=incident_pb2.Casualties(deaths=0, serious_injuries=1, injuries=3, missing=0, loss_yuan=250_000),
        workflow_id="inc-01JD3XHZ01",
        source_category="emergency",
        responsible_person_id=OFFICER.person_id,
        policy_id="national-accident-default",
        policy_version=1,
    )
    if verified:
        message.verified_at.CopyFrom(timestamp(VERIFIED_AT))
    for name, value in fields.items():
        if isinstance(value, datetime):
            getattr(message, name).CopyFrom(timestamp(value))
        else:
            setattr(message, name, value)
    return message


def changed_event(
    event_type: str, current: incident_pb2.Incident, *, detail: str = "", drill: bool | None = None
) -> event_pb2.Event:
    """incident.* after registration as IncidentActivities.apply_change emits it."""
    payload = event_pb2.IncidentChanged(
        incident=current,
        detail=detail or f"{event_type.split('.')[1]} 变化 change",
        entry=incident_pb2.TimelineEntry(
            seq=7,
            incident_id=current.id,
            at=timestamp(LATER),
            actor=OFFICER,
            kind=event_type.split(".")[1],
            text=detail or "进展 Progress",
        ),
    )
    if event_type == "incident.report_submitted":
        payload.report.CopyFrom(
            incident_pb2.Report(
                id="rep-01",
                incident_id=current.id,
                kind=incident_pb2.REPORT_KIND_INITIAL_PHONE,
                recipient="西湖区应急管理局",
                content="电话初报：燃气泄漏，1 人重伤。",
                author_id=OFFICER.person_id,
                submitted_at=timestamp(LATER),
            )
        )
    if event_type == "incident.deadline_missed":
        payload.violation.CopyFrom(
            incident_pb2.Violation(
                id="vio-01",
                incident_id=current.id,
                site_id="hz-01",
                person_id=OFFICER.person_id,
                kind="late",
                report_kind=incident_pb2.REPORT_KIND_INITIAL_WRITTEN,
                due_at=timestamp(LATER - timedelta(minutes=1)),
                recorded_at=timestamp(LATER),
            )
        )
    return build_event(
        event_type=event_type,
        site_id=current.site_id,
        aggregate_id=current.id,
        aggregate_version=5,
        actor=SYSTEM if event_type in ("incident.escalated", "incident.deadline_missed") else OFFICER,
        payload=payload,
        occurred_at=LATER,
        drill=current.drill if drill is None else drill,
    )


def incident_for(event_type: str) -> incident_pb2.Incident:
    """The incident as it is after an event of this type."""
    if event_type == "incident.unfounded":
        return incident(
            stage=incident_pb2.STAGE_CLOSED, verified=False, closed_at=LATER, close_reason="来电人误报 false alarm"
        )
    if event_type == "incident.closed":
        return incident(
            stage=incident_pb2.STAGE_CLOSED,
            closed_at=LATER,
            summary_at_close="泄漏点已封堵，伤者送医，无次生灾害。",
            feedback_recorded=True,
        )
    if event_type == "incident.merged":  # the duplicate, merged into the primary
        return incident(
            stage=incident_pb2.STAGE_CLOSED, closed_at=LATER, merged_into="inc-01JD3XHZ00", close_reason="merged"
        )
    return incident()


def call_registered_event() -> event_pb2.Event:
    return build_event(
        event_type="call.registered",
        site_id="hz-01",
        aggregate_id="call-01JD3XH0AA",
        aggregate_version=1,
        actor=OFFICER,
        payload=event_pb2.CallRegistered(
            call_id="call-01JD3XH0AA",
            channel="phone",
            category="emergency",
            summary="闻到煤气味",
            place=WENSAN_ROAD,
            officer_id=OFFICER.person_id,
            ring_started_at=timestamp(REGISTERED_AT - timedelta(seconds=20)),
            answered_at=timestamp(REGISTERED_AT - timedelta(seconds=11)),
            answer_delay_seconds=9.0,
            caller_masked="李*",
        ),
        occurred_at=REGISTERED_AT - timedelta(seconds=5),
    )


# -- reading CAP -------------------------------------------------------------------------------------


def valid_cap(schema: xmlschema.XMLSchema, body: bytes | None) -> ET.Element:
    """The parsed alert, after checking it against the XSD and the CAP 1.2 rules the XSD leaves out."""
    assert body is not None
    assert body.startswith(b"<?xml")
    root = ET.fromstring(body)
    schema.validate(root)
    for tag in ("identifier", "sender"):
        value = text(root, tag)
        assert value and not set(value) & set(" ,<&\t\n"), (tag, value)
    assert CAP_TIME.match(text(root, "sent"))
    references = root.find("cap:references", NS)
    if references is not None:
        for triple in (references.text or "").split(" "):
            sender, identifier, sent = triple.split(",")
            assert sender and identifier and CAP_TIME.match(sent)
    infos = root.findall("cap:info", NS)
    assert [text(i, "language") for i in infos] == ["zh-CN", "en-US"]
    return root


def text(element: ET.Element, path: str) -> str:
    found = element.find("/".join(f"cap:{p}" for p in path.split("/")), NS)
    assert found is not None, path
    return found.text or ""


def parameters(info: ET.Element) -> dict[str, str]:
    return {text(p, "valueName"): text(p, "value") for p in info.findall("cap:parameter", NS)}


# -- CAP: the schema and the validator ---------------------------------------------------------------


def test_the_schema_in_the_repository_accepts_the_specification_example_and_refuses_a_z_time(
    schema: xmlschema.XMLSchema,
) -> None:
    example = (STANDARDS / "cap-v1.2-example-amber-alert.xml").read_text(encoding="utf-8")
    schema.validate(example)
    assert not schema.is_valid(example.replace("2003-06-11T22:39:00-07:00", "2003-06-11T22:39:00Z"))
    assert not schema.is_valid(
        example.replace("<source>SW</source>\n   <scope>", "<scope>").replace("</scope>", "</scope><source>SW</source>")
    )


# -- CAP: message types, identifiers and references -------------------------------------------------


def test_incident_registered_is_the_alert_named_after_the_incident(schema: xmlschema.XMLSchema) -> None:
    event = registered_event()
    root = valid_cap(schema, incident_cap(event))
    assert text(root, "msgType") == "Alert"
    assert text(root, "identifier") == "urn:dutyline:incident:inc-01JD3XHZ01" == alert_identifier("inc-01JD3XHZ01")
    assert text(root, "sender") == DEFAULT_SENDER
    # registered_at (not the event's own stamp a few ms later), whole seconds, UTC as -00:00, never Z
    assert text(root, "sent") == "2026-11-27T00:30:12-00:00"
    assert text(root, "status") == "Actual"
    assert text(root, "scope") == "Restricted"
    assert text(root, "restriction")
    assert root.find("cap:references", NS) is None
    assert root.find("cap:note", NS) is None
    assert text(root, "incidents") == "inc-01JD3XHZ01"
    zh, en = root.findall("cap:info", NS)
    for info in (zh, en):
        assert text(info, "event") == "文三路居民楼燃气泄漏"
        assert text(info, "urgency") == "Immediate"
        assert text(info, "severity") == "Unknown"  # unrated until verified
        assert text(info, "certainty") == "Possible"
        assert text(info, "category") == "Other"  # the category comes with verification
        assert parameters(info) == {
            "dutyline:incident_id": "inc-01JD3XHZ01",
            "dutyline:site_id": "hz-01",
            "dutyline:event_id": event.id,
            "dutyline:event_type": "incident.registered",
            "dutyline:stage": "register",
            "dutyline:severity": "unrated",
            "dutyline:drill": "false",
        }
        assert text(info, "area/areaDesc") == WENSAN_ROAD.text
        assert text(info, "area/circle") == "30.279900,120.130200 1"
    assert text(zh, "headline") == "新突发事件：文三路居民楼燃气泄漏"
    assert text(en, "headline") == "New incident: 文三路居民楼燃气泄漏"


def test_the_category_named_in_incident_registered_is_mapped(schema: xmlschema.XMLSchema) -> None:
    root = valid_cap(schema, incident_cap(registered_event(category="natural_disaster", title="余杭区山体滑坡")))
    assert {text(i, "category") for i in root.findall("cap:info", NS)} == {"Geo"}


@pytest.mark.parametrize("event_type", UPDATES)
def test_every_change_of_an_open_incident_is_an_update_referencing_the_alert(
    schema: xmlschema.XMLSchema, event_type: str
) -> None:
    alert = valid_cap(schema, incident_cap(registered_event()))
    event = changed_event(event_type, incident_for(event_type))
    root = valid_cap(schema, incident_cap(event))
    assert cap_message_type(event_type) == "Update"
    assert text(root, "msgType") == "Update"
    assert text(root, "identifier") == f"urn:dutyline:event:{event.id}"
    assert text(root, "sent") == "2026-11-27T01:12:19-00:00"  # the event's occurred_at, fraction dropped
    assert text(root, "references") == f"{text(alert, 'sender')},{text(alert, 'identifier')},{text(alert, 'sent')}"
    assert text(root, "status") == "Actual"
    for info in root.findall("cap:info", NS):
        assert text(info, "urgency") == "Immediate"
        assert text(info, "severity") == "Moderate"  # III
        assert text(info, "certainty") == "Observed"  # verified
        assert text(info, "category") == "Safety"  # accident
        assert text(info, "responseType") == "Monitor"
        assert parameters(info)["dutyline:event_type"] == event_type
        assert parameters(info)["dutyline:severity"] == "III"
        assert parameters(info)["dutyline:stage"] == "track"


@pytest.mark.parametrize("event_type", CANCELS)
def test_unfounded_closed_and_merged_away_are_cancels_referencing_the_alert(
    schema: xmlschema.XMLSchema, event_type: str
) -> None:
    alert = valid_cap(schema, incident_cap(registered_event()))
    event = changed_event(event_type, incident_for(event_type))
    root = valid_cap(schema, incident_cap(event))
    assert cap_message_type(event_type) == "Cancel"
    assert text(root, "msgType") == "Cancel"
    assert text(root, "identifier") == f"urn:dutyline:event:{event.id}"
    assert text(root, "references") == f"{text(alert, 'sender')},{text(alert, 'identifier')},{text(alert, 'sent')}"
    for info in root.findall("cap:info", NS):
        assert text(info, "urgency") == "Past"
    zh, en = root.findall("cap:info", NS)
    if event_type == "incident.unfounded":
        assert text(en, "certainty") == "Unlikely"
        assert text(en, "responseType") == "AllClear"
    elif event_type == "incident.closed":
        assert text(en, "certainty") == "Observed"
        assert text(en, "responseType") == "AllClear"
        assert "泄漏点已封堵" in text(zh, "description")
    else:
        assert text(root, "incidents") == "inc-01JD3XHZ01 inc-01JD3XHZ00"
        assert en.find("cap:responseType", NS) is None  # the event goes on under the primary
        assert "inc-01JD3XHZ00" in text(en, "instruction")
        assert parameters(en)["dutyline:merged_into"] == "inc-01JD3XHZ00"


def test_the_primary_that_absorbs_a_duplicate_is_updated_not_cancelled(schema: xmlschema.XMLSchema) -> None:
    """incident.merged is published for the primary too (IncidentWorkflow.absorb): it stays open."""
    primary = incident(id="inc-01JD3XHZ00")
    root = valid_cap(schema, incident_cap(changed_event("incident.merged", primary, detail="并入 Absorbed duplicate")))
    assert cap_message_type("incident.merged", incident=primary) == "Update"
    assert text(root, "msgType") == "Update"
    assert text(root, "references").split(",")[1] == "urn:dutyline:incident:inc-01JD3XHZ00"
    assert {text(i, "urgency") for i in root.findall("cap:info", NS)} == {"Immediate"}


def test_message_types_by_event_type() -> None:
    assert cap_message_type("incident.registered") == "Alert"
    assert cap_message_type("incident.some_future_change") == "Update"
    for event_type in ("call.registered", "roster.published", "notification.sent", "incidentx.registered", ""):
        assert cap_message_type(event_type) is None


def test_every_message_has_its_own_identifier_and_rendering_is_pure(schema: xmlschema.XMLSchema) -> None:
    events = [registered_event()] + [changed_event(t, incident_for(t)) for t in UPDATES + CANCELS]
    bodies = [incident_cap(e) for e in events]
    identifiers = [text(valid_cap(schema, b), "identifier") for b in bodies]
    assert len(set(identifiers)) == len(events)
    assert bodies == [incident_cap(e) for e in events]  # a redelivered event renders to the same bytes


def test_ids_with_characters_cap_forbids_are_percent_encoded(schema: xmlschema.XMLSchema) -> None:
    odd = "inc 1,<&>事件"
    alert = valid_cap(schema, incident_cap(registered_event(incident_id=odd)))
    update = valid_cap(schema, incident_cap(changed_event("incident.progress", incident(id=odd))))
    assert text(alert, "identifier") == "urn:dutyline:incident:inc%201%2C%3C%26%3E%E4%BA%8B%E4%BB%B6"
    assert text(update, "references").split(",")[1] == text(alert, "identifier")
    assert parameters(alert.findall("cap:info", NS)[1])["dutyline:incident_id"] == odd


def test_times_are_utc_whole_seconds_whatever_zone_they_were_taken_in(schema: xmlschema.XMLSchema) -> None:
    hangzhou = timezone(timedelta(hours=8))
    registered = incident(registered_at=datetime(2026, 11, 27, 8, 30, 0, 999_000, tzinfo=hangzhou))
    event = changed_event("incident.progress", registered)
    event.occurred_at.CopyFrom(timestamp(datetime(2026, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC)))
    root = valid_cap(schema, incident_cap(event))
    assert text(root, "sent") == "2026-12-31T23:59:59-00:00"
    assert text(root, "references").endswith(",2026-11-27T00:30:00-00:00")


# -- CAP: drills and real incidents ------------------------------------------------------------------


def test_a_drill_registration_is_an_exercise(schema: xmlschema.XMLSchema) -> None:
    root = valid_cap(schema, incident_cap(registered_event(drill=True)))
    assert text(root, "status") == "Exercise"
    assert "演练" in text(root, "note")
    zh, en = root.findall("cap:info", NS)
    assert text(zh, "headline").startswith("【演练】")
    assert text(en, "headline").startswith("[EXERCISE]")
    assert parameters(en)["dutyline:drill"] == "true"


@pytest.mark.parametrize("event_type", [*UPDATES, *CANCELS])
def test_changes_of_a_drill_incident_are_exercises(schema: xmlschema.XMLSchema, event_type: str) -> None:
    current = incident_for(event_type)
    current.drill = True
    root = valid_cap(schema, incident_cap(changed_event(event_type, current)))
    assert text(root, "status") == "Exercise"
    # either flag marks a drill: the incident's alone is enough
    alone = valid_cap(schema, incident_cap(changed_event(event_type, current, drill=False)))
    assert text(alone, "status") == "Exercise"


@pytest.mark.parametrize("event_type", [*UPDATES, *CANCELS])
def test_changes_of_a_real_incident_are_actual(schema: xmlschema.XMLSchema, event_type: str) -> None:
    root = valid_cap(schema, incident_cap(changed_event(event_type, incident_for(event_type))))
    assert text(root, "status") == "Actual"
    assert root.find("cap:note", NS) is None


# -- CAP: places and Chinese text --------------------------------------------------------------------


def test_without_coordinates_the_area_is_its_description_alone(schema: xmlschema.XMLSchema) -> None:
    for body in (
        incident_cap(registered_event(place=NO_COORDINATES)),
        incident_cap(changed_event("incident.verified", incident(place=NO_COORDINATES))),
    ):
        root = valid_cap(schema, body)
        for info in root.findall("cap:info", NS):
            assert text(info, "area/areaDesc") == NO_COORDINATES.text
            assert info.find("cap:area/cap:circle", NS) is None


def test_coordinates_out_of_range_draw_no_circle_and_an_empty_place_still_names_an_area(
    schema: xmlschema.XMLSchema,
) -> None:
    nowhere = common_pb2.Place(text="", latitude=91.0, longitude=120.0)
    root = valid_cap(schema, incident_cap(registered_event(place=nowhere)))
    zh, en = root.findall("cap:info", NS)
    assert zh.find("cap:area/cap:circle", NS) is None
    assert text(zh, "area/areaDesc") == "地点不详"
    assert text(en, "area/areaDesc") == "Place unknown"
    southern = common_pb2.Place(text="Ushuaia", latitude=-54.8019, longitude=-68.303)
    root = valid_cap(schema, incident_cap(registered_event(place=southern)))
    assert text(root.findall("cap:info", NS)[0], "area/circle") == "-54.801900,-68.303000 1"


def test_chinese_text_severity_category_and_casualties_reach_both_languages(schema: xmlschema.XMLSchema) -> None:
    current = incident(
        severity=common_pb2.SEVERITY_I, category=incident_pb2.INCIDENT_CATEGORY_ACCIDENT, sub_type="fire"
    )
    current.casualties.deaths = 31
    root = valid_cap(schema, incident_cap(changed_event("incident.reclassified", current, detail="等级调整 III → I")))
    zh, en = root.findall("cap:info", NS)
    assert [c.text for c in zh.findall("cap:category", NS)] == ["Safety", "Fire"]
    assert text(zh, "severity") == text(en, "severity") == "Extreme"
    assert "居民楼三单元燃气泄漏" in text(zh, "description") and "居民楼三单元燃气泄漏" in text(en, "description")
    assert "死亡 31 人" in text(zh, "description")
    assert "31 dead" in text(en, "description")
    assert "特别重大（I级）" in text(zh, "description")
    assert "等级调整 III → I" in text(en, "description")
    assert text(zh, "senderName") == "dutyline 应急值班值守平台（hz-01）"
    assert text(zh, "headline") == "等级调整：文三路居民楼燃气泄漏"


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        (incident_pb2.INCIDENT_CATEGORY_NATURAL_DISASTER, "Geo"),
        (incident_pb2.INCIDENT_CATEGORY_ACCIDENT, "Safety"),
        (incident_pb2.INCIDENT_CATEGORY_PUBLIC_HEALTH, "Health"),
        (incident_pb2.INCIDENT_CATEGORY_SOCIAL_SAFETY, "Security"),
        (incident_pb2.INCIDENT_CATEGORY_UNSPECIFIED, "Other"),
    ],
)
def test_categories(schema: xmlschema.XMLSchema, category: int, expected: str) -> None:
    root = valid_cap(schema, incident_cap(changed_event("incident.verified", incident(category=category))))
    assert text(root.findall("cap:info", NS)[1], "category") == expected


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        (common_pb2.SEVERITY_I, "Extreme"),
        (common_pb2.SEVERITY_II, "Severe"),
        (common_pb2.SEVERITY_III, "Moderate"),
        (common_pb2.SEVERITY_IV, "Minor"),
        (common_pb2.SEVERITY_UNRATED, "Unknown"),
        (common_pb2.SEVERITY_UNSPECIFIED, "Unknown"),
    ],
)
def test_severities(schema: xmlschema.XMLSchema, severity: int, expected: str) -> None:
    root = valid_cap(schema, incident_cap(changed_event("incident.reclassified", incident(severity=severity))))
    assert text(root.findall("cap:info", NS)[1], "severity") == expected


def test_an_escalated_but_unverified_incident_is_possible(schema: xmlschema.XMLSchema) -> None:
    current = incident(stage=incident_pb2.STAGE_VERIFY, verified=False, severity=common_pb2.SEVERITY_UNRATED)
    root = valid_cap(schema, incident_cap(changed_event("incident.escalated", current)))
    assert {text(i, "certainty") for i in root.findall("cap:info", NS)} == {"Possible"}


# -- CAP: what is not an incident event --------------------------------------------------------------


def test_other_events_have_no_cap_rendition() -> None:
    assert incident_cap(call_registered_event()) is None


def test_an_incident_event_with_a_foreign_payload_is_refused() -> None:
    event = call_registered_event()
    event.type = "incident.progress"
    with pytest.raises(ValueError, match="CallRegistered"):
        incident_cap(event)


@pytest.mark.parametrize("sender", ["", "duty line@x", "duty\tline", "a,b", "a<b", "a&b", "a\x00b"])
def test_a_sender_cap_forbids_is_refused(sender: str) -> None:
    with pytest.raises(ValueError, match="sender"):
        incident_cap(registered_event(), sender=sender)


def test_the_sender_is_the_one_given(schema: xmlschema.XMLSchema) -> None:
    sender = "duty-office@hz.example.gov.cn"
    root = valid_cap(schema, incident_cap(changed_event("incident.progress", incident()), sender=sender))
    assert text(root, "sender") == sender
    assert text(root, "references").startswith(f"{sender},urn:dutyline:incident:")


# -- CAP: arbitrary user text ------------------------------------------------------------------------

# Any code point UTF-8 carries (controls too), with what XML treats specially drawn more often.
XML_SPECIAL = st.sampled_from(
    ["<", ">", "&", "'", '"', "]]>", "\r", "\r\n", "\t", "\x00", "\x0b", "\x1f", "\ufffe", "&amp;"]
)
USER_TEXT = st.lists(XML_SPECIAL | st.text(st.characters(codec="utf-8"), max_size=20), max_size=15).map("".join)


@settings(max_examples=150, deadline=None)
@given(
    title=USER_TEXT,
    summary=USER_TEXT,
    place_text=USER_TEXT,
    detail=USER_TEXT,
    sub_type=st.text(max_size=20),
    incident_id=st.text(min_size=1, max_size=40),
    latitude=st.none() | st.floats(allow_nan=True, allow_infinity=True),
    longitude=st.floats(-180, 180),
    drill=st.booleans(),
    event_type=st.sampled_from(["incident.registered", *UPDATES, *CANCELS]),
)
def test_any_user_text_renders_to_valid_cap(
    schema: xmlschema.XMLSchema,
    title: str,
    summary: str,
    place_text: str,
    detail: str,
    sub_type: str,
    incident_id: str,
    latitude: float | None,
    longitude: float,
    drill: bool,
    event_type: str,
) -> None:
    place = common_pb2.Place(text=place_text)
    if latitude is not None:
        place.latitude, place.longitude = latitude, longitude
    if event_type == "incident.registered":
        event = registered_event(incident_id=incident_id, place=place, drill=drill, title=title)
    else:
        current = incident_for(event_type)
        current.id, current.title, current.summary, current.sub_type = incident_id, title, summary, sub_type
        current.place.CopyFrom(place)
        current.drill = drill
        event = changed_event(event_type, current, detail=detail or "-")
    root = valid_cap(schema, incident_cap(event))
    assert text(root, "status") == ("Exercise" if drill else "Actual")
    kept = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", place_text.replace("\r\n", "\n").replace("\r", "\n"))
    en = root.findall("cap:info", NS)[1]
    assert text(en, "area/areaDesc") == (kept.strip() or "Place unknown")
    circle = en.find("cap:area/cap:circle", NS)
    assert (circle is not None) == (latitude is not None and math.isfinite(latitude) and abs(latitude) <= 90)


# -- JSON --------------------------------------------------------------------------------------------


def all_kinds_of_events() -> list[event_pb2.Event]:
    return [
        registered_event(),
        registered_event(place=NO_COORDINATES, drill=True),
        *(changed_event(t, incident_for(t)) for t in UPDATES + CANCELS),
        call_registered_event(),
        build_event(
            event_type="call.linked",
            site_id="hz-01",
            aggregate_id="call-01JD3XH0AB",
            aggregate_version=2,
            actor=OFFICER,
            payload=event_pb2.CallLinked(
                call_id="call-01JD3XH0AB", incident_id="inc-01JD3XHZ01", previous_incident_id="", how="officer"
            ),
            occurred_at=LATER,
        ),
        build_event(
            event_type="incident.calls_changed",
            site_id="hz-01",
            aggregate_id="inc-01JD3XHZ01",
            aggregate_version=3,
            actor=SYSTEM,
            payload=event_pb2.IncidentCallsChanged(
                incident_id="inc-01JD3XHZ01", linked_call_ids=["call-01JD3XH0AB"], linked=1, total=2
            ),
            occurred_at=LATER,
        ),
    ]


@pytest.mark.parametrize("event_type", ["incident.calls_changed", "incident.merge_suggested", "incident.merge_decided"])
def test_call_batches_and_merge_proposals_have_no_cap_message(event_type: str) -> None:
    event = build_event(
        event_type=event_type,
        site_id="hz-01",
        aggregate_id="inc-01JD3XHZ01",
        aggregate_version=3,
        actor=SYSTEM,
        payload=event_pb2.IncidentCallsChanged(incident_id="inc-01JD3XHZ01", linked=1, total=2),
        occurred_at=LATER,
    )
    assert incident_cap(event) is None
    assert cap_message_type(event_type) is None


@pytest.mark.parametrize("event", all_kinds_of_events(), ids=lambda e: e.type)
def test_json_round_trips_into_the_same_event(event: event_pb2.Event) -> None:
    body = event_json(event)
    assert json_format.Parse(body, event_pb2.Event()) == event
    assert event_json(event) == body  # stable


def test_json_names_fields_as_the_proto_does_and_resolves_the_payload() -> None:
    event = changed_event("incident.report_submitted", incident())
    data = json.loads(event_json(event))
    assert data["type"] == "incident.report_submitted"
    assert data["occurred_at"] == "2026-11-27T01:12:19.999999Z"
    assert data["aggregate_version"] == "5"  # int64 as a string, as proto3 JSON says
    assert data["drill"] is False  # printed even at its default
    assert data["actor"] == {"person_id": OFFICER.person_id, "display_name": "王值班", "kind": "person", "via": ""}
    payload = data["payload"]
    assert payload["@type"] == "type.dutyline.dev/dutyline.events.v1.IncidentChanged"
    assert payload["incident"]["title"] == "文三路居民楼燃气泄漏"
    assert payload["incident"]["severity"] == "SEVERITY_III"
    assert payload["incident"]["stage"] == "STAGE_TRACK"
    assert payload["incident"]["category"] == "INCIDENT_CATEGORY_ACCIDENT"
    assert payload["incident"]["place"] == {"text": WENSAN_ROAD.text, "latitude": 30.2799, "longitude": 120.1302}
    assert payload["incident"]["casualties"]["serious_injuries"] == 1
    assert payload["incident"]["merged_into"] == ""
    assert payload["report"]["kind"] == "REPORT_KIND_INITIAL_PHONE"
    assert payload["report"]["recipient"] == "西湖区应急管理局"
    assert "西湖区应急管理局".encode() in event_json(event)  # non-ASCII as is, not \\u escapes


def test_json_of_a_registration_has_the_payload_fields_and_no_coordinates_when_unknown() -> None:
    data = json.loads(event_json(registered_event(place=NO_COORDINATES, drill=True)))
    payload = data["payload"]
    assert payload["@type"].endswith("/dutyline.events.v1.IncidentRegistered")
    assert payload["incident_id"] == "inc-01JD3XHZ01"
    assert payload["call_ids"] == ["call-01JD3XH0AA"]
    assert payload["registered_at"] == "2026-11-27T00:30:12.345678Z"
    assert payload["place"] == {"text": NO_COORDINATES.text}
    assert data["drill"] is True


def test_json_of_an_unknown_payload_type_is_refused() -> None:
    event = call_registered_event()
    event.payload.CopyFrom(AnyPb(type_url="type.dutyline.dev/dutyline.events.v9.Unknown", value=b""))
    with pytest.raises(TypeError):
        event_json(event)
