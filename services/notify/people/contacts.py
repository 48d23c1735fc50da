"""Staff contacts at rest (DESIGN §4): the addresses a notification is delivered to (phones,
e-mails, IM URLs with their access tokens) are stored sealed, bound to the notification and the
route (a copied ciphertext does not decrypt); a delivery attempt keeps only the masked address.
The keys are notify's own (DUTYLINE_CONTACT_KEYS), set once per process by ``configure``."""

from __future__ import annotations

import base64

from dutyline.privacy import CallerCipher
from services.notify.settings import DEV_CONTACT_KEYS

TABLE = "notifications"

_cipher = CallerCipher(DEV_CONTACT_KEYS)


def configure(keys_spec: str) -> None:
    global _cipher
    _cipher = CallerCipher(keys_spec)


def sealed_route(notification_id: str, index: int, channel: str, address: str) -> dict[str, str]:
    """A route as stored: its channel, and its address sealed under the active key."""
    sealed = _cipher.encrypt(address, table=TABLE, row=notification_id, field=f"routes[{index}]")
    return {"channel": channel, "key_id": _cipher.active_key_id, "sealed": base64.b64encode(sealed).decode()}


def route_address(notification_id: str, index: int, stored: dict[str, str]) -> str:
    """The clear address of a stored route (a route stored before sealing: as stored)."""
    if "sealed" not in stored:
        return stored["address"]
    sealed = base64.b64decode(stored["sealed"])
    return _cipher.decrypt(stored["key_id"], sealed, table=TABLE, row=notification_id, field=f"routes[{index}]")
