"""Test data builders shared by the suites: a valid draft body and dossier files."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from kafka import KafkaConsumer, TopicPartition

from common.events.envelope import Event
from common.events.types import EVENTS_TOPIC

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
DOCX = b"PK\x03\x04" + b"\x00" * 64


def draft_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Bản ghi nhớ hợp tác giáo dục giữa Hà Nội và Seoul",
        "form": "MEMORANDUM_OF_UNDERSTANDING",
        "signatory_level": "PROVINCIAL_COMMITTEE",
        "province": "ha-noi",
        "foreign_party": {
            "name": "Seoul Metropolitan Government",
            "country": "KR",
            "type": "LOCAL_GOVERNMENT",
        },
        "fields": ["education"],
        "summary": "Trao đổi giáo viên và học sinh giữa hai thành phố.",
        "languages": ["vi", "ko"],
        "procedure": "STANDARD",
        "touches": [],
        "related_bodies": [],
        "occasion": None,
        "term_months": 36,
    }
    body.update(overrides)
    return body


def dossier_files(languages: tuple[str, ...] = ("vi", "ko")) -> list[tuple[str, str, str, bytes]]:
    """(kind, language, filename, content) for a complete dossier."""
    files = [
        ("PROPOSAL", "vi", "to-trinh.pdf", PDF + b"proposal"),
        ("IMPLEMENTATION_PLAN", "vi", "ke-hoach.pdf", PDF + b"plan"),
    ]
    files += [
        ("DRAFT_TEXT", lang, f"du-thao-{lang}.pdf", PDF + lang.encode()) for lang in languages
    ]
    if "vi" not in languages:
        files.append(("TRANSLATION", "vi", "ban-dich.pdf", PDF + b"translation"))
    return files


def kafka_records(
    bootstrap: str,
    agreement_id: str,
    *,
    expect: int = 1,
    until: Callable[[list[Any]], bool] | None = None,
    timeout_s: float = 15,
    settle_s: float = 1.0,
) -> list[Any]:
    """Every record on the events topic keyed by this agreement, read from the beginning,
    once at least `expect` arrived (or `until` holds), then `settle_s` longer so a
    duplicate would show too."""
    done = until or (lambda found: len(found) >= expect)
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=20
    )
    try:
        deadline = time.monotonic() + timeout_s
        # A fresh consumer knows no topic until its first metadata answer arrives.
        while not (ids := consumer.partitions_for_topic(EVENTS_TOPIC)):
            if time.monotonic() > deadline:
                return []
            time.sleep(0.1)
        partitions = [TopicPartition(EVENTS_TOPIC, p) for p in ids]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        found: list[Any] = []
        settle_until: float | None = None
        while time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=100).values():
                found += [r for r in records if r.key == agreement_id.encode()]
            if settle_until is None and done(found):
                settle_until = time.monotonic() + settle_s
            if settle_until is not None and time.monotonic() > settle_until:
                break
        return found
    finally:
        consumer.close()


def until(
    check: Callable[[], Any], timeout_s: float = 15.0, what: str = "", every_s: float = 0.05
) -> Any:
    """Poll until `check()` returns something truthy and return it; fail after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout_s:g}s: {what or check}")
        time.sleep(every_s)


def text_pdf(text: str, *, creator: str = "tests") -> bytes:
    """A one-page PDF whose text layer says `text` (ASCII), for comparing signed texts by
    their words: two calls with another `creator` give different files with the same text."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    content = f"BT /F1 11 Tf 40 760 Td ({escaped}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Creator ({creator}) >>".encode(),
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return out


def deleted_event(subject: str, **data: Any) -> Event:
    """A valid `agreement.deleted` event about `subject` (data overridable), for the consumer
    tests."""
    return Event(
        id=str(uuid.uuid4()),
        name="agreement.deleted",
        version=1,
        source="/tests",
        subject=subject,
        time=datetime.now(UTC),
        data={
            "agreement_id": subject,
            "version": 1,
            "province": "hue",
            "deleted_by": "officer@hue",
            "deleted_at": datetime.now(UTC).isoformat(),
        }
        | data,
    )
