"""gRPC over TLS from the settings: a server with a certificate (made here, signed by a CA made
here) serves clients that trust the CA, optionally only clients with a certificate (mTLS); without a
certificate a server listens in plaintext only on loopback or in development."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from dutyline.config import Settings
from dutyline.grpckit import tls
from dutyline.stack.process import free_port


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(
    subject: str, key: ec.EllipticCurvePrivateKey, issuer: tuple[str, ec.EllipticCurvePrivateKey] | None
) -> x509.Certificate:
    now = datetime.now(UTC)
    issuer_name, signer = (issuer[0], issuer[1]) if issuer else (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
    )
    if issuer is not None:
        names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(signer, hashes.SHA256())


def _write(path: Path, key: ec.EllipticCurvePrivateKey, cert: x509.Certificate) -> tuple[str, str]:
    key_path, cert_path = path.with_suffix(".key"), path.with_suffix(".crt")
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(cert_path), str(key_path)


@pytest.fixture
def pki(tmp_path: Path) -> dict[str, str]:
    """A CA, a server certificate and a client certificate it signed, as files."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("dutyline test CA", ca_key, None)
    (tmp_path / "ca.crt").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files = {"ca": str(tmp_path / "ca.crt")}
    for who in ("server", "client"):
        key = ec.generate_private_key(ec.SECP256R1())
        files[f"{who}_cert"], files[f"{who}_key"] = _write(
            tmp_path / who, key, _certificate(who, key, ("dutyline test CA", ca_key))
        )
    return files


async def _serve(settings: Settings, host: str = "127.0.0.1") -> tuple[grpc.aio.Server, str]:
    server = grpc.aio.server()
    health_pb2_grpc.add_HealthServicer_to_server(health.aio.HealthServicer(), server)
    address = f"{host}:{free_port()}"
    tls.listen(server, address, settings)
    await server.start()
    return server, address


async def _health(address: str, credentials: grpc.ChannelCredentials | None) -> str:
    target = address.replace("127.0.0.1", "localhost") if credentials else address
    async with grpc.aio.secure_channel(target, credentials) if credentials else grpc.aio.insecure_channel(target) as ch:
        answer = await health_pb2_grpc.HealthStub(ch).Check(health_pb2.HealthCheckRequest(), timeout=5)
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(answer.status))


@pytest.fixture
async def stopper() -> AsyncIterator[list[grpc.aio.Server]]:
    servers: list[grpc.aio.Server] = []
    yield servers
    for server in servers:
        await server.stop(None)


async def test_a_tls_server_serves_clients_trusting_its_ca(pki: dict[str, str], stopper: list[grpc.aio.Server]) -> None:
    server, address = await _serve(
        Settings(env="production", tls_cert_file=pki["server_cert"], tls_key_file=pki["server_key"])
    )
    stopper.append(server)
    client = Settings(tls_ca_file=pki["ca"])
    assert await _health(address, tls.channel_credentials(client)) == "SERVING"
    # Plaintext to a TLS port gets nowhere.
    with pytest.raises(grpc.aio.AioRpcError):
        await _health(address, None)


async def test_mtls_refuses_a_client_without_a_certificate(pki: dict[str, str], stopper: list[grpc.aio.Server]) -> None:
    server, address = await _serve(
        Settings(
            tls_cert_file=pki["server_cert"],
            tls_key_file=pki["server_key"],
            tls_ca_file=pki["ca"],
            tls_require_client_cert=True,
        )
    )
    stopper.append(server)
    with_cert = Settings(tls_ca_file=pki["ca"], tls_cert_file=pki["client_cert"], tls_key_file=pki["client_key"])
    assert await _health(address, tls.channel_credentials(with_cert)) == "SERVING"
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await _health(address, tls.channel_credentials(Settings(tls_ca_file=pki["ca"])))
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE


async def test_plaintext_only_on_loopback_outside_development(stopper: list[grpc.aio.Server]) -> None:
    production = Settings(env="production")
    with pytest.raises(tls.PlaintextRefused, match="DUTYLINE_TLS_CERT_FILE"):
        await _serve(production, host="0.0.0.0")
    server, address = await _serve(production, host="127.0.0.1")
    stopper.append(server)
    assert await _health(address, None) == "SERVING"
    development, _ = await _serve(Settings(env="development"), host="0.0.0.0")
    stopper.append(development)
