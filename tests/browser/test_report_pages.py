"""A register goes in through the import page and its figure comes out on the report page
(issue 14 item 12), in Debian's Chromium: the Ministry's registry uploads a messy register,
reads the preview, confirms, waits for the result, then opens the report of the 21st cycle
until the reporting consumer has caught up, and reads the headline count the register gives,
in Vietnamese and, after the switch, in English; the printed layout leaves the tools out."""

from __future__ import annotations

import re
import time
from datetime import date
from typing import Any

import pytest

from common.db import utcnow
from common.law.calendar import TZ
from services.agreements.ui.report_view import number
from tests.messy_register import messy_register

from .conftest import SCREENSHOTS, UiStack
from .test_pages import Person, people

pytestmark = pytest.mark.integration

__all__ = ["people"]  # the fixture, shared with the lifecycle test

CYCLE = 21


def _today() -> date:
    return utcnow().astimezone(TZ).date()


def _headline(person: Person, which: str = "count") -> int | None:
    found = person.page.locator(f"#headline-{which}")
    return int(found.get_attribute("data-value") or 0) if found.count() else None


def _reload_until_count(
    person: Person, expected: int, previous: int, timeout_s: float = 90
) -> None:
    """The consumer applies the imported agreements' events in the background, one
    partition's after another's: reload, as a person would, until the page counts them all,
    in this cycle and in the one before."""
    deadline = time.monotonic() + timeout_s
    while (_headline(person), _headline(person, "previous")) != (expected, previous):
        if time.monotonic() > deadline:
            raise AssertionError(
                f"headline {_headline(person)} (previous {_headline(person, 'previous')}) "
                f"instead of {expected} ({previous}) after {timeout_s:.0f}s\n" + person.stack.logs()
            )
        time.sleep(1)
        person.page.reload()


def test_a_register_imported_through_the_page_gives_its_figure_on_the_report_page(
    people: dict[str, Any], ui_stack: UiStack
) -> None:
    register = messy_register(400, today=_today(), repeats=6, conflicts=0, prefix="BR14", seed=21)
    expected, before = register.by_cycle[CYCLE], register.by_cycle[CYCLE - 1]
    assert expected > 0 and before > 0

    registry: Person = people["open"]("registry@mofa")
    registry.login()
    page = registry.page

    # --- import: upload, preview, confirm, result -----------------------------------------
    page.get_by_role("link", name="Nhập sổ đăng ký").click()
    page.get_by_label("Tệp sổ đăng ký").set_input_files(
        {"name": "so-dang-ky-bao-cao.csv", "mimeType": "text/csv", "buffer": register.csv()}
    )
    page.get_by_role("button", name="Xem trước").click()
    page.wait_for_url(re.compile(r"/ui/import/[0-9a-f-]{36}$"))
    registry.shot("report-import-preview")
    preview = page.locator("#by-cycle td[data-key='21']")
    assert int(preview.inner_text()) == expected
    page.once("dialog", lambda dialog: dialog.accept())  # "Nhập ... thỏa thuận vào hệ thống?"
    page.locator("#confirm-import").click()
    page.locator("#done-heading").wait_for(timeout=90_000)
    assert f"Đã nhập {register.to_import} thỏa thuận." in page.inner_text("#done-heading")
    registry.shot("report-import-done")

    # --- the report pages, in Vietnamese ----------------------------------------------------
    page.get_by_role("link", name="Báo cáo", exact=True).click()
    page.wait_for_url(re.compile(r"/ui/reports$"))
    registry.shot("reports-cycles")
    page.get_by_role("link", name=f"Kỳ Hội nghị Ngoại vụ toàn quốc lần thứ {CYCLE}").click()
    page.wait_for_url(re.compile(rf"/ui/reports/{CYCLE}$"))
    _reload_until_count(registry, expected, before)
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("#headline-count").inner_text() == number(expected, "vi")
    assert page.locator("#headline-previous").get_attribute("data-value") == str(before)
    assert page.locator("#headline-change").inner_text() == (
        f"+{expected - before}" if expected > before else f"−{before - expected}"
    )
    assert (
        page.locator("h1").inner_text().endswith(f"Kỳ Hội nghị Ngoại vụ toàn quốc lần thứ {CYCLE}")
    )
    # The charts come through the page's own address (CSP 'self') and are drawn.
    for chart in ("trend", "provinces", "countries"):
        image = page.locator(f"#chart-{chart}")
        image.scroll_into_view_if_needed()
        page.wait_for_function(
            "el => el.complete && el.naturalWidth > 0", arg=image.element_handle()
        )
    assert page.locator("button[data-print]").is_visible()  # app.js shows it
    registry.shot("report-cycle-21")

    # Printed: the page without its header, tools and filters, the figures kept.
    page.emulate_media(media="print")
    try:
        assert not page.locator("header.top").is_visible()
        assert not page.locator(".report-tools").is_visible()
        assert not page.locator("form.report-filters").is_visible()
        assert page.locator("#headline-count").is_visible()
        assert page.locator("#by-province").is_visible()
        # Not Person.shot: its checks are for the screen (e.g. every field labelled, visible).
        page.screenshot(path=str(SCREENSHOTS / "report-cycle-21-print.png"), full_page=True)
    finally:
        page.emulate_media(media="screen")

    # --- in English after the switch --------------------------------------------------------
    page.get_by_role("button", name="English").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    try:
        assert page.url.endswith(f"/ui/reports/{CYCLE}")
        assert _headline(registry) == expected
        assert page.locator("#headline-count").inner_text() == number(expected, "en")
        assert (
            page.locator("h1")
            .inner_text()
            .endswith("Cycle of the 21st National Conference on External Affairs")
        )
        assert page.get_by_role("heading", name="Agreements signed in the cycle").is_visible()
        assert page.get_by_role("heading", name="By current province (34 units)").is_visible()
        registry.shot("report-cycle-21-en")
        page.get_by_role("link", name="All cycles").click()
        page.wait_for_url(re.compile(r"/ui/reports$"))
        row = page.locator(f"tr[data-cycle='{CYCLE}'] td.num")
        assert row.get_attribute("data-value") == str(expected)
        registry.shot("reports-cycles-en")
    finally:
        page.get_by_role("button", name="Tiếng Việt").click()
        page.wait_for_function("document.documentElement.lang === 'vi'")
