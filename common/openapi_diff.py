"""Breaking changes between two versions of an OpenAPI document, read from the JSON alone.

What breaks a client generated from the old document: a path or operation removed, a success
answer or media type removed, a field of an answer removed or no longer always sent, an
answer's type widened (a value that may now be null); for inputs a new required parameter,
body or field, a type or an enum narrowed, a tighter limit, a field refused that was accepted.
Additions (paths, optional inputs, answer fields) are compatible. Small on purpose: the
maintained tools (oasdiff) are not Python packages.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# A limit that only grows (max*) or only shrinks (min*) without breaking a sender.
_UPPER = ("maxLength", "maxItems", "maximum", "exclusiveMaximum")
_LOWER = ("minLength", "minItems", "minimum", "exclusiveMinimum")

Schema = Mapping[str, Any]


class _Side:
    def __init__(self, document: Mapping[str, Any]) -> None:
        self.schemas: Mapping[str, Any] = document.get("components", {}).get("schemas", {})

    def resolve(self, schema: Schema) -> tuple[Schema, str | None]:
        name = None
        seen = set()
        while "$ref" in schema and schema["$ref"] not in seen:
            seen.add(schema["$ref"])
            name = str(schema["$ref"]).rsplit("/", 1)[-1]
            schema = self.schemas.get(name, {})
        return schema, name


def _types(schema: Schema, side: _Side) -> set[str]:
    """The JSON types a schema admits (empty: anything)."""
    schema, _ = side.resolve(schema)
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        out: set[str] = set()
        for option in options:
            found = _types(option, side)
            if not found:
                return set()
            out |= found
        return out
    kind = schema.get("type")
    if kind is None:
        return {"object"} if "properties" in schema else set()
    return {kind} if isinstance(kind, str) else set(kind)


def _covers(wide: set[str], narrow: set[str]) -> bool:
    """Every type of `narrow` is admitted by `wide` (an integer is a number)."""
    if not wide:
        return True
    if not narrow:
        return False
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


def _core(schema: Schema, side: _Side) -> tuple[Schema, str | None]:
    """The one non-null member of a nullable schema, resolved (itself otherwise)."""
    schema, name = side.resolve(schema)
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        members = [o for o in options if side.resolve(o)[0].get("type") != "null"]
        if len(members) == 1:
            return side.resolve(members[0])
    return schema, name


class _Compare:
    def __init__(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        self.old, self.new = _Side(old), _Side(new)
        self.seen: set[tuple[str, str | None, str | None]] = set()

    def _enter(self, kind: str, old_name: str | None, new_name: str | None) -> bool:
        """False when this pair of named schemas was compared already (recursive models)."""
        if old_name is None and new_name is None:
            return True
        key = (kind, old_name, new_name)
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def input(self, old: Schema, new: Schema, where: str) -> Iterator[str]:
        """What a sender of the old input may send and the new one refuses."""
        old_types, new_types = _types(old, self.old), _types(new, self.new)
        if not _covers(new_types, old_types):
            yield f"{where}: type narrowed from {sorted(old_types)} to {sorted(new_types)}"
            return
        (o, on), (n, nn) = _core(old, self.old), _core(new, self.new)
        if not self._enter("in", on, nn):
            return
        if "enum" in n:
            if "enum" not in o:
                yield f"{where}: now limited to {n['enum']}"
            elif gone := [v for v in o["enum"] if v not in n["enum"]]:
                yield f"{where}: values no longer accepted: {gone}"
        for limit in _UPPER:
            if limit in n and (limit not in o or n[limit] < o[limit]):
                yield f"{where}: {limit} tightened to {n[limit]}"
        for limit in _LOWER:
            if limit in n and (limit not in o or n[limit] > o[limit]):
                yield f"{where}: {limit} tightened to {n[limit]}"
        old_props, new_props = o.get("properties", {}), n.get("properties", {})
        newly_required = set(n.get("required", [])) - set(o.get("required", []))
        for name in sorted(newly_required):
            yield f"{where}: new required field {name}"
        for name in old_props:
            if name not in new_props:
                if n.get("additionalProperties") is False:
                    yield f"{where}: field {name} no longer accepted"
            else:
                yield from self.input(old_props[name], new_props[name], f"{where}.{name}")
        if "items" in o and "items" in n:
            yield from self.input(o["items"], n["items"], f"{where}[]")

    def output(self, old: Schema, new: Schema, where: str) -> Iterator[str]:
        """What a reader of the old answer relies on and the new one may not give."""
        old_types, new_types = _types(old, self.old), _types(new, self.new)
        if not _covers(old_types, new_types):
            yield f"{where}: type widened from {sorted(old_types)} to {sorted(new_types)}"
            return
        (o, on), (n, nn) = _core(old, self.old), _core(new, self.new)
        if not self._enter("out", on, nn):
            return
        old_props, new_props = o.get("properties", {}), n.get("properties", {})
        for name in old_props:
            if name not in new_props:
                yield f"{where}: field {name} removed"
                continue
            if name in o.get("required", []) and name not in n.get("required", []):
                yield f"{where}: field {name} no longer always sent"
            yield from self.output(old_props[name], new_props[name], f"{where}.{name}")
        if "items" in o and "items" in n:
            yield from self.output(o["items"], n["items"], f"{where}[]")


def _parameters(operation: Mapping[str, Any]) -> dict[tuple[str, str], Mapping[str, Any]]:
    return {(p["in"], p["name"].lower()): p for p in operation.get("parameters", [])}


def _operation(compare: _Compare, old: Schema, new: Schema, where: str) -> Iterator[str]:
    old_params, new_params = _parameters(old), _parameters(new)
    for key, param in new_params.items():
        was = old_params.get(key)
        if param.get("required") and not (was and was.get("required")):
            yield f"{where}: new required {key[0]} parameter {param['name']}"
        if was is not None:
            label = f"{where} {key[0]} parameter {param['name']}"
            yield from compare.input(was.get("schema", {}), param.get("schema", {}), label)
    old_body, new_body = old.get("requestBody"), new.get("requestBody")
    if new_body and new_body.get("required") and not (old_body and old_body.get("required")):
        yield f"{where}: request body now required"
    if old_body and new_body:
        for media, content in old_body.get("content", {}).items():
            if media not in new_body.get("content", {}):
                yield f"{where}: request body {media} no longer accepted"
                continue
            new_schema = new_body["content"][media].get("schema", {})
            yield from compare.input(content.get("schema", {}), new_schema, f"{where} body")
    new_responses = new.get("responses", {})
    for code, response in old.get("responses", {}).items():
        if not code.startswith("2"):
            continue
        if code not in new_responses:
            yield f"{where}: answer {code} removed"
            continue
        for media, content in response.get("content", {}).items():
            if media not in new_responses[code].get("content", {}):
                yield f"{where}: answer {code} no longer {media}"
                continue
            new_schema = new_responses[code]["content"][media].get("schema", {})
            label = f"{where} answer {code}"
            yield from compare.output(content.get("schema", {}), new_schema, label)


def breaking_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Every change of `new` that can break a client of `old`, one line each."""
    compare = _Compare(old, new)
    found: list[str] = []
    for path, item in old.get("paths", {}).items():
        if path not in new.get("paths", {}):
            found.append(f"path {path} removed")
            continue
        for method in METHODS:
            if method not in item:
                continue
            where = f"{method.upper()} {path}"
            operation = new["paths"][path].get(method)
            if operation is None:
                found.append(f"{where} removed")
                continue
            found.extend(_operation(compare, item[method], operation, where))
    return list(dict.fromkeys(found))


def major(version: str) -> int:
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else 0


def version_allows(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """A breaking change needs a new major `info.version` (semantic versioning)."""
    return major(new["info"]["version"]) > major(old["info"]["version"])
