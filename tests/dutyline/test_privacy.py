"""Caller privacy: encryption with rotating keys, masking."""

from __future__ import annotations

import base64
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dutyline.privacy import CallerCipher, mask_name, mask_phone


def key(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


def test_values_survive_a_key_rotation() -> None:
    old = key("k1")
    before = CallerCipher(old)
    sealed = before.encrypt("13912345678")
    assert b"13912345678" not in sealed
    after = CallerCipher(f"{key('k2')},{old}")
    assert after.active_key_id == "k2"
    assert after.decrypt("k1", sealed) == "13912345678"
    assert after.decrypt("k2", after.encrypt("李明")) == "李明"


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
