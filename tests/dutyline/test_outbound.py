"""Where notify's own HTTP requests may go: https to public addresses, unless an allowed origin; the
check on the addresses actually connected to, so a name that resolves to loopback reaches nothing."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from dutyline.outbound import BlockedUrl, OutboundPolicy
from dutyline.stack.gateway import LocalGateway
from services.notify.agencies.convert import delivery_message
from services.notify.agencies.store import DeliveryRow
from services.notify.agencies.webhooks import receipt_of
from services.notify.http_client import HttpClient
from services.notify.people.channels.base import answer_code

STRICT = OutboundPolicy()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",  # not https
        "ftp://example.com/x",
        "https://127.0.0.1/x",
        "https://[::1]/x",
        "https://[::ffff:127.0.0.1]/x",
        "https://10.1.2.3/x",
        "https://192.168.0.1/x",
        "https://172.16.0.1/x",
        "https://100.64.0.1/x",  # shared address space (carrier NAT)
        "https://169.254.169.254/latest/meta-data",  # a cloud's metadata service
        "https://0.0.0.0/x",
        "https://localhost/x",
        "https://api.localhost/x",
        "https://user:pw@example.com/x",
        "not a url",
    ],
)
def test_urls_to_private_places_or_without_tls_are_refused(url: str) -> None:
    with pytest.raises(BlockedUrl):
        STRICT.check_url(url)


def test_public_https_urls_and_admitted_origins_pass() -> None:
    assert STRICT.check_url("https://hooks.example.com/im/1?token=x").host == "hooks.example.com"
    assert STRICT.check_url("https://8.8.8.8/x").host == "8.8.8.8"
    policy = OutboundPolicy.parse("http://127.0.0.1:8025, https://gw.internal")
    policy.check_url("http://127.0.0.1:8025/im/p-1")
    policy.check_url("https://gw.internal:9443/x")  # without a port: any port
    with pytest.raises(BlockedUrl):
        policy.check_url("http://127.0.0.1:8026/im/p-1")  # another port of the admitted host
    with pytest.raises(ValueError):
        OutboundPolicy.parse("http://127.0.0.1:8025/some/path")
    with pytest.raises(BlockedUrl):
        STRICT.check_addresses("hooks.example.com", 443, ["93.184.216.34", "10.0.0.7"])  # one private is enough


async def test_registration_resolves_the_name() -> None:
    name = socket.gethostname()
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(name, 443)}
    except OSError:
        pytest.skip("the host name does not resolve here")
    if any(not a.startswith(("127.", "10.", "192.168.", "172.")) for a in addresses):
        pytest.skip("the host name resolves to a public address here")
    with pytest.raises(BlockedUrl, match="resolves to"):
        await STRICT.check_resolved(f"https://{name}/hook")
    # A name that does not resolve (yet) is checked again at each connection.
    await STRICT.check_resolved("https://no-such-host.invalid/hook")


async def test_the_client_refuses_a_name_that_resolves_to_loopback() -> None:
    """Admitted by form (https, a name), refused at connection: the name's address is loopback."""
    name = socket.gethostname()
    try:
        loopback = all(info[4][0].startswith("127.") for info in socket.getaddrinfo(name, 443))
    except OSError:
        loopback = False
    if not loopback:
        pytest.skip("the host name does not resolve to loopback here")
    client = HttpClient(policy=STRICT, timeout_s=3)
    try:
        with pytest.raises(aiohttp.ClientError, match="blocked address"):
            await client.post(f"https://{name}:1/hook", b"{}", {})
        with pytest.raises(BlockedUrl):
            await client.post("http://127.0.0.1:1/hook", b"{}", {})
    finally:
        await client.close()


async def test_an_admitted_origin_is_reached(tmp_path: Path) -> None:
    async with LocalGateway(tmp_path) as gateway:
        client = HttpClient(policy=OutboundPolicy.parse(gateway.url), timeout_s=3)
        try:
            status, _ = await client.post(f"{gateway.url}/im/p-1", b"{}", {"Content-Type": "application/json"})
        finally:
            await client.close()
    assert status < 500


def test_readers_see_an_answers_code_not_its_body() -> None:
    assert answer_code('HTTP 200 {"secret": "from an internal service"}') == "HTTP 200"
    assert answer_code("HTTP 503: upstream down") == "HTTP 503"
    assert answer_code("network error: ClientConnectorError: Cannot connect to 10.0.0.5:5432") == "network error"
    assert answer_code("timed out after 10 s") == "timed out after 10 s"


def test_agency_deliveries_show_the_code_of_a_failure_and_only_an_identifier_as_receipt() -> None:
    row = DeliveryRow(
        agency_id="fire-hz",
        event_id="e-1",
        event_type="incident.registered",
        site_id="hz-01",
        drill=False,
        body=b"{}",
        status="pending",
        attempts=1,
        next_attempt_at=None,
        receipt="",
        last_error='HTTP 404: {"internal": "admin page of a service only notify can reach"}',
        acknowledged_at=None,
        created_at=datetime.now(UTC),
    )
    assert delivery_message(row).last_error == "HTTP 404"
    assert receipt_of(200, '{"receipt": "r-123:abc"}') == "r-123:abc"
    assert receipt_of(200, '{"receipt": "<html>the body of some internal page</html>"}') == "HTTP 200"
