"""Webhooks cannot reach inside, against real receivers on this machine: the connection goes
to the address that was checked (Host and SNI keep the name, the certificate is verified for
it), a name that resolves inside at delivery time is refused without a connection, redirects
are not followed, and the delivery log says what kind of failure happened, never the error's
text; outside development the subscription API refuses every spelling of an inside address."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi.testclient import TestClient

from common.auth import Principal, Role, TokenService
from services.notifications.__main__ import migrate_database
from services.notifications.app import create_app
from services.notifications.delivery.webhooks import WebhookClient
from services.notifications.models import Delivery
from services.notifications.settings import NotificationsSettings
from tests.unit.notifications.test_webhook_targets import INSIDE

pytestmark = pytest.mark.integration

NAME = "hooks.example.test"


def _cert(subject: str, issuer_key: Any, issuer: x509.Name | None, ca: bool) -> tuple[Any, Any]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer or name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False
        )
    return key, builder.sign(issuer_key or key, hashes.SHA256())


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A CA of the test's own and a certificate it signed for NAME."""
    folder = tmp_path_factory.mktemp("webhook-tls")
    ca_key, ca_cert = _cert("Test CA", None, None, ca=True)
    leaf_key, leaf_cert = _cert(NAME, ca_key, ca_cert.subject, ca=False)
    paths = {"ca": folder / "ca.pem", "cert": folder / "cert.pem", "key": folder / "key.pem"}
    paths["ca"].write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(leaf_cert.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


class Receiver:
    def __init__(self, status: int = 200, location: str | None = None, delay_s: float = 0):
        self.status, self.location, self.delay_s = status, location, delay_s
        self.requests: list[dict[str, str]] = []
        self.server_names: list[str | None] = []


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[ThreadingHTTPServer] = []

    def start(receiver: Receiver, context: ssl.SSLContext | None = None) -> int:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append(dict(self.headers))
                time.sleep(receiver.delay_s)
                self.send_response(receiver.status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if context is not None:

            def record(sock: Any, name: str | None, ctx: Any) -> None:
                receiver.server_names.append(name)

            context.sni_callback = record
            server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return int(server.server_address[1])

    yield start
    for server in servers:
        server.shutdown()


def delivery(url: str) -> Delivery:
    return Delivery(
        id="d-1",
        channel="webhook",
        recipient="officer@ha-noi",
        target=url,
        event_id="e-1",
        event_type="agreement.signed",
        body='{"specversion": "1.0"}',
    )  # type: ignore[call-arg]


def always(address: str) -> Any:
    return lambda host, port: [address]


def test_the_connection_goes_to_the_checked_address_with_the_name_kept_for_tls(
    tls: dict[str, Path], serve: Any
) -> None:
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(tls["cert"], tls["key"])
    receiver = Receiver()
    port = serve(receiver, server_context)
    resolved: list[str] = []

    def resolve(host: str, port_: int) -> list[str]:
        resolved.append(host)
        return ["127.0.0.1"]  # NAME exists nowhere but here: the client cannot look it up

    client = WebhookClient(
        5,
        allow_private=True,  # the receiver is on this machine
        resolve=resolve,
        verify=ssl.create_default_context(cafile=str(tls["ca"])),
    )
    ok, status, error = client.send(delivery(f"https://{NAME}:{port}/hook"), "s3cr3t", 1)
    assert (ok, status, error) == (True, 200, None)
    assert resolved == [NAME]
    assert receiver.server_names == [NAME]  # SNI
    assert receiver.requests[0]["Host"] == f"{NAME}:{port}"
    # A certificate for another name is refused, and said so in one word.
    ok, status, error = client.send(delivery(f"https://other.example.test:{port}/hook"), "s", 1)
    assert (ok, status, error) == (False, None, "TLS error")


def test_a_name_that_resolves_inside_at_delivery_is_refused_without_a_connection(
    serve: Any,
) -> None:
    receiver = Receiver()
    port = serve(receiver)
    for address in ("127.0.0.1", "::ffff:127.0.0.1", "10.0.0.8", "169.254.169.254"):
        client = WebhookClient(3, allow_private=False, resolve=always(address))
        assert client.send(delivery(f"https://{NAME}:{port}/hook"), "s", 1) == (
            False,
            None,
            "blocked address",
        )
    for spelling in ("127.1", "2130706433", "0x7f000001", "[::ffff:127.0.0.1]", "localhost."):
        client = WebhookClient(3, allow_private=False)
        ok, _, error = client.send(delivery(f"http://{spelling}:{port}/hook"), "s", 1)
        assert (ok, error) == (False, "blocked address"), spelling
    assert receiver.requests == []


def test_redirects_are_not_followed_and_failures_are_logged_by_kind(serve: Any) -> None:
    elsewhere = Receiver()
    other_port = serve(elsewhere)
    redirecting = Receiver(status=302, location=f"http://127.0.0.1:{other_port}/inside")
    port = serve(redirecting)
    client = WebhookClient(1, allow_private=True)
    ok, status, error = client.send(delivery(f"http://127.0.0.1:{port}/hook"), "s", 1)
    assert (ok, status, error) == (False, 302, "redirect not followed (HTTP 302)")
    assert elsewhere.requests == []

    failing = Receiver(status=503)
    assert client.send(delivery(f"http://127.0.0.1:{serve(failing)}/h"), "s", 1) == (
        False,
        503,
        "HTTP 503",
    )
    slow = Receiver(delay_s=2)
    assert client.send(delivery(f"http://127.0.0.1:{serve(slow)}/h"), "s", 1) == (
        False,
        None,
        "timeout",
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    assert client.send(delivery(f"http://127.0.0.1:{closed}/h"), "s", 1) == (
        False,
        None,
        "connection refused",
    )
    unresolvable = WebhookClient(1, allow_private=False, resolve=lambda h, p: [])
    assert unresolvable.send(delivery(f"https://{NAME}/h"), "s", 1)[2] == "unresolvable host"


@pytest.fixture
def production_like(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The subscription API with private targets refused, as outside development."""
    url = f"sqlite:///{tmp_path / 'notifications.db'}"
    migrate_database(url)
    settings = NotificationsSettings(
        env="test",
        data_dir=tmp_path,
        notifications_database_url=url,
        notifications_worker_enabled=False,
        webhook_allow_private_targets=False,
    )
    app = create_app(settings)
    token = TokenService(settings).issue(
        Principal("officer@ha-noi", Role.PROVINCE_OFFICER, "ha-noi")
    )
    yield TestClient(app, raise_server_exceptions=False), {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("host", INSIDE)
def test_outside_development_the_api_refuses_every_inside_spelling(
    production_like: tuple[TestClient, dict[str, str]], host: str
) -> None:
    client, headers = production_like
    r = client.post(
        "/v1/subscriptions",
        json={
            "url": f"https://{host}/hook",
            "event_types": ["agreement.signed"],
            "secret": "a-secret-of-enough-length-0123456789",
        },
        headers=headers | {"Accept-Language": "en"},
    )
    assert r.status_code == 422, r.text
    assert [e["rule"] for e in r.json()["errors"]] == ["url_private"]


def test_outside_development_a_name_that_does_not_resolve_is_refused(
    production_like: tuple[TestClient, dict[str, str]],
) -> None:
    client, headers = production_like
    client.app.state.resolve = lambda host, port: []  # type: ignore[attr-defined]
    r = client.post(
        "/v1/subscriptions",
        json={
            "url": "https://hooks.partner.example/in",
            "event_types": ["agreement.signed"],
            "secret": "a-secret-of-enough-length-0123456789",
        },
        headers=headers | {"Accept-Language": "vi"},
    )
    assert r.status_code == 422
    assert [e["rule"] for e in r.json()["errors"]] == ["url_unresolvable"]
    client.app.state.resolve = lambda host, port: ["93.184.215.14"]  # type: ignore[attr-defined]
    r = client.post(
        "/v1/subscriptions",
        json={
            "url": "https://hooks.partner.example/in",
            "event_types": ["agreement.signed"],
            "secret": "a-secret-of-enough-length-0123456789",
        },
        headers=headers,
    )
    assert r.status_code == 201, r.text
