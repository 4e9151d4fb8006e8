"""The consumers check events with a compiled validator (jsonschema-rs); the reference
implementation (jsonschema) must reach the same verdict on every payload, valid or broken."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator as Reference

from common.events.payloads import PAYLOADS
from common.events.schemas import ValidationError, schema_path, validate_payload
from tests.unit.notifications.samples import payload

WRONG_VALUES: tuple[Any, ...] = (None, 12345, 1.5, "text", True, [], {}, ["text"], {"x": 1})


def _variants(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The payload itself, then each field left out, given a value of each other JSON type,
    and an unknown field beside it; the same one level down, inside nested objects."""
    yield "as is", data
    yield "unknown field", data | {"unexpected": 1}
    for key, value in data.items():
        yield f"without {key}", {k: v for k, v in data.items() if k != key}
        for wrong in WRONG_VALUES:
            yield f"{key}={wrong!r}", data | {key: wrong}
        if isinstance(value, dict):
            for inner, changed in _variants(value):
                if inner != "as is":
                    yield f"{key}.{inner}", data | {key: changed}
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for inner, changed in _variants(value[0]):
                if inner != "as is":
                    yield f"{key}[0].{inner}", data | {key: [changed, *value[1:]]}


def _accepted(name: str, version: int, data: dict[str, Any]) -> bool:
    try:
        validate_payload(name, version, data)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(("name", "version"), sorted(PAYLOADS))
def test_the_compiled_validator_agrees_with_the_reference(name: str, version: int) -> None:
    schema = json.loads(schema_path(name, version).read_text(encoding="utf-8"))
    reference = Reference(schema)
    sample = json.loads(json.dumps(payload(name, agreement_id="a-1"), default=str))
    verdicts = {True: 0, False: 0}
    for what, data in _variants(sample):
        expected = reference.is_valid(data)
        assert _accepted(name, version, copy.deepcopy(data)) is expected, what
        verdicts[expected] += 1
    assert verdicts[True] and verdicts[False]  # both kinds of verdict were compared
