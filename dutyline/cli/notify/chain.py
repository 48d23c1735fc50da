"""The steps of an escalation chain (升级链) as written on the command line, both ways.

A step is ``RECIPIENT[:CHANNEL]:WAIT_SECONDS``; the recipient is a role at the chain's site or at
another one (``officer``, ``leader``, ``unit_head``, ``supervisor``, ``admin``, ``leader@nb-01``),
the duty office above the site (``superior``, or ``superior@nb-01`` above another site), or one
person (``person:p-hz-leader-1``). Examples: ``leader:300``, ``unit_head@hq:sms:600``,
``person:p-x:sms:120``. Pure: no I/O.
"""

from __future__ import annotations

from dutyline.cli.common.enums import allowed_names, enum_name, enum_value
from dutyline.cli.common.i18n import label, t
from dutyline.common.v1 import common_pb2
from dutyline.envelope import SITE_ID_PATTERN
from dutyline.notify.v1 import notify_pb2

SUPERIOR = "superior"
PERSON = "person"
MAX_WAIT = 86400
EXAMPLES = "leader:300, unit_head@hq:sms:600, superior:900, person:p-x:sms:120"
# What the API takes, by the proto's rules: a step's channels, and the roles a chain may name.
CHANNELS = allowed_names(notify_pb2.EscalationStep, "channel")
ROLES = allowed_names(notify_pb2.RoleAtSite, "role")


class StepError(ValueError):
    """A step that cannot be read; the message says what is wrong, in the chosen language."""


def _fail(step: str, why: str) -> StepError:
    return StepError(t("chain.bad_step", step=step, why=why, examples=EXAMPLES))


def _wait(step: str, text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_WAIT:
        raise _fail(step, t("chain.bad_wait", wait=text, max=MAX_WAIT))
    return int(text)


def _channel(step: str, parts: list[str]) -> str:
    """The optional channel between the recipient and the wait."""
    if not parts:
        return ""
    if len(parts) > 1:
        raise _fail(step, t("chain.too_many_parts"))
    if parts[0] not in CHANNELS:
        raise _fail(step, t("chain.bad_channel", channel=parts[0], channels=", ".join(CHANNELS)))
    return parts[0]


def _at_site(step: str, text: str) -> tuple[str, str]:
    """``leader@nb-01`` → ("leader", "nb-01"); ``leader`` → ("leader", "")."""
    name, at, site = text.partition("@")
    if at and not SITE_ID_PATTERN.match(site):
        raise _fail(step, t("chain.bad_site", site=site))
    return name, site


def parse_step(text: str) -> notify_pb2.EscalationStep:
    """One step of a chain, read strictly: a StepError says what is wrong."""
    step = text.strip()
    parts = step.split(":")
    if len(parts) < 2 or not parts[-1]:
        raise _fail(step, t("chain.need_wait"))
    wait = _wait(step, parts[-1])
    head, middle = parts[0], parts[1:-1]
    if head == PERSON:
        if not middle or not middle[0].strip() or middle[0] != middle[0].strip():
            raise _fail(step, t("chain.need_person"))
        recipient = notify_pb2.Recipient(person_id=middle[0])
        middle = middle[1:]
    else:
        name, site = _at_site(step, head)
        if name == SUPERIOR:
            recipient = notify_pb2.Recipient(superior_of_site=site)
        elif name in ROLES:
            recipient = notify_pb2.Recipient(
                role=notify_pb2.RoleAtSite(site_id=site, role=enum_value(common_pb2.Role, name))
            )
        else:
            raise _fail(step, t("chain.bad_recipient", recipient=head, roles="|".join(ROLES)))
    return notify_pb2.EscalationStep(recipient=recipient, channel=_channel(step, middle), wait_seconds=wait)


def parse_steps(texts: list[str]) -> list[notify_pb2.EscalationStep]:
    return [parse_step(text) for text in texts]


# -- and back ---------------------------------------------------------------------------------------


def recipient_text(recipient: notify_pb2.Recipient, site_id: str = "") -> str:
    """A recipient as written in a step (``leader``, ``leader@nb-01``, ``superior``, ``person:p-x``);
    the chain's own site is left out."""
    target = recipient.WhichOneof("target")
    if target == "person_id":
        return f"{PERSON}:{recipient.person_id}"
    if target == "superior_of_site":
        other = recipient.superior_of_site
        return SUPERIOR if other in ("", site_id) else f"{SUPERIOR}@{other}"
    if target == "role":
        name = enum_name(common_pb2.Role, recipient.role.role)
        other = recipient.role.site_id
        return name if other in ("", site_id) else f"{name}@{other}"
    return ""


def step_text(step: notify_pb2.EscalationStep, site_id: str = "") -> str:
    """A step as ``--step`` takes it, so that a chain shown can be set again as it is."""
    parts = [recipient_text(step.recipient, site_id), step.channel, str(step.wait_seconds)]
    return ":".join(part for part in parts if part)


def recipient_label(recipient: notify_pb2.Recipient, site_id: str = "") -> str:
    """Who a recipient stands for, in words (带班领导 @nb-01, 上级值班室, 人员 p-x)."""
    target = recipient.WhichOneof("target")
    if target == "person_id":
        return t("chain.person", person=recipient.person_id)
    if target == "superior_of_site":
        other = recipient.superior_of_site
        return t("chain.superior") + ("" if other in ("", site_id) else f" @{other}")
    if target == "role":
        name = enum_name(common_pb2.Role, recipient.role.role)
        other = recipient.role.site_id
        return label("role", name) + ("" if other in ("", site_id) else f" @{other}")
    return ""
