"""Helpers shared by the tests."""

from __future__ import annotations

from dutyline.config import DEV_TOKEN_SECRET
from dutyline.grpckit.auth import issue_token


def token_for(person_id: str, roles: list[str], sites: list[str]) -> str:
    return issue_token(DEV_TOKEN_SECRET, person_id=person_id, name=person_id, roles=roles, sites=sites)
