"""Bearer tokens and site coverage."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dutyline.grpckit.auth import issue_token, verify_token
from dutyline.grpckit.errors import PermissionDenied, Unauthenticated

SECRET = "test-secret-of-at-least-thirty-two-bytes"


def test_a_token_names_person_roles_and_sites() -> None:
    token = issue_token(SECRET, person_id="p-1", name="王芳", roles=["officer"], sites=["hz-01"])
    principal = verify_token(SECRET, token)
    assert (principal.person_id, principal.name, principal.roles, principal.sites) == (
        "p-1",
        "王芳",
        ("officer",),
        ("hz-01",),
    )


def test_forged_expired_and_foreign_tokens_are_unauthenticated() -> None:
    token = issue_token(SECRET, person_id="p-1", roles=["officer"], sites=["hz-01"])
    with pytest.raises(Unauthenticated):
        verify_token("another-secret-of-at-least-thirty-two-bytes", token)
    with pytest.raises(Unauthenticated):
        verify_token(SECRET, token[:-2] + "xx")
    expired = issue_token(SECRET, person_id="p-1", roles=["officer"], sites=["hz-01"], ttl=timedelta(seconds=-1))
    with pytest.raises(Unauthenticated, match="expired"):
        verify_token(SECRET, expired)


def test_while_a_key_is_rotated_tokens_of_both_keys_verify_and_the_first_key_signs() -> None:
    from dutyline.config import Settings

    old, new = SECRET, "new-secret-of-at-least-thirty-two-bytes!"
    settings = Settings(token_secret=f"{new}, {old}")  # type: ignore[arg-type]
    assert settings.signing_secret() == new and settings.token_secrets() == [new, old]
    issued_before = issue_token(old, person_id="p-1", roles=["officer"], sites=["hz-01"])
    issued_now = issue_token(settings.signing_secret(), person_id="p-2", roles=["officer"], sites=["hz-01"])
    assert verify_token(settings.token_secrets(), issued_before).person_id == "p-1"
    assert verify_token(settings.token_secrets(), issued_now).person_id == "p-2"
    # Once the old key is retired, its tokens are refused.
    with pytest.raises(Unauthenticated, match="invalid token"):
        verify_token([new], issued_before)
    expired = issue_token(old, person_id="p-1", roles=["officer"], sites=["hz-01"], ttl=timedelta(seconds=-1))
    with pytest.raises(Unauthenticated, match="expired"):
        verify_token([new, old], expired)


def test_a_region_covers_its_sites_and_nothing_else() -> None:
    supervisor = verify_token(SECRET, issue_token(SECRET, person_id="s", roles=["supervisor"], sites=["east"]))
    assert supervisor.covers("hz-01", ancestors=["hq", "east"])
    assert not supervisor.covers("bj-01", ancestors=["hq", "north"])
    with pytest.raises(PermissionDenied):
        supervisor.require_site("bj-01", ["hq", "north"])
    everyone = verify_token(SECRET, issue_token(SECRET, person_id="a", roles=["admin"], sites=["*"]))
    assert everyone.covers("bj-01")


def test_unknown_roles_are_refused_at_issue() -> None:
    with pytest.raises(ValueError, match="unknown roles"):
        issue_token(SECRET, person_id="p", roles=["janitor"], sites=["hz-01"])
