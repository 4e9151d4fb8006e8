"""The import page (/ui/import): upload, preview, confirm, progress, outcome; and who may see
an upload."""

from __future__ import annotations

import re
import time
from datetime import date

import pytest

from common.db import utcnow
from common.law.calendar import TZ
from tests.messy_register import messy_register

from .conftest import Stack
from .test_ui_pages import browser, csrf_of, sign_in

pytestmark = pytest.mark.integration

UPLOAD = re.compile(r"/ui/import/([0-9a-f-]{36})")


def _today() -> date:
    return utcnow().astimezone(TZ).date()


def _cell(html: str, table: str, key: str) -> int:
    section = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    match = re.search(rf'data-key="{re.escape(key)}">(\d+)<', section)
    assert match, f"{key} not in {table}"
    return int(match.group(1))


def test_a_register_is_previewed_confirmed_and_imported_through_the_page(stack: Stack) -> None:
    register = messy_register(300, today=_today(), repeats=7, conflicts=2, prefix="PG1", seed=8)
    client = browser(stack)
    sign_in(client, "registry@mofa")
    page = client.get("/ui/import")
    assert page.status_code == 200 and "Nhập sổ đăng ký" in page.text
    r = client.post(
        "/ui/import",
        data={"csrf_token": csrf_of(page.text)},
        files={"file": ("so-dang-ky.csv", register.csv(), "text/csv")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    location = r.headers["location"]
    match = UPLOAD.search(location)
    assert match
    preview = client.get(location)
    assert preview.status_code == 200
    html = preview.text
    for cycle, n in register.by_cycle.items():
        assert _cell(html, "by-cycle", "" if cycle is None else str(cycle)) == n
    for province, n in register.by_province.items():
        assert _cell(html, "by-province", province) == n
    assert html.count('data-rule="conflicting_reference"') == register.conflicting
    assert html.count('data-rule="duplicate_row"') == register.repeated
    assert "Kỳ Hội nghị Ngoại vụ toàn quốc lần thứ 21" in html

    # Someone else cannot see or confirm it.
    other = browser(stack)
    sign_in(other, "admin@system")
    assert other.get(location).status_code == 404
    stranger = browser(stack)
    sign_in(stranger, "reviewer@mofa")
    assert stranger.get("/ui/import").status_code == 403

    confirm = client.post(
        f"{location}/confirm",
        data={"csrf_token": csrf_of(html), "partial": "1"},
        follow_redirects=False,
    )
    assert confirm.status_code == 303
    deadline = time.monotonic() + 60
    while True:
        done = client.get(location)
        if "import-progress" not in done.text:
            break
        assert time.monotonic() < deadline, "the import did not finish"
        time.sleep(0.3)
    assert f"Đã nhập {register.to_import} thỏa thuận" in done.text, done.text[-3000:]
    for cycle, n in register.by_cycle.items():
        assert _cell(done.text, "done-cycles", "" if cycle is None else str(cycle)) == n
    # Confirming twice imports once.
    again = client.post(
        f"{location}/confirm",
        data={"csrf_token": csrf_of(done.text), "partial": "1"},
        follow_redirects=False,
    )
    assert again.headers["location"].endswith("?done=import_busy")
    listing = client.get("/ui/import")
    assert "so-dang-ky.csv" in listing.text


def test_a_file_that_is_not_a_register_is_answered_on_the_page(stack: Stack) -> None:
    client = browser(stack)
    sign_in(client, "admin@system")
    page = client.get("/ui/import")
    r = client.post(
        "/ui/import",
        data={"csrf_token": csrf_of(page.text)},
        files={"file": ("x.csv", b"name,colour\nfoo,red\n", "text/csv")},
    )
    assert r.status_code == 200
    assert "Tệp thiếu cột" in r.text  # the preview lists the missing columns
    assert 'id="confirm-import"' not in r.text
    empty = client.post("/ui/import", data={"csrf_token": csrf_of(page.text)})
    assert empty.status_code == 422 and "field-error" in empty.text
