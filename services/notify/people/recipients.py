"""Who a recipient is at send time, asked of roster: a person, the people on duty in a role now
(e.g. the duty leader of site X), the site's people holding a role, the superior duty office, or an
entry of the directory (通讯录: a department a message was left for, reached through its contacts)."""

from __future__ import annotations

from dataclasses import dataclass

import grpc

from dutyline.grpckit.convert import ROLE_VALUES
from dutyline.grpckit.errors import FieldViolation, InvalidArgument
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from workflows.escalation.types import StepData

TIMEOUT = 5.0


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    contacts: tuple[tuple[str, str], ...]
    site_id: str = ""  # the person's own site, checked against the sender's
    # An entry of the directory: no seat at the duty console, so only its own contacts reach it.
    directory: bool = False


class RecipientResolver:
    def __init__(self, roster: roster_pb2_grpc.RosterServiceStub) -> None:
        self._roster = roster

    async def person(self, person_id: str) -> Person | None:
        try:
            found = await self._roster.GetPerson(roster_pb2.GetPersonRequest(person_id=person_id), timeout=TIMEOUT)
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return None
            raise
        return Person(
            found.id, found.display_name, tuple((c.channel, c.address) for c in found.contacts), found.site_id
        )

    async def directory_entry(self, entry_id: str) -> Person | None:
        try:
            entry = await self._roster.GetDirectoryEntry(
                roster_pb2.GetDirectoryEntryRequest(entry_id=entry_id), timeout=TIMEOUT
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return None
            raise
        name = " ".join(p for p in (entry.department, entry.name) if p)
        contacts = tuple((c.channel, c.address) for c in entry.contacts)
        return Person(entry.id, name, contacts, entry.site_id, directory=True)

    async def people(self, person_ids: list[str]) -> list[Person]:
        """These people (each once; unknown ones left out)."""
        people = [await self.person(p) for p in dict.fromkeys(person_ids)]
        return [p for p in people if p is not None]

    async def role(self, site_id: str, role: str) -> list[Person]:
        """Officers and leaders: who is on duty now. Other roles: the site's people with the role."""
        if role in ("officer", "leader"):
            on_duty = await self._roster.GetOnDuty(roster_pb2.GetOnDutyRequest(site_id=site_id), timeout=TIMEOUT)
            duty = on_duty.officers if role == "officer" else on_duty.leaders
            return await self.people([p.person_id for p in duty])
        listed = await self._roster.ListPeople(
            roster_pb2.ListPeopleRequest(site_id=site_id, role=ROLE_VALUES[role]), timeout=TIMEOUT
        )
        return [Person(p.id, p.display_name, tuple((c.channel, c.address) for c in p.contacts)) for p in listed.people]

    async def superior(self, site_id: str) -> list[Person]:
        """The duty office of the site above (上级值班室): on duty there now, else its supervisors."""
        site = await self._roster.GetSite(roster_pb2.GetSiteRequest(site_id=site_id), timeout=TIMEOUT)
        if not site.parent_id:
            return []
        on_duty = await self._roster.GetOnDuty(roster_pb2.GetOnDutyRequest(site_id=site.parent_id), timeout=TIMEOUT)
        people = await self.people([p.person_id for p in (*on_duty.leaders, *on_duty.officers)])
        return people or await self.role(site.parent_id, "supervisor")

    async def step(self, step: StepData) -> list[Person]:
        if step.recipient_kind == "person":
            found = await self.person(step.recipient)
            return [found] if found is not None else []
        if step.recipient_kind == "superior":
            return await self.superior(step.recipient)
        if step.recipient_kind == "directory":
            entry = await self.directory_entry(step.recipient)
            return [entry] if entry is not None else []
        site_id, _, role = step.recipient.rpartition(":")
        return await self.role(site_id, role)

    async def resolve(self, steps: list[StepData]) -> list[Person]:
        """Everyone the recipients stand for now, each once; an unknown person id is refused."""
        people: dict[str, Person] = {}
        for index, step in enumerate(steps):
            try:
                found = await self.step(step)
            except grpc.aio.AioRpcError as exc:
                # A role or superior office at a site roster does not know is the request's fault.
                if exc.code() not in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
                    raise
                field = "superior_of_site" if step.recipient_kind == "superior" else "role.site_id"
                raise InvalidArgument([FieldViolation(f"recipients[{index}].{field}", "unknown site")]) from exc
            if step.recipient_kind == "person" and not found:
                raise InvalidArgument([FieldViolation(f"recipients[{index}].person_id", "unknown person")])
            if step.recipient_kind == "directory" and not found:
                raise InvalidArgument(
                    [FieldViolation(f"recipients[{index}].directory_entry_id", "unknown directory entry")]
                )
            for person in found:
                people.setdefault(person.id, person)
        return list(people.values())
