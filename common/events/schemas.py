"""JSON schema per event type and version, stored as files, checked against the payload models."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema_rs import Draft202012Validator, ValidationError

from common.events.payloads import PAYLOADS

SCHEMA_DIR = Path(__file__).parent / "schemas"


class UnknownEventError(ValueError):
    """No schema exists for this type and version (e.g. a future major version)."""


def schema_path(name: str, version: int) -> Path:
    return SCHEMA_DIR / f"{name}.v{version}.json"


def render_schema(name: str, version: int) -> dict[str, Any]:
    """The schema as the payload model defines it (what `make schemas` writes to disk)."""
    model = PAYLOADS[(name, version)]
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://agreements.gov.vn/schemas/{name}.v{version}.json"
    return schema


@cache
def _validator(name: str, version: int) -> Draft202012Validator:
    path = schema_path(name, version)
    if not path.exists():
        raise UnknownEventError(f"no schema for {name} v{version}")
    # `format` stays an annotation (draft 2020-12's default): the payload models check it.
    schema = json.loads(path.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, validate_formats=False)


def validate_payload(name: str, version: int, data: Any) -> None:
    """Raise UnknownEventError, or ValidationError (a ValueError) when data breaks the
    contract."""
    _validator(name, version).validate(data)


def write_all() -> list[Path]:
    written = []
    for name, version in PAYLOADS:
        path = schema_path(name, version)
        path.write_text(
            json.dumps(render_schema(name, version), indent=2, ensure_ascii=False, sort_keys=True)
            + "\n",
            encoding="utf-8",
        )
        written.append(path)
    return written


__all__ = ["UnknownEventError", "ValidationError", "render_schema", "validate_payload", "write_all"]

if __name__ == "__main__":
    for p in write_all():
        print(p)
