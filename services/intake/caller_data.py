"""The caller's personal data in intake (保护来电人隐私): name, number, unit and address are sealed for
their row and field (so a ciphertext moved elsewhere does not decrypt), masked copies are what
answers and events show, and the clear values leave only through RevealCaller (audited)."""

from __future__ import annotations

import dataclasses
from typing import Any

import asyncpg

from dutyline.intake.v1 import intake_pb2
from dutyline.privacy import CallerCipher, mask_name, mask_phone, mask_text
from services.intake import store

TABLE = "calls"


class CallerVault:
    def __init__(self, cipher: CallerCipher) -> None:
        self._cipher = cipher

    def _seal(self, call_id: str, field: str, clear: str) -> bytes | None:
        return self._cipher.encrypt(clear, table=TABLE, row=call_id, field=field) if clear else None

    def _open(self, call: store.CallRow, field: str, sealed: bytes | None) -> str:
        if sealed is None:
            return ""
        return self._cipher.decrypt(call.caller_key_id, sealed, table=TABLE, row=call.id, field=field)

    def sealed(self, call_id: str, *, name: str, phone: str, unit: str, address: str) -> dict[str, Any]:
        """The CallRow fields of a caller of call ``call_id``: sealed and masked, nothing clear."""
        return {
            "caller_key_id": self._cipher.active_key_id,
            "caller_name_enc": self._seal(call_id, "caller_name", name),
            "caller_phone_enc": self._seal(call_id, "caller_phone", phone),
            "caller_unit_enc": self._seal(call_id, "caller_unit", unit),
            "caller_address_enc": self._seal(call_id, "caller_address", address),
            "caller_name_masked": mask_name(name),
            "caller_phone_masked": mask_phone(phone),
            "caller_unit_masked": mask_text(unit),
            "caller_address_masked": mask_text(address),
            "caller_unit": "",
            "caller_address": "",
        }

    def reveal(self, call: store.CallRow) -> intake_pb2.Caller:
        """The clear caller (a row from before the unit and address were sealed: theirs as stored)."""
        return intake_pb2.Caller(
            name=self._open(call, "caller_name", call.caller_name_enc),
            phone=self._open(call, "caller_phone", call.caller_phone_enc),
            unit=self._open(call, "caller_unit", call.caller_unit_enc) or call.caller_unit,
            address=self._open(call, "caller_address", call.caller_address_enc) or call.caller_address,
        )

    async def reseal(self, pool: asyncpg.Pool) -> int:
        """Seal, bound to their place, the callers of rows registered before that (clear unit and
        address, name and number bound to the key only); returns how many were done."""
        async with pool.acquire() as conn, conn.transaction():
            calls = await store.calls_to_reseal(conn)
            for call in calls:
                clear = self.reveal(call)
                fields = self.sealed(
                    call.id, name=clear.name, phone=clear.phone, unit=clear.unit, address=clear.address
                )
                await store.reseal(conn, call=dataclasses.replace(call, **fields))
        return len(calls)
