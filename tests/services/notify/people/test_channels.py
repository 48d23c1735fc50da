"""Delivery channels against real local servers: the local gateway (a real SMTP server and a real
HTTP receiver) and small aiohttp receivers of the tests' own. No mocks."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from pydantic import SecretStr

from dutyline.stack.gateway import LocalGateway
from dutyline.stack.process import ManagedProcess, free_port, wait_for_port_async
from services.notify.people.channels import (
    ANSWER_LIMIT,
    CONSOLE_ANSWER,
    NOTIFICATION_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Channels,
    EmailChannel,
    OutgoingMessage,
    build_channels,
    classify,
    sign,
    verify_signature,
)
from services.notify.settings import NotifySettings

SECRET = "test-im-secret"
TOKEN = "test-gateway-token"
FAILING = ["+8613900000503", "down@example.org", "down"]
REJECTING = ["+8613900000400", "nobody@example.org"]

SUBJECT = "【演练 DRILL】新突发事件 New incident: 文三路燃气泄漏"
BODY = (
    "事件 inc-1，请立即处置。Incident inc-1; act now.\n地点 Place: 文三路 100 号\n\n"
    "确认 Ack: dutyline notify ack ntf-1 --token t0k"
)


def message(channel: str, address: str, *, attempt: str = "ntf-1-0-0", body: str = BODY) -> OutgoingMessage:
    return OutgoingMessage(
        notification_id="ntf-1",
        attempt_id=attempt,
        channel=channel,
        address=address,
        subject=SUBJECT,
        body=body,
        sms_text="【演练 DRILL】新突发事件：文三路燃气泄漏 确认 Ack: dutyline notify ack ntf-1 --token t0k",
        drill=True,
    )


def settings_for(gateway: LocalGateway, **overrides: Any) -> NotifySettings:
    values: dict[str, Any] = {
        "sms_gateway_url": gateway.sms_url,
        "voice_gateway_url": gateway.voice_url,
        "gateway_token": TOKEN,
        "smtp_host": gateway.host,
        "smtp_port": gateway.smtp_port,
        "smtp_sender": "dutyline@duty.example.org",
        "smtp_username": "",
        "smtp_password": "",
        "smtp_starttls": False,
        "im_signing_secret": SECRET,
        # People's URLs here point at receivers on loopback (dutyline.outbound has its own tests).
        "outbound_allow": "http://127.0.0.1",
    }
    values.update(overrides)
    return NotifySettings(**values)


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[LocalGateway]:
    async with LocalGateway(tmp_path, secret=SECRET, token=TOKEN, fail=FAILING, reject=REJECTING) as gw:
        yield gw


@pytest.fixture
async def channels(gateway: LocalGateway) -> AsyncIterator[Channels]:
    built = build_channels(settings_for(gateway))
    yield built
    await built.close()


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def receiver(handler: Handler, path: str = "/hook") -> AsyncIterator[str]:
    """A real HTTP receiver of the test's own on a free port; yields its URL."""
    app = web.Application()
    app.router.add_post(path, handler)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}{path}"
    finally:
        await runner.cleanup()


# --- e-mail --------------------------------------------------------------------------------------


async def test_email_arrives_at_the_smtp_server_in_utf8(channels: Channels, gateway: LocalGateway) -> None:
    result = await channels["email"].deliver(message("email", "zhang.san@duty.example.org"))

    assert result.status == "delivered", result
    assert result.answer.startswith("250")
    [mail] = gateway.messages("email")
    assert mail["to"] == ["zhang.san@duty.example.org"]
    assert mail["from"] == "dutyline@duty.example.org"
    assert mail["subject"] == SUBJECT
    assert mail["body"].strip() == BODY
    assert "文三路 100 号" in mail["body"]
    assert mail["message_id"] == "<ntf-1-0-0@duty.example.org>"
    assert mail["headers"]["X-Dutyline-Notification"] == "ntf-1"
    assert mail["headers"]["X-Dutyline-Drill"] == "true"
    assert mail["queue_id"] in result.answer


def test_the_email_is_utf8_and_names_the_attempt() -> None:
    channel = EmailChannel(host="127.0.0.1", port=25, sender="dutyline@localhost")
    mail = channel.compose(message("email", "a@example.org", attempt="ntf-1-2-0"))
    assert mail["Message-ID"] == "<ntf-1-2-0@localhost>"
    assert mail.get_content_charset() == "utf-8"
    assert mail.get_content().strip() == BODY
    raw = mail.as_bytes()
    assert raw.isascii()  # base64 body, RFC 2047 subject: safe through any server


async def test_email_to_a_failing_mailbox_is_retried(channels: Channels) -> None:
    result = await channels["email"].deliver(message("email", "down@example.org"))
    assert (result.status, result.retryable) == ("failed", True)
    assert "451" in result.answer


async def test_email_to_a_refused_mailbox_is_not_retried(channels: Channels) -> None:
    result = await channels["email"].deliver(message("email", "nobody@example.org"))
    assert (result.status, result.retryable) == ("failed", False)
    assert "550" in result.answer


@pytest.mark.parametrize("address", ["not-an-address", "a@b@c", "张三@example.org", "a@example.org\r\nBcc: x@y.z", ""])
async def test_a_bad_email_address_is_not_retried(channels: Channels, address: str) -> None:
    result = await channels["email"].deliver(message("email", address))
    assert (result.status, result.retryable) == ("failed", False)
    assert "bad address" in result.answer


async def test_email_to_a_stopped_server_is_retried() -> None:
    channel = EmailChannel(host="127.0.0.1", port=free_port(), sender="dutyline@localhost", timeout_s=2)
    result = await channel.deliver(message("email", "a@example.org"))
    assert (result.status, result.retryable) == ("failed", True)
    assert "network error" in result.answer


async def test_an_smtp_server_that_never_answers_times_out() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # no greeting, ever
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        channel = EmailChannel(host="127.0.0.1", port=port, sender="dutyline@localhost", timeout_s=0.5)
        started = time.monotonic()
        result = await channel.deliver(message("email", "a@example.org"))
        assert time.monotonic() - started < 5
    finally:
        server.close()
    assert (result.status, result.retryable) == ("failed", True)
    assert "timed out" in result.answer


async def test_smtp_login_against_a_server_without_auth_is_not_retried(gateway: LocalGateway) -> None:
    channel = EmailChannel(
        host=gateway.host, port=gateway.smtp_port, sender="dutyline@localhost", username="u", password="p"
    )
    result = await channel.deliver(message("email", "a@example.org"))
    assert (result.status, result.retryable) == ("failed", False)
    assert gateway.messages("email") == []


# --- SMS and voice -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sms", "voice"])
async def test_sms_and_voice_go_through_the_gateway(channels: Channels, gateway: LocalGateway, name: str) -> None:
    sent = message(name, "+86 139-1234-5678", attempt="ntf-1-0-1")
    result = await channels[name].deliver(sent)

    assert result.status == "delivered", result  # the local gateway confirms at once
    assert '"status": "delivered"' in result.answer
    [record] = gateway.messages(name)
    assert record["to"] == "+86 139-1234-5678"
    assert record["text"] == sent.sms_text
    assert record["id"] == "ntf-1-0-1"
    assert record["headers"]["Idempotency-Key"] == "ntf-1-0-1"
    assert record["headers"][NOTIFICATION_HEADER] == "ntf-1"
    assert record["headers"]["Authorization"] == "(present)"
    assert record["answered"] == 200


async def test_a_wrong_gateway_token_is_not_retried(gateway: LocalGateway) -> None:
    built = build_channels(settings_for(gateway, gateway_token="wrong"))
    try:
        result = await built["sms"].deliver(message("sms", "+8613912345678"))
    finally:
        await built.close()
    assert (result.status, result.retryable) == ("failed", False)
    assert result.answer.startswith("HTTP 401")


async def test_a_failing_gateway_is_retried(channels: Channels, gateway: LocalGateway) -> None:
    result = await channels["sms"].deliver(message("sms", FAILING[0]))
    assert (result.status, result.retryable) == ("failed", True)
    assert result.answer.startswith("HTTP 503")
    assert gateway.messages("sms")[0]["answered"] == 503


async def test_a_number_the_gateway_rejects_is_not_retried(channels: Channels) -> None:
    result = await channels["sms"].deliver(message("sms", REJECTING[0]))
    assert (result.status, result.retryable) == ("failed", False)
    assert result.answer.startswith("HTTP 400")


@pytest.mark.parametrize("address", ["", "zhang san", "12", "+86 139 1234 5678; rm -rf /"])
async def test_a_bad_phone_number_is_not_sent(channels: Channels, gateway: LocalGateway, address: str) -> None:
    result = await channels["sms"].deliver(message("sms", address))
    assert (result.status, result.retryable) == ("failed", False)
    assert gateway.messages() == []


async def test_a_stopped_gateway_is_retried(gateway: LocalGateway) -> None:
    built = build_channels(settings_for(gateway, sms_gateway_url=f"http://127.0.0.1:{free_port()}/sms"))
    try:
        result = await built["sms"].deliver(message("sms", "+8613912345678"))
    finally:
        await built.close()
    assert (result.status, result.retryable) == ("failed", True)
    assert "network error" in result.answer


async def test_a_gateway_that_confirms_later_has_only_sent_it() -> None:
    async def queued(request: web.Request) -> web.Response:
        payload = await request.json()
        return web.json_response({"id": payload["id"], "status": "queued"}, status=202)

    async with receiver(queued) as url:
        built = build_channels(NotifySettings(sms_gateway_url=url, im_signing_secret=SecretStr(SECRET)))
        try:
            result = await built["sms"].deliver(message("sms", "+8613912345678"))
        finally:
            await built.close()
    assert (result.status, result.retryable) == ("sent", True)
    assert result.answer.startswith("HTTP 202")


# --- IM and webhook ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["im", "webhook"])
async def test_im_and_webhook_are_signed_and_verified_by_the_receiver(channels: Channels, name: str) -> None:
    received: list[tuple[dict[str, str], bytes]] = []

    async def verify(request: web.Request) -> web.Response:
        raw = await request.read()
        received.append((dict(request.headers), raw))
        ok = verify_signature(
            SECRET, request.headers[TIMESTAMP_HEADER], raw, request.headers[SIGNATURE_HEADER], tolerance_s=60
        )
        return web.json_response({"ok": ok}, status=200 if ok else 401)

    async with receiver(verify) as url:
        result = await channels[name].deliver(message(name, url))

    assert result.status == "delivered", result
    [(headers, raw)] = received
    assert headers[NOTIFICATION_HEADER] == "ntf-1"
    assert headers["Idempotency-Key"] == "ntf-1-0-0"
    assert abs(int(headers[TIMESTAMP_HEADER]) - time.time()) < 60
    assert headers[SIGNATURE_HEADER].startswith("v1=")
    payload = json.loads(raw)
    assert payload["subject"] == SUBJECT and payload["body"] == BODY and payload["drill"] is True
    assert payload["channel"] == name and payload["notification_id"] == "ntf-1"

    # Anyone changing the body (or replaying it much later) is caught by the receiver.
    tampered = raw.replace("文三路".encode(), "西湖".encode())
    assert not verify_signature(SECRET, headers[TIMESTAMP_HEADER], tampered, headers[SIGNATURE_HEADER])
    later = int(headers[TIMESTAMP_HEADER]) + 301
    assert not verify_signature(SECRET, headers[TIMESTAMP_HEADER], raw, headers[SIGNATURE_HEADER], now=later)


async def test_the_gateway_checks_signatures_and_refuses_a_tampered_body(
    channels: Channels, gateway: LocalGateway
) -> None:
    result = await channels["im"].deliver(message("im", gateway.im_url("zhang")))
    assert result.status == "delivered", result
    [record] = gateway.messages("im")
    assert record["signature_valid"] is True
    assert record["name"] == "zhang" and record["body"] == BODY

    # Replay the same headers with a changed body: 401.
    timestamp = str(int(time.time()))
    body = json.dumps({"subject": "x", "body": "原文"}, ensure_ascii=False).encode()
    headers = {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(SECRET, timestamp, body)}
    async with aiohttp.ClientSession() as session:
        async with session.post(gateway.webhook_url("li"), data=body, headers=headers) as response:
            assert response.status == 200
        tampered = body.replace("原文".encode(), "改过".encode())
        async with session.post(gateway.webhook_url("li"), data=tampered, headers=headers) as response:
            assert response.status == 401
    assert [r["signature_valid"] for r in gateway.messages("webhook")] == [True, False]


async def test_a_receiver_signed_with_another_key_refuses(gateway: LocalGateway) -> None:
    built = build_channels(settings_for(gateway, im_signing_secret="another-secret"))
    try:
        result = await built["webhook"].deliver(message("webhook", gateway.webhook_url("zhang")))
    finally:
        await built.close()
    assert (result.status, result.retryable) == ("failed", False)
    assert result.answer.startswith("HTTP 401")


async def test_a_failing_receiver_is_retried(channels: Channels, gateway: LocalGateway) -> None:
    result = await channels["im"].deliver(message("im", gateway.im_url("down")))
    assert (result.status, result.retryable) == ("failed", True)
    assert result.answer.startswith("HTTP 503")


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(400, False), (403, False), (404, False), (410, False), (408, True), (429, True), (500, True), (503, True)],
)
async def test_http_answers_decide_whether_to_retry(channels: Channels, status: int, retryable: bool) -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.Response(status=status, text=f"status {status}")

    async with receiver(answer) as url:
        result = await channels["webhook"].deliver(message("webhook", url))
    assert (result.status, result.retryable) == ("failed", retryable)
    assert result.answer == f"HTTP {status} status {status}"


async def test_a_redirect_is_not_followed(channels: Channels) -> None:
    async def moved(request: web.Request) -> web.Response:
        return web.Response(status=302, headers={"Location": "http://127.0.0.1:1/elsewhere"})

    async with receiver(moved) as url:
        result = await channels["webhook"].deliver(message("webhook", url))
    assert (result.status, result.retryable) == ("failed", False)


@pytest.mark.parametrize("address", ["", "not a url", "ftp://example.org/x", "file:///etc/passwd", "http://"])
async def test_a_bad_url_is_not_retried(channels: Channels, address: str) -> None:
    result = await channels["im"].deliver(message("im", address))
    assert (result.status, result.retryable) == ("failed", False)
    assert "bad address" in result.answer


async def test_a_slow_receiver_times_out_and_is_retried(gateway: LocalGateway) -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.Response(text="too late")

    built = build_channels(settings_for(gateway), timeout_s=0.5)
    try:
        async with receiver(slow) as url:
            started = time.monotonic()
            result = await built["webhook"].deliver(message("webhook", url))
            assert time.monotonic() - started < 3
    finally:
        await built.close()
    assert (result.status, result.retryable) == ("failed", True)
    assert result.answer == "timed out after 0.5 s"


async def test_a_long_answer_is_truncated_for_the_record(channels: Channels) -> None:
    async def verbose(request: web.Request) -> web.Response:
        return web.Response(status=500, text="详" * 50_000)

    async with receiver(verbose) as url:
        result = await channels["webhook"].deliver(message("webhook", url))
    assert result.status == "failed" and len(result.answer) <= ANSWER_LIMIT


# --- console, configuration, signatures ----------------------------------------------------------


async def test_the_console_shows_it(channels: Channels) -> None:
    result = await channels["console"].deliver(message("console", ""))
    assert (result.status, result.answer) == ("delivered", CONSOLE_ANSWER)


async def test_only_configured_channels_are_built() -> None:
    bare = build_channels(
        NotifySettings(sms_gateway_url="", voice_gateway_url="", smtp_host="", im_signing_secret=SecretStr(SECRET))
    )
    assert sorted(bare) == ["console", "im", "webhook"]
    await bare.close()
    nothing = build_channels(
        NotifySettings(sms_gateway_url="", voice_gateway_url="", smtp_host="", im_signing_secret=SecretStr(""))
    )
    assert list(nothing) == ["console"]
    await nothing.close()


async def test_all_channels_share_one_closable_session(channels: Channels, gateway: LocalGateway) -> None:
    assert sorted(channels) == ["console", "email", "im", "sms", "voice", "webhook"]
    await channels["sms"].deliver(message("sms", "+8613912345678"))
    await channels.close()
    await channels.close()  # idempotent
    # A closed set opens a new session when used again (e.g. after a restart of the dispatcher).
    result = await channels["sms"].deliver(message("sms", "+8613912345678"))
    assert result.status == "delivered"


def test_verify_signature() -> None:
    body = '{"a":"中文"}'.encode()
    now = 1_800_000_000
    good = sign(SECRET, now, body)
    assert verify_signature(SECRET, str(now), body, good, now=now)
    assert verify_signature(SECRET, now, body.decode(), good, now=now + 299)
    assert verify_signature(SECRET, now, body, f"v1=deadbeef, {good}", now=now)  # key rotation
    assert not verify_signature(SECRET, now, body, good, now=now + 301)  # stale
    assert not verify_signature(SECRET, now, body, good, now=now - 301)  # from the future
    assert not verify_signature("other", now, body, good, now=now)
    assert not verify_signature(SECRET, now + 1, body, good, now=now)
    assert not verify_signature(SECRET, now, body + b" ", good, now=now)
    assert not verify_signature(SECRET, "yesterday", body, good, now=now)
    assert not verify_signature(SECRET, now, body, "", now=now)
    assert not verify_signature(SECRET, now, body, good.upper() + "é", now=now)
    assert not verify_signature("", now, body, sign("", now, body), now=now)


def test_classify() -> None:
    assert classify(200, '{"status": "delivered"}', confirms_later=True).status == "delivered"
    assert classify(200, "OK", confirms_later=True).status == "sent"
    assert classify(200, "not json", confirms_later=False).status == "delivered"
    failed = classify(200, '{"status": "rejected"}', confirms_later=True)
    assert (failed.status, failed.retryable) == ("failed", False)
    assert classify(200, '{"status": "failed"}', confirms_later=True).retryable


# --- the gateway as a process --------------------------------------------------------------------


async def test_the_gateway_process_records_messages_and_stops_on_sigterm(tmp_path: Path) -> None:
    smtp_port, http_port = free_port(), free_port()
    process = ManagedProcess(
        [
            sys.executable,
            "-m",
            "dutyline.stack.gateway",
            "--dir",
            tmp_path / "gateway",
            "--smtp-port",
            str(smtp_port),
            "--http-port",
            str(http_port),
            "--secret",
            SECRET,
            "--fail",
            "+8613900000503",
            "--log-format",
            "json",
        ],
        tmp_path / "gateway.log",
        name="gateway",
    )
    process.start()
    try:
        await wait_for_port_async("127.0.0.1", http_port, deadline=time.monotonic() + 20, process=process)
        settings = NotifySettings(
            sms_gateway_url=f"http://127.0.0.1:{http_port}/sms",
            smtp_host="127.0.0.1",
            smtp_port=smtp_port,
            im_signing_secret=SecretStr(SECRET),
            outbound_allow=f"http://127.0.0.1:{http_port}",
        )
        built = build_channels(settings)
        try:
            ok = await built["sms"].deliver(message("sms", "+8613912345678"))
            down = await built["sms"].deliver(message("sms", "+8613900000503"))
            mail = await built["email"].deliver(message("email", "a@example.org"))
            im = await built["im"].deliver(message("im", f"http://127.0.0.1:{http_port}/im/zhang"))
            async with (
                aiohttp.ClientSession() as session,
                session.post(f"http://127.0.0.1:{http_port}/agency/fire", json={"id": "evt-1"}) as response,
            ):
                receipt = (await response.json())["receipt"]
        finally:
            await built.close()
        assert [ok.status, down.status, mail.status, im.status] == ["delivered", "failed", "delivered", "delivered"]
        assert down.retryable
        assert len(receipt) == 36
    finally:
        assert process.pid is not None
        os.kill(process.pid, signal.SIGTERM)
        code = await asyncio.to_thread(_wait, process, 10)
        process.stop()
    assert code == 0, process.tail()
    records = [json.loads(line) for line in (tmp_path / "gateway" / "messages.jsonl").read_text().splitlines()]
    assert [r["channel"] for r in records] == ["sms", "sms", "email", "im", "agency"]
    assert records[3]["signature_valid"] is True
    assert records[4]["receipt"] == receipt
    assert "gateway.stopped" in process.tail()


def _wait(process: ManagedProcess, timeout: float) -> int | None:
    deadline = time.monotonic() + timeout
    while process.running and time.monotonic() < deadline:
        time.sleep(0.05)
    return process.returncode
