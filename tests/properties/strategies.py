"""Adversarial requests for any protobuf message type, built from its descriptor.

``requests(Message class)`` draws a message whose every field (recursively, to a bounded depth) is
left unset, set to a plausible value, or set to a hostile one. How hostile a whole request is, is
drawn first (from "all plausible" to "mostly hostile"), so a good share of the requests pass the
boundary's validation and reach the handlers, while the rest probe the validation itself:

- strings: empty, whitespace, huge (10^5 to 10^6 characters), NUL, C0 controls, ANSI escapes, direction
  overrides, noncharacters, astral and combining characters, path traversal, SQL-ish quotes, long
  single tokens, ids that look valid, and a plausible value spoiled by one of these; plausible values
  come from the field's protovalidate rules (``in``, ``pattern``, dutyline's id/site/key/line/text
  rules) and its name (site ids, people, ``call-…``/``inc-…`` ids of the right kind, uuid4 keys);
- integers at the edges of their type; enums by their raw number (defined values, 0, -1, 7, 99, -2^31);
- doubles: nan, ±inf, huge, tiny, beyond ±90/±180, and valid coordinates;
- google.protobuf.Timestamp: now ± minutes (or hours/days), year 1, 9999, 10000, 2^62 seconds,
  nanos -1 and 10^9;
- repeated fields: usually 0-3 items, sometimes 1,000 (lists of ids: sometimes 100,000 short ones);
- maps: keys that are emoji, whitespace, empty or NUL, huge values, sometimes hundreds of pairs;
- oneofs: one member (or none).

``Fuzz`` carries what a test needs to keep a shared stack usable: values some fields must never take
(``avoid``: the demo organization's own ids), plausible values of its own for some fields
(``plausible``), and real ids by kind (``known``: a pool the test may grow from responses), so that
plausible requests also reach entities that exist.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from hypothesis import strategies as st

from buf.validate import validate_pb2
from dutyline.common.v1 import rules_pb2

# The extensions (protovalidate's and dutyline's rules), untyped: their stubs name them FieldDescriptor.
EXT_VALIDATE: Any = validate_pb2
EXT_RULES: Any = rules_pb2

TIMESTAMP = "google.protobuf.Timestamp"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
YEAR_1 = -62_135_596_800  # 0001-01-01T00:00:00Z
YEAR_9999_END = 253_402_300_799  # 9999-12-31T23:59:59Z
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
UINT32 = (0, 2**32 - 1)
UINT64 = (0, 2**64 - 1)

# Plausible times by field name, in seconds from now: a call rings, is answered, ends; a range starts
# before it ends.
TIME_OFFSETS = {
    "ring_started_at": (-60, -31),
    "answered_at": (-30, -11),
    "ended_at": (-10, 0),
    "start": (-3 * 86400, -3600),
    "end": (3600, 3 * 86400),
}

SITES = ("hz-01", "nb-01")
PEOPLE = ("p-hz-officer-1", "p-hz-officer-2", "p-hz-leader-1", "p-nb-officer-1", "p-east-supervisor", "p-admin")
# Fields named like these hold ids of this kind (prefix of dutyline.ids.new_id).
ID_KINDS = {
    "call_id": "call",
    "call_ids": "call",
    "incident_id": "inc",
    "link_incident_id": "inc",
    "primary_id": "inc",
    "duplicate_id": "inc",
    "ref_id": "inc",
    "callback_id": "cb",
    "notification_id": "ntf",
    "escalation_id": "esc",
    "leave_id": "leave",
    "swap_id": "swap",
    "handover_id": "ho",
    "suggestion_id": "mrg",
    "report_id": "rep",
    "assignment_id": "a",
    "outgoing_assignment_id": "a",
    "incoming_assignment_id": "a",
    "other_assignment_id": "a",
    "agency_id": "agency",
    "pattern_id": "pattern",
}
PERSON_FIELDS = frozenset(
    {"person_id", "person_ids", "officer_id", "first_responder_id", "substitute_id", "recipient_id", "target_id"}
)
SITE_FIELDS = frozenset({"site_id", "site_ids", "parent_id", "superior_of_site", "ancestor_ids"})

HOSTILE_TEXT: tuple[str, ...] = (
    "",
    " ",
    "\t \n ",
    "\u3000",  # ideographic space
    "\u200b",  # zero-width space
    "\x00",
    "a\x00b",
    "\x00" * 64,
    "".join(map(chr, range(1, 32))) + "\x7f",
    "line one\r\nline two",
    "\x1b[31mred\x1b[0m\x1b[2J",
    "\u202egnp.exe",
    "\u2066isolate\u2069",
    "\u202a\u202b\u202c\u202d",
    "\ufffe",
    "\uffff",
    "\U0010ffff",
    "😀" * 7,
    "👨‍👩‍👧‍👦",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "e" + "\u0301" * 200,
    "Z̷̢̛̛a̶͎̓l̵g̸o̷",
    "../../etc/passwd",
    "..\\..\\windows\\system32",
    "/dev/null",
    "'; DROP TABLE calls; --",
    '" OR "1"="1',
    "' OR 1=1 --",
    "%s%s%n%x",
    "${jndi:ldap://x/a}",
    "{{7*7}}",
    "<script>alert(1)</script>",
    "null",
    "None",
    "0",
    "-1",
    "NaN",
    "1e309",
    "*",
    ">",
    "dutyline.>",
    "a.b c",
    "hz-01",
    "HZ-01",
    "hz_01",
    "hz-01.",
    "hz-01\x00",
    "nb-01",
    "east",
    "hq",
    "p-hz-officer-1",
    "p-hz-officer-1\u202e",
    "system:intake",
    "call-01JD3XZ8K9QWERTYUIOPASDFGH",
    "inc-01JD3XZ8K9QWERTYUIOPASDFGH",
    "inc-00000000000000000000000000",
    "inc-ZZZZZZZZZZZZZZZZZZZZZZZZZZ",
    "inc-" + "0" * 25,
    "x" * 63,
    "x" * 64,
    "a" * 129,
    "k" * 200,
    "k" * 201,
)


def ulid_like() -> st.SearchStrategy[str]:
    return st.text(CROCKFORD, min_size=26, max_size=26)


def huge_text() -> st.SearchStrategy[str]:
    """10^5 to 10^6 characters (at most about 3.2 MB of UTF-8, under gRPC's 4 MiB limit)."""

    def build(unit: str, size: int) -> str:
        return (unit * (size // len(unit) + 1))[: min(size, 3_200_000 // len(unit.encode()))]

    units = st.sampled_from(["x", "é", "消", "😀", "ab\x00", "a b ", "\u202e", "\n"])
    return st.builds(build, units, st.integers(100_000, 1_000_000))


def long_token() -> st.SearchStrategy[str]:
    return st.builds(lambda c, n: c * n, st.sampled_from(["a", "9", "-", "消", "😀"]), st.integers(129, 5_000))


def any_text() -> st.SearchStrategy[str]:
    return st.text(st.characters(codec="utf-8"), max_size=40)


def spoiled(plausible: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A plausible value with a hostile part before, inside or after it."""

    def spoil(value: str, bad: str, where: int) -> str:
        cut = len(value) // 2
        return (bad + value, value[:cut] + bad + value[cut:], value + bad)[where]

    return st.builds(
        spoil,
        plausible,
        st.sampled_from(["\x00", "\x1b", "\u202e", "\ufffe", "😀", " ", "\n", "'", "/"]),
        st.integers(0, 2),
    )


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE_TEXT), any_text(), long_token(), huge_text(), spoiled(st.sampled_from(SITES + PEOPLE))
    )


def _rules(f: FieldDescriptor) -> validate_pb2.FieldRules | None:
    options = f.GetOptions()
    if not options.HasExtension(EXT_VALIDATE.field):
        return None
    rules: validate_pb2.FieldRules = options.Extensions[EXT_VALIDATE.field]
    return rules


def _string_rules(f: FieldDescriptor) -> validate_pb2.StringRules | None:
    """The string rules of the field, or of the items (values) of a repeated field (map)."""
    rules = _rules(f)
    if rules is None:
        return None
    if rules.HasField("string"):
        return rules.string
    if rules.HasField("repeated") and rules.repeated.items.HasField("string"):
        return rules.repeated.items.string
    if rules.HasField("map") and rules.map.values.HasField("string"):
        return rules.map.values.string
    return None


def _enum_rules(f: FieldDescriptor) -> validate_pb2.EnumRules | None:
    rules = _rules(f)
    if rules is None:
        return None
    if rules.HasField("enum"):
        return rules.enum
    if rules.HasField("repeated") and rules.repeated.items.HasField("enum"):
        return rules.repeated.items.enum
    return None


def optional(f: FieldDescriptor) -> bool:
    """Declared optional: its zero value is not checked."""
    rules = _rules(f)
    return rules is not None and rules.ignore == validate_pb2.IGNORE_IF_ZERO_VALUE


def required(f: FieldDescriptor) -> bool:
    """Its zero value (unset, "", 0, no items) is refused by the field's rules."""
    rules = _rules(f)
    if rules is None or optional(f):
        return False
    if rules.required or (rules.HasField("repeated") and rules.repeated.min_items > 0):
        return True
    if rules.HasField("string"):
        r = rules.string
        if any(r.Extensions[e] for e in (EXT_RULES.key, EXT_RULES.site, EXT_RULES.id, EXT_RULES.filled)):
            return True
        allowed = list(getattr(r, "in"))
        if r.min_len > 0 or (allowed and "" not in allowed):
            return True
        return bool(r.pattern) and _matches(r.pattern, "") is False
    which = rules.WhichOneof("type")
    if which in ("int32", "int64", "uint32", "uint64"):
        r = getattr(rules, which)
        return r.HasField("gte") and r.gte > 0
    if which == "enum":
        allowed = list(getattr(rules.enum, "in"))
        return bool(allowed) and 0 not in allowed
    return False


def _matches(pattern: str, value: str) -> bool | None:
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return None


def _regex(pattern: str) -> st.SearchStrategy[str] | None:
    try:
        re.compile(pattern)
    except re.error:  # RE2 syntax Python does not take: no plausible value from it
        return None
    return st.from_regex(pattern, fullmatch=True)


@dataclass
class Fuzz:
    """What requests may and may not contain.

    avoid: ``Message.field`` → values never given (and never left unset when "" is among them);
    plausible: ``Message.field`` or a bare field name → its plausible values;
    known: id kind (``call``, ``inc``, ``a``, …) → real ids, read at draw time (a test may add to it);
    now: the clock plausible times are drawn around.
    """

    avoid: Mapping[str, frozenset[str]] = field(default_factory=dict)
    plausible: Mapping[str, st.SearchStrategy[Any]] = field(default_factory=dict)
    known: MutableMapping[str, list[str]] = field(default_factory=dict)
    sites: Sequence[str] = SITES
    people: Sequence[str] = PEOPLE
    max_depth: int = 4
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    _cache: dict[tuple[str, ...], st.SearchStrategy[Any]] = field(default_factory=dict, repr=False)

    # --- strings -----------------------------------------------------------------------------

    def _known_or(self, kind: str, fallback: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        """A real id of the kind when there are some (read when drawn), else the fallback."""

        @st.composite
        def draw_id(draw: st.DrawFn) -> str:
            pool = self.known.get(kind) or []
            if pool and draw(st.integers(0, 3)) > 0:
                return draw(st.sampled_from(list(pool)))
            return draw(fallback)

        return draw_id()

    def _id_of_kind(self, kind: str) -> st.SearchStrategy[str]:
        if kind == "a":
            made_up = st.builds(
                lambda site, day, shift, n: f"a-{site}-2026-01-{day:02d}-{shift}-officer-{n}",
                st.sampled_from(self.sites),
                st.integers(1, 31),
                st.sampled_from(["day", "night"]),
                st.integers(1, 2),
            )
        else:
            made_up = st.builds(lambda u: f"{kind}-{u}", ulid_like())
        return self._known_or(kind, made_up)

    def plausible_string(self, owner: Descriptor, f: FieldDescriptor) -> st.SearchStrategy[str]:
        name = f.name
        for key in (f"{owner.name}.{name}", name):
            if key in self.plausible:
                return self.plausible[key]
        string_rules = _string_rules(f)
        allowed = list(getattr(string_rules, "in")) if string_rules is not None else []
        if allowed:
            return st.sampled_from(allowed)
        if name == "time_zone":
            return st.sampled_from(
                ["Asia/Shanghai", "UTC", "Europe/Berlin", "America/St_Johns", "Mars/Olympus", "EST5EDT"]
            )
        if name == "idempotency_key" or (string_rules is not None and string_rules.Extensions[EXT_RULES.key]):
            # Mostly a fresh key; now and then one hypothesis repeats (a retry, or a key reused for
            # another request).
            fresh = st.builds(lambda: str(uuid.uuid4()))
            return st.one_of(fresh, fresh, fresh, st.uuids(version=4).map(str))
        if name in SITE_FIELDS or (string_rules is not None and string_rules.Extensions[EXT_RULES.site]):
            return st.one_of(st.sampled_from(list(self.sites)), st.sampled_from(["zz-99", "east", "hq"]))
        if name in PERSON_FIELDS:
            return st.one_of(st.sampled_from(list(self.people)), st.just("p-nobody"))
        if name in ID_KINDS:
            return self._id_of_kind(ID_KINDS[name])
        if string_rules is not None and string_rules.pattern:
            regex = _regex(string_rules.pattern)
            if regex is not None:
                return regex
        if string_rules is not None and string_rules.Extensions[EXT_RULES.id]:
            return self._id_of_kind(name.removesuffix("_id").removesuffix("_ids") or "x")
        limit = 0
        if string_rules is not None:
            limit = string_rules.Extensions[EXT_RULES.line] or string_rules.Extensions[EXT_RULES.text]
        # No kind of event (fire, gas leak, ...): an emergency call drawn here must not match, and be
        # linked to, the incidents of other tests' calls.
        words = st.sampled_from(
            ["坏输入测试 bad input", "模糊测试 fuzzing", "Road 12", "张三", "ok", "情况已核实 verified"]
        )
        free = st.text(st.characters(categories=["L", "N", "Zs", "P"], codec="utf-8"), min_size=1, max_size=60)
        text = st.one_of(words, free)
        if limit:
            text = text.map(lambda s: s[:limit])
        return text

    def string_value(self, owner: Descriptor, f: FieldDescriptor, hostile: bool) -> st.SearchStrategy[str]:
        key = ("s", owner.full_name, f.name, str(hostile))
        if key not in self._cache:
            values = hostile_text() if hostile else self.plausible_string(owner, f)
            avoid = self.avoid.get(f"{owner.name}.{f.name}")
            if avoid:
                values = values.filter(lambda v: v not in avoid)
            self._cache[key] = values
        return self._cache[key]

    # --- other scalars --------------------------------------------------------------------------

    @staticmethod
    def _int_range(f: FieldDescriptor) -> tuple[int, int]:
        if f.type in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32):
            return UINT32
        if f.type in (FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64):
            return UINT64
        if f.cpp_type == FieldDescriptor.CPPTYPE_INT64:
            return INT64
        return INT32

    def int_value(self, f: FieldDescriptor, hostile: bool) -> st.SearchStrategy[int]:
        low, high = self._int_range(f)
        if hostile:
            edges = sorted(
                {v for v in (0, -1, 1, low, high, low + 1, high - 1, 2**31, -(2**31) - 1, 2**32) if low <= v <= high}
            )
            return st.one_of(st.sampled_from(edges), st.integers(low, high))
        rules = _rules(f)
        if rules is not None:
            which = rules.WhichOneof("type")
            if which in ("int32", "int64", "uint32", "uint64"):
                r = getattr(rules, which)
                lo = r.gte if r.HasField("gte") else low
                hi = r.lte if r.HasField("lte") else high
                lo, hi = max(lo, low), min(hi, high)
                return st.one_of(st.integers(lo, min(hi, lo + 3)), st.integers(lo, hi))
        return st.integers(max(low, 0), min(high, 100))

    @staticmethod
    def enum_value(f: FieldDescriptor, hostile: bool) -> st.SearchStrategy[int]:
        assert f.enum_type is not None
        defined = sorted(v.number for v in f.enum_type.values)
        if hostile:
            return st.sampled_from(sorted({0, -1, 7, 99, -(2**31), 2**31 - 1, max(defined) + 1}))
        rules = _enum_rules(f)
        allowed = list(getattr(rules, "in")) if rules is not None else []
        if allowed:
            return st.sampled_from(sorted(allowed))
        if required(f):
            defined = [v for v in defined if v != 0] or defined
        return st.sampled_from(defined)

    @staticmethod
    def double_value(f: FieldDescriptor, hostile: bool) -> st.SearchStrategy[float]:
        if hostile:
            return st.sampled_from(
                [math.nan, math.inf, -math.inf, 1e308, -1e308, 5e-324, -0.0, 90.0000001, -180.5, 1e9, 2.0**63]
            )
        if f.name == "latitude":
            # Far from every place the other tests use (China), and the exact edges.
            return st.one_of(st.floats(-60.0, -30.0), st.sampled_from([90.0, -90.0, 0.0]))
        if f.name == "longitude":
            return st.one_of(st.floats(-80.0, -50.0), st.sampled_from([180.0, -180.0, 0.0]))
        rules = _rules(f)
        if rules is not None and rules.HasField("double"):
            r = rules.double
            return st.floats(r.gte if r.HasField("gte") else -1e6, r.lte if r.HasField("lte") else 1e6)
        return st.floats(0.0, 1.0)

    # --- timestamps -----------------------------------------------------------------------------

    def timestamp(self, f: FieldDescriptor | None, *, hostile: bool = False) -> st.SearchStrategy[Message]:
        """Hostile times, or plausible ones near now: within the field's window (``past_days``,
        ``future_days``, ``gt_now``) and in the order its name implies (rung, answered, ended)."""
        cls = message_factory.GetMessageClass(_timestamp_descriptor())

        def at(seconds: int, nanos: int) -> Message:
            value = cls()
            value.seconds = seconds  # type: ignore[attr-defined]
            value.nanos = nanos  # type: ignore[attr-defined]
            return value

        def near_now(offset_seconds: float) -> Message:
            moment = self.now() + timedelta(seconds=offset_seconds)
            return at(math.floor(moment.timestamp()), moment.microsecond * 1000)

        if hostile:
            now_s = int(self.now().timestamp())
            seconds = st.sampled_from(
                [
                    2**62,
                    -(2**62),
                    2**63 - 1,
                    -(2**63),
                    YEAR_1,
                    YEAR_1 - 1,
                    YEAR_9999_END,
                    YEAR_9999_END + 1,
                    0,
                    -1,
                    946_684_799,  # 1999-12-31T23:59:59Z
                    4_102_444_800,  # 2100-01-01
                    now_s + 10 * 365 * 86400,
                    now_s - 10 * 365 * 86400,
                ]
            )
            nanos = st.sampled_from([0, 0, -1, 10**9, 2**31 - 1, -(2**31), 999_999_999])
            bad_nanos_now = st.builds(lambda n: at(now_s, n), st.sampled_from([-1, 10**9, -(2**31), 2**31 - 1]))
            return st.one_of(st.builds(at, seconds, nanos), bad_nanos_now)
        low, high = TIME_OFFSETS.get(f.name if f is not None else "", (-1800, 1800))
        rules = _rules(f) if f is not None else None
        if rules is not None and rules.HasField("timestamp"):
            window = rules.timestamp
            if window.HasExtension(EXT_RULES.past_days):
                low, high = max(low, -window.Extensions[EXT_RULES.past_days] * 86400 + 600), min(high, 0)
            if window.HasExtension(EXT_RULES.future_days) or window.gt_now:
                low, high = max(low, 120), min(max(high, 120), 3 * 86400)
        if low > high:
            low, high = high, low
        return st.builds(near_now, st.integers(low, high).map(float))

    # --- messages -------------------------------------------------------------------------------

    def message(
        self, descriptor: Descriptor, depth: int = 0, hostility: int | None = None
    ) -> st.SearchStrategy[Message]:
        """Messages of the type; ``hostility`` (0: plausible or unset only, to 8: always hostile) is
        drawn for a whole request and shared by the messages inside it."""
        key = ("m", descriptor.full_name, str(depth), str(hostility))
        if key not in self._cache:
            self._cache[key] = self._message(descriptor, depth, hostility)
        return self._cache[key]

    def _message(self, descriptor: Descriptor, depth: int, fixed: int | None) -> st.SearchStrategy[Message]:
        if descriptor.full_name == TIMESTAMP:
            return st.one_of(self.timestamp(None), self.timestamp(None, hostile=True))
        cls = message_factory.GetMessageClass(descriptor)
        synthetic = [o for o in descriptor.oneofs if len(o.fields) == 1 and o.name == "_" + o.fields[0].name]
        real_oneofs = [o for o in descriptor.oneofs if o not in synthetic]
        in_oneof = {f.name for o in real_oneofs for f in o.fields}
        # proto3 ``optional`` fields (latitude and longitude, say): a plausible message sets all or none.
        together = {o.fields[0].name for o in synthetic}

        @st.composite
        def build(draw: st.DrawFn) -> Message:
            hostility = fixed
            if hostility is None:
                hostility = draw(st.sampled_from([0, 0, 0, 1, 2, 4, 8]), label=f"{descriptor.name} hostility")
            msg = cls()
            for oneof in real_oneofs:
                must: bool = oneof.GetOptions().Extensions[EXT_VALIDATE.oneof].required
                members = [*oneof.fields] if must and hostility == 0 else [None, *oneof.fields]
                chosen = draw(st.sampled_from(members), label=f"{descriptor.name}.{oneof.name}")
                if chosen is not None:
                    self._set(draw, msg, descriptor, chosen, depth, hostility, force=True)
            with_optionals = draw(st.booleans()) if hostility == 0 and together else None
            for f in descriptor.fields:
                if f.name in in_oneof or (with_optionals is False and f.name in together):
                    continue
                self._set(draw, msg, descriptor, f, depth, hostility, force=bool(with_optionals and f.name in together))
            return msg

        return build()

    def _set(
        self,
        draw: st.DrawFn,
        msg: Message,
        owner: Descriptor,
        f: FieldDescriptor,
        depth: int,
        hostility: int,
        *,
        force: bool,
    ) -> None:
        avoid = self.avoid.get(f"{owner.name}.{f.name}", frozenset())
        must_set = force or "" in avoid
        # Out of 10: a plausible request sets what is required and leaves what is optional mostly unset.
        odds = (0 if required(f) else 7 if optional(f) else 2) if hostility == 0 else 2
        unset = draw(st.integers(0, 9), label=f"{f.name} mode") < odds
        if unset and not must_set:
            return
        hostile = draw(st.integers(0, 7)) < hostility
        if f.message_type is not None and f.message_type.GetOptions().map_entry:
            self._set_map(draw, msg, owner, f, depth, hostile, hostility)
        elif f.is_repeated:
            self._set_repeated(draw, msg, owner, f, depth, hostile, hostility)
        elif f.message_type is not None:
            if depth >= self.max_depth:
                return
            if hostile and f.message_type.full_name != TIMESTAMP and draw(st.booleans()):
                getattr(msg, f.name).SetInParent()  # present but empty
            else:
                getattr(msg, f.name).CopyFrom(draw(self._sub(f, depth, hostile, hostility)))
        else:
            setattr(msg, f.name, draw(self.scalar(owner, f, hostile)))

    def _sub(self, f: FieldDescriptor, depth: int, hostile: bool, hostility: int) -> st.SearchStrategy[Message]:
        assert f.message_type is not None
        if f.message_type.full_name == TIMESTAMP:
            return self.timestamp(f, hostile=hostile)
        return self.message(f.message_type, depth + 1, hostility)

    def scalar(self, owner: Descriptor, f: FieldDescriptor, hostile: bool) -> st.SearchStrategy[Any]:
        if f.type == FieldDescriptor.TYPE_STRING:
            return self.string_value(owner, f, hostile)
        if f.type == FieldDescriptor.TYPE_BYTES:
            return st.binary(max_size=64) if not hostile else st.sampled_from([b"", b"\x00" * 10, b"\xff" * 100_000])
        if f.type == FieldDescriptor.TYPE_BOOL:
            return st.booleans()
        if f.type == FieldDescriptor.TYPE_ENUM:
            return self.enum_value(f, hostile)
        if f.cpp_type in (FieldDescriptor.CPPTYPE_DOUBLE, FieldDescriptor.CPPTYPE_FLOAT):
            return self.double_value(f, hostile)
        return self.int_value(f, hostile)

    def _count(self, draw: st.DrawFn, f: FieldDescriptor, hostile: bool) -> int:
        if not hostile:
            rules = _rules(f)
            low = rules.repeated.min_items if rules is not None and rules.HasField("repeated") else 0
            return draw(st.integers(min(low, 3), 3))
        many = [0, 1, 2, 3, 51, 101, 1_000]
        if f.type == FieldDescriptor.TYPE_STRING and (f.name in ID_KINDS or f.name in PERSON_FIELDS):
            many.append(100_000)
        return draw(st.sampled_from(many), label=f"{f.name} count")

    def _set_repeated(
        self,
        draw: st.DrawFn,
        msg: Message,
        owner: Descriptor,
        f: FieldDescriptor,
        depth: int,
        hostile: bool,
        hostility: int,
    ) -> None:
        count = self._count(draw, f, hostile)
        target = getattr(msg, f.name)
        if f.message_type is not None:
            if depth >= self.max_depth:
                return
            items = [draw(self._sub(f, depth, hostile, hostility)) for _ in range(min(count, 3))]
            for n in range(_within_budget(count, [m.ByteSize() for m in items])):
                target.add().CopyFrom(items[n % len(items)])
            return
        if count > 3 and f.type == FieldDescriptor.TYPE_STRING and draw(st.booleans()):
            # Distinct ids that look real and name nothing.
            kind = ID_KINDS.get(f.name, "x")
            target.extend(f"{kind}-{n:026d}" for n in range(count))
            return
        items = [draw(self.scalar(owner, f, hostile and draw(st.booleans()))) for _ in range(min(count, 3))]
        if items:
            sizes = [len(v.encode()) if isinstance(v, str) else 8 for v in items]
            target.extend(items[n % len(items)] for n in range(_within_budget(count, sizes)))

    def _set_map(
        self,
        draw: st.DrawFn,
        msg: Message,
        owner: Descriptor,
        f: FieldDescriptor,
        depth: int,
        hostile: bool,
        hostility: int,
    ) -> None:
        entry = f.message_type
        assert entry is not None
        key_f, value_f = entry.fields_by_name["key"], entry.fields_by_name["value"]
        target = getattr(msg, f.name)
        count = draw(st.sampled_from([0, 1, 2, 3, 51, 500])) if hostile else draw(st.integers(0, 3))
        for _ in range(min(count, 6)):
            bad_key = hostile and draw(st.booleans())
            if key_f.type == FieldDescriptor.TYPE_STRING:
                k = draw(
                    st.one_of(
                        st.sampled_from(["😀", " ", "", "\x00", "a b", "Key", "\u202ekey", "x" * 41]), hostile_text()
                    )
                    if bad_key
                    else st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)
                )
            else:
                k = draw(self.scalar(entry, key_f, bad_key))
            if value_f.message_type is not None:
                target[k].CopyFrom(draw(self._sub(value_f, depth, hostile, hostility)))
            else:
                target[k] = draw(self.scalar(owner, value_f, hostile and draw(st.booleans())))
        if count > 6 and key_f.type == FieldDescriptor.TYPE_STRING and value_f.message_type is None:
            filler = draw(self.scalar(owner, value_f, False))
            for n in range(count - 6):
                target[f"k{n}"] = filler

    # --- the entry point ------------------------------------------------------------------------

    def requests(self, cls: type[Message]) -> st.SearchStrategy[Message]:
        return self.message(cast(Descriptor, cls.DESCRIPTOR))


# Repeated copies of drawn items stop at about this many bytes: a little over gRPC's default 4 MiB
# receive limit (so that limit is met too), and far from exhausting the test's memory (a thousand
# copies of a megabyte string would take a gigabyte).
REPEATED_BUDGET = 4_500_000


def _within_budget(count: int, sizes: Sequence[int]) -> int:
    """How many of ``count`` copies (cycling through items of these sizes) fit the budget; at least
    the items themselves."""
    if not sizes:
        return 0
    average = max(1, sum(sizes) // len(sizes))
    return min(count, max(len(sizes), REPEATED_BUDGET // average))


def _timestamp_descriptor() -> Descriptor:
    from google.protobuf import timestamp_pb2

    return timestamp_pb2.Timestamp.DESCRIPTOR


def requests(cls: type[Message], fuzz: Fuzz | None = None) -> st.SearchStrategy[Message]:
    """Adversarial requests of the message type ``cls`` (see the module's docstring)."""
    return (fuzz or Fuzz()).requests(cls)


def summary(message: Message, limit: int = 1_500) -> str:
    """A compact, readable rendering of a request: long strings and lists shortened (with their
    length), control characters escaped — enough to rebuild the request by hand."""

    def text(value: str) -> str:
        if len(value) > 60:
            head = value[:24]
            return f"{head!r}…(len={len(value)}, chars={sorted(set(value))[:6]!r})"
        return repr(value)

    def render(value: Any, f: FieldDescriptor | None = None) -> str:
        if isinstance(value, Message):
            if value.DESCRIPTOR.full_name == TIMESTAMP:
                return f"Timestamp(seconds={value.seconds}, nanos={value.nanos})"  # type: ignore[attr-defined]
            parts = []
            for fd, v in value.ListFields():
                parts.append(f"{fd.name}={render(v, fd)}")
            return "{" + ", ".join(parts) + "}"
        if isinstance(value, str):
            return text(value)
        if f is not None and f.message_type is not None and f.message_type.GetOptions().map_entry:
            items = list(value.items())
            shown = ", ".join(f"{text(k)}: {render(v)}" for k, v in items[:5])
            return "{" + shown + (f", …({len(items)} pairs)" if len(items) > 5 else "") + "}"
        if isinstance(value, (list, tuple)) or (f is not None and f.is_repeated):
            items = list(value)
            shown = ", ".join(render(v) for v in items[:3])
            return "[" + shown + (f", …({len(items)} items)" if len(items) > 3 else "") + "]"
        if f is not None and f.type == FieldDescriptor.TYPE_ENUM:
            known = f.enum_type.values_by_number.get(value) if f.enum_type is not None else None
            return known.name if known is not None else str(value)
        return repr(value)

    rendered = f"{message.DESCRIPTOR.name}{render(message)}"
    return rendered if len(rendered) <= limit else rendered[:limit] + "…"
