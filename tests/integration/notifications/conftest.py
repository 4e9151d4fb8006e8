"""The notifications service against real servers: the Tansu broker, SQLite and PostgreSQL,
an aiosmtpd SMTP server and an HTTP receiver for webhooks, all on 127.0.0.1.

The service runs as in production: the app with its consumer and dispatcher threads, started
by the app's lifespan. Tests publish valid events straight to agreements.events, as the
agreements service's relay will.
"""

from __future__ import annotations

import email
import email.policy
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from kafka import KafkaProducer
from sqlmodel import col, select

from common.auth import Principal, Role, TokenService
from common.db import Database
from common.devservers import free_port
from common.events.envelope import Event, encode
from common.events.types import EVENTS_TOPIC
from common.kafka import ensure_topics, make_producer
from services.notifications.__main__ import migrate_database, seed_development_directory
from services.notifications.app import create_app
from services.notifications.models import Notification, ProcessedEvent
from services.notifications.settings import NotificationsSettings
from tests.conftest import fresh_database
from tests.helpers import until

pytestmark = pytest.mark.integration

wait_until = until  # the name these tests use

PG_PREFIX = "notifications_test"


# --- a real SMTP server ------------------------------------------------------------------


class MailSink:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self._lock:
            self.messages.append(parsed)
        return "250 OK"

    def for_event(self, event_id: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if m["X-Agreements-Event-Id"] == event_id]

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if m["To"] == address]


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[MailSink, int]]:
    sink = MailSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


# --- a real HTTP receiver for webhooks ---------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    """Records every POST; paths starting with /fail answer 500, /slow answer after 3 s,
    others 204 at once."""

    port: int
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def to(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if r.path == path]


@pytest.fixture(scope="session")
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(port=free_port())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if self.path.startswith("/slow"):
                time.sleep(3)
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with receiver.lock:
                receiver.requests.append(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
            self.send_response(500 if self.path.startswith("/fail") else 204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", receiver.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


# --- the database, per backend -----------------------------------------------------------


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def notifications_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with fresh_database(request.param, tmp_path_factory, PG_PREFIX) as url:
        yield url


# --- the service -------------------------------------------------------------------------


@dataclass
class Service:
    client: TestClient
    settings: NotificationsSettings
    db: Database
    producer: KafkaProducer
    mail: MailSink
    webhooks: WebhookReceiver
    app: Any
    _tokens: TokenService

    def headers(self, user: str, lang: str = "en") -> dict[str, str]:
        """A bearer token as the agreements service issues it (same issuer, same key)."""
        from common.directory import dev_users

        principal = dev_users().get(user) or Principal(user, Role.PROVINCE_OFFICER, "test")
        token = self._tokens.issue(principal)
        return {"Authorization": f"Bearer {token}", "Accept-Language": lang}

    def headers_for(self, principal: Principal, lang: str = "en") -> dict[str, str]:
        token = self._tokens.issue(principal)
        return {"Authorization": f"Bearer {token}", "Accept-Language": lang}

    def publish(self, event: Event) -> None:
        record = encode(event)
        self.producer.send(
            EVENTS_TOPIC, key=record.key, value=record.value, headers=record.headers
        ).get(timeout=10)

    def publish_raw(self, key: bytes, value: bytes, headers: list[tuple[str, bytes]]) -> None:
        self.producer.send(EVENTS_TOPIC, key=key, value=value, headers=headers).get(timeout=10)

    def processed(self, event_id: str, timeout_s: float = 20.0) -> ProcessedEvent:
        def check() -> ProcessedEvent | None:
            with self.db.session() as session:
                return session.get(ProcessedEvent, event_id)

        result: ProcessedEvent = wait_until(check, timeout_s)
        return result

    def notifications(self, event_id: str) -> list[Notification]:
        with self.db.session() as session:
            return list(
                session.exec(
                    select(Notification)
                    .where(Notification.event_id == event_id)
                    .order_by(col(Notification.recipient))
                ).all()
            )

    def metrics_text(self) -> str:
        return str(self.client.get("/metrics").text)


def make_settings(
    database_url: str, bootstrap: str, smtp_port: int, data_dir: Any
) -> NotificationsSettings:
    return NotificationsSettings(
        env="test",
        data_dir=data_dir,
        notifications_database_url=database_url,
        kafka_bootstrap_servers=bootstrap,
        # Its own group per backend: each stack reads the whole topic into its own database.
        notifications_consumer_group=f"notifications-test-{uuid.uuid4().hex[:8]}",
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        delivery_poll_interval_s=0.05,
        delivery_backoff_base_s=0.05,
        delivery_backoff_max_s=0.2,
        webhook_max_attempts=3,
        webhook_disable_after_failures=2,
        webhook_timeout_s=3,
        public_base_url="https://agreements.example.test",
    )


@pytest.fixture(scope="session")
def service(
    notifications_database_url: str,
    broker: Any,
    smtp_server: tuple[MailSink, int],
    webhook_receiver: WebhookReceiver,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Service]:
    mail, smtp_port = smtp_server
    settings = make_settings(
        notifications_database_url,
        broker.bootstrap,
        smtp_port,
        tmp_path_factory.mktemp("notifications-data"),
    )
    migrate_database(settings.database_url)
    seed_development_directory(settings)
    ensure_topics(settings)
    producer = make_producer(settings)
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Service(
            client=client,
            settings=settings,
            db=app.state.db,
            producer=producer,
            mail=mail,
            webhooks=webhook_receiver,
            app=app,
            _tokens=TokenService(settings),
        )
    producer.close(timeout=5)


def problem(response: Any) -> dict[str, Any]:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    body: dict[str, Any] = json.loads(response.text)
    return body
