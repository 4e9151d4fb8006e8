"""Request size and identity before anything else, on the running services (real uvicorn,
real sockets): a body sent without a valid token to a route that needs one is refused with 401
before a byte of it arrives; a body over the limit is refused with 413 from its Content-Length
before anything else, or, sent in chunks, as soon as the limit is passed, and leaves nothing
on disk."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.helpers import PDF, draft_body
from tests.integration.common.conftest import MAX_DOCUMENT_BYTES, Served, Services

pytestmark = pytest.mark.integration

ANY_ID = "00000000-0000-0000-0000-000000000000"
BOUNDARY = "limits-test-boundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def head_only(
    served: Served, method: str, path: str, headers: dict[str, str]
) -> tuple[int, dict[str, str], bytes]:
    """Send a request's head announcing a chunked body and not a byte of that body; the
    answer that comes back was given without reading it."""
    host = urlsplit(served.url)
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host.netloc}", "Transfer-Encoding: chunked"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    with socket.create_connection((host.hostname, host.port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        raw = b""
        while b"\r\n\r\n" not in raw:
            chunk = sock.recv(65536)
            assert chunk, "the server closed without answering"
            raw += chunk
        head, _, rest = raw.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        answer = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
        length = int(answer.get("content-length", "0"))
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
    return int(status_line.split()[1]), answer, rest


def secured_bodies(doc: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(method, path with ids filled in, content type) of every operation that takes a body and
    declares security."""
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            content = op.get("requestBody", {}).get("content", {})
            if op.get("security") and content:
                filled = path
                for param in op.get("parameters", []):
                    if param["in"] == "path":
                        filled = filled.replace("{" + param["name"] + "}", ANY_ID)
                yield method.upper(), filled, next(iter(content))


@pytest.mark.parametrize("name", ["agreements", "notifications", "reporting"])
def test_a_body_without_a_valid_token_is_refused_with_401_before_it_is_read(
    services: Services, name: str
) -> None:
    served = services.by_name(name)
    failures = []
    walked = 0
    for method, path, content_type in secured_bodies(served.openapi()):
        walked += 1
        for authorization, code in (
            (None, "not-authenticated"),
            ("Bearer not-a-token", "invalid-token"),
            ("Basic b2ZmaWNlcjpkZXY=", "not-authenticated"),
        ):
            headers = {"Content-Type": content_type, "Accept-Language": "vi"}
            if authorization:
                headers["Authorization"] = authorization
            status, answer, body = head_only(served, method, path, headers)
            problem = json.loads(body or b"{}")
            if (
                status != 401
                or not answer.get("content-type", "").startswith("application/problem+json")
                or not problem.get("type", "").endswith(code)
                or problem.get("title") != "Chưa xác thực"
            ):
                failures.append(f"{method} {path} {authorization}: {status} {body[:200]!r}")
    assert failures == [], "\n".join(failures)
    assert walked >= {"agreements": 10, "notifications": 3, "reporting": 0}[name]


def test_the_pages_ask_for_a_sign_in_before_reading_an_upload(services: Services) -> None:
    status, answer, _ = head_only(
        services.agreements,
        "POST",
        f"/ui/agreements/{ANY_ID}/documents",
        {"Content-Type": MULTIPART},
    )
    assert status in (303, 401), status
    if status == 303:
        assert "/ui/login" in answer["location"]


@pytest.mark.parametrize("name", ["agreements", "notifications", "reporting"])
def test_a_declared_length_over_the_limit_is_refused_with_413_before_anything_else(
    services: Services, name: str
) -> None:
    served = services.by_name(name)
    host = urlsplit(served.url)
    path = {
        "agreements": f"/v1/agreements/{ANY_ID}/documents",
        "notifications": "/v1/subscriptions",
        "reporting": "/v1/cycles",
    }[name]
    with socket.create_connection((host.hostname, host.port), timeout=10) as sock:
        sock.sendall(
            (
                f"POST {path} HTTP/1.1\r\nHost: {host.netloc}\r\nContent-Length: 1000000000\r\n"
                f"Content-Type: {MULTIPART}\r\nAccept-Language: en\r\n\r\n"
            ).encode()
        )
        answer = sock.recv(65536)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), answer[:300]
    assert b"application/problem+json" in head
    assert b"The request body exceeds" in body


class Streamed:
    """A body of `total` bytes after `prefix`, handed over in 64 KiB pieces, counting what
    the client had to send."""

    def __init__(self, prefix: bytes, total: int = 64 * 1024 * 1024) -> None:
        self.prefix = prefix
        self.total = total
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        self.sent += len(self.prefix)
        yield self.prefix
        piece = b"0" * 65536
        while self.sent < self.total:
            self.sent += len(piece)
            yield piece


def files_in(root: Any) -> set[str]:
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_a_chunked_upload_over_the_limit_is_cut_off_with_413_and_leaves_no_file(
    services: Services,
) -> None:
    base = services.agreements.url
    headers = services.headers("officer@ha-noi", "en")
    r = httpx.post(f"{base}/v1/agreements", json=draft_body(), headers=headers)
    assert r.status_code == 201, r.text
    before = files_in(services.documents_dir)
    body = Streamed(
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nPROPOSAL\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="language"\r\n\r\nvi\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            'filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        + PDF
    )
    answer = httpx.post(
        f"{base}/v1/agreements/{r.json()['id']}/documents",
        content=iter(body),
        headers=headers | {"Content-Type": MULTIPART},
        timeout=60,
    )
    assert answer.status_code == 413, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["limit_bytes"] > MAX_DOCUMENT_BYTES
    # Cut off near the limit, far from the 64 MiB the client had to send.
    assert body.sent < body.total / 2
    assert files_in(services.documents_dir) == before


@pytest.mark.parametrize(
    ("name", "path", "user"),
    [
        ("agreements", "/v1/agreements", "officer@ha-noi"),
        ("notifications", "/v1/subscriptions", "officer@ha-noi"),
    ],
)
def test_a_chunked_json_body_over_the_request_limit_gets_413(
    services: Services, name: str, path: str, user: str
) -> None:
    served = services.by_name(name)
    body = Streamed(b'{"title": "', total=16 * 1024 * 1024)
    answer = httpx.post(
        served.url + path,
        content=iter(body),
        headers=services.headers(user, "vi") | {"Content-Type": "application/json"},
        timeout=60,
    )
    assert answer.status_code == 413, answer.text
    assert answer.json()["detail"] == "Nội dung yêu cầu vượt quá giới hạn 1 MB."
    assert body.sent < body.total / 2


def test_the_import_reads_no_more_than_the_limit(services: Services) -> None:
    body = Streamed(
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            'filename="register.csv"\r\nContent-Type: text/csv\r\n\r\nreference,title\r\n'
        ).encode()
    )
    answer = httpx.post(
        f"{services.agreements.url}/v1/agreements/import?dry_run=true",
        content=iter(body),
        headers=services.headers("registry@mofa") | {"Content-Type": MULTIPART},
        timeout=60,
    )
    assert answer.status_code == 413, answer.text
    assert body.sent < body.total / 2
