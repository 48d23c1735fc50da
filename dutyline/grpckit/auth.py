"""Bearer tokens: who is calling, in which roles, for which sites.

Three kinds, each verified with its own keys: a person's token from dutyline's development issuer
(HS256, the user-token keys) or, in production, from an OpenID Connect provider (RS256/ES256, its
JWKS); and a component's service credential (HS256, the service keys, minutes long, re-minted before
it expires). Every token carries an id (``jti``), which the revocation list names, and the audience
``dutyline``. ``sites`` lists site or region ids the caller acts for; ``*`` stands for every site
(central supervisors, the platform's own services).
"""

from __future__ import annotations

import contextvars
import os
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import jwt

from dutyline.grpckit.errors import PermissionDenied, Unauthenticated

ROLES = ("officer", "leader", "unit_head", "admin", "supervisor", "agency", "system")
ALL_SITES = "*"
ISSUER = "dutyline"
# The issuer of the components' own credentials: verified with the service keys only, and the one
# issuer whose tokens may carry the role "system" (a leaked user-token key mints no system caller).
SERVICE_ISSUER = "dutyline-service"
AUDIENCE = "dutyline"
# A person's token lasts one shift at most by default; a component's credential a quarter of an hour.
USER_TTL = timedelta(hours=12)
SERVICE_TTL = timedelta(minutes=15)


@dataclass(frozen=True)
class Principal:
    person_id: str
    name: str = ""
    roles: tuple[str, ...] = ()
    sites: tuple[str, ...] = field(default_factory=tuple)
    # Unix time the token expires at (0: unknown).
    expires_at: float = 0.0
    # The token's id (jti), which the revocation list names.
    token_id: str = ""
    # The component (its service identity, e.g. "system:intake") that made this call on the person's
    # behalf; empty when the person called themselves. Roles and sites stay the person's.
    via: str = ""

    def covers(self, site_id: str, ancestors: Iterable[str] = ()) -> bool:
        """True if the person acts for ``site_id`` directly, or for a region above it."""
        allowed = set(self.sites)
        return ALL_SITES in allowed or site_id in allowed or any(a in allowed for a in ancestors)

    def require_site(self, site_id: str, ancestors: Iterable[str] = ()) -> None:
        if not self.covers(site_id, ancestors):
            raise PermissionDenied(f"{self.person_id} does not act for site {site_id}")

    def has_role(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def is_service(self) -> bool:
        """A dutyline component calls, for itself or on a person's behalf: what it states about its own
        records (the officer who answered a call, say) it has checked itself."""
        return bool(self.via) or "system" in self.roles


def issue_token(
    secret: str,
    *,
    person_id: str,
    name: str = "",
    roles: Iterable[str],
    sites: Iterable[str],
    ttl: timedelta = USER_TTL,
    issuer: str = ISSUER,
) -> str:
    roles = list(roles)
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {', '.join(sorted(unknown))}")
    now = datetime.now(UTC)
    claims = {
        "iss": issuer,
        "aud": AUDIENCE,
        "jti": uuid.uuid4().hex,
        "sub": person_id,
        "name": name,
        "roles": roles,
        "sites": list(sites),
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def verify_token(secrets: str | Sequence[str], token: str, *, issuer: str = ISSUER) -> Principal:
    """The principal of a token of ``issuer`` signed with any of ``secrets`` (several while a key is
    rotated)."""
    keys = [secrets] if isinstance(secrets, str) else list(secrets)
    problem: jwt.InvalidTokenError | None = None
    for secret in keys:
        try:
            claims = jwt.decode(
                token,
                secret,
                algorithms=["HS256"],
                issuer=issuer,
                audience=AUDIENCE,
                options={"require": ["exp", "sub", "jti", "aud"]},
            )
            break
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("the token has expired") from exc
        except jwt.InvalidSignatureError as exc:
            problem = exc  # perhaps signed with another of the keys
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated(f"invalid token: {exc}") from exc
    else:
        raise Unauthenticated(f"invalid token: {problem or 'no key to verify it'}")
    principal = _principal(claims, claims.get("roles", []), claims.get("sites", []))
    if "system" in principal.roles and issuer != SERVICE_ISSUER:
        raise Unauthenticated("invalid token: the role system comes only with a service credential")
    return principal


def _principal(claims: dict[str, object], roles: object, sites: object) -> Principal:
    def strings(value: object) -> tuple[str, ...]:
        # A provider may send a list or one space-separated string.
        items = value.split() if isinstance(value, str) else value if isinstance(value, list) else []
        return tuple(str(v) for v in items)

    return Principal(
        person_id=str(claims["sub"]),
        name=str(claims.get("name", "")),
        roles=strings(roles),
        sites=strings(sites),
        expires_at=float(claims["exp"]),  # type: ignore[arg-type]
        token_id=str(claims.get("jti", "")),
    )


class OidcIssuer:
    """Persons' tokens from an external OpenID Connect provider (production): RS256/ES256, keys from
    its JWKS (fetched once and cached; a new key id fetches again), roles and sites from the claims
    the provider is configured to send. Roles outside dutyline's and "system" are dropped."""

    ALGORITHMS = ("RS256", "ES256")

    def __init__(
        self, issuer: str, audience: str, jwks_url: str, *, roles_claim: str = "roles", sites_claim: str = "sites"
    ) -> None:
        self.issuer = issuer
        self._audience = audience
        self._roles_claim = roles_claim
        self._sites_claim = sites_claim
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300, timeout=5)

    def verify(self, token: str) -> Principal:
        try:
            key = self._jwks.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=list(self.ALGORITHMS),
                issuer=self.issuer,
                audience=self._audience,
                options={"require": ["exp", "sub", "aud", "iss"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("the token has expired") from exc
        except (jwt.InvalidTokenError, jwt.PyJWKClientError) as exc:
            raise Unauthenticated(f"invalid token: {exc}") from exc
        principal = _principal(claims, claims.get(self._roles_claim, []), claims.get(self._sites_claim, []))
        roles = tuple(r for r in principal.roles if r in ROLES and r != "system")
        return Principal(
            person_id=principal.person_id,
            name=principal.name,
            roles=roles,
            sites=principal.sites,
            expires_at=principal.expires_at,
            token_id=principal.token_id,
        )


class RevokedTokens:
    """The ids (jti) of revoked tokens: a file, one a line (``#`` comments), that every process reads —
    in Kubernetes a ConfigMap mounted into every pod. A file rather than a table: every service checks
    it on every call without a database round trip or a call to another service, and it works while
    the database is down. Re-read at most every ``every`` seconds, and only when it changed, so a
    check is a set lookup; a revocation takes effect within that (plus the ConfigMap's propagation)."""

    def __init__(self, path: str, *, every: float = 5.0) -> None:
        self._path = path
        self._every = every
        self._ids: frozenset[str] = frozenset()
        self._stamp: tuple[float, int] | None = None
        self._next = 0.0
        self._lock = threading.Lock()

    def __contains__(self, token_id: str) -> bool:
        now = time.monotonic()
        if self._path and now >= self._next:
            with self._lock:
                self._next = now + self._every
                self._reload()
        return token_id in self._ids

    def _reload(self) -> None:
        try:
            stat = os.stat(self._path)
        except FileNotFoundError:
            self._ids, self._stamp = frozenset(), None
            return
        stamp = (stat.st_mtime, stat.st_size)
        if stamp != self._stamp:
            with open(self._path, encoding="utf-8") as f:
                lines = (line.split("#", 1)[0].strip() for line in f)
                self._ids = frozenset(line for line in lines if line)
            self._stamp = stamp


class TokenVerifier:
    """Who a bearer token names, by its issuer: a component (service keys), a person from dutyline's
    issuer (user keys; not when an OpenID Connect provider issues persons' tokens) or from the
    provider. ``verify`` checks the signature and claims (cacheable per token); ``require_current``
    expiry and revocation, on every call."""

    def __init__(
        self,
        user_secrets: Sequence[str],
        service_secrets: Sequence[str],
        *,
        oidc: OidcIssuer | None = None,
        revoked: RevokedTokens | None = None,
    ) -> None:
        self._user = list(user_secrets)
        self._service = list(service_secrets)
        self._oidc = oidc
        self._revoked = revoked or RevokedTokens("")

    def verify(self, token: str) -> Principal:
        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated(f"invalid token: {exc}") from exc
        if issuer == SERVICE_ISSUER:
            return verify_token(self._service, token, issuer=SERVICE_ISSUER)
        if self._oidc is not None:
            if issuer != self._oidc.issuer:
                raise Unauthenticated(f"invalid token: persons' tokens come from {self._oidc.issuer}")
            return self._oidc.verify(token)
        return verify_token(self._user, token)

    def require_current(self, principal: Principal) -> None:
        if principal.expires_at <= time.time():
            raise Unauthenticated("the token has expired")
        if principal.token_id and principal.token_id in self._revoked:
            raise Unauthenticated("the token has been revoked")


_current: contextvars.ContextVar[Principal | None] = contextvars.ContextVar("principal", default=None)
# The token of the person the current request acts for (theirs, or the one a service forwarded), so
# that the calls it causes in other services carry it (``on_behalf``).
_acting: contextvars.ContextVar[str] = contextvars.ContextVar("acting_token", default="")

# The metadata a component sends, next to its own credential, to act on a person's behalf.
ON_BEHALF_OF = "x-dutyline-on-behalf-of"


def current_principal() -> Principal:
    principal = _current.get()
    if principal is None:
        raise Unauthenticated("no caller identity")
    return principal


def optional_principal() -> Principal | None:
    """The caller, or None on the few methods that also admit callers without a token."""
    return _current.get()


def set_principal(principal: Principal | None, token: str = "") -> contextvars.Token[Principal | None]:
    """The caller of the current request; ``token`` is the person's own token it acts with, if any."""
    _acting.set(token if principal is not None and "system" not in principal.roles else "")
    return _current.set(principal)


def on_behalf() -> tuple[tuple[str, str], ...]:
    """Metadata for a call a person's request causes in another service: it then acts for that person
    (their roles and sites, recorded as the actor) as well as being a call of this component. Empty
    outside a person's request (timers, sweepers, workers): the component acts as itself.

    Only for the person's actions (opening their incident, reading what their handover lists). A
    service resolving what it needs for its own checks or deliveries (a site's parents, a recipient's
    contacts) asks as itself: the person may not read those, the service must."""
    token = _acting.get()
    return ((ON_BEHALF_OF, token),) if token else ()


def system_token(secret: str, service: str, ttl: timedelta = SERVICE_TTL) -> str:
    """A credential a dutyline component uses to call another one (signed with a service key)."""
    return issue_token(
        secret,
        person_id=f"system:{service}",
        name=service,
        roles=["system"],
        sites=["*"],
        ttl=ttl,
        issuer=SERVICE_ISSUER,
    )


class ServiceCredential:
    """A component's own credential, re-minted once 80 % of its life has passed: every call carries
    one with a fifth of its life left at least, however long the process runs."""

    def __init__(self, secret: str, service: str, ttl: timedelta = SERVICE_TTL) -> None:
        self._secret = secret
        self._service = service
        self._ttl = ttl
        self._token = ""
        self._renew_at = 0.0

    def __call__(self) -> str:
        if time.time() >= self._renew_at:
            self._token = system_token(self._secret, self._service, self._ttl)
            # From the expiry as written (whole seconds), not as asked for.
            expires = float(jwt.decode(self._token, options={"verify_signature": False})["exp"])
            self._renew_at = expires - 0.2 * self._ttl.total_seconds()
        return self._token
