"""Caller privacy (保护来电人隐私): encryption at rest with rotating keys, and masking.

Keys come from configuration as ``keyid:base64(32 bytes)`` entries; the first encrypts, all
decrypt, and the key id is stored beside each value so keys can rotate.

A value is sealed for its place: the associated data names the key, table, row and field, so a
ciphertext copied into another row or field does not decrypt. Such values start with ``v2:``;
values sealed before (associated data: the key id only) still decrypt, until re-sealed.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
SEALED_FOR_PLACE = b"v2:"


class CallerCipher:
    def __init__(self, keys_spec: str) -> None:
        self._keys: dict[str, AESGCM] = {}
        self.active_key_id = ""
        for entry in (e.strip() for e in keys_spec.split(",") if e.strip()):
            key_id, _, encoded = entry.partition(":")
            key = base64.b64decode(encoded)
            if len(key) != 32:
                raise ValueError(f"caller key {key_id!r} must be 32 bytes (base64), got {len(key)}")
            self._keys[key_id] = AESGCM(key)
            self.active_key_id = self.active_key_id or key_id
        if not self._keys:
            raise ValueError("no caller encryption key configured (DUTYLINE_CALLER_KEYS)")

    def encrypt(self, clear: str, *, table: str, row: str, field: str) -> bytes:
        key_id = self.active_key_id
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._keys[key_id].encrypt(nonce, clear.encode(), _place(key_id, table, row, field))
        return SEALED_FOR_PLACE + nonce + sealed

    def decrypt(self, key_id: str, sealed: bytes, *, table: str, row: str, field: str) -> str:
        """The clear value; InvalidTag if it was sealed for another key, table, row or field."""
        key = self._keys[key_id]
        if sealed.startswith(SEALED_FOR_PLACE):
            body = sealed[len(SEALED_FOR_PLACE) :]
            try:
                return key.decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], _place(key_id, table, row, field)).decode()
            except InvalidTag:
                pass  # or a value from before whose random nonce happens to start alike: tried below
        # Sealed before values were bound to their place (re-sealed by their service).
        return key.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], key_id.encode()).decode()


def _place(key_id: str, table: str, row: str, field: str) -> bytes:
    return f"{key_id}|{table}|{row}|{field}".encode()


def mask_phone(phone: str) -> str:
    """138****5678: keep the first three and last four digits of a long number."""
    digits = phone.strip()
    if len(digits) >= 8:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * len(digits)


def mask_text(text: str, keep: int = 4) -> str:
    """杭州市西**** / 12 Wen***: the first few characters of an address or unit (at most a third)."""
    text = text.strip()
    shown = min(keep, len(text) // 3)
    return text[:shown] + "*" * (len(text) - shown)


def mask_name(name: str) -> str:
    """王** / W***: keep the first character only."""
    name = name.strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""
