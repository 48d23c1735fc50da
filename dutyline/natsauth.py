"""NATS decentralized (operator / JWT) authentication: nkeys, v2 JWTs and .creds files.

In operator mode nats-server trusts one operator; the operator signs accounts, an account signs its
users, and a user's JWT carries the subjects it may publish and subscribe to. The server checks the
whole chain and enforces the permissions, so a user can be issued at any time without touching the
server: dutyline's notify service signs NATS users for agencies with the application account's seed.

The JWTs are the v2 format of github.com/nats-io/jwt: header ``{"typ":"JWT","alg":"ed25519-nkey"}``,
claims ``jti, iat, iss, name, sub`` and a ``nats`` object with ``type`` and ``version: 2``; the
signature is the issuer nkey's ed25519 signature over ``b64url(header).b64url(claims)``, everything
base64url without padding.

Pure functions, except ``OperatorSetup.load_or_create`` and ``write_secret``, which read and write
files.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import nacl.exceptions
import nacl.signing
import nkeys

NO_LIMIT = -1
_HEADER = {"typ": "JWT", "alg": "ed25519-nkey"}
_VERSION = 2

# A subject in a permission: tokens of printable characters without whitespace, `*` a whole token,
# `>` only the last one.
_TOKEN = re.compile(r"^[^\s.*>]+$")

_KINDS = {
    nkeys.PREFIX_BYTE_OPERATOR: "O",
    nkeys.PREFIX_BYTE_ACCOUNT: "A",
    nkeys.PREFIX_BYTE_USER: "U",
}


class NatsAuthError(ValueError):
    """A key, token or subject that is not what it claims to be."""


# --- nkeys -----------------------------------------------------------------------------------------


def create_seed(prefix: int) -> str:
    """A new nkey seed (``SO…``, ``SA…``, ``SU…``) of the given kind (``nkeys.PREFIX_BYTE_*``)."""
    if prefix not in _KINDS:
        raise NatsAuthError(f"unsupported nkey prefix {prefix}")
    return str(nkeys.encode_seed(os.urandom(32), prefix).decode())


def derived_seed(secret: str, label: str, prefix: int) -> str:
    """A seed of the given kind derived from ``secret`` and ``label`` (HMAC-SHA256): the same pair
    always gives the same key, and nobody without ``secret`` can compute it."""
    if prefix not in _KINDS:
        raise NatsAuthError(f"unsupported nkey prefix {prefix}")
    raw = hmac.new(secret.encode(), f"dutyline-nkey:{prefix}:{label}".encode(), hashlib.sha256).digest()
    return str(nkeys.encode_seed(raw, prefix).decode())


def public_key(seed: str) -> str:
    """The public key (``O…``, ``A…``, ``U…``) of a seed."""
    try:
        return str(nkeys.from_seed(seed.encode()).public_key.decode())
    except (nkeys.NkeysError, ValueError, TypeError) as exc:
        raise NatsAuthError("not a valid nkey seed") from exc


def _sign(seed: str, data: bytes) -> bytes:
    return bytes(nkeys.from_seed(seed.encode()).sign(data))


def _raw_public_key(key: str) -> bytes:
    """The 32 ed25519 bytes of a public nkey, its checksum verified."""
    try:
        padded = key + "=" * (-len(key) % 8)
        raw = base64.b32decode(padded)
    except (ValueError, TypeError) as exc:
        raise NatsAuthError(f"not a public nkey: {key!r}") from exc
    if len(raw) != 35 or raw[0] not in _KINDS:
        raise NatsAuthError(f"not a public nkey: {key!r}")
    body, checksum = raw[:-2], raw[-2:]
    if bytes(nkeys.crc16_checksum(body)) != checksum:
        raise NatsAuthError(f"bad checksum in public nkey {key!r}")
    return raw[1:33]


# --- JWTs ------------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _json(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def encode_jwt(
    issuer_seed: str, *, subject: str, name: str, nats: dict[str, Any], issued_at: int | None = None, **extra: Any
) -> str:
    """A v2 NATS JWT about ``subject`` signed by ``issuer_seed``; ``nats`` holds the type-specific claims
    (``type`` is required, ``version`` is set). ``extra`` adds standard claims such as ``exp``."""
    if "type" not in nats:
        raise NatsAuthError("the nats claims need a type")
    standard: dict[str, Any] = {
        **extra,
        "iat": int(time.time()) if issued_at is None else issued_at,
        "iss": public_key(issuer_seed),
        "name": name,
        "sub": subject,
    }
    # Like nats-io/jwt: the id is the SHA-512/256 of the standard claims without it (base32, no padding).
    try:
        digest = hashlib.new("sha512_256", _json(standard)).digest()
    except ValueError:  # an OpenSSL without SHA-512/256: the id only has to be unique
        digest = os.urandom(32)
    claims = {"jti": base64.b32encode(digest).decode().rstrip("="), **standard, "nats": {**nats, "version": _VERSION}}
    signed = f"{_b64(_json(_HEADER))}.{_b64(_json(claims))}"
    return f"{signed}.{_b64(_sign(issuer_seed, signed.encode()))}"


def decode_jwt(token: str) -> dict[str, Any]:
    """The claims of a v2 NATS JWT whose signature verifies against its own issuer (``iss``).

    Only the signature is checked, not whether the issuer is trusted: that is the server's job.
    """
    try:
        header_b64, claims_b64, sig_b64 = token.strip().split(".")
        header = json.loads(_unb64(header_b64))
        claims = json.loads(_unb64(claims_b64))
        signature = _unb64(sig_b64)
    except (ValueError, TypeError) as exc:
        raise NatsAuthError("not a JWT") from exc
    if header != _HEADER:
        raise NatsAuthError(f"unsupported JWT header {header}")
    if not isinstance(claims, dict) or not isinstance(claims.get("iss"), str):
        raise NatsAuthError("JWT without an issuer")
    try:
        nacl.signing.VerifyKey(_raw_public_key(claims["iss"])).verify(f"{header_b64}.{claims_b64}".encode(), signature)
    except nacl.exceptions.BadSignatureError as exc:
        raise NatsAuthError("bad JWT signature") from exc
    return claims


def operator_jwt(
    operator_seed: str, *, name: str, system_account: str | None = None, signing_keys: list[str] | None = None
) -> str:
    """The operator's self-signed JWT; account JWTs signed by one of ``signing_keys`` are trusted too,
    so the operator's own seed can stay offline."""
    nats: dict[str, Any] = {"type": "operator"}
    if system_account:
        nats["system_account"] = system_account
    if signing_keys:
        nats["signing_keys"] = list(signing_keys)
    return encode_jwt(operator_seed, subject=public_key(operator_seed), name=name, nats=nats)


def _account_limits(*, jetstream: bool) -> dict[str, Any]:
    limits: dict[str, Any] = {
        "subs": NO_LIMIT,
        "data": NO_LIMIT,
        "payload": NO_LIMIT,
        "imports": NO_LIMIT,
        "exports": NO_LIMIT,
        "wildcards": True,
        "conn": NO_LIMIT,
        "leaf": NO_LIMIT,
    }
    if jetstream:
        # Non-zero storage enables JetStream for the account; -1 is "up to what the server has".
        limits |= {"mem_storage": NO_LIMIT, "disk_storage": NO_LIMIT, "streams": NO_LIMIT, "consumer": NO_LIMIT}
    return limits


def account_jwt(
    operator_seed: str,
    account: str,
    *,
    name: str,
    jetstream: bool = True,
    revocations: dict[str, int] | None = None,
    issued_at: int | None = None,
) -> str:
    """An account's JWT (``account``: its seed or public key), signed by the operator or one of its
    signing keys; ``jetstream`` lets the account use JetStream. ``revocations`` maps a user's public
    key to a unix time: the server refuses that user's JWTs issued at or before it, and disconnects
    its clients."""
    nats: dict[str, Any] = {
        "type": "account",
        "limits": _account_limits(jetstream=jetstream),
        "default_permissions": {"pub": {}, "sub": {}},
    }
    if revocations:
        nats["revocations"] = dict(sorted(revocations.items()))
    subject = public_key(account) if account.startswith("S") else account
    return encode_jwt(operator_seed, subject=subject, name=name, nats=nats, issued_at=issued_at)


def validate_subject(subject: str) -> str:
    """``subject`` if it is a valid NATS subject (wildcards allowed), else NatsAuthError."""
    tokens = subject.split(".")
    for i, token in enumerate(tokens):
        if token == "*" or (token == ">" and i == len(tokens) - 1):
            continue
        if not _TOKEN.match(token):
            raise NatsAuthError(f"not a valid NATS subject: {subject!r}")
    return subject


def user_jwt(
    account_seed: str,
    user_public_key: str,
    *,
    name: str,
    publish: list[str] | None = None,
    subscribe: list[str] | None = None,
    expires: int | None = None,
) -> str:
    """A user's JWT signed by the account. ``publish``/``subscribe`` None: everything is allowed;
    a list (even empty): only those subjects."""
    if not user_public_key.startswith("U"):
        raise NatsAuthError("a user JWT is about a user public key")
    _raw_public_key(user_public_key)
    nats: dict[str, Any] = {"type": "user", "subs": NO_LIMIT, "data": NO_LIMIT, "payload": NO_LIMIT}
    for key, subjects in (("pub", publish), ("sub", subscribe)):
        if subjects is None:
            nats[key] = {}
        else:
            # An empty allow list would read as "no restriction": deny everything explicitly then.
            allowed = [validate_subject(s) for s in subjects]
            nats[key] = {"allow": allowed} if allowed else {"deny": [">"]}
    extra = {"exp": expires} if expires is not None else {}
    return encode_jwt(account_seed, subject=user_public_key, name=name, nats=nats, **extra)


def creds_text(jwt: str, seed: str) -> str:
    """The standard ``.creds`` file of a user (what ``nsc`` writes and NATS clients read)."""
    if not seed.startswith("SU"):
        raise NatsAuthError("a creds file holds a user seed")
    return (
        "-----BEGIN NATS USER JWT-----\n"
        f"{jwt}\n"
        "------END NATS USER JWT------\n"
        "\n"
        "************************* IMPORTANT *************************\n"
        "NKEY Seed printed below can be used to sign and prove identity.\n"
        "NKEYs are sensitive and should be treated as secrets.\n"
        "\n"
        "-----BEGIN USER NKEY SEED-----\n"
        f"{seed}\n"
        "------END USER NKEY SEED------\n"
        "\n"
        "*************************************************************\n"
    )


@dataclass(frozen=True)
class UserCreds:
    public_key: str
    jwt: str
    seed: str
    text: str  # the .creds file


def user_creds(
    account_seed: str,
    *,
    name: str,
    publish: list[str] | None,
    subscribe: list[str] | None,
    expires: int | None = None,
    seed: str | None = None,
) -> UserCreds:
    """A NATS user of the account with the given permissions (None: unrestricted): a fresh nkey, or
    the user of ``seed``."""
    seed = seed or create_seed(nkeys.PREFIX_BYTE_USER)
    if not seed.startswith("SU"):
        raise NatsAuthError("a user needs a user seed")
    pub = public_key(seed)
    token = user_jwt(account_seed, pub, name=name, publish=publish, subscribe=subscribe, expires=expires)
    return UserCreds(public_key=pub, jwt=token, seed=seed, text=creds_text(token, seed))


def write_secret(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` readable by the owner only (created 0600, never world-readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


# --- the setup of one deployment -------------------------------------------------------------------

OPERATOR_NAME = "dutyline"
SYSTEM_ACCOUNT_NAME = "SYS"
APP_ACCOUNT_NAME = "DUTYLINE"
SERVICE_USER_NAME = "dutyline-services"
SYSTEM_USER_NAME = "dutyline-system"
SETUP_FILE = "operator.json"


@dataclass(frozen=True)
class OperatorSetup:
    """One operator with its system account and the application account, plus the services' user.

    The app account's seed signs further users (agencies). The operator's signing key re-signs the app
    account (to add revocations) and the system account's user pushes that JWT to the servers, whose
    full resolver keeps it on disk; the operator seed is kept so that everything can be re-signed
    later. Everything here is secret except the JWTs and public keys.
    """

    operator_seed: str
    operator_jwt: str
    system_account_public_key: str
    system_account_jwt: str
    account_public_key: str
    account_jwt: str
    account_seed: str
    service_creds: str  # the services' user: a .creds file, unrestricted within the app account
    signing_seed: str  # an operator signing key: signs the app account's JWT when users are revoked
    system_creds: str  # a system account user: pushes account JWTs ($SYS.REQ.ACCOUNT.<id>.CLAIMS.UPDATE)

    @classmethod
    def create(cls) -> OperatorSetup:
        return cls._create(create_seed(nkeys.PREFIX_BYTE_OPERATOR), create_seed(nkeys.PREFIX_BYTE_ACCOUNT))

    @classmethod
    def _create(cls, operator_seed: str, account_seed: str, service_creds: str = "") -> OperatorSetup:
        system_seed = create_seed(nkeys.PREFIX_BYTE_ACCOUNT)
        signing_seed = create_seed(nkeys.PREFIX_BYTE_OPERATOR)
        if not service_creds:
            service_creds = user_creds(account_seed, name=SERVICE_USER_NAME, publish=None, subscribe=None).text
        return cls(
            operator_seed=operator_seed,
            operator_jwt=operator_jwt(
                operator_seed,
                name=OPERATOR_NAME,
                system_account=public_key(system_seed),
                signing_keys=[public_key(signing_seed)],
            ),
            system_account_public_key=public_key(system_seed),
            # The system account must not have JetStream.
            system_account_jwt=account_jwt(operator_seed, system_seed, name=SYSTEM_ACCOUNT_NAME, jetstream=False),
            account_public_key=public_key(account_seed),
            account_jwt=account_jwt(operator_seed, account_seed, name=APP_ACCOUNT_NAME),
            account_seed=account_seed,
            service_creds=service_creds,
            signing_seed=signing_seed,
            system_creds=user_creds(system_seed, name=SYSTEM_USER_NAME, publish=None, subscribe=None).text,
        )

    @classmethod
    def load_or_create(cls, directory: Path) -> OperatorSetup:
        """The setup kept in ``directory`` (created on first use, owner-only), so that credentials
        issued before a restart stay valid after it. A setup from before signing keys gets a signing
        key and a new system account (nothing else uses the old one); its users stay valid."""
        path = directory / SETUP_FILE
        if path.exists():
            data = json.loads(path.read_text())
            if "signing_seed" in data and "system_creds" in data:
                return cls.from_json(path.read_text())
            setup = cls._create(data["operator_seed"], data["account_seed"], data["service_creds"])
        else:
            directory.mkdir(parents=True, exist_ok=True)
            os.chmod(directory, 0o700)
            setup = cls.create()
        write_secret(path, setup.to_json())
        return setup

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> OperatorSetup:
        data = json.loads(text)
        names = {f.name for f in fields(cls)}
        missing = names - set(data)
        if missing:
            raise NatsAuthError(f"NATS operator setup lacks {sorted(missing)}")
        return cls(**{k: str(data[k]) for k in names})

    def resolver_preload(self) -> dict[str, str]:
        """Account public key → JWT, for the server's ``resolver_preload``."""
        return {self.system_account_public_key: self.system_account_jwt, self.account_public_key: self.account_jwt}

    def server_config(self, resolver_dir: str | Path) -> str:
        """The nats-server settings that make it trust this operator, its accounts preloaded.

        The full resolver keeps account JWTs in ``resolver_dir`` and takes newer ones pushed by the
        system account (with revocations), shares them within a cluster and keeps them over a restart;
        a preload never replaces a newer stored JWT. (The MEMORY resolver would need the config file
        rewritten and the server reloaded for each revocation, which notify cannot do to a server in
        another container.)"""
        lines = [
            f"operator: {json.dumps(self.operator_jwt)}",
            f"system_account: {json.dumps(self.system_account_public_key)}",
            "resolver: {",
            "  type: full",
            f"  dir: {json.dumps(str(resolver_dir))}",
            "  allow_delete: false",
            '  interval: "2m"',
            "}",
            "resolver_preload: {",
            *(f"  {json.dumps(account)}: {json.dumps(jwt)}" for account, jwt in self.resolver_preload().items()),
            "}",
        ]
        return "\n".join(lines) + "\n"

    def write_service_creds(self, path: Path) -> Path:
        return write_secret(path, self.service_creds)

    def write_system_creds(self, path: Path) -> Path:
        return write_secret(path, self.system_creds)


def app_account_jwt(signing_seed: str, account_public_key: str, revocations: dict[str, int]) -> str:
    """The application account's JWT with these revocations, signed with the operator signing key.

    Issued now, so the server's resolver takes it as newer than what it has."""
    return account_jwt(signing_seed, account_public_key, name=APP_ACCOUNT_NAME, revocations=revocations)


async def push_account_jwt(client: Any, account_public_key: str, jwt: str, *, timeout: float = 5.0) -> None:
    """Hand a newer account JWT to the servers' full resolver over a system account connection
    (``client``, a nats-py client); NatsAuthError if the server refuses it."""
    reply = await client.request(f"$SYS.REQ.ACCOUNT.{account_public_key}.CLAIMS.UPDATE", jwt.encode(), timeout=timeout)
    try:
        answer = json.loads(reply.data)
    except ValueError as exc:
        raise NatsAuthError(f"unexpected answer to an account update: {reply.data[:200]!r}") from exc
    if not isinstance(answer, dict) or "error" in answer:
        raise NatsAuthError(f"the NATS server refused the account update: {answer}")
