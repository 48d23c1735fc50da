"""Caller privacy: encryption with rotating keys, bound to its row and field; masking."""

from __future__ import annotations

import base64
import os

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given
from hypothesis import strategies as st

from dutyline.privacy import NONCE_BYTES, CallerCipher, mask_name, mask_phone, mask_text

PHONE = {"table": "calls", "row": "call-1", "field": "caller_phone"}


def key(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


def test_values_survive_a_key_rotation() -> None:
    old = key("k1")
    before = CallerCipher(old)
    sealed = before.encrypt("13912345678", **PHONE)
    assert b"13912345678" not in sealed
    after = CallerCipher(f"{key('k2')},{old}")
    assert after.active_key_id == "k2"
    assert after.decrypt("k1", sealed, **PHONE) == "13912345678"
    assert after.decrypt("k2", after.encrypt("李明", **PHONE), **PHONE) == "李明"


def test_a_value_moved_to_another_row_or_field_does_not_decrypt() -> None:
    """Finding 13: the associated data names the table, row and field, not only the key."""
    cipher = CallerCipher(key("k1"))
    sealed = cipher.encrypt("13912345678", **PHONE)
    for elsewhere in ({"row": "call-2"}, {"field": "caller_name"}, {"table": "other"}):
        with pytest.raises(InvalidTag):
            cipher.decrypt("k1", sealed, **(PHONE | elsewhere))


def test_values_sealed_before_places_were_bound_still_decrypt() -> None:
    """Rows of an existing state directory: sealed with the key id as the only associated data."""
    spec = key("k1")
    raw = AESGCM(base64.b64decode(spec.partition(":")[2]))
    nonce = os.urandom(NONCE_BYTES)
    legacy = nonce + raw.encrypt(nonce, b"13912345678", b"k1")
    assert CallerCipher(spec).decrypt("k1", legacy, **PHONE) == "13912345678"


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        CallerCipher("k1:" + base64.b64encode(b"short").decode())


@given(st.text(alphabet="0123456789", min_size=8, max_size=20))
def test_masked_numbers_hide_the_middle(phone: str) -> None:
    masked = mask_phone(phone)
    assert len(masked) == len(phone)
    assert masked[:3] == phone[:3] and masked[-4:] == phone[-4:]
    assert set(masked[3:-4]) <= {"*"}


def test_examples() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("110") == "***"
    assert mask_name("李明") == "李*"
    assert mask_name("") == ""
    assert mask_text("杭州市西湖区文三路90号") == "杭州市西" + "*" * 8
    assert mask_text("某单位") == "某**"
