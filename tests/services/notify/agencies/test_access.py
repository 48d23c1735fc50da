"""An agency's subjects and NATS permissions (pure; the server's enforcement is in tests/stack/test_nats_auth.py)."""

from __future__ import annotations

import pytest

from dutyline.natsauth import OperatorSetup, decode_jwt
from services.notify.agencies.access import (
    agency_permissions,
    agency_subjects,
    consumer_name,
    covers,
    inbox_prefix,
    issue_agency_user,
    split_by_stream,
)
from services.notify.agencies.feed import NOTHING, feed_filter


def test_an_event_type_is_one_subject_per_rendition() -> None:
    assert agency_subjects(["hz-01"], ["incident.registered"]) == [
        "dutyline.hz-01.incident.registered",
        "dutyline_cap.hz-01.incident.registered",
        "dutyline_json.hz-01.incident.registered",
    ]


def test_cap_only_for_incident_events() -> None:
    assert agency_subjects(["hz-01"], ["call.registered", "call.*"]) == [
        "dutyline.hz-01.call.>",
        "dutyline_json.hz-01.call.>",
    ]


def test_families_and_everything() -> None:
    assert agency_subjects(["hz-01", "nb-01"], ["incident.*"]) == [
        "dutyline.hz-01.incident.>",
        "dutyline.nb-01.incident.>",
        "dutyline_cap.hz-01.incident.>",
        "dutyline_cap.nb-01.incident.>",
        "dutyline_json.hz-01.incident.>",
        "dutyline_json.nb-01.incident.>",
    ]
    assert agency_subjects(["nb-01"], ["*"]) == [
        "dutyline.nb-01.>",
        "dutyline_cap.nb-01.incident.>",
        "dutyline_json.nb-01.>",
    ]


def test_covered_subjects_are_dropped_so_consumer_filters_never_overlap() -> None:
    subjects = agency_subjects(["hz-01"], ["incident.registered", "incident.*", "call.registered", "*"])
    assert subjects == ["dutyline.hz-01.>", "dutyline_cap.hz-01.incident.>", "dutyline_json.hz-01.>"]
    assert agency_subjects(["hz-01", "hz-01"], ["incident.closed", "incident.closed"]) == agency_subjects(
        ["hz-01"], ["incident.closed"]
    )
    assert agency_subjects([], ["*"]) == []


def test_covers() -> None:
    assert covers("a.>", "a.b.c") and covers("a.>", "a.*") and covers("a.>", "a.>")
    assert not covers("a.>", "a")
    assert covers("a.*.c", "a.b.c") and covers("a.*", "a.*")
    assert not covers("a.*", "a.>") and not covers("a.b", "a.*") and not covers("a.*", "a.b.c")


@pytest.mark.parametrize(
    ("sites", "types"),
    [
        (["hz.01"], ["*"]),
        (["*"], ["*"]),
        ([">"], ["*"]),
        (["HZ 01"], ["*"]),
        (["hz-01"], ["incident"]),
        (["hz-01"], ["incident.>"]),
        (["hz-01"], [">"]),
        (["hz-01"], ["*.registered"]),
        (["hz-01"], ["incident.registered.x"]),
        (["hz-01"], ["incident. registered"]),
    ],
)
def test_no_wildcard_or_malformed_token_widens_the_subjects(sites: list[str], types: list[str]) -> None:
    with pytest.raises(ValueError):
        agency_subjects(sites, types)


def test_permissions_admit_only_pulling_its_own_consumers() -> None:
    subjects = agency_subjects(["hz-01"], ["incident.*"])
    publish, subscribe = agency_permissions("fire-hz", subjects, stream="DUTYLINE")
    assert subscribe == [*subjects, "_INBOX_fire-hz.>"]
    assert publish == [
        "$JS.API.CONSUMER.MSG.NEXT.DUTYLINE.agency-fire-hz",
        "$JS.API.CONSUMER.INFO.DUTYLINE.agency-fire-hz",
        "$JS.ACK.DUTYLINE.agency-fire-hz.>",
        "$JS.API.CONSUMER.MSG.NEXT.DUTYLINE_RENDITIONS.agency-fire-hz",
        "$JS.API.CONSUMER.INFO.DUTYLINE_RENDITIONS.agency-fire-hz",
        "$JS.ACK.DUTYLINE_RENDITIONS.agency-fire-hz.>",
    ]
    assert not any(p in {">", "$JS.API.>"} or ".CREATE." in p or p.startswith("dutyline") for p in publish)
    assert consumer_name("fire-hz") == "agency-fire-hz" and inbox_prefix("fire-hz") == "_INBOX_fire-hz"


@pytest.mark.parametrize("agency_id", ["", "a.b", "a*", "a>", "a b", "-x", "x" * 64])
def test_agency_ids_are_single_tokens(agency_id: str) -> None:
    with pytest.raises(ValueError):
        agency_permissions(agency_id, [], stream="DUTYLINE")


def test_split_by_stream() -> None:
    subjects = agency_subjects(["hz-01"], ["incident.*"])
    assert split_by_stream(subjects) == (
        ["dutyline.hz-01.incident.>"],
        ["dutyline_cap.hz-01.incident.>", "dutyline_json.hz-01.incident.>"],
    )
    with pytest.raises(ValueError):
        split_by_stream(["other.hz-01.>"])


def test_issued_user_carries_the_permissions_and_is_signed_by_the_account() -> None:
    setup = OperatorSetup.create()
    subjects = agency_subjects(["hz-01"], ["incident.*"])
    creds = issue_agency_user(setup.account_seed, "fire-hz", subjects, stream="DUTYLINE")
    claims = decode_jwt(creds.jwt)
    publish, subscribe = agency_permissions("fire-hz", subjects, stream="DUTYLINE")
    assert claims["iss"] == setup.account_public_key and claims["sub"] == creds.public_key
    assert claims["name"] == "agency-fire-hz"
    assert claims["nats"]["pub"] == {"allow": publish} and claims["nats"]["sub"] == {"allow": subscribe}
    assert creds.seed.startswith("SU") and creds.seed in creds.text


def test_a_derived_user_is_the_same_on_a_retry_and_secret_without_the_account_seed() -> None:
    setup = OperatorSetup.create()
    subjects = agency_subjects(["hz-01"], ["incident.*"])
    first = issue_agency_user(setup.account_seed, "fire-hz", subjects, stream="DUTYLINE", derive_from="key-1")
    again = issue_agency_user(setup.account_seed, "fire-hz", subjects, stream="DUTYLINE", derive_from="key-1")
    assert again.public_key == first.public_key and again.seed == first.seed
    assert (first.inbox_prefix, first.consumer) == ("_INBOX_fire-hz", "agency-fire-hz")
    other_key = issue_agency_user(setup.account_seed, "fire-hz", subjects, stream="DUTYLINE", derive_from="key-2")
    other_account = issue_agency_user(
        OperatorSetup.create().account_seed, "fire-hz", subjects, stream="DUTYLINE", derive_from="key-1"
    )
    fresh = issue_agency_user(setup.account_seed, "fire-hz", subjects, stream="DUTYLINE")
    assert len({first.public_key, other_key.public_key, other_account.public_key, fresh.public_key}) == 4


def test_the_feed_reads_the_event_subjects_some_agency_may_read_and_nothing_without_one() -> None:
    police = agency_subjects(["hz-01"], ["incident.*"])
    fire = agency_subjects(["hz-01", "nb-01"], ["incident.registered", "call.registered"])
    # The union without what another covers (JetStream refuses overlapping filters); no rendition subjects.
    assert feed_filter([police, fire]) == [
        "dutyline.hz-01.call.registered",
        "dutyline.hz-01.incident.>",
        "dutyline.nb-01.call.registered",
        "dutyline.nb-01.incident.registered",
    ]
    assert feed_filter([fire, agency_subjects(["hz-01"], ["*"])]) == [
        "dutyline.hz-01.>",
        "dutyline.nb-01.call.registered",
        "dutyline.nb-01.incident.registered",
    ]
    # No agency: a subject of the stream no event has, not an empty filter (which would read everything).
    assert feed_filter([]) == [NOTHING] and not covers(NOTHING, "dutyline.hz-01.call.registered")
