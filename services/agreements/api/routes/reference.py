"""Reference data the forms need: provinces, consulted bodies, fields, vocabularies."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from common.bodies import BODIES
from common.fields import FIELD_LABELS
from common.law import vocabulary as enums
from common.provinces import CURRENT_UNITS, OLD_UNITS, border_countries, successor

router = APIRouter(prefix="/v1/reference", tags=["reference"])


@router.get("/provinces")
def provinces() -> dict[str, Any]:
    """The 34 current units, and the 63 former ones with their successor."""
    return {
        "current": [
            {
                "code": u.code,
                "name": u.name,
                "kind": u.kind,
                "border_countries": sorted(border_countries(u.code)),
            }
            for u in CURRENT_UNITS.values()
        ],
        "former": [
            {
                "code": u.code,
                "name": u.name,
                "kind": u.kind,
                "successor": (s.code if (s := successor(u.code)) else None),
            }
            for u in OLD_UNITS.values()
        ],
    }


@router.get("/bodies")
def bodies() -> list[dict[str, Any]]:
    return [
        {
            "code": b.code,
            "name_vi": b.name_vi,
            "name_en": b.name_en,
            "level": b.level,
            "province": b.province,
        }
        for b in BODIES.values()
    ]


@router.get("/vocabularies")
def vocabularies() -> dict[str, Any]:
    return {
        "fields": [{"code": f.value, "vi": vi, "en": en} for f, (vi, en) in FIELD_LABELS.items()],
        "forms": [e.value for e in enums.AgreementForm],
        "signatory_levels": [e.value for e in enums.SignatoryLevel],
        "partner_types": [e.value for e in enums.PartnerType],
        "touches": [e.value for e in enums.Touch],
        "procedures": [e.value for e in enums.Procedure],
        "categories": [e.value for e in enums.Category],
        "document_kinds": [e.value for e in enums.DocumentKind],
        "statuses": [e.value for e in enums.AgreementStatus],
    }
