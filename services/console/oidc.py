"""Production sign-in: the OpenID Connect authorization code flow (with PKCE, state and nonce) against
the provider of the settings. The ID token the provider issues is the person's token: the console
verifies it as the services do (dutyline.grpckit.auth.OidcIssuer: the provider's keys, issuer,
audience; roles and sites from the configured claims) and sends it on every gRPC call.

Written on aiohttp and PyJWT, which dutyline already uses, rather than a client library: the flow is
a redirect, one POST and the token check the services already make."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus, urlencode

import aiohttp
import jwt

from dutyline.grpckit.auth import OidcIssuer, Principal
from services.console.settings import ConsoleSettings


class SignInFailed(Exception):
    """The provider refused, or what came back does not check out."""


@dataclass(frozen=True)
class Provider:
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


class OidcClient:
    def __init__(self, settings: ConsoleSettings) -> None:
        self._settings = settings
        self._provider: Provider | None = None
        self._issuer: OidcIssuer | None = None

    @property
    def redirect_uri(self) -> str:
        return f"{self._settings.public_url}/signin/oidc/callback"

    async def _discover(self) -> Provider:
        if self._provider is None:
            url = self._settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration"
            document = await _get_json(url)
            self._provider = Provider(
                authorization_endpoint=str(document["authorization_endpoint"]),
                token_endpoint=str(document["token_endpoint"]),
                jwks_uri=self._settings.oidc_jwks_url or str(document["jwks_uri"]),
            )
            self._issuer = OidcIssuer(
                self._settings.oidc_issuer,
                self._settings.oidc_audience,
                self._provider.jwks_uri,
                roles_claim=self._settings.oidc_roles_claim,
                sites_claim=self._settings.oidc_sites_claim,
            )
        return self._provider

    async def start(self, pending: dict[str, str]) -> str:
        """The provider's URL to send the browser to; remembers state, nonce and verifier in ``pending``."""
        provider = await self._discover()
        pending.clear()
        pending.update(state=secrets.token_urlsafe(24), nonce=secrets.token_urlsafe(24))
        pending["verifier"] = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(pending["verifier"].encode()).digest()).rstrip(b"=")
        query = {
            "response_type": "code",
            "client_id": self._settings.oidc_client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self._settings.console_oidc_scopes,
            "state": pending["state"],
            "nonce": pending["nonce"],
            "code_challenge": challenge.decode(),
            "code_challenge_method": "S256",
        }
        return f"{provider.authorization_endpoint}?{urlencode(query)}"

    async def finish(self, pending: dict[str, str], *, code: str, state: str) -> tuple[str, Principal]:
        """The ID token and whom it names, for the code the provider sent back with ``state``."""
        expected = pending.pop("state", "")
        if not expected or not secrets.compare_digest(expected, state):
            raise SignInFailed("state does not match")
        provider = await self._discover()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "client_id": self._settings.oidc_client_id,
            "code_verifier": pending.pop("verifier", ""),
        }
        secret = self._settings.console_oidc_client_secret.get_secret_value()
        # client_secret_basic, the method every provider supports (RFC 6749 §2.3.1: each part form-encoded).
        login = f"{quote_plus(self._settings.oidc_client_id)}:{quote_plus(secret)}"
        headers = {"Authorization": "Basic " + base64.b64encode(login.encode()).decode()} if secret else {}
        timeout = aiohttp.ClientTimeout(total=10)
        async with (
            aiohttp.ClientSession(timeout=timeout) as http,
            http.post(provider.token_endpoint, data=form, headers=headers) as reply,
        ):
            answer: dict[str, Any] = await reply.json(content_type=None)
            if reply.status != 200 or "id_token" not in answer:
                raise SignInFailed(f"token endpoint answered {reply.status}: {answer.get('error', '')}")
        id_token = str(answer["id_token"])
        assert self._issuer is not None
        try:
            # PyJWKClient fetches keys with blocking I/O.
            principal = await asyncio.to_thread(self._issuer.verify, id_token)
        except Exception as exc:
            raise SignInFailed(str(exc)) from exc
        nonce = jwt.decode(id_token, options={"verify_signature": False}).get("nonce")
        if nonce != pending.pop("nonce", None):
            raise SignInFailed("nonce does not match")
        return id_token, principal


async def _get_json(url: str) -> dict[str, Any]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http, http.get(url) as reply:
        if reply.status != 200:
            raise SignInFailed(f"{url} answered {reply.status}")
        document: dict[str, Any] = await reply.json(content_type=None)
        return document
