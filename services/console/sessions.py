"""Server-side sessions: the browser holds only a random id (HttpOnly cookie); the person's token,
who they are and the CSRF token stay in the console's memory. Every visitor gets a session at the
first page (so the sign-in form carries a CSRF token too); signing in replaces it by a new one, so an
id planted before sign-in is worth nothing after.

One console process keeps its own sessions: several replicas need sticky sessions at the ingress (a
restart signs everybody out, which a duty room notices at once and undoes with one click)."""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import ClassVar

from dutyline.grpckit.auth import Principal

COOKIE = "dutyline_session"
# An anonymous session (before sign-in) lives this long.
ANONYMOUS_SECONDS = 3600.0


@dataclass
class Session:
    id: str
    csrf: str
    expires_at: float
    token: str = ""
    principal: Principal | None = None
    # Sign-in in progress with the OpenID Connect provider: state, nonce, PKCE verifier.
    oidc: dict[str, str] = field(default_factory=dict)

    @property
    def signed_in(self) -> bool:
        return bool(self.token) and self.principal is not None

    def csrf_ok(self, offered: str | None) -> bool:
        return bool(offered) and hmac.compare_digest(self.csrf.encode(), (offered or "").encode())


class SessionStore:
    # Bounds the memory an unauthenticated visitor can make the console spend.
    MAX_SESSIONS: ClassVar[int] = 20000

    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}

    def get(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        session = self._sessions.get(session_id)
        if session is None or session.expires_at <= time.time():
            self._sessions.pop(session_id or "", None)
            return None
        return session

    def new(self, *, token: str = "", principal: Principal | None = None, expires_at: float = 0.0) -> Session:
        if len(self._sessions) >= self.MAX_SESSIONS:
            self._expire()
        session = Session(
            id=secrets.token_urlsafe(32),
            csrf=secrets.token_urlsafe(32),
            expires_at=expires_at or time.time() + ANONYMOUS_SECONDS,
            token=token,
            principal=principal,
        )
        self._sessions[session.id] = session
        return session

    def drop(self, session: Session) -> None:
        self._sessions.pop(session.id, None)

    def _expire(self) -> None:
        now = time.time()
        for key in [k for k, s in self._sessions.items() if s.expires_at <= now]:
            del self._sessions[key]
        # Still full: the oldest anonymous sessions go first.
        if len(self._sessions) >= self.MAX_SESSIONS:
            anonymous = sorted((s.expires_at, k) for k, s in self._sessions.items() if not s.signed_in)
            for _, key in anonymous[: len(self._sessions) - self.MAX_SESSIONS + 1]:
                del self._sessions[key]
