"""A real local SMTP server (aiosmtpd) that keeps every message it receives as an .eml file.

The demo starts one so that digests are really delivered over SMTP and can be opened
afterwards, without sending anything off the machine.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    """Ask the kernel for a free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _SaveHandler:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.lock = threading.Lock()
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd hook name
        raw = envelope.original_content or b""
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.messages.append(message)
            n = len(self.messages)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / f"{n:04d}.eml").write_bytes(raw)
        return "250 Message accepted for delivery"


class LocalMailbox:
    """An SMTP server on 127.0.0.1 that stores what it receives under ``folder``."""

    def __init__(self, folder: Path, port: int = 0) -> None:
        self.folder = folder
        self.port = port
        self._handler = _SaveHandler(folder)
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        """Messages received so far, oldest first."""
        with self._handler.lock:
            return list(self._handler.messages)

    def start(self) -> LocalMailbox:
        if not self.port:
            self.port = free_port()
        self._controller = Controller(self._handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> LocalMailbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
