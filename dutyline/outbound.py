"""Where dutyline's own HTTP requests may go (IM and webhook URLs of people, agencies' webhooks).

Those URLs are typed in by users, so without a rule a URL would make notify reach what only it can
reach: loopback, the cluster's private addresses, a cloud's metadata service at 169.254.169.254.
The rule: https only, to a host whose every address is public (``ipaddress``'s ``is_global``: not
loopback, private, link-local, shared or reserved), unless ``DUTYLINE_OUTBOUND_ALLOW`` admits its
origin (``scheme://host[:port]``, comma separated; without a port any port), as the dev stack admits
its local gateway. Checked when a URL is registered, and again when it is used, on the addresses
the connection is made to (DNS may have changed since).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass

import yarl


class BlockedUrl(ValueError):
    """A URL dutyline does not send requests to; the message says why (English)."""


def public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # without an IPv6 zone
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class OutboundPolicy:
    # (scheme, host, port or None for any port)
    allow: tuple[tuple[str, str, int | None], ...] = ()

    @classmethod
    def parse(cls, text: str) -> OutboundPolicy:
        """From ``DUTYLINE_OUTBOUND_ALLOW``: origins such as ``http://127.0.0.1:8025``, comma separated."""
        allow = []
        for item in filter(None, (part.strip() for part in text.split(","))):
            url = yarl.URL(item)
            if url.scheme not in ("http", "https") or not url.host or url.path not in ("", "/"):
                raise ValueError(f"not an origin (scheme://host[:port]): {item!r}")
            allow.append((url.scheme, url.host.lower(), url.explicit_port))
        return cls(tuple(allow))

    def admits(self, scheme: str, host: str, port: int | None) -> bool:
        host = host.lower()
        return any(s == scheme and h == host and p in (None, port) for s, h, p in self.allow)

    def check_url(self, text: str) -> yarl.URL:
        """The URL if its form is allowed (https, a host, no credentials; an IP literal must be public),
        else BlockedUrl. Its name's addresses are checked by ``check_resolved`` or at connection."""
        try:
            url = yarl.URL(text.strip())
        except (ValueError, TypeError) as exc:
            raise BlockedUrl("not a URL") from exc
        if not url.host or url.scheme not in ("http", "https"):
            raise BlockedUrl("not an http(s) URL with a host")
        if url.user is not None or url.password is not None:
            raise BlockedUrl("credentials in the URL are not accepted")
        if self.admits(url.scheme, url.host, url.port):
            return url
        if url.scheme != "https":
            raise BlockedUrl("only https URLs are accepted")
        host = url.host.strip("[]")
        if _ip_literal(host) and not public_address(host):
            raise BlockedUrl("the address is loopback, link-local or private")
        if host.lower() == "localhost" or host.lower().endswith(".localhost"):
            raise BlockedUrl("the address is loopback, link-local or private")
        return url

    def check_addresses(self, host: str, port: int, addresses: list[str]) -> None:
        """BlockedUrl unless the origin is admitted or every address is public."""
        if any(self.admits(scheme, host, port) for scheme in ("http", "https")):
            return
        if not addresses or not all(public_address(a) for a in addresses):
            raise BlockedUrl(f"{host} resolves to a loopback, link-local or private address")

    async def check_resolved(self, text: str) -> yarl.URL:
        """``check_url`` plus its name's addresses now; a name that does not resolve (yet) passes, it is
        checked again at each connection."""
        url = self.check_url(text)
        host, port = url.host or "", url.port or 443
        if _ip_literal(host.strip("[]")) or self.admits(url.scheme, host, url.port):
            return url
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError:
            return url
        self.check_addresses(host, port, [str(info[4][0]) for info in infos])
        return url
