"""Production sign-in by OpenID Connect, against a provider started here: a real HTTP server with a
discovery document, an authorization endpoint, a token endpoint that checks the PKCE verifier and the
client's secret, and its JWKS (real RSA keys). The console runs in this process, on its own port."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import aiohttp
import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from dutyline.stack.process import free_port
from services.console.app import build_app
from services.console.settings import ConsoleSettings
from services.console.web import CONSOLE

CLIENT_SECRET = "console-client-secret"


@dataclass
class Provider:
    url: str = ""
    key: Any = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048))
    # Signs ID tokens with this key instead (a forger's), when set.
    forger: Any = None
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    issued: list[str] = field(default_factory=list)

    def app(self) -> web.Application:
        async def discovery(request: web.Request) -> web.Response:
            return web.json_response(
                {
                    "issuer": self.url,
                    "authorization_endpoint": f"{self.url}/authorize",
                    "token_endpoint": f"{self.url}/token",
                    "jwks_uri": f"{self.url}/jwks",
                }
            )

        async def jwks(request: web.Request) -> web.Response:
            jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
            return web.json_response({"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]})

        async def authorize(request: web.Request) -> web.Response:
            # The person signs in at the provider (not modelled); it sends the browser back with a code.
            q = request.query
            code = secrets.token_urlsafe(16)
            self.codes[code] = dict(q)
            raise web.HTTPFound(f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}")

        async def token(request: web.Request) -> web.Response:
            form = await request.post()
            asked = self.codes.pop(str(form["code"]), None)
            login = f"{asked['client_id']}:{CLIENT_SECRET}" if asked else ""
            expected_auth = "Basic " + base64.b64encode(login.encode()).decode()
            verifier = str(form.get("code_verifier", ""))
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if (
                asked is None
                or request.headers.get("Authorization") != expected_auth
                or challenge != asked["code_challenge"]
                or form["redirect_uri"] != asked["redirect_uri"]
            ):
                return web.json_response({"error": "invalid_grant"}, status=400)
            now = int(time.time())
            claims = {
                "iss": self.url,
                "aud": asked["client_id"],
                "sub": "p-hz-officer-2",
                "name": "李强 Li Qiang",
                "nonce": asked["nonce"],
                "roles": ["officer", "system"],
                "sites": ["hz-01"],
                "iat": now,
                "exp": now + 3600,
            }
            id_token = jwt.encode(claims, self.forger or self.key, algorithm="RS256", headers={"kid": "k1"})
            self.issued.append(id_token)
            return web.json_response({"id_token": id_token, "access_token": "opaque", "token_type": "Bearer"})

        app = web.Application()
        app.add_routes(
            [
                web.get("/.well-known/openid-configuration", discovery),
                web.get("/jwks", jwks),
                web.get("/authorize", authorize),
                web.post("/token", token),
            ]
        )
        return app


async def serve(app: web.Application, port: int) -> web.AppRunner:
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


@pytest.fixture
async def stack() -> AsyncIterator[tuple[Provider, web.Application, str]]:
    provider = Provider()
    provider_port, console_port = free_port(), free_port()
    provider.url = f"http://127.0.0.1:{provider_port}"
    settings = ConsoleSettings(
        env="production",
        console_address=f"127.0.0.1:{console_port}",
        oidc_issuer=provider.url,
        oidc_audience="dutyline",
        console_oidc_client_secret=SecretStr(CLIENT_SECRET),
    )
    console = build_app(settings)
    runners = [await serve(provider.app(), provider_port), await serve(console, console_port)]
    yield provider, console, f"http://127.0.0.1:{console_port}"
    for runner in runners:
        await runner.cleanup()


async def sign_in(http: aiohttp.ClientSession, base: str) -> aiohttp.ClientResponse:
    """The browser's round trip: console → provider → console's callback (redirects followed by hand)."""
    async with http.get(f"{base}/signin/oidc", allow_redirects=False) as reply:
        assert reply.status == 303
        to_provider = reply.headers["Location"]
    query = parse_qs(urlsplit(to_provider).query)
    assert query["code_challenge_method"] == ["S256"] and query["client_id"] == ["dutyline"]
    assert query["redirect_uri"] == [f"{base}/signin/oidc/callback"] and query["nonce"][0]
    async with http.get(to_provider, allow_redirects=False) as reply:
        back = reply.headers["Location"]
    async with http.get(back, allow_redirects=False) as reply:
        await reply.read()
        return reply


async def test_a_person_signs_in_through_the_provider_and_the_console_keeps_its_id_token(stack: Any) -> None:
    provider, console, base = stack
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.get(f"{base}/signin") as reply:
            page = await reply.text()
        assert 'href="/signin/oidc"' in page and "data-person" not in page
        # Development's pick-a-person sign-in does not exist here.
        async with http.post(f"{base}/signin/dev", data={"person_id": "p-admin"}) as reply:
            assert reply.status == 403  # no CSRF token: refused before anything else
        reply = await sign_in(http, base)
        assert reply.status == 303 and reply.headers["Location"] == "/board"
        cookie = reply.cookies["dutyline_session"]
        session = console[CONSOLE].sessions.get(cookie.value)
        assert session is not None and session.token == provider.issued[-1]
        assert session.principal.person_id == "p-hz-officer-2"
        # Only dutyline's roles, never "system", from the provider's claims.
        assert session.principal.roles == ("officer",) and session.principal.sites == ("hz-01",)


async def test_a_callback_with_another_state_or_a_forged_token_signs_nobody_in(stack: Any) -> None:
    provider, console, base = stack
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.get(f"{base}/signin/oidc", allow_redirects=False) as reply:
            assert reply.status == 303
        async with http.get(f"{base}/signin/oidc/callback?code=x&state=guessed", allow_redirects=False) as reply:
            assert reply.status == 401 and "state" in await reply.text()

        provider.forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        reply = await sign_in(http, base)
        assert reply.status == 401
        assert not any(s.signed_in for s in console[CONSOLE].sessions._sessions.values())
