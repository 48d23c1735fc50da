"""The limits notify's proto declares (protos/dutyline/notify/v1/notify.proto), checked as the gRPC
boundary checks them, without servers; and that they admit what other services send it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from google.protobuf.descriptor import Descriptor
from google.protobuf.message import Message

from buf.validate import validate_pb2
from dutyline.common.v1 import common_pb2, rules_pb2
from dutyline.grpckit.convert import ROLE_NAMES
from dutyline.grpckit.validation import violations
from dutyline.incident.v1 import incident_pb2
from dutyline.intake.v1 import intake_pb2
from dutyline.notify.v1 import notify_pb2
from dutyline.roster.v1 import roster_pb2
from services.notify.people import rules, templates

# Every key the workflows and the templates put in a message's data.
DATA_KEYS = [
    "incident_id",
    "title",
    "place",
    "category",
    "severity",
    "registered_at",
    "detail",
    "step",
    "report_kind",
    "due_at",
    "late_minutes",
    "person_name",
    "shift_name",
    "local_date",
    "starts_at",
    "callback_id",
    "kind",
    "content",
    "recipient",
    "urgent",
    "acknowledged_by_name",
    "subject",
    "body",
]


def fields(message: Message) -> set[str]:
    return {v.field for v in violations(message)}


def rule(message: Descriptor, field: str) -> Any:
    return message.fields_by_name[field].GetOptions().Extensions[validate_pb2.field]


def chars(string_rules: Any) -> int:
    """The length a dutyline line or text rule admits."""
    for extension in (rules_pb2.line, rules_pb2.text):
        if string_rules.HasExtension(extension):
            return int(string_rules.Extensions[extension])
    raise AssertionError(f"no length rule in {string_rules}")


def send(**overrides: Any) -> notify_pb2.SendRequest:
    overrides.setdefault("recipients", [notify_pb2.Recipient(person_id="p-hz-leader-1")])
    return notify_pb2.SendRequest(
        idempotency_key=str(uuid.uuid4()), site_id="hz-01", template="incident_registered", **overrides
    )


def test_a_complete_send_and_escalation_are_within_their_limits() -> None:
    recipients = [
        notify_pb2.Recipient(person_id="p-hz-officer-1"),
        notify_pb2.Recipient(role=notify_pb2.RoleAtSite(role=common_pb2.ROLE_LEADER)),
        notify_pb2.Recipient(superior_of_site=""),
        notify_pb2.Recipient(superior_of_site="hz-01"),
    ]
    data = {"incident_id": "inc-01JD3X", "title": "燃气泄漏 Gas leak", "place": "文三路"}
    assert violations(send(recipients=recipients, data=data, ref_kind="incident", ref_id="inc-1", locale="en")) == []
    escalate = notify_pb2.EscalateRequest(
        idempotency_key="incident:inc-1:registered", site_id="hz-01", template="incident_registered", data=data
    )
    assert violations(escalate) == []


def test_the_lists_in_the_proto_are_the_ones_the_code_knows() -> None:
    for message in (notify_pb2.SendRequest.DESCRIPTOR, notify_pb2.EscalateRequest.DESCRIPTOR):
        assert set(getattr(rule(message, "template").string, "in")) == templates.TEMPLATES
    for message in (notify_pb2.SendRequest.DESCRIPTOR, notify_pb2.EscalationStep.DESCRIPTOR):
        assert set(getattr(rule(message, "channel").string, "in")) == {"", *rules.CHANNELS}
    roles = getattr(rule(notify_pb2.RoleAtSite.DESCRIPTOR, "role").enum, "in")
    assert {ROLE_NAMES[r] for r in roles} == set(rules.ROLES)
    # A person's contact channels (roster) are those notify can reach.
    contact = getattr(rule(roster_pb2.ContactMethod.DESCRIPTOR, "channel").string, "in")
    assert set(contact) == set(rules.CONTACT_CHANNELS)


def test_data_values_take_the_longest_text_of_the_services_that_send_them() -> None:
    values = rule(notify_pb2.SendRequest.DESCRIPTOR, "data").map.values.string
    assert values.HasExtension(rules_pb2.text)  # free text: line breaks allowed, as in a summary
    longest = max(
        chars(rule(incident_pb2.OpenIncidentRequest.DESCRIPTOR, "title").string),
        chars(rule(incident_pb2.OpenIncidentRequest.DESCRIPTOR, "summary").string),
        chars(rule(common_pb2.Place.DESCRIPTOR, "text").string),
        chars(rule(intake_pb2.TakeMessageRequest.DESCRIPTOR, "content").string),
        chars(rule(intake_pb2.PromiseCallbackRequest.DESCRIPTOR, "content").string),
    )
    assert chars(values) >= longest
    escalate = rule(notify_pb2.EscalateRequest.DESCRIPTOR, "data").map.values.string
    assert chars(escalate) == chars(values)
    # An incident at its limits, as the incident workflow passes it on.
    incident = incident_pb2.OpenIncidentRequest(
        idempotency_key="k",
        site_id="hz-01",
        title="火" * 200,
        summary="三楼起火\n\t浓烟" * 500,
        place=common_pb2.Place(text="路" * 200),
    )
    assert violations(incident) == []
    data = {"title": incident.title, "detail": incident.title, "place": incident.place.text, "body": incident.summary}
    assert violations(send(data=data)) == []
    assert fields(send(data={"body": "x" * 4001})) == {"data[body]"}
    assert fields(send(data={"title": "a\x00b"})) == {"data[title]"}


def test_data_keys() -> None:
    assert violations(send(data=dict.fromkeys(DATA_KEYS, "x"))) == []
    for key in ("Title", "1st", "title-x", "", "k" * 41, "标题"):
        assert fields(send(data={key: "x"})) == {f"data[{key}]"}, key
    assert fields(send(data={f"k{i}": "x" for i in range(51)})) == {"data"}


def test_recipients() -> None:
    assert fields(send(recipients=[])) == {"recipients"}
    assert fields(send(recipients=[notify_pb2.Recipient(person_id="p-1")] * 51)) == {"recipients"}
    assert fields(send(recipients=[notify_pb2.Recipient()])) == {"recipients[0].target"}
    assert fields(send(recipients=[notify_pb2.Recipient(person_id="")])) == {"recipients[0].person_id"}
    assert fields(send(recipients=[notify_pb2.Recipient(superior_of_site="HZ 01")])) == {
        "recipients[0].superior_of_site"
    }
    agency = notify_pb2.Recipient(role=notify_pb2.RoleAtSite(site_id="hz-01", role=common_pb2.ROLE_AGENCY))
    assert fields(send(recipients=[agency])) == {"recipients[0].role.role"}
    # Person ids as roster makes them, at their longest.
    assert fields(send(recipients=[notify_pb2.Recipient(person_id="p" * 63)])) == set()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"template": "no_such_template"}, "template"),
        ({"channel": "pigeon"}, "channel"),
        ({"locale": "fr"}, "locale"),
        ({"site_id": "HZ 01"}, "site_id"),
        ({"ref_kind": "Incident"}, "ref_kind"),
        ({"ref_id": "inc 1"}, "ref_id"),
        ({"idempotency_key": ""}, "idempotency_key"),
    ],
)
def test_bad_sends(overrides: dict[str, Any], field: str) -> None:
    request = send()
    for key, value in overrides.items():
        setattr(request, key, value)
    assert fields(request) == {field}


def test_chains() -> None:
    def chain(*steps: notify_pb2.EscalationStep, repeat: int = 1) -> notify_pb2.UpsertEscalationChainRequest:
        return notify_pb2.UpsertEscalationChainRequest(
            idempotency_key="k", chain=notify_pb2.EscalationChain(site_id="hz-01", steps=steps, repeat=repeat)
        )

    leader = notify_pb2.Recipient(role=notify_pb2.RoleAtSite(role=common_pb2.ROLE_LEADER))
    assert fields(chain(notify_pb2.EscalationStep(recipient=leader, wait_seconds=86400), repeat=10)) == set()
    assert fields(chain()) == {"chain.steps"}
    assert fields(chain(*[notify_pb2.EscalationStep(recipient=leader, wait_seconds=60)] * 11)) == {"chain.steps"}
    assert fields(chain(notify_pb2.EscalationStep(recipient=leader, wait_seconds=86401), repeat=11)) == {
        "chain.steps[0].wait_seconds",
        "chain.repeat",
    }
    assert fields(chain(notify_pb2.EscalationStep(wait_seconds=60))) == {"chain.steps[0].recipient"}
    assert fields(notify_pb2.UpsertEscalationChainRequest(idempotency_key="k")) == {"chain"}


def test_acknowledgements_and_lists() -> None:
    token = rules.ack_token("secret", "ntf-1")
    assert (
        violations(notify_pb2.AcknowledgeRequest(idempotency_key="k", notification_id="ntf-1", ack_token=token)) == []
    )
    assert fields(notify_pb2.AcknowledgeRequest(idempotency_key="k")) == {"notification_id"}
    assert fields(notify_pb2.AcknowledgeRequest(idempotency_key="k", notification_id="n", ack_token="x" * 65)) == {
        "ack_token"
    }
    # The next page's token (an offset) is one the request admits.
    page = common_pb2.PageRequest(page_size=500, page_token=str(500 * 100_000))
    assert violations(notify_pb2.ListNotificationsRequest(page=page)) == []
    assert fields(notify_pb2.ListNotificationsRequest(page=common_pb2.PageRequest(page_size=501))) == {"page.page_size"}
    assert fields(notify_pb2.ListNotificationsRequest(site_id="HZ", person_id="p 1")) == {"site_id", "person_id"}
    assert fields(notify_pb2.ListAgencyDeliveriesRequest(status="done")) == {"status"}


def test_agencies() -> None:
    def register(**overrides: Any) -> notify_pb2.RegisterAgencyRequest:
        agency = notify_pb2.Agency(id="fire-hz", name="消防 Fire", site_ids=["hz-01"], event_types=["incident.*"])
        for key, value in overrides.items():
            if isinstance(value, list):
                del getattr(agency, key)[:]
                getattr(agency, key).extend(value)
            else:
                setattr(agency, key, value)
        return notify_pb2.RegisterAgencyRequest(idempotency_key="k", agency=agency)

    assert violations(register(webhook_url="https://fire.example/hook", event_types=["*", "call.registered"])) == []
    assert violations(register(webhook_url="HTTP://user:pw@10.0.0.1:8080/h?x=1")) == []
    assert fields(register(id="Fire X", site_ids=["HZ 01"], webhook_url="ftp://x", event_types=["incident.>"])) == {
        "agency.id",
        "agency.site_ids[0]",
        "agency.webhook_url",
        "agency.event_types[0]",
    }
    assert fields(register(id="f")) == {"agency.id"}
    assert fields(register(name=" ")) == {"agency.name"}
    assert fields(register(site_ids=[], event_types=[])) == {"agency.site_ids", "agency.event_types"}
    for bad in ("incident", "incident.*.x", "Incident.registered", "*.registered", ""):
        assert fields(register(event_types=[bad])) == {"agency.event_types[0]"}, bad
    assert fields(register(webhook_url="https://")) == {"agency.webhook_url"}
    assert fields(notify_pb2.IssueAgencyCredentialsRequest(idempotency_key="k")) == {"agency_id"}
