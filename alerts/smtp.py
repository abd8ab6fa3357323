"""Delivery by e-mail to units' shared mailboxes (the ``Notifier`` port over SMTP)."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from core.errors import DeliveryError
from core.message import Message

log = logging.getLogger(__name__)


class SmtpNotifier:
    """Sends each message as one multipart/alternative (plain text + HTML) UTF-8 e-mail.

    A connection is opened per delivery, so the constructor does no I/O and a restarted
    mail server costs nothing. Errors come out as ``DeliveryError`` naming the server and
    the setting to check; the password never appears in messages, logs or ``repr``.
    """

    def __init__(  # noqa: PLR0917 - positional order is the signature the composition root relies on
        self,
        host: str,
        port: int,
        sender: str,
        username: str = "",
        password: str = "",
        starttls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self._password = password
        self.starttls = starttls
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"SmtpNotifier(host={self.host!r}, port={self.port}, sender={self.sender!r}, username={self.username!r})"

    def deliver(self, message: Message) -> None:
        """Send ``message`` to every address in ``message.to``.

        Raises:
            DeliveryError: no recipients, the server cannot be reached, refuses the login,
                or rejects the message or every recipient.
        """
        if not message.to:
            raise DeliveryError(f"message {message.subject!r} has no recipients; give the unit a shared mailbox")
        email = self._email(message)
        where = f"{self.host}:{self.port}"
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self._password)
                refused = smtp.send_message(email)
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(self._explain(exc)) from exc
        if refused:
            # The others got it; raising would make the caller send them a duplicate.
            log.warning("SMTP server %s refused some recipients of %s: %s", where, message.key, ", ".join(refused))
        log.info("delivered %r to %d mailbox(es) via %s", message.subject, len(message.to), where)

    def _explain(self, exc: smtplib.SMTPException | OSError) -> str:
        """Say what went wrong with the server and which setting to check (never the password)."""
        where = f"{self.host}:{self.port}"
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            what = f"SMTP server {where} refused the login of user {self.username!r} ({exc.smtp_code})"
            hint = "check PRESSDESK_SMTP_USER/PASSWORD"
        elif isinstance(exc, smtplib.SMTPNotSupportedError):
            what = f"SMTP server {where}: {str(exc).rstrip('.')}"
            hint = "check PRESSDESK_SMTP_STARTTLS and PRESSDESK_SMTP_USER"
        elif isinstance(exc, smtplib.SMTPRecipientsRefused):
            what = f"SMTP server {where} refused every recipient ({', '.join(exc.recipients)})"
            hint = "check the units' shared mailboxes in the project config"
        elif isinstance(exc, smtplib.SMTPServerDisconnected):
            what = f"SMTP server {where} closed the connection: {exc}"
            hint = "retry later"
        elif isinstance(exc, smtplib.SMTPResponseException):
            reply = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
            what = f"SMTP server {where} rejected the message: {exc.smtp_code} {reply}"
            hint = "see the mail server's log"
        elif isinstance(exc, smtplib.SMTPException):
            what = f"SMTP server {where} failed: {exc}"
            hint = "see the mail server's log"
        elif isinstance(exc, ssl.SSLError):
            what = f"TLS with SMTP server {where} failed: {exc.reason}"
            hint = "check PRESSDESK_SMTP_STARTTLS"
        elif isinstance(exc, TimeoutError):
            what = f"cannot reach SMTP server {where}: no answer within {self.timeout:g}s"
            hint = "check PRESSDESK_SMTP_HOST/PORT"
        else:
            what = f"cannot reach SMTP server {where}: {(exc.strerror or str(exc) or type(exc).__name__).lower()}"
            hint = "check PRESSDESK_SMTP_HOST/PORT"
        return f"{what}; {hint}"

    def _email(self, message: Message) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = ", ".join(message.to)
        email["Subject"] = message.subject
        email["Date"] = formatdate(localtime=True)
        if message.key:
            # The same digest keeps the same Message-ID, so mail clients and archives can spot a re-send.
            domain = self.sender.rpartition("@")[2] or "pressdesk.local"
            email["Message-ID"] = f"<{message.key}@{domain}>"
        email.set_content(message.text, charset="utf-8")
        if message.html:
            email.add_alternative(message.html, subtype="html", charset="utf-8")
        return email
