"""Identity (issue 14, findings 1, 2, 15): tokens with an id and an audience, short by default; a key
per purpose; a revocation list; persons' tokens from an OpenID Connect provider (a real JWKS over
HTTP); components' credentials renewed before they expire; no development secret outside development."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pydantic import SecretStr
from typer.testing import CliRunner

from dutyline.cli.main import app
from dutyline.config import DEV_SERVICE_TOKEN_SECRET, DEV_TOKEN_SECRET, Settings, get_settings
from dutyline.grpckit.auth import (
    AUDIENCE,
    SERVICE_ISSUER,
    OidcIssuer,
    RevokedTokens,
    ServiceCredential,
    TokenVerifier,
    issue_token,
    system_token,
    verify_token,
)
from dutyline.grpckit.errors import Unauthenticated
from services.intake.settings import IntakeSettings
from services.notify.settings import NotifySettings

USER_KEY = "user-key-of-at-least-thirty-two-bytes-long"
SERVICE_KEY = "service-key-of-at-least-thirty-two-bytes!"


def claims_of(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def test_a_person_token_has_an_id_the_audience_and_lasts_one_shift() -> None:
    token = issue_token(USER_KEY, person_id="p-1", roles=["officer"], sites=["hz-01"])
    claims = claims_of(token)
    assert claims["aud"] == AUDIENCE and len(claims["jti"]) == 32
    assert claims["exp"] - claims["iat"] == 12 * 3600
    assert verify_token(USER_KEY, token).token_id == claims["jti"]
    other = issue_token(USER_KEY, person_id="p-1", roles=["officer"], sites=["hz-01"])
    assert claims_of(other)["jti"] != claims["jti"]


def test_a_token_for_another_audience_or_without_an_id_is_refused() -> None:
    now = datetime.now(UTC)
    base = {"iss": "dutyline", "sub": "p-1", "roles": ["admin"], "sites": ["*"], "exp": now + timedelta(hours=1)}
    for claims in ({**base, "aud": "another-app", "jti": "x"}, {**base, "jti": "x"}, {**base, "aud": AUDIENCE}):
        with pytest.raises(Unauthenticated, match="invalid token"):
            verify_token(USER_KEY, jwt.encode(claims, USER_KEY, algorithm="HS256"))


def test_each_kind_of_token_verifies_with_its_own_keys_only() -> None:
    verifier = TokenVerifier([USER_KEY], [SERVICE_KEY])
    service = system_token(SERVICE_KEY, "intake")
    assert claims_of(service)["iss"] == SERVICE_ISSUER
    assert verifier.verify(service).roles == ("system",)
    person = issue_token(USER_KEY, person_id="p-1", roles=["officer"], sites=["hz-01"])
    assert verifier.verify(person).person_id == "p-1"
    # A service credential signed with the persons' key, or a person's with the service key: refused.
    with pytest.raises(Unauthenticated, match="invalid token"):
        verifier.verify(system_token(USER_KEY, "intake"))
    with pytest.raises(Unauthenticated, match="invalid token"):
        verifier.verify(issue_token(SERVICE_KEY, person_id="p-1", roles=["officer"], sites=["hz-01"]))
    # Whoever holds the persons' key still cannot make a system caller.
    with pytest.raises(Unauthenticated, match="service credential"):
        verifier.verify(issue_token(USER_KEY, person_id="system:x", roles=["system"], sites=["*"]))


def test_a_service_credential_is_renewed_before_it_expires() -> None:
    credential = ServiceCredential(SERVICE_KEY, "notify", timedelta(seconds=2))
    seen = set()
    began = time.monotonic()
    while time.monotonic() - began < 5:  # two and a half lifetimes
        token = credential()
        seen.add(token)
        # Every call gets one with a fifth of its life left at least.
        assert verify_token(SERVICE_KEY, token, issuer=SERVICE_ISSUER).expires_at - time.time() >= 0.39
        time.sleep(0.05)
    assert len(seen) >= 3  # cached while most of its life is left, then re-minted


def test_a_revoked_token_is_refused_once_the_list_is_read_again(tmp_path: Path) -> None:
    revoked_file = tmp_path / "revoked"
    revoked_file.write_text("# revoked tokens\n", encoding="utf-8")
    verifier = TokenVerifier([USER_KEY], [SERVICE_KEY], revoked=RevokedTokens(str(revoked_file), every=0.1))
    principal = verifier.verify(issue_token(USER_KEY, person_id="p-1", roles=["officer"], sites=["hz-01"]))
    verifier.require_current(principal)
    revoked_file.write_text(f"# revoked tokens\n{principal.token_id}  # lost phone\n", encoding="utf-8")
    time.sleep(0.15)
    with pytest.raises(Unauthenticated, match="revoked"):
        verifier.require_current(principal)


# --- an OpenID Connect provider: its keys served as a JWKS by a real local HTTP server -----------


class Provider:
    """A stand-in identity provider: its signing keys, and their public halves served as a JWKS."""

    issuer = "https://idp.example.test/realms/duty"

    def __init__(self) -> None:
        self.rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.ec = ec.generate_private_key(ec.SECP256R1())
        keys = [
            {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.rsa.public_key())), "kid": "rsa-1", "alg": "RS256"},
            {**json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.ec.public_key())), "kid": "ec-1", "alg": "ES256"},
        ]
        body = json.dumps({"keys": keys}).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.jwks_url = f"http://127.0.0.1:{self.server.server_address[1]}/certs"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, key: str = "rsa", audience: str = "dutyline-prod", **claims: Any) -> str:
        now = datetime.now(UTC)
        body = {"iss": self.issuer, "aud": audience, "sub": "u-42", "iat": now, "exp": now + timedelta(hours=1)}
        if key == "rsa":
            return jwt.encode({**body, **claims}, self.rsa, algorithm="RS256", headers={"kid": "rsa-1"})
        return jwt.encode({**body, **claims}, self.ec, algorithm="ES256", headers={"kid": "ec-1"})


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    idp = Provider()
    yield idp
    idp.server.shutdown()


def oidc_verifier(provider: Provider) -> TokenVerifier:
    oidc = OidcIssuer(
        provider.issuer, "dutyline-prod", provider.jwks_url, roles_claim="dutyline_roles", sites_claim="dutyline_sites"
    )
    return TokenVerifier([USER_KEY], [SERVICE_KEY], oidc=oidc)


def test_persons_tokens_from_an_oidc_provider_are_verified_with_its_jwks(provider: Provider) -> None:
    verifier = oidc_verifier(provider)
    for key in ("rsa", "ec"):
        token = provider.token(key, dutyline_roles=["officer", "system", "janitor"], dutyline_sites="hz-01 nb-01")
        principal = verifier.verify(token)
        # Roles dutyline does not know, and "system", never come from a provider.
        assert (principal.person_id, principal.roles, principal.sites) == ("u-42", ("officer",), ("hz-01", "nb-01"))
    # Components keep their own credentials.
    assert verifier.verify(system_token(SERVICE_KEY, "intake")).roles == ("system",)


def test_oidc_tokens_for_another_audience_forged_or_expired_and_dev_tokens_are_refused(provider: Provider) -> None:
    verifier = oidc_verifier(provider)
    with pytest.raises(Unauthenticated, match="invalid token"):
        verifier.verify(provider.token(audience="another-app"))
    with pytest.raises(Unauthenticated, match="expired"):
        verifier.verify(provider.token(exp=datetime.now(UTC) - timedelta(minutes=1)))
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    forged = jwt.encode(
        {"iss": provider.issuer, "aud": "dutyline-prod", "sub": "u-1", "exp": now + timedelta(hours=1)},
        impostor,
        algorithm="RS256",
        headers={"kid": "rsa-1"},
    )
    with pytest.raises(Unauthenticated, match="invalid token"):
        verifier.verify(forged)
    # With a provider, dutyline's development issuer is off.
    with pytest.raises(Unauthenticated, match="come from"):
        verifier.verify(issue_token(USER_KEY, person_id="p-1", roles=["admin"], sites=["*"]))


# --- secrets: a key per purpose, none of development's outside development ------------------------


def test_outside_development_every_development_or_placeholder_secret_is_named() -> None:
    assert IntakeSettings(env="development").insecure_secrets() == []
    defaults = IntakeSettings(env="production").insecure_secrets()
    assert {"DUTYLINE_SERVICE_TOKEN_SECRET", "DUTYLINE_TOKEN_SECRET", "DUTYLINE_CALLER_KEYS"} <= set(defaults)
    placeholders = NotifySettings(
        env="production",
        idempotency_key=SecretStr("an-idempotency-key"),
        token_secret=SecretStr("REPLACE-WITH-A-RANDOM-TOKEN-SIGNING-KEY"),
        service_token_secret=SecretStr("n3w-r4nd0m-s3rv1c3-k3y-0f-32-byt3s!!"),
        im_signing_secret=SecretStr("a-real-im-key"),
        ack_token_secret=SecretStr(""),
    ).insecure_secrets()
    assert placeholders == ["DUTYLINE_TOKEN_SECRET", "DUTYLINE_ACK_TOKEN_SECRET"]
    # A rotation that keeps the development key is still refused; with a provider no user key is needed.
    rotating = Settings(env="production", token_secret=SecretStr(f"n3w-k3y,{DEV_TOKEN_SECRET}"))
    assert "DUTYLINE_TOKEN_SECRET" in rotating.insecure_secrets()
    oidc = Settings(
        env="production",
        token_secret=SecretStr(""),
        service_token_secret=SecretStr("s3rv1c3"),
        idempotency_key=SecretStr("1d3mp0t3ncy"),
        oidc_issuer="https://i",
    )
    assert oidc.insecure_secrets() == []
    assert DEV_SERVICE_TOKEN_SECRET != DEV_TOKEN_SECRET


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_dutyline_token_lasts_a_shift_at_most_outside_development(cli_env: pytest.MonkeyPatch) -> None:
    cli_env.setenv("DUTYLINE_ENV", "production")
    args = ["token", "--person", "p-1", "--role", "officer", "--site", "hz-01"]
    too_long = CliRunner().invoke(app, [*args, "--hours", "13"])
    assert too_long.exit_code == 2 and "12" in too_long.output
    issued = CliRunner().invoke(app, [*args, "--hours", "8"])
    assert issued.exit_code == 0, issued.output
    claims = claims_of(issued.output.strip())
    assert claims["exp"] - claims["iat"] == 8 * 3600 and claims["aud"] == AUDIENCE and claims["jti"]


def production_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUTYLINE_")}
    return {**env, "DUTYLINE_ENV": "production", "DUTYLINE_INTAKE_ADDRESS": "127.0.0.1:1", **settings}


@pytest.mark.parametrize(
    "command",
    [
        ["-m", "services.intake"],
        ["-m", "dutyline.cli.main", "serve", "intake"],
        ["-m", "dutyline.launch", "worker", "intake"],
    ],
    ids=["python -m services.intake", "dutyline serve intake", "dutyline worker intake"],
)
def test_in_production_a_process_with_the_development_secrets_refuses_to_start(command: list[str]) -> None:
    done = subprocess.run([sys.executable, *command], env=production_env(), capture_output=True, timeout=60)
    output = (done.stdout + done.stderr).decode()
    assert done.returncode == 2, output
    for setting in ("DUTYLINE_SERVICE_TOKEN_SECRET", "DUTYLINE_TOKEN_SECRET", "DUTYLINE_CALLER_KEYS"):
        assert setting in output
    assert "refusing to start" in output


def test_in_production_the_kubernetes_placeholder_is_refused_too() -> None:
    env = production_env(
        DUTYLINE_TOKEN_SECRET="REPLACE-WITH-A-RANDOM-TOKEN-SIGNING-KEY",
        DUTYLINE_SERVICE_TOKEN_SECRET="n3w-r4nd0m-s3rv1c3-k3y-0f-32-byt3s!!",
        DUTYLINE_CALLER_KEYS="k1:" + "A" * 43 + "=",
        DUTYLINE_IDEMPOTENCY_KEY="an-idempotency-key-of-32-bytes!!",
    )
    done = subprocess.run([sys.executable, "-m", "services.intake"], env=env, capture_output=True, timeout=60)
    output = (done.stdout + done.stderr).decode()
    assert done.returncode == 2, output
    assert "DUTYLINE_TOKEN_SECRET" in output
    assert "DUTYLINE_SERVICE_TOKEN_SECRET" not in output and "DUTYLINE_CALLER_KEYS" not in output
