"""The local message gateway of `dutyline up` and the tests: a real SMTP server and a real HTTP
receiver on 127.0.0.1 that record every message they receive.

    python -m dutyline.stack.gateway --dir DIR --smtp-port P --http-port Q [--secret S] [--fail ADDRESS ...]

- SMTP (aiosmtpd) on port P: every accepted e-mail is recorded.
- HTTP (aiohttp) on port Q:
  ``POST /sms`` and ``POST /voice`` take ``{to, text, id}`` and answer ``{"id": ..., "status": "delivered"}``;
  ``POST /im/{name}`` and ``POST /webhook/{name}`` take a person's signed IM/webhook message;
  ``POST /agency/{name}`` takes an agency's webhook delivery and answers ``{"receipt": "<uuid>"}``.

Every message is appended as one JSON line to DIR/messages.jsonl (and logged): channel, address,
subject/text/body, the relevant headers, received_at, the answer given, and ``signature_valid``
when it can be checked. Addresses given with ``--fail`` are answered 503 (SMTP 451: try later),
those given with ``--reject`` 400 (SMTP 550: permanent), so failing gateways can be shown and
tested. With ``--secret`` a bad IM/webhook signature is answered 401; with ``--token`` SMS/voice
requests must carry ``Authorization: Bearer <token>``. SIGTERM/SIGINT stop it cleanly.

``LocalGateway`` is the same thing in-process (async start()/stop()), still on real ports.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hmac
import json
import socket
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import structlog
from aiohttp import web
from aiosmtpd.smtp import SMTP, Envelope, Session

from dutyline.logging import configure_logging
from dutyline.signals import stop_on_signals
from dutyline.webhook_signing import (
    NOTIFICATION_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify_signature,
)

log = structlog.get_logger(__name__)

HOST = "127.0.0.1"
MESSAGES_FILE = "messages.jsonl"
# Headers worth keeping in the record (Authorization only as "present").
_RECORDED_HEADERS = ("Content-Type", "Idempotency-Key", NOTIFICATION_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket; port 0 lets the OS pick a free one (no race with another process)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


class _Recorder:
    """Appends one JSON line per message to messages.jsonl (one event loop writes: no lock needed)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def record(self, entry: dict[str, Any]) -> dict[str, Any]:
        entry = {**entry, "received_at": datetime.now(UTC).isoformat()}
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
        log.info("gateway.received", **{k: v for k, v in entry.items() if k not in ("body", "payload", "headers")})
        return entry


class _SmtpHandler:
    """aiosmtpd handler: refuses --fail/--reject recipients, records every accepted message."""

    def __init__(self, gateway: LocalGateway) -> None:
        self._gateway = gateway

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if self._gateway.rejects(address):
            return "550 5.1.1 Mailbox unavailable (--reject)"
        if self._gateway.fails(address):
            return "451 4.3.0 Mailbox temporarily unavailable (--fail)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        data = raw if isinstance(raw, bytes) else raw.encode()
        mail = BytesParser(policy=policy.default).parsebytes(data)
        queued = str(uuid.uuid4())
        self._gateway.recorder.record(
            {
                "channel": "email",
                "address": ", ".join(envelope.rcpt_tos),
                "to": list(envelope.rcpt_tos),
                "from": envelope.mail_from,
                "subject": str(mail.get("Subject", "")),
                "body": _plain_text(mail) if isinstance(mail, EmailMessage) else "",
                "message_id": str(mail.get("Message-ID", "")),
                "headers": {k: str(v) for k, v in mail.items() if k.lower().startswith("x-dutyline")},
                "answered": 250,
                "queue_id": queued,
            }
        )
        return f"250 2.0.0 OK queued as {queued}"


def _plain_text(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        return str(part.get_content())
    except (LookupError, ValueError):
        return part.get_payload(decode=True).decode("utf-8", errors="replace")  # type: ignore[union-attr]


class LocalGateway:
    """The gateway in-process: a real SMTP server and a real HTTP server on ``host``.

    Ports of 0 are picked by the OS at start(); read them from ``smtp_port``/``http_port``."""

    def __init__(
        self,
        directory: Path,
        *,
        smtp_port: int = 0,
        http_port: int = 0,
        host: str = HOST,
        secret: str = "",
        token: str = "",
        fail: Iterable[str] = (),
        reject: Iterable[str] = (),
        agency_secrets: Mapping[str, str] | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.host = host
        self.secret = secret
        self.token = token
        # Mutable on purpose: a test can make an address fail (or recover) while the gateway runs.
        self.failing: set[str] = set(fail)
        self.rejecting: set[str] = set(reject)
        self.agency_secrets = dict(agency_secrets or {})
        self.recorder = _Recorder(self.directory / MESSAGES_FILE)
        self._smtp_port = smtp_port
        self._http_port = http_port
        self._smtp_server: asyncio.Server | None = None
        self._smtp_sessions: set[SMTP] = set()
        self._runner: web.AppRunner | None = None

    # --- addresses --------------------------------------------------------------------------------

    @property
    def smtp_port(self) -> int:
        return self._smtp_port

    @property
    def http_port(self) -> int:
        return self._http_port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self._http_port}"

    @property
    def sms_url(self) -> str:
        return f"{self.url}/sms"

    @property
    def voice_url(self) -> str:
        return f"{self.url}/voice"

    def im_url(self, name: str) -> str:
        return f"{self.url}/im/{name}"

    def webhook_url(self, name: str) -> str:
        return f"{self.url}/webhook/{name}"

    def agency_url(self, name: str) -> str:
        return f"{self.url}/agency/{name}"

    @property
    def messages_path(self) -> Path:
        return self.recorder.path

    def messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Every recorded message (of ``channel``), oldest first."""
        try:
            lines = self.messages_path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        entries = [json.loads(line) for line in lines if line.strip()]
        return [e for e in entries if channel is None or e.get("channel") == channel]

    def fails(self, *addresses: str) -> bool:
        return any(a in self.failing for a in addresses if a)

    def rejects(self, *addresses: str) -> bool:
        return any(a in self.rejecting for a in addresses if a)

    # --- lifecycle --------------------------------------------------------------------------------

    async def start(self) -> None:
        """SMTP first, then HTTP: once the HTTP port accepts connections, both serve."""
        if self._runner is not None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        loop = asyncio.get_running_loop()
        handler = _SmtpHandler(self)

        def smtp_session() -> SMTP:
            session = SMTP(handler, hostname="dutyline-gateway", enable_SMTPUTF8=True, timeout=60, loop=loop)
            self._smtp_sessions.add(session)
            return session

        smtp_sock = _bind(self.host, self._smtp_port)
        self._smtp_port = smtp_sock.getsockname()[1]
        self._smtp_server = await loop.create_server(smtp_session, sock=smtp_sock)

        app = web.Application()
        app.add_routes(
            [
                web.post("/sms", self._gateway_handler("sms")),
                web.post("/voice", self._gateway_handler("voice")),
                web.post("/im/{name}", self._signed_handler("im")),
                web.post("/webhook/{name}", self._signed_handler("webhook")),
                web.post("/agency/{name}", self._agency),
            ]
        )
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=5.0)
        await runner.setup()
        http_sock = _bind(self.host, self._http_port)
        self._http_port = http_sock.getsockname()[1]
        try:
            await web.SockSite(runner, http_sock).start()
        except BaseException:
            http_sock.close()
            await runner.cleanup()
            await self._stop_smtp()
            raise
        self._runner = runner
        log.info("gateway.ready", smtp_port=self._smtp_port, http_port=self._http_port, directory=str(self.directory))

    async def stop(self) -> None:
        """Close both servers and their connections; idempotent."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self._stop_smtp()

    async def _stop_smtp(self) -> None:
        if self._smtp_server is None:
            return
        self._smtp_server.close()
        for session in list(self._smtp_sessions):
            if session.transport is not None:
                session.transport.close()
        self._smtp_sessions.clear()
        with contextlib.suppress(Exception):
            async with asyncio.timeout(5.0):
                await self._smtp_server.wait_closed()
        self._smtp_server = None

    async def __aenter__(self) -> LocalGateway:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- HTTP -------------------------------------------------------------------------------------

    @staticmethod
    def _headers(request: web.Request) -> dict[str, str]:
        kept = {name: request.headers[name] for name in _RECORDED_HEADERS if name in request.headers}
        if "Authorization" in request.headers:
            kept["Authorization"] = "(present)"
        return kept

    def _answer(self, entry: dict[str, Any], status: int, payload: Mapping[str, Any]) -> web.Response:
        self.recorder.record({**entry, "answered": status})
        return web.json_response(dict(payload), status=status)

    def _gateway_handler(self, channel: str) -> Handler:
        async def handle(request: web.Request) -> web.StreamResponse:
            raw = await request.read()
            entry: dict[str, Any] = {"channel": channel, "headers": self._headers(request)}
            try:
                payload = json.loads(raw)
            except ValueError:
                payload = None
            if not isinstance(payload, dict) or not payload.get("to") or "text" not in payload:
                entry["body"] = raw.decode("utf-8", errors="replace")
                return self._answer(entry, 400, {"error": "expected a JSON object with to, text and id"})
            to, text, message_id = str(payload["to"]), str(payload["text"]), str(payload.get("id") or uuid.uuid4())
            entry.update({"address": to, "to": to, "text": text, "id": message_id})
            if self.token and not hmac.compare_digest(
                request.headers.get("Authorization", "").encode(), f"Bearer {self.token}".encode()
            ):
                return self._answer(entry, 401, {"id": message_id, "error": "bad or missing bearer token"})
            if self.rejects(to):
                return self._answer(entry, 400, {"id": message_id, "status": "rejected", "error": "invalid number"})
            if self.fails(to):
                return self._answer(entry, 503, {"id": message_id, "error": "gateway unavailable (--fail)"})
            return self._answer(entry, 200, {"id": message_id, "status": "delivered"})

        return handle

    def _aliases(self, request: web.Request) -> tuple[str, str, str]:
        """What --fail/--reject may name for an IM/webhook/agency receiver: name, path or full URL."""
        return request.match_info["name"], request.path, str(request.url)

    def _signed_handler(self, channel: str) -> Handler:
        async def handle(request: web.Request) -> web.StreamResponse:
            raw = await request.read()
            name = request.match_info["name"]
            entry: dict[str, Any] = {"channel": channel, "name": name, "address": str(request.url)}
            entry["headers"] = self._headers(request)
            try:
                payload = json.loads(raw)
            except ValueError:
                payload = None
            if isinstance(payload, dict):
                entry.update(
                    {
                        "notification_id": payload.get("notification_id"),
                        "subject": payload.get("subject"),
                        "body": payload.get("body"),
                        "text": payload.get("text"),
                        "drill": payload.get("drill"),
                    }
                )
            else:
                entry["body"] = raw.decode("utf-8", errors="replace")
            if self.secret:
                entry["signature_valid"] = verify_signature(
                    self.secret,
                    request.headers.get(TIMESTAMP_HEADER, ""),
                    raw,
                    request.headers.get(SIGNATURE_HEADER, ""),
                )
                if not entry["signature_valid"]:
                    return self._answer(entry, 401, {"error": "bad signature"})
            if not isinstance(payload, dict):
                return self._answer(entry, 400, {"error": "expected a JSON object"})
            if self.rejects(*self._aliases(request)):
                return self._answer(entry, 400, {"error": "rejected (--reject)"})
            if self.fails(*self._aliases(request)):
                return self._answer(entry, 503, {"error": "receiver unavailable (--fail)"})
            return self._answer(entry, 200, {"status": "received"})

        return handle

    async def _agency(self, request: web.Request) -> web.StreamResponse:
        """An agency's webhook endpoint (接收单位): acknowledges each delivery with a receipt."""
        raw = await request.read()
        name = request.match_info["name"]
        entry: dict[str, Any] = {"channel": "agency", "name": name, "address": str(request.url)}
        entry["headers"] = self._headers(request)
        try:
            entry["payload"] = json.loads(raw)
        except ValueError:
            entry["body"] = raw.decode("utf-8", errors="replace")
        # Agencies have keys of their own: checked only when given (--agency-secret NAME=SECRET).
        agency_secret = self.agency_secrets.get(name)
        if agency_secret:
            entry["signature_valid"] = verify_signature(
                agency_secret, request.headers.get(TIMESTAMP_HEADER, ""), raw, request.headers.get(SIGNATURE_HEADER, "")
            )
            if not entry["signature_valid"]:
                return self._answer(entry, 401, {"error": "bad signature"})
        if self.rejects(*self._aliases(request)):
            return self._answer(entry, 400, {"error": "rejected (--reject)"})
        if self.fails(*self._aliases(request)):
            return self._answer(entry, 503, {"error": "agency unavailable (--fail)"})
        receipt = str(uuid.uuid4())
        entry["receipt"] = receipt
        return self._answer(entry, 200, {"receipt": receipt})


# --- the process ----------------------------------------------------------------------------------


def _agency_secret(text: str) -> tuple[str, str]:
    name, sep, secret = text.partition("=")
    if not sep or not name or not secret:
        raise argparse.ArgumentTypeError(f"expected NAME=SECRET, got {text!r}")
    return name, secret


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m dutyline.stack.gateway",
        description="Local SMTP + HTTP gateway that records every message (dutyline up, tests).",
    )
    parser.add_argument("--dir", type=Path, required=True, help="where messages.jsonl is written")
    parser.add_argument("--smtp-port", type=int, required=True, help="SMTP port (0: any free one)")
    parser.add_argument("--http-port", type=int, required=True, help="HTTP port (0: any free one)")
    parser.add_argument("--host", default=HOST, help=f"address to listen on (default {HOST})")
    parser.add_argument("--secret", default="", help="IM/webhook signing secret: bad signatures get 401")
    parser.add_argument("--token", default="", help="bearer token SMS/voice requests must carry")
    parser.add_argument(
        "--fail", nargs="+", action="extend", default=[], metavar="ADDRESS", help="answer 503 / SMTP 451"
    )
    parser.add_argument(
        "--reject", nargs="+", action="extend", default=[], metavar="ADDRESS", help="answer 400 / SMTP 550"
    )
    parser.add_argument(
        "--agency-secret",
        type=_agency_secret,
        action="append",
        default=[],
        metavar="NAME=SECRET",
        help="check the signatures of /agency/NAME with SECRET",
    )
    parser.add_argument("--log-format", choices=("auto", "json", "console"), default="auto")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    """Run until SIGTERM or SIGINT, then stop cleanly."""
    gateway = LocalGateway(
        args.dir,
        smtp_port=args.smtp_port,
        http_port=args.http_port,
        host=args.host,
        secret=args.secret,
        token=args.token,
        fail=args.fail,
        reject=args.reject,
        agency_secrets=dict(args.agency_secret),
    )
    stop = asyncio.Event()
    stop_on_signals(stop)
    await gateway.start()
    try:
        await stop.wait()
        log.info("gateway.stopping")
    finally:
        await gateway.stop()
    log.info("gateway.stopped")


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    configure_logging("gateway", fmt=args.log_format)
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
