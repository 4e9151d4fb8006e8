"""CloudEvents 1.0 in Kafka binary mode: attributes in `ce_*` headers, JSON data in the value."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.core.v1.event import CloudEvent
from pydantic import BaseModel

from common.events.payloads import PAYLOADS
from common.events.schemas import UnknownEventError, validate_payload
from common.events.types import ce_type, parse_ce_type
from common.logs import CORRELATION_EXTENSION

Headers = list[tuple[str, bytes]]


@dataclass(frozen=True)
class Event:
    """One decoded event, whatever service it came from."""

    id: str
    name: str  # e.g. "agreement.submitted"
    version: int
    source: str
    subject: str | None
    time: datetime | None
    data: dict[str, Any]
    correlation_id: str | None = None

    @property
    def type(self) -> str:
        return ce_type(self.name, self.version)


@dataclass(frozen=True)
class KafkaRecord:
    key: bytes | None
    value: bytes
    headers: Headers


def encode(event: Event) -> KafkaRecord:
    attributes: dict[str, Any] = {
        "id": event.id,
        "type": event.type,
        "source": event.source,
        "datacontenttype": "application/json",
    }
    if event.subject:
        attributes["subject"] = event.subject
    if event.time:
        attributes["time"] = event.time
    if event.correlation_id:
        attributes[CORRELATION_EXTENSION] = event.correlation_id
    message = ce_kafka.to_binary_event(
        CloudEvent(attributes=attributes, data=event.data),
        key_mapper=lambda ev: ev.get_subject(),
    )
    key = message.key.encode() if isinstance(message.key, str) else message.key
    return KafkaRecord(key=key, value=message.value, headers=list(message.headers.items()))


class EnvelopeError(ValueError):
    """The record is not a CloudEvent of ours (a poison message for consumers)."""


def decode(key: bytes | None, value: bytes | None, headers: Headers | None) -> Event:
    """Parse and validate against the schema of its type and version; EnvelopeError if not ours,
    UnknownEventError for a version we have no schema for, ValidationError for a bad payload."""
    header_map = {k: v for k, v in (headers or [])}
    if "ce_type" not in header_map or "ce_id" not in header_map:
        raise EnvelopeError("missing ce_type/ce_id headers: not a binary-mode CloudEvent")
    try:
        parsed = ce_kafka.from_binary_event(
            ce_kafka.KafkaMessage(headers=header_map, key=key, value=value or b"")
        )
    except Exception as exc:  # the library raises several types for malformed input
        raise EnvelopeError(f"cannot decode CloudEvent: {exc}") from exc
    try:
        name, version = parse_ce_type(parsed.get_type())
    except ValueError as exc:
        raise EnvelopeError(str(exc)) from exc
    data = parsed.get_data()
    if isinstance(data, bytes | str):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise EnvelopeError(f"data is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise EnvelopeError("data is not a JSON object")
    validate_payload(name, version, data)
    correlation = parsed.get_attributes().get(CORRELATION_EXTENSION)
    return Event(
        id=parsed.get_id(),
        name=name,
        version=version,
        source=parsed.get_source(),
        subject=parsed.get_subject(),
        time=parsed.get_time(),
        data=data,
        correlation_id=str(correlation) if correlation else None,
    )


def parse_payload(event: Event) -> BaseModel:
    """The event's data as its payload model (common/events/payloads.py): dates and moments
    typed, optional fields a producer left out at their defaults. Consumers parse once and read
    attributes. UnknownEventError for a type or version without a model, pydantic's
    ValidationError for data the model refuses (e.g. a moment that is no moment, which the JSON
    schema's `format` does not check): a consumer treats both as a failure to handle, so the
    event is retried, then dead-lettered."""
    model = PAYLOADS.get((event.name, event.version))
    if model is None:
        raise UnknownEventError(f"no payload model for {event.name} v{event.version}")
    return model.model_validate(event.data)
