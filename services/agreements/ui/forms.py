"""HTML forms to the API's input models and back: what a person typed, and every problem
with it keyed by the form field it belongs next to."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from common.law.drafting import Violation
from common.moments import RANGE_ERROR
from common.problems import FieldError, translate_validation_errors
from services.agreements.errors import RulesBroken, ServiceError
from services.agreements.models import Agreement
from services.agreements.ui import i18n

# The draft form's fields, as AgreementCreate names them (foreign_party.* flattened).
DRAFT_FIELDS = (
    "title",
    "foreign_title",
    "form",
    "form_name",
    "category",
    "signatory_level",
    "signatory_unit",
    "foreign_party.name",
    "foreign_party.country",
    "foreign_party.type",
    "fields",
    "summary",
    "languages",
    "procedure",
    "reduced_ground",
    "reduced_reason",
    "touches",
    "related_bodies",
    "occasion",
    "term_months",
)
_INDEX = re.compile(r"\.\d+(?=\.|$)")


@dataclass
class FormErrors:
    """Messages per form field; `general` holds those with no field of their own."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.fields.values()) + len(self.general)

    def get(self, name: str) -> list[str]:
        return self.fields.get(name, [])


def field_of(path: str, known: Sequence[str]) -> str | None:
    """The form field an error path belongs to: "languages.1" -> "languages",
    "foreign_party.country" stays; None when the form has no such field."""
    name = _INDEX.sub("", path)
    if name in known:
        return name
    head = name.split(".", 1)[0]
    return head if head in known else None


def collect(errors: Sequence[FieldError], known: Sequence[str], into: FormErrors) -> FormErrors:
    for e in errors:
        name = field_of(e.field, known)
        if name is None:
            into.general.append(e.message)
        else:
            into.add(name, e.message)
    return into


def from_validation(exc: ValidationError, lang: str, known: Sequence[str]) -> FormErrors:
    """Pydantic's complaints as a person at a form reads them: an empty required field or an
    unchosen list says so, rather than naming the codes the API accepts."""
    out: list[FieldError] = []
    for err, translated in zip(
        exc.errors(), translate_validation_errors(exc.errors(), lang), strict=True
    ):
        kind = err.get("type", "")
        minimum = (err.get("ctx") or {}).get("min_length")
        key = None
        if kind == "missing" or (kind == "string_too_short" and minimum == 1):
            key = "form.required"
        elif kind == "too_short" and minimum == 1:
            key = "form.choose_one"
        elif kind in ("enum", "literal_error"):
            key = "form.choose_listed"
        elif kind in ("int_parsing", "int_type"):
            key = "form.whole_number"
        elif kind.startswith("date") and kind != RANGE_ERROR:
            key = "form.date"
        message = i18n.text(key, lang) if key else translated.message
        out.append(FieldError(field=translated.field, rule=translated.rule, message=message))
    return collect(out, known, FormErrors())


def from_violations(violations: list[Violation], lang: str, known: Sequence[str]) -> FormErrors:
    return collect(i18n.rule_messages(violations, lang), known, FormErrors())


def from_service_error(exc: ServiceError, lang: str, known: Sequence[str]) -> FormErrors:
    if isinstance(exc, RulesBroken):
        return from_violations(exc.violations, lang, known)
    return FormErrors(general=[exc.to_problem(lang).detail])


# --- reading forms ---------------------------------------------------------------------------


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def optional(form: FormData, name: str) -> str | None:
    return text(form, name) or None


def many(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def upload(form: FormData, name: str) -> UploadFile | None:
    """The file chosen in a file input; None when none was chosen (browsers send an empty
    part named "")."""
    value = form.get(name)
    if isinstance(value, UploadFile) and (value.filename or "").strip():
        return value
    return None


def languages(value: str) -> list[str]:
    """ "vi, ko" or "vi ko" -> ["vi", "ko"]."""
    return [part for part in re.split(r"[\s,;]+", value.strip().lower()) if part]


def draft_values(form: FormData) -> dict[str, Any]:
    """The draft form as typed, keyed like DRAFT_FIELDS (kept to refill the form)."""
    values: dict[str, Any] = {name: text(form, name) for name in DRAFT_FIELDS}
    for name in ("fields", "touches", "related_bodies"):
        values[name] = many(form, name)
    return values


def draft_payload(values: dict[str, Any], province: str) -> dict[str, Any]:
    """AgreementCreate's shape from the typed values; pydantic judges it."""
    term = values["term_months"]
    payload: dict[str, Any] = {
        "title": values["title"],
        "foreign_title": values["foreign_title"] or None,
        "form": values["form"],
        "form_name": values["form_name"] or None,
        "category": values["category"] or "INTERNATIONAL_AGREEMENT",
        "signatory_level": values["signatory_level"],
        "signatory_unit": values["signatory_unit"] or None,
        "province": province,
        "foreign_party": {
            "name": values["foreign_party.name"],
            "country": values["foreign_party.country"],
            "type": values["foreign_party.type"],
        },
        "fields": values["fields"],
        "summary": values["summary"],
        "languages": languages(values["languages"]),
        "procedure": values["procedure"] or "STANDARD",
        "reduced_ground": values["reduced_ground"] or None,
        "reduced_reason": values["reduced_reason"] or None,
        "touches": values["touches"],
        "related_bodies": values["related_bodies"],
        "occasion": values["occasion"] or None,
        "term_months": term if term else None,
    }
    # An unchosen list is a missing field, which reads "required" rather than "invalid".
    for name in ("form", "signatory_level"):
        if not payload[name]:
            del payload[name]
    for name in ("type", "country"):
        if not payload["foreign_party"][name]:
            del payload["foreign_party"][name]
    return payload


def values_of(a: Agreement) -> dict[str, Any]:
    """A stored draft as the form shows it."""
    return {
        "title": a.title,
        "foreign_title": a.foreign_title or "",
        "form": a.form.value,
        "form_name": a.form_name or "",
        "category": a.category.value,
        "signatory_level": a.signatory_level.value,
        "signatory_unit": a.signatory_unit or "",
        "foreign_party.name": a.partner_name,
        "foreign_party.country": a.partner_country,
        "foreign_party.type": a.partner_type.value,
        "fields": list(a.fields),
        "summary": a.summary,
        "languages": ", ".join(a.languages),
        "procedure": a.procedure.value,
        "reduced_ground": a.reduced_ground.value if a.reduced_ground else "",
        "reduced_reason": a.reduced_reason or "",
        "touches": list(a.touches),
        "related_bodies": list(a.related_bodies),
        "occasion": a.occasion or "",
        "term_months": str(a.term_months) if a.term_months else "",
    }


def empty_draft() -> dict[str, Any]:
    values: dict[str, Any] = dict.fromkeys(DRAFT_FIELDS, "")
    values.update(
        fields=[],
        touches=[],
        related_bodies=[],
        languages="vi",
        procedure="STANDARD",
        category="INTERNATIONAL_AGREEMENT",
    )
    return values


def parse_date(value: str) -> date | str | None:
    """A date from an <input type=date> (YYYY-MM-DD); the text itself when it is not one, so
    the model's validation words the error."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return value
