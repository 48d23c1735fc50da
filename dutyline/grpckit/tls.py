"""TLS for gRPC between dutyline's components and for its clients, from the settings.

A server with ``DUTYLINE_TLS_CERT_FILE``/``_KEY_FILE`` listens with TLS (and with
``DUTYLINE_TLS_REQUIRE_CLIENT_CERT`` demands a client certificate signed by ``DUTYLINE_TLS_CA_FILE``:
mTLS between services). Without a certificate it listens in plaintext only where nobody else can
listen in: on loopback, or anywhere in development (``DUTYLINE_ENV``). A client uses TLS when a CA
is set, verifying the server against it, and presents its own certificate when it has one.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import grpc

from dutyline.config import Settings


class PlaintextRefused(RuntimeError):
    """A server asked to listen in plaintext beyond loopback outside development."""


def _read(path: str) -> bytes:
    return Path(path).read_bytes()


def loopback(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def server_credentials(settings: Settings) -> grpc.ServerCredentials | None:
    if not settings.tls_cert_file:
        return None
    pair = (_read(settings.tls_key_file), _read(settings.tls_cert_file))
    if settings.tls_require_client_cert:
        if not settings.tls_ca_file:
            raise ValueError("DUTYLINE_TLS_REQUIRE_CLIENT_CERT needs DUTYLINE_TLS_CA_FILE to verify clients")
        return grpc.ssl_server_credentials(
            [pair], root_certificates=_read(settings.tls_ca_file), require_client_auth=True
        )
    return grpc.ssl_server_credentials([pair])


def channel_credentials(settings: Settings) -> grpc.ChannelCredentials | None:
    if not settings.tls_ca_file:
        return None
    own = (_read(settings.tls_key_file), _read(settings.tls_cert_file)) if settings.tls_cert_file else (None, None)
    return grpc.ssl_channel_credentials(_read(settings.tls_ca_file), private_key=own[0], certificate_chain=own[1])


def listen(server: grpc.aio.Server, address: str, settings: Settings) -> None:
    """Add the listening port: TLS when configured, else plaintext where that is allowed."""
    credentials = server_credentials(settings)
    if credentials is not None:
        server.add_secure_port(address, credentials)
        return
    host = address.rsplit(":", 1)[0]
    if not loopback(host) and settings.env != "development":
        raise PlaintextRefused(
            f"拒绝以明文在 {address} 上监听：请设置 DUTYLINE_TLS_CERT_FILE 与 DUTYLINE_TLS_KEY_FILE / refusing to "
            f"listen in plaintext on {address} outside development: set DUTYLINE_TLS_CERT_FILE and "
            "DUTYLINE_TLS_KEY_FILE (or listen on loopback)"
        )
    server.add_insecure_port(address)
