"""The caller's personal data in intake (保护来电人隐私): name, number, unit and address are sealed for
their row and field (so a ciphertext moved elsewhere does not decrypt), masked copies are what
answers and events show, and the clear values leave only through RevealCaller (audited)."""

from __future__ import annotations

import dataclasses
from typing import Any, Protocol

import asyncpg

from dutyline.intake.v1 import intake_pb2
from dutyline.privacy import CallerCipher, mask_name, mask_phone, mask_text
from services.intake import store

TABLE = "calls"


class SealedCaller(Protocol):
    """A row holding a caller sealed by a vault (a call, a case)."""

    @property
    def id(self) -> str: ...
    @property
    def caller_key_id(self) -> str: ...
    @property
    def caller_name_enc(self) -> bytes | None: ...
    @property
    def caller_phone_enc(self) -> bytes | None: ...
    @property
    def caller_unit_enc(self) -> bytes | None: ...
    @property
    def caller_address_enc(self) -> bytes | None: ...


class CallerVault:
    def __init__(self, cipher: CallerCipher, *, table: str = TABLE) -> None:
        self._cipher = cipher
        # The table whose rows the values are sealed for (calls; cases seal their caller alike).
        self._table = table

    def _seal(self, call_id: str, field: str, clear: str) -> bytes | None:
        return self._cipher.encrypt(clear, table=self._table, row=call_id, field=field) if clear else None

    def _open(self, row: SealedCaller, field: str, sealed: bytes | None) -> str:
        if sealed is None:
            return ""
        return self._cipher.decrypt(row.caller_key_id, sealed, table=self._table, row=row.id, field=field)

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

    def opened(self, row: SealedCaller) -> intake_pb2.Caller:
        """The clear caller of a row this vault sealed."""
        return intake_pb2.Caller(
            name=self._open(row, "caller_name", row.caller_name_enc),
            phone=self._open(row, "caller_phone", row.caller_phone_enc),
            unit=self._open(row, "caller_unit", row.caller_unit_enc),
            address=self._open(row, "caller_address", row.caller_address_enc),
        )

    def reveal(self, call: store.CallRow) -> intake_pb2.Caller:
        """The clear caller (a row from before the unit and address were sealed: theirs as stored)."""
        caller = self.opened(call)
        caller.unit, caller.address = caller.unit or call.caller_unit, caller.address or call.caller_address
        return caller

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
