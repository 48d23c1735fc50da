"""启动/解除 响应级别 rendered for agencies: incident.response_declared and incident.response_lifted are CAP 1.2
Updates that reference the incident's Alert, valid against the OASIS schema, with the level in both
languages' description and parameters; an activated plan is an Update too, a plan task's progress no
CAP message at all."""

from __future__ import annotations

import pytest
import xmlschema

from dutyline.incident.v1 import incident_pb2
from services.notify.agencies.renditions import cap_message_type, incident_cap
from tests.services.notify.agencies.test_renditions import (
    NS,
    changed_event,
    incident,
    parameters,
    registered_event,
    schema,
    text,
    valid_cap,
)

__all__ = ["schema"]  # the module's fixture, shared


@pytest.mark.parametrize("event_type", ["incident.response_declared", "incident.plan_activated"])
def test_a_declared_response_is_an_update_of_the_alert_with_the_level(
    schema: xmlschema.XMLSchema, event_type: str
) -> None:
    alert = valid_cap(schema, incident_cap(registered_event()))
    current = incident(response_level=incident_pb2.RESPONSE_LEVEL_III)
    event = changed_event(event_type, current, detail="启动Ⅲ级响应 Level III response declared: 泄漏扩大")
    root = valid_cap(schema, incident_cap(event))
    assert cap_message_type(event_type) == "Update"
    assert text(root, "msgType") == "Update"
    assert text(root, "references") == f"{text(alert, 'sender')},{text(alert, 'identifier')},{text(alert, 'sent')}"
    zh, en = root.findall("cap:info", NS)
    assert parameters(zh)["dutyline:response_level"] == "III"
    assert "应急响应：III级" in text(zh, "description")
    assert "Response level: III" in text(en, "description")
    if event_type == "incident.response_declared":
        assert text(zh, "headline").startswith("启动应急响应")
        assert text(en, "headline").startswith("Response level declared")


def test_a_lifted_response_is_an_update_without_a_level(schema: xmlschema.XMLSchema) -> None:
    root = valid_cap(schema, incident_cap(changed_event("incident.response_lifted", incident())))
    assert text(root, "msgType") == "Update"
    zh, en = root.findall("cap:info", NS)
    assert text(zh, "headline").startswith("解除应急响应")
    assert text(en, "headline").startswith("Response level lifted")
    assert "dutyline:response_level" not in parameters(zh)
    assert "应急响应" not in text(zh, "description")


def test_a_plan_task_changing_has_no_cap_message() -> None:
    assert cap_message_type("incident.plan_task_changed") is None
    assert incident_cap(changed_event("incident.plan_task_changed", incident())) is None
