"""A messy register (tests/messy_register.py) through the preview and the import, on the real
database: the exact per-cycle, per-unit counts the generator worked out, repeats left out with
warnings, conflicting references refused, and the stored records agreeing."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest

from common.db import utcnow
from common.law.calendar import TZ
from common.law.cycles import DEFAULT_CONFERENCES, ConferenceCalendar
from tests.messy_register import MessyRegister, messy_register

from .conftest import Stack

pytestmark = pytest.mark.integration


def _today() -> date:
    return utcnow().astimezone(TZ).date()


def _post(stack: Stack, content: bytes, name: str, **params: Any) -> Any:
    return stack.client.post(
        "/v1/agreements/import",
        params=params,
        files={"file": (name, content, "application/octet-stream")},
        headers=stack.login("registry@mofa", "en"),
    )


def _counts(items: list[dict[str, Any]]) -> Counter[Any]:
    return Counter(
        {(int(c["key"]) if c["key"] and c["key"].isdigit() else c["key"]): c["rows"] for c in items}
    )


def _check(body: dict[str, Any], register: MessyRegister) -> None:
    assert _counts(body["by_cycle"]) == Counter(register.by_cycle)
    assert _counts(body["by_province"]) == register.by_province
    assert _counts(body["by_former_unit"]) == register.by_former_unit
    assert body["to_import"] == register.to_import
    assert body["repeated_rows"] == register.repeated
    assert body["rejected"] == register.conflicting


def test_a_messy_register_gives_the_exact_figures_in_preview_and_import(stack: Stack) -> None:
    register = messy_register(600, today=_today(), repeats=25, conflicts=6, prefix="MR1")
    assert register.conflicting == 12 and register.by_cycle[None] > 0
    preview = _post(stack, register.csv(), "so-dang-ky.csv", dry_run="true")
    assert preview.status_code == 200, preview.text
    body = preview.json()
    _check(body, register)
    rules = Counter(e["rule"] for e in body["errors"])
    assert rules == {"conflicting_reference": register.conflicting}, body["errors"][:5]
    assert Counter(w["rule"] for w in body["warnings"]) == {"duplicate_row": register.repeated}

    refused = _post(stack, register.csv(), "so-dang-ky.csv")
    assert refused.status_code == 422
    imported = _post(stack, register.csv(), "so-dang-ky.csv", partial="true")
    assert imported.status_code == 200, imported.text
    body = imported.json()
    _check(body, register)
    assert body["imported"] == register.to_import

    # The stored records agree, counted by their own signing dates.
    calendar = ConferenceCalendar(DEFAULT_CONFERENCES)
    stored: Counter[int | None] = Counter()
    after = None
    while True:
        params: dict[str, Any] = {"limit": 1000} | ({"after": after} if after else {})
        page = stack.client.get(
            "/v1/export/agreements", params=params, headers=stack.login("ops@system")
        ).json()
        for a in page["data"]:
            if (a.get("reference") or "").startswith("MR1-"):
                stored[calendar.number_of(date.fromisoformat(a["signed_on"]))] += 1
        if not (after := page["next_after"]):
            break
    assert stored == Counter(register.by_cycle)

    again = _post(stack, register.csv(), "so-dang-ky.csv", partial="true").json()
    assert again["imported"] == 0 and again["already_imported"] == register.to_import


def test_the_same_register_as_a_workbook_previews_the_same(stack: Stack) -> None:
    register = messy_register(200, today=_today(), repeats=5, prefix="MR2", seed=3)
    body = _post(stack, register.xlsx(), "so-dang-ky.xlsx", dry_run="true").json()
    _check(body, register)
    assert body["errors"] == []
