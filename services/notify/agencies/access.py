"""What an agency (公安, 消防, 卫健, 上级应急局) may read from NATS, and its NATS user.

An agency subscribes to event types (``incident.registered``), families (``incident.*``) or
everything (``*``) at some sites (regions are expanded to their sites by the caller). It reads:

* the protobuf events on ``dutyline.<site>.<aggregate>.<event>`` (stream ``DUTYLINE``),
* their JSON rendition on ``dutyline_json.<site>.<aggregate>.<event>`` and, for incident events, the
  CAP 1.2 XML on ``dutyline_cap.<site>.incident.<event>`` (both in stream ``DUTYLINE_RENDITIONS``),

live on core subscriptions or, to miss nothing, by pulling its own durable consumers
``agency-<id>`` that notify creates on both streams. Its NATS user (a JWT signed with the
application account's seed, see ``dutyline.natsauth``) lets the server admit exactly that: it may
subscribe to its subjects and its own inbox ``_INBOX_<id>.>``, and publish only the JetStream
requests that pull from, inspect and acknowledge its own consumers. It can create no consumer, read
no other agency's consumer and publish nothing else; the server enforces this.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

import nkeys
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from dutyline.envelope import SITE_ID_PATTERN, SUBJECT_PREFIX
from dutyline.natsauth import UserCreds, derived_seed, user_creds
from dutyline.outbox import DUPLICATE_WINDOW

JSON_PREFIX = "dutyline_json"
CAP_PREFIX = "dutyline_cap"
RENDITIONS_STREAM = "DUTYLINE_RENDITIONS"
CAP_AGGREGATE = "incident"
JS_API = "$JS.API"

# One subject token, and a name the server accepts for a consumer: no dots, spaces or wildcards.
AGENCY_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")
_EVENT_TOKEN = re.compile(r"^[a-z][a-z0-9_]*$")


def consumer_name(agency_id: str) -> str:
    """The agency's durable consumer, on the events stream and on the renditions stream."""
    return f"agency-{_agency(agency_id)}"


def inbox_prefix(agency_id: str) -> str:
    """The inbox prefix the agency's client must use (nats-py ``inbox_prefix=``)."""
    return f"_INBOX_{_agency(agency_id)}"


def _agency(agency_id: str) -> str:
    if not AGENCY_ID_PATTERN.match(agency_id):
        raise ValueError(f"agency id {agency_id!r} is not a valid NATS token")
    return agency_id


def _event_tail(event_type: str) -> tuple[str | None, str]:
    """(aggregate or None for everything, the subject tail after the site)."""
    if event_type == "*":
        return None, ">"
    parts = event_type.split(".")
    if len(parts) == 2 and _EVENT_TOKEN.match(parts[0]) and (parts[1] == "*" or _EVENT_TOKEN.match(parts[1])):
        return parts[0], f"{parts[0]}.>" if parts[1] == "*" else event_type
    raise ValueError(f"event type {event_type!r} is not <aggregate>.<event>, <aggregate>.* or *")


def agency_subjects(site_ids: list[str], event_types: list[str]) -> list[str]:
    """Every subject the agency may read: protobuf and JSON for each type at each site, CAP for the
    incident ones; without subjects another one already covers (JetStream refuses overlapping
    filters), sorted."""
    subjects: set[str] = set()
    for site in site_ids:
        if not SITE_ID_PATTERN.match(site):
            raise ValueError(f"site id {site!r} is not a valid NATS token")
        for event_type in event_types:
            aggregate, tail = _event_tail(event_type)
            subjects.add(f"{SUBJECT_PREFIX}.{site}.{tail}")
            subjects.add(f"{JSON_PREFIX}.{site}.{tail}")
            if aggregate is None:
                subjects.add(f"{CAP_PREFIX}.{site}.{CAP_AGGREGATE}.>")
            elif aggregate == CAP_AGGREGATE:
                subjects.add(f"{CAP_PREFIX}.{site}.{tail}")
    return uncovered(subjects)


def uncovered(subjects: set[str]) -> list[str]:
    """The subjects no other one covers, sorted: what JetStream takes as a consumer's filters."""
    return sorted(s for s in subjects if not any(o != s and covers(o, s) for o in subjects))


def covers(pattern: str, subject: str) -> bool:
    """Whether every subject matching ``subject`` (itself possibly a wildcard) matches ``pattern``."""
    p_tokens, s_tokens = pattern.split("."), subject.split(".")
    for i, token in enumerate(p_tokens):
        if token == ">":
            return len(s_tokens) > i
        if i >= len(s_tokens) or s_tokens[i] == ">":
            return False
        if token != "*" and token != s_tokens[i]:
            return False
    return len(p_tokens) == len(s_tokens)


def split_by_stream(subjects: list[str]) -> tuple[list[str], list[str]]:
    """(subjects in the events stream, subjects in the renditions stream)."""
    events = [s for s in subjects if s.startswith(f"{SUBJECT_PREFIX}.")]
    renditions = [s for s in subjects if s.startswith((f"{JSON_PREFIX}.", f"{CAP_PREFIX}."))]
    other = set(subjects) - set(events) - set(renditions)
    if other:
        raise ValueError(f"subjects outside dutyline's streams: {sorted(other)}")
    return events, renditions


def agency_permissions(
    agency_id: str, subjects: list[str], *, stream: str, renditions_stream: str = RENDITIONS_STREAM
) -> tuple[list[str], list[str]]:
    """(publish, subscribe) allow lists of the agency's NATS user.

    Publish: only what pulling its own durable consumers takes (next messages, consumer info, acks).
    Subscribe: its subjects and its own inbox, where pulled messages and API replies arrive.
    """
    consumer = consumer_name(agency_id)
    publish: list[str] = []
    for name in (stream, renditions_stream):
        publish += [
            f"{JS_API}.CONSUMER.MSG.NEXT.{name}.{consumer}",
            f"{JS_API}.CONSUMER.INFO.{name}.{consumer}",
            f"$JS.ACK.{name}.{consumer}.>",
        ]
    return publish, [*subjects, f"{inbox_prefix(agency_id)}.>"]


@dataclass(frozen=True)
class AgencyUser(UserCreds):
    """An agency's NATS user and what its client needs besides the creds."""

    inbox_prefix: str = ""
    consumer: str = ""


def issue_agency_user(
    account_seed: str,
    agency_id: str,
    subjects: list[str],
    *,
    stream: str,
    renditions_stream: str = RENDITIONS_STREAM,
    expires: int | None = None,
    derive_from: str | None = None,
) -> AgencyUser:
    """A NATS user for the agency, signed with the account seed (``DUTYLINE_NATS_ACCOUNT_SEED``).

    A fresh nkey, or with ``derive_from`` one derived from it and the account seed, so that a retry
    (same ``derive_from``, e.g. agency id and idempotency key) issues the same user again.
    """
    publish, subscribe = agency_permissions(agency_id, subjects, stream=stream, renditions_stream=renditions_stream)
    seed = None
    if derive_from is not None:
        seed = derived_seed(account_seed, f"agency:{agency_id}:{derive_from}", nkeys.PREFIX_BYTE_USER)
    user = user_creds(
        account_seed, name=consumer_name(agency_id), publish=publish, subscribe=subscribe, expires=expires, seed=seed
    )
    return AgencyUser(
        public_key=user.public_key,
        jwt=user.jwt,
        seed=user.seed,
        text=user.text,
        inbox_prefix=inbox_prefix(agency_id),
        consumer=consumer_name(agency_id),
    )


def renditions_stream_config(name: str = RENDITIONS_STREAM, *, replicas: int = 1) -> StreamConfig:
    return StreamConfig(
        name=name,
        subjects=[f"{JSON_PREFIX}.>", f"{CAP_PREFIX}.>"],
        storage=StorageType.FILE,
        duplicate_window=DUPLICATE_WINDOW.total_seconds(),
        num_replicas=replicas,
    )


async def ensure_agency_consumers(
    js: JetStreamContext,
    agency_id: str,
    subjects: list[str],
    *,
    stream: str,
    renditions_stream: str = RENDITIONS_STREAM,
    deliver_policy: DeliverPolicy = DeliverPolicy.NEW,
) -> str:
    """Create or update the agency's durable pull consumers on both streams, each filtered to the
    agency's subjects in it (a stream without any loses the agency's consumer); returns its name.

    ``deliver_policy`` applies when a consumer is created (NEW: events from then on); an existing
    consumer keeps its position and only gets the new filters.
    """
    name = consumer_name(agency_id)
    for stream_name, filters in zip((stream, renditions_stream), split_by_stream(subjects), strict=True):
        if not filters:
            with contextlib.suppress(NotFoundError):
                await js.delete_consumer(stream_name, name)
            continue
        try:
            existing = await js.consumer_info(stream_name, name)
            policy = existing.config.deliver_policy or deliver_policy
        except NotFoundError:
            policy = deliver_policy
        await js.add_consumer(
            stream_name,
            ConsumerConfig(
                name=name,
                durable_name=name,
                description=f"agency {agency_id}",
                ack_policy=AckPolicy.EXPLICIT,
                deliver_policy=policy,
                filter_subjects=filters,
            ),
        )
    return name
