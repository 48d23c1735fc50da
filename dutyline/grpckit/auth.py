"""Bearer tokens: who is calling, in which roles, for which sites.

A token is an HS256 JWT signed with the platform's secret. ``sites`` lists site or region ids the
person acts for; ``*`` stands for every site (central supervisors, the platform's own services).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import jwt

from dutyline.grpckit.errors import PermissionDenied, Unauthenticated

ROLES = ("officer", "leader", "unit_head", "admin", "supervisor", "agency", "system")
ALL_SITES = "*"
ISSUER = "dutyline"


@dataclass(frozen=True)
class Principal:
    person_id: str
    name: str = ""
    roles: tuple[str, ...] = ()
    sites: tuple[str, ...] = field(default_factory=tuple)
    # Unix time the token expires at (0: unknown).
    expires_at: float = 0.0

    def covers(self, site_id: str, ancestors: Iterable[str] = ()) -> bool:
        """True if the person acts for ``site_id`` directly, or for a region above it."""
        allowed = set(self.sites)
        return ALL_SITES in allowed or site_id in allowed or any(a in allowed for a in ancestors)

    def require_site(self, site_id: str, ancestors: Iterable[str] = ()) -> None:
        if not self.covers(site_id, ancestors):
            raise PermissionDenied(f"{self.person_id} does not act for site {site_id}")

    def has_role(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)


def issue_token(
    secret: str,
    *,
    person_id: str,
    name: str = "",
    roles: Iterable[str],
    sites: Iterable[str],
    ttl: timedelta = timedelta(days=30),
) -> str:
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {', '.join(sorted(unknown))}")
    now = datetime.now(UTC)
    claims = {
        "iss": ISSUER,
        "sub": person_id,
        "name": name,
        "roles": list(roles),
        "sites": list(sites),
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def verify_token(secrets: str | Sequence[str], token: str) -> Principal:
    """The principal of a token signed with any of ``secrets`` (several while a key is rotated)."""
    keys = [secrets] if isinstance(secrets, str) else list(secrets)
    problem: jwt.InvalidTokenError | None = None
    for secret in keys:
        try:
            claims = jwt.decode(token, secret, algorithms=["HS256"], issuer=ISSUER, options={"require": ["exp", "sub"]})
            break
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("the token has expired") from exc
        except jwt.InvalidSignatureError as exc:
            problem = exc  # perhaps signed with another of the keys
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated(f"invalid token: {exc}") from exc
    else:
        raise Unauthenticated(f"invalid token: {problem or 'no key to verify it'}")
    return Principal(
        person_id=str(claims["sub"]),
        name=str(claims.get("name", "")),
        roles=tuple(claims.get("roles", [])),
        sites=tuple(claims.get("sites", [])),
        expires_at=float(claims["exp"]),
    )


_current: contextvars.ContextVar[Principal | None] = contextvars.ContextVar("principal", default=None)


def current_principal() -> Principal:
    principal = _current.get()
    if principal is None:
        raise Unauthenticated("no caller identity")
    return principal


def optional_principal() -> Principal | None:
    """The caller, or None on the few methods that also admit callers without a token."""
    return _current.get()


def set_principal(principal: Principal | None) -> contextvars.Token[Principal | None]:
    return _current.set(principal)


def system_token(secret: str, service: str) -> str:
    """The token a dutyline component uses to call another one."""
    return issue_token(secret, person_id=f"system:{service}", name=service, roles=["system"], sites=["*"])


def bearer_metadata(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)
