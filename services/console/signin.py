"""Signing in and out. Development: pick a demo person; the console mints that person's token with
dutyline's dev issuer. Production: OpenID Connect (services.console.oidc). Either way the session
keeps the person's own token, with which every call is made."""

from __future__ import annotations

import time
from datetime import timedelta

from aiohttp import web

from dutyline.common.v1 import common_pb2
from dutyline.grpckit import tls
from dutyline.grpckit.auth import Principal, issue_token, verify_token
from dutyline.grpckit.client import channel
from dutyline.roster.v1 import roster_pb2, roster_pb2_grpc
from services.console import i18n
from services.console.oidc import OidcClient, SignInFailed
from services.console.web import SESSION, console_of, error_page, lang_of, render, session_of

OIDC: web.AppKey[OidcClient] = web.AppKey("oidc", OidcClient)
# The token that lists the demo people on the sign-in page: development only, a minute long.
LISTING_SECONDS = 60


def role_names(roles: list[int]) -> list[str]:
    return [common_pb2.Role.Name(r).removeprefix("ROLE_").lower() for r in roles]


async def demo_people(request: web.Request) -> list[tuple[roster_pb2.Site, list[roster_pb2.Person]]]:
    """Every site's people (headquarters and regions too: supervisors, admins), read with a short-lived
    development token made only for this listing."""
    settings = console_of(request).settings
    token = issue_token(
        settings.signing_secret(),
        person_id="console-sign-in",
        name="console sign-in listing",
        roles=["supervisor"],
        sites=["*"],
        ttl=timedelta(seconds=LISTING_SECONDS),
    )
    async with channel(settings.address_of("roster"), token, tls.channel_credentials(settings)) as ch:
        roster = roster_pb2_grpc.RosterServiceStub(ch)
        sites = (await roster.ListSites(roster_pb2.ListSitesRequest(), timeout=10)).sites
        listing = []
        for site in sorted(sites, key=lambda s: (s.kind, s.id)):
            people = (await roster.ListPeople(roster_pb2.ListPeopleRequest(site_id=site.id), timeout=10)).people
            if people:
                listing.append((site, sorted(people, key=lambda p: p.id)))
    return listing


async def sign_in_page(request: web.Request) -> web.StreamResponse:
    settings = console_of(request).settings
    if settings.dev_sign_in:
        return render(request, "signin.html", context={"listing": await demo_people(request), "role_names": role_names})
    if settings.oidc_issuer:
        return render(request, "signin.html", context={"listing": [], "role_names": role_names})
    return error_page(request, 503, "no sign-in configured: set DUTYLINE_OIDC_ISSUER")


async def dev_sign_in(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    settings = console.settings
    if not settings.dev_sign_in:
        raise web.HTTPNotFound()
    person_id = str((await request.post()).get("person_id", ""))
    # Who the person is, read again from the roster: the form names a person, nothing more.
    found = [p for _, people in await demo_people(request) for p in people if p.id == person_id]
    if not found:
        return error_page(request, 400, i18n.translator(lang_of(request))("signin.unknown_person"))
    person = found[0]
    hours = min(settings.console_session_hours, settings.token_max_hours, 12.0)
    token = issue_token(
        settings.signing_secret(),
        person_id=person.id,
        name=person.display_name,
        roles=role_names(list(person.roles)),
        sites=[person.site_id],
        ttl=timedelta(hours=hours),
    )
    principal = verify_token(settings.token_secrets(), token)
    return _signed_in(request, token, principal.expires_at, principal)


def _signed_in(request: web.Request, token: str, expires_at: float, principal: Principal) -> web.StreamResponse:
    console = console_of(request)
    console.sessions.drop(session_of(request))
    limit = time.time() + console.settings.console_session_hours * 3600
    request[SESSION] = console.sessions.new(token=token, principal=principal, expires_at=min(expires_at, limit))
    raise web.HTTPSeeOther("/board")


async def oidc_start(request: web.Request) -> web.StreamResponse:
    if not console_of(request).settings.oidc_issuer:
        raise web.HTTPNotFound()
    url = await request.app[OIDC].start(session_of(request).oidc)
    raise web.HTTPSeeOther(url)


async def oidc_callback(request: web.Request) -> web.StreamResponse:
    if not console_of(request).settings.oidc_issuer:
        raise web.HTTPNotFound()
    t = i18n.translator(lang_of(request))
    if "error" in request.query:
        return error_page(request, 401, t("signin.failed", reason=request.query["error"]))
    try:
        token, principal = await request.app[OIDC].finish(
            session_of(request).oidc, code=request.query.get("code", ""), state=request.query.get("state", "")
        )
    except SignInFailed as exc:
        return error_page(request, 401, t("signin.failed", reason=str(exc)))
    return _signed_in(request, token, principal.expires_at, principal)


async def sign_out(request: web.Request) -> web.StreamResponse:
    console = console_of(request)
    console.sessions.drop(session_of(request))
    request[SESSION] = console.sessions.new()
    raise web.HTTPSeeOther("/signin")


async def switch_language(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    lang = i18n.chosen(str(form.get("lang", "")))
    back = str(form.get("next", "/"))
    # Only a path of this console: no open redirect.
    if not back.startswith("/") or back.startswith("//"):
        back = "/"
    response = web.HTTPSeeOther(back)
    response.set_cookie(i18n.COOKIE, lang, max_age=365 * 86400, path="/", samesite="Lax", httponly=True)
    raise response
