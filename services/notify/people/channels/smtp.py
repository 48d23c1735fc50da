"""E-mail through an SMTP server (smtplib in a worker thread; aiosmtplib is not a dependency)."""

from __future__ import annotations

import asyncio
import re
import smtplib
import socket
import ssl
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

import structlog

from dutyline.webhook_signing import NOTIFICATION_HEADER
from services.notify.people.channels.base import (
    DEFAULT_TIMEOUT_S,
    DeliveryResult,
    OutgoingMessage,
    delivered,
    failed,
    mask_address,
)

log = structlog.get_logger(__name__)

_EMAIL = re.compile(r"[^@\s<>,;:\"()\[\]\\]+@[A-Za-z0-9.\-]+")
_ID_CHARS = re.compile(r"[^A-Za-z0-9._+\-]")


def _one_line(text: str) -> str:
    return " ".join(text.split())


class EmailChannel:
    """One message per attempt: subject and body in UTF-8, Message-ID from the attempt id.

    The server's 250 after DATA means the message was accepted for the mailbox: "delivered".
    SMTP 4xx and network trouble are worth retrying; 5xx are permanent."""

    name = "email"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str = "",
        password: str = "",
        starttls: bool = False,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._username = username
        self._password = password
        self._starttls = starttls
        self.timeout_s = timeout_s

    def compose(self, message: OutgoingMessage) -> EmailMessage:
        mail = EmailMessage()
        domain = self._sender.rpartition("@")[2].strip(" >") or "dutyline"
        mail["Message-ID"] = f"<{_ID_CHARS.sub('-', message.attempt_id)}@{domain}>"
        mail["Date"] = format_datetime(datetime.now(UTC))
        mail["From"] = self._sender
        mail["To"] = message.address.strip()
        mail["Subject"] = _one_line(message.subject)
        mail["Auto-Submitted"] = "auto-generated"
        mail[NOTIFICATION_HEADER] = message.notification_id
        mail["X-Dutyline-Attempt"] = message.attempt_id
        if message.drill:
            mail["X-Dutyline-Drill"] = "true"
        # base64 keeps Chinese text intact through servers without 8BITMIME.
        mail.set_content(message.body, charset="utf-8", cte="base64")
        return mail

    def _send(self, mail: EmailMessage, address: str) -> str:
        """Blocking: one SMTP session; the server's answer to DATA."""
        with smtplib.SMTP(self._host, self._port, local_hostname=socket.gethostname(), timeout=self.timeout_s) as smtp:
            smtp.ehlo()
            if self._starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if self._username:
                smtp.login(self._username, self._password)
            code, answer = smtp.mail(self._sender)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, answer, self._sender)
            code, answer = smtp.rcpt(address)
            if code not in (250, 251):
                raise smtplib.SMTPRecipientsRefused({address: (code, answer)})
            # data() raises SMTPDataError unless the server answers 250.
            code, answer = smtp.data(mail.as_bytes(policy=policy.SMTP))
            return f"{code} {answer.decode(errors='replace')}"

    async def deliver(self, message: OutgoingMessage) -> DeliveryResult:
        address = message.address.strip()
        if not address.isascii() or not _EMAIL.fullmatch(address):
            result = failed("bad address: not an e-mail address", retryable=False)
        else:
            result = await self._deliver(message, address)
        (log.info if result.status != "failed" else log.warning)(
            "notify.delivery",
            channel=self.name,
            notification_id=message.notification_id,
            attempt_id=message.attempt_id,
            address=mask_address(address),
            status=result.status,
            retryable=result.retryable,
            answer=result.answer,
            drill=message.drill,
        )
        return result

    async def _deliver(self, message: OutgoingMessage, address: str) -> DeliveryResult:
        try:
            mail = self.compose(message)
        except ValueError as exc:  # a header the message cannot carry
            return failed(f"cannot compose the message: {exc}", retryable=False)
        try:
            answer = await asyncio.to_thread(self._send, mail, address)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()), (0, b""))
            return failed(f"recipient refused: {code} {_text(text)}", retryable=400 <= code < 500)
        except smtplib.SMTPResponseException as exc:
            # Sender refused, DATA refused, authentication failed, ...: 4xx transient, 5xx permanent.
            answer = f"{type(exc).__name__}: {exc.smtp_code} {_text(exc.smtp_error)}"
            return failed(answer, retryable=not 500 <= exc.smtp_code < 600)
        except smtplib.SMTPNotSupportedError as exc:
            return failed(f"server does not support it: {exc}", retryable=False)
        except TimeoutError:
            return failed(f"timed out after {self.timeout_s:g} s", retryable=True)
        except (smtplib.SMTPException, OSError) as exc:
            return failed(f"network error: {type(exc).__name__}: {exc}", retryable=True)
        return delivered(answer)


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
