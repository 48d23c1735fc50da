"""Caller privacy (保护来电人隐私): encryption at rest with rotating keys, and masking.

Keys come from configuration as ``keyid:base64(32 bytes)`` entries; the first encrypts, all
decrypt, and the key id is stored beside each value so keys can rotate.
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


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

    def encrypt(self, clear: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._keys[self.active_key_id].encrypt(nonce, clear.encode(), self.active_key_id.encode())

    def decrypt(self, key_id: str, sealed: bytes) -> str:
        nonce, data = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
        return self._keys[key_id].decrypt(nonce, data, key_id.encode()).decode()


def mask_phone(phone: str) -> str:
    """138****5678: keep the first three and last four digits of a long number."""
    digits = phone.strip()
    if len(digits) >= 8:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * len(digits)


def mask_name(name: str) -> str:
    """王** / W***: keep the first character only."""
    name = name.strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""
