"""The console's HTTP plumbing: sessions and their cookie, CSRF, security headers, language, pages
and the mapping of gRPC errors to pages (PERMISSION_DENIED → 403 naming the code)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import jinja2
from aiohttp import web

from dutyline.grpckit import tls
from dutyline.grpckit.client import channel
from dutyline.grpckit.errors import field_violations
from services.console import i18n
from services.console.sessions import COOKIE, Session, SessionStore
from services.console.settings import ConsoleSettings

HERE = Path(__file__).parent
# Every asset is the console's own: no other origin, no inline script or style, no framing.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Console:
    """What every request handler shares."""

    settings: ConsoleSettings
    sessions: SessionStore = field(default_factory=SessionStore)
    templates: jinja2.Environment = field(
        default_factory=lambda: jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
    )

    def channel(self, service: str, session: Session) -> grpc.aio.Channel:
        """A channel to ``service`` that sends the signed-in person's own token: the services decide
        what this person may do, never a console identity."""
        return channel(self.settings.address_of(service), session.token, tls.channel_credentials(self.settings))


CONSOLE: web.AppKey[Console] = web.AppKey("console", Console)
# The request's session (replaced when someone signs in or out).
SESSION: web.RequestKey[Session] = web.RequestKey("session", Session)


def console_of(request: web.Request) -> Console:
    return request.app[CONSOLE]


def session_of(request: web.Request) -> Session:
    return request[SESSION]


def lang_of(request: web.Request) -> str:
    return i18n.chosen(request.cookies.get(i18n.COOKIE))


def render(
    request: web.Request, template: str, *, status: int = 200, context: Mapping[str, Any] | None = None
) -> web.Response:
    console = console_of(request)
    lang = lang_of(request)
    session = session_of(request)
    page = console.templates.get_template(template).render(
        t=i18n.translator(lang),
        lang=lang,
        html_lang="zh-CN" if lang == "zh" else "en",
        csrf=session.csrf,
        me=session.principal,
        path=request.path_qs,
        **(context or {}),
    )
    return web.Response(text=page, status=status, content_type="text/html", charset="utf-8")


def error_page(request: web.Request, status: int, message: str, *, code: str = "", detail: str = "") -> web.Response:
    return render(request, "error.html", status=status, context={"message": message, "code": code, "detail": detail})


def violations_by_field(error: grpc.aio.AioRpcError, *, whole_path: bool = False) -> dict[str, list[str]]:
    """INVALID_ARGUMENT's field violations, by field: the last part of its path, as most forms name
    it, or the whole path (``accident.unit``) for a form with nested fields."""
    found: dict[str, list[str]] = {}
    for v in field_violations(error):
        name = v.field if whole_path else v.field.rsplit(".", 1)[-1]
        found.setdefault(name or "_", []).append(v.description)
    return found or {"_": [error.details() or ""]}


def secure_cookies(request: web.Request) -> bool:
    """Cookies are Secure everywhere but on loopback (http://127.0.0.1 in development)."""
    return not tls.loopback(request.url.host or "")


def set_session_cookie(request: web.Request, response: web.StreamResponse, session: Session) -> None:
    response.set_cookie(
        COOKIE,
        session.id,
        max_age=max(0, int(session.expires_at - time.time())),
        path="/",
        httponly=True,
        samesite="Lax",
        secure=secure_cookies(request),
    )


@web.middleware
async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path == "/healthz" or request.path.startswith("/static/"):
        # No session for probes and assets: a kubelet's probes would otherwise fill the store.
        plain = await handler(request)
        _secure_headers(plain)
        return plain
    console = console_of(request)
    session = console.sessions.get(request.cookies.get(COOKIE))
    fresh = session is None
    if session is None:
        session = console.sessions.new()
    request[SESSION] = session
    redirect: web.HTTPException | None = None
    try:
        if request.method in UNSAFE_METHODS and not await _csrf_ok(request, session):
            response: web.StreamResponse = error_page(request, 403, i18n.translator(lang_of(request))("error.csrf"))
        else:
            response = await handler(request)
    except web.HTTPException as exc:
        if exc.status >= 400:
            response = error_page(request, exc.status, exc.reason)
        else:
            response = redirect = exc
    except grpc.aio.AioRpcError as exc:
        try:
            response = _rpc_error_page(request, exc)
        except web.HTTPException as again:
            response = redirect = again
    current = request[SESSION]
    if fresh or current is not session:
        set_session_cookie(request, response, current)
    _secure_headers(response)
    if redirect is not None:
        # aiohttp takes a redirect raised, not returned.
        raise redirect
    return response


def _secure_headers(response: web.StreamResponse) -> None:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")


async def _csrf_ok(request: web.Request, session: Session) -> bool:
    """Synchronizer token: the session's CSRF token, in the form or (htmx) in a header."""
    offered = request.headers.get(CSRF_HEADER)
    if offered is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        offered = str((await request.post()).get(CSRF_FIELD, ""))
    return session.csrf_ok(offered)


def _rpc_error_page(request: web.Request, error: grpc.aio.AioRpcError) -> web.Response:
    t = i18n.translator(lang_of(request))
    code = error.code()
    if code == grpc.StatusCode.UNAUTHENTICATED:
        # The token expired or was revoked: sign in again.
        console_of(request).sessions.drop(session_of(request))
        request[SESSION] = console_of(request).sessions.new()
        raise web.HTTPSeeOther("/signin")
    if code == grpc.StatusCode.PERMISSION_DENIED:
        return error_page(request, 403, t("error.forbidden"), code=code.name, detail=error.details() or "")
    if code == grpc.StatusCode.NOT_FOUND:
        return error_page(request, 404, t("error.not_found"), code=code.name, detail=error.details() or "")
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        return error_page(request, 400, t("form.invalid"), code=code.name, detail=error.details() or "")
    return error_page(request, 502, t("error.unavailable"), code=code.name, detail=error.details() or "")


def require_signed_in(request: web.Request) -> Session:
    session = session_of(request)
    if not session.signed_in:
        raise web.HTTPSeeOther("/signin")
    if session.principal is not None and session.principal.expires_at and session.principal.expires_at <= time.time():
        console_of(request).sessions.drop(session)
        request[SESSION] = console_of(request).sessions.new()
        raise web.HTTPSeeOther("/signin")
    return session
