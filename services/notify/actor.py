"""Who notify's own changes are by: deliveries, acknowledgements by token, failed agency deliveries."""

from __future__ import annotations

from dutyline.common.v1 import common_pb2

SYSTEM_ACTOR = common_pb2.Actor(person_id="system:notify", display_name="NotifyService", kind="system")
