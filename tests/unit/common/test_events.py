"""Event contracts: schema files match the payload models, the envelope round-trips."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pydantic
import pytest

from common.events.envelope import EnvelopeError, Event, decode, encode, parse_payload
from common.events.payloads import (
    PAYLOADS,
    AgreementDeletedV1,
    AgreementRecordV1,
    AgreementSnapshotV1,
    event_of,
)
from common.events.schemas import UnknownEventError, ValidationError, render_schema, schema_path
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


def test_a_payload_is_parsed_into_its_model_with_typed_dates() -> None:
    payload = parse_payload(_event())
    assert isinstance(payload, AgreementDeletedV1)
    assert payload.deleted_at == datetime(2026, 1, 5, 3, 0, tzinfo=UTC)
    assert payload.province == "ha-noi" and payload.version == 2


def test_parsing_refuses_an_unknown_version_and_data_its_model_refuses() -> None:
    with pytest.raises(UnknownEventError):
        parse_payload(_event(version=9))
    # The JSON schema does not check `format`: the model does.
    with pytest.raises(pydantic.ValidationError):
        parse_payload(_event(data=DELETED | {"deleted_at": "yesterday"}))


def test_an_export_record_is_a_snapshot_with_its_lifecycle_facts() -> None:
    snapshot = {
        "agreement_id": "a-1",
        "version": 3,
        "status": "IN_FORCE",
        "title": "Biên bản ghi nhớ",
        "form": "MEMORANDUM_OF_UNDERSTANDING",
        "category": "INTERNATIONAL_AGREEMENT",
        "signatory_level": "PROVINCIAL_COMMITTEE",
        "province": "hue",
        "foreign_party": {"name": "Seoul", "country": "KR", "type": "LOCAL_GOVERNMENT"},
        "fields": ["education"],
        "summary": "",
        "languages": ["vi"],
        "procedure": "STANDARD",
        "touches": [],
        "related_bodies": [],
        "created_by": "officer@hue",
        "created_at": "2026-01-05T03:00:00+00:00",
        "updated_at": "2026-01-05T03:00:00+00:00",
        "signed_on": "2026-02-01",
    }
    record = AgreementRecordV1.model_validate(
        snapshot | {"id": "a-1", "copy_due_on": "2026-02-16", "state_at": "2026-02-20T01:00Z"}
    )
    assert isinstance(record, AgreementSnapshotV1)
    assert record.signed_on == date(2026, 2, 1) and record.copy_due_on == date(2026, 2, 16)
    assert record.imported is False and record.copy_delivered_at is None
    with pytest.raises(TypeError):  # a record is no event: no producer can emit one
        event_of(record)
