"""The actor recorded on events and timelines."""

from __future__ import annotations

from dutyline.common.v1 import common_pb2
from dutyline.grpckit.auth import Principal


def actor_of(principal: Principal) -> common_pb2.Actor:
    kind = "system" if "system" in principal.roles else "person"
    return common_pb2.Actor(person_id=principal.person_id, display_name=principal.name, kind=kind, via=principal.via)
