"""Event contracts: schema files match the payload models, the envelope round-trips."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from jsonschema import ValidationError

from common.events.envelope import EnvelopeError, Event, decode, encode
from common.events.payloads import PAYLOADS
from common.events.schemas import UnknownEventError, render_schema, schema_path
from common.events.types import EventType, ce_type, parse_ce_type

DELETED = {
    "agreement_id": "a-1",
    "version": 2,
    "province": "ha-noi",
    "deleted_by": "officer@ha-noi",
    "deleted_at": "2026-01-05T03:00:00+00:00",
}


@pytest.mark.parametrize(("name", "version"), sorted(PAYLOADS))
def test_schema_file_matches_its_payload_model(name: str, version: int) -> None:
    """Changing a payload model without `make schemas` (or a new version) fails here."""
    on_disk = json.loads(schema_path(name, version).read_text(encoding="utf-8"))
    assert on_disk == render_schema(name, version)


def test_every_event_type_has_a_v1_schema() -> None:
    for event_type in EventType:
        assert schema_path(event_type.value, 1).exists()


def test_ce_type_round_trips_and_rejects_foreign_types() -> None:
    assert ce_type(EventType.AGREEMENT_SUBMITTED) == "vn.gov.agreements.agreement.submitted.v1"
    assert parse_ce_type("vn.gov.agreements.agreement.submitted.v1") == ("agreement.submitted", 1)
    for bad in ("com.example.thing.v1", "vn.gov.agreements.agreement.submitted", "x"):
        with pytest.raises(ValueError):
            parse_ce_type(bad)


def _event(**overrides: object) -> Event:
    fields: dict[str, object] = {
        "id": "e-1",
        "name": "agreement.deleted",
        "version": 1,
        "source": "/services/agreements",
        "subject": "a-1",
        "time": datetime(2026, 1, 5, 3, 0, tzinfo=UTC),
        "data": DELETED,
        "correlation_id": "corr-1",
    }
    fields.update(overrides)
    return Event(**fields)  # type: ignore[arg-type]


def test_envelope_is_binary_mode_and_round_trips() -> None:
    record = encode(_event())
    headers = dict(record.headers)
    assert record.key == b"a-1"
    assert headers["ce_type"] == b"vn.gov.agreements.agreement.deleted.v1"
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_correlationid"] == b"corr-1"
    assert json.loads(record.value) == DELETED
    decoded = decode(record.key, record.value, record.headers)
    assert decoded.id == "e-1" and decoded.data == DELETED and decoded.correlation_id == "corr-1"


def test_decode_refuses_what_is_not_a_valid_event_of_ours() -> None:
    good = encode(_event())
    with pytest.raises(EnvelopeError):
        decode(b"k", b"{}", [])
    with pytest.raises(EnvelopeError):
        decode(good.key, b"not json", good.headers)
    future = [
        (k, b"vn.gov.agreements.agreement.deleted.v9" if k == "ce_type" else v)
        for k, v in good.headers
    ]
    with pytest.raises(UnknownEventError):
        decode(good.key, good.value, future)
    with pytest.raises(ValidationError):
        decode(good.key, json.dumps({"agreement_id": "a-1"}).encode(), good.headers)
