"""E-mail out: the message of a delivery, and the transports that send it (SMTP, or a maildir
in the embedded stack)."""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
import uuid
from collections.abc import Callable, Sequence
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr
from pathlib import Path
from typing import Protocol

from services.notifications.delivery.outgoing import Outgoing
from services.notifications.models import Delivery
from services.notifications.settings import NotificationsSettings

# Quoted-printable bodies: Vietnamese stays readable in a raw maildir file.
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP


class MailTransport(Protocol):
    def send(self, message: Message) -> None: ...

    def send_all(self, messages: Sequence[Message]) -> list[Exception | None]:
        """Each message sent, or what went wrong with it."""
        ...


class SmtpTransport:
    """One SMTP session per message: simple, and a broken connection never poisons the next."""

    def __init__(self, settings: NotificationsSettings) -> None:
        assert settings.smtp_host
        self.host = settings.smtp_host
        self.port = settings.smtp_port
        self.timeout = settings.smtp_timeout_s
        self.username = settings.smtp_username
        self.password = settings.smtp_password
        self.starttls = settings.smtp_starttls
        self.use_ssl = settings.smtp_ssl

    def send_all(self, messages: Sequence[Message]) -> list[Exception | None]:
        return [_attempt(self.send, m) for m in messages]

    def send(self, message: Message) -> None:
        smtp: smtplib.SMTP
        if self.use_ssl:
            smtp = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


class MaildirTransport:
    """The embedded stack's mailbox: every message a file under DATA_DIR/mail/new, readable
    with any mail client (`mutt -f .data/mail`).

    Written as the Maildir convention says (tmp/, flushed to disk, renamed into new/) but named
    after the Message-ID rather than by `mailbox.Maildir`, whose names need a process-wide
    lock: the threads write in parallel, and a message sent again after a crash replaces its
    first copy instead of doubling it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        for sub in ("tmp", "new", "cur"):
            (path / sub).mkdir(parents=True, exist_ok=True)
        self.host = socket.gethostname().replace("/", "_").replace(":", "_")

    def send(self, message: Message) -> None:
        [error] = self.send_all([message])
        if error is not None:
            raise error

    def send_all(self, messages: Sequence[Message]) -> list[Exception | None]:
        """Every message written to tmp/, then one flush of the file system's cache, then
        each renamed into new/: durable before it is visible, as the convention asks, for one
        flush per batch instead of an fsync per message (which cost a third of the
        service's CPU per event, bench/notify.py)."""
        names = [self._name(m) for m in messages]
        errors = [
            _attempt(self._write, self.path / "tmp" / name, message)
            for name, message in zip(names, messages, strict=True)
        ]
        try:
            os.sync()
        except OSError as exc:
            return [error or exc for error in errors]
        for i, name in enumerate(names):
            if errors[i] is None:
                errors[i] = _attempt(os.replace, self.path / "tmp" / name, self.path / "new" / name)
        return errors

    def _name(self, message: Message) -> str:
        key = (message["Message-ID"] or f"<{uuid.uuid4()}>").strip("<>").replace("/", "_")
        return f"{key}.{self.host}"

    @staticmethod
    def _write(path: Path, message: Message) -> None:
        path.write_bytes(message.as_bytes())


def _attempt(work: Callable[..., object], *args: object) -> Exception | None:
    try:
        work(*args)
    except Exception as exc:  # the caller records it against its message
        return exc
    return None


def mail_transport(settings: NotificationsSettings) -> MailTransport:
    if settings.smtp_host:
        return SmtpTransport(settings)
    return MaildirTransport(settings.mail_path)


def build_email(delivery: Delivery | Outgoing, mail_from: str) -> Message:
    """A text/plain UTF-8 message. Built with the compat32 API on purpose: the modern
    EmailMessage folds long non-ASCII subjects into encoded words that lose their spaces when
    read back ("Thỏa thuận" arrives as "Thỏathuận"); whole-header RFC 2047 encoding does not."""
    name, address = parseaddr(mail_from)
    domain = address.rpartition("@")[2] or "agreements.test"
    message = MIMEText(delivery.body, "plain", _UTF8)  # type: ignore[arg-type]  # takes a Charset
    message["From"] = formataddr((name, address), charset="utf-8")
    message["To"] = delivery.target
    message["Subject"] = Header(delivery.subject or "", "utf-8")  # type: ignore[assignment]
    message["Date"] = formatdate(localtime=False)
    # Stable per delivery: a resend after a crash is recognisable as the same message.
    message["Message-ID"] = f"<{delivery.id}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    if delivery.language:
        message["Content-Language"] = delivery.language
    message["X-Agreements-Event-Type"] = delivery.event_type
    message["X-Agreements-Event-Id"] = delivery.event_id
    return message
