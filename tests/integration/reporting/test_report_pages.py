"""The report pages (/ui/reports) against the real reporting service: the agreements app's pages
call a real uvicorn of the reporting app over HTTP, on the reporting stack's databases (SQLite
and PostgreSQL), after the generated history was imported. Figures on the page are the API's
own; a province sees its own; both languages; 404, 403, a reporting service that is down or
silent; downloads and charts passed on."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from common.devservers import free_port
from services.agreements.app import create_app as create_agreements_app
from services.agreements.ui.report_view import number as vi_number
from services.reporting.app import create_app as create_reporting_app
from tests.integration.reporting.conftest import ReportingStack
from tests.integration.reporting.history import Record

pytestmark = pytest.mark.integration

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Served:
    """An ASGI app under a real uvicorn on 127.0.0.1, in a thread of this process."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True, name="reporting")

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "the reporting API did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@dataclass
class Pages:
    """The agreements app's pages, wired to a real reporting API at `reporting_url`."""

    rstack: ReportingStack
    app: FastAPI
    reporting_url: str

    def browser(self) -> TestClient:
        """A fresh browser (its own cookies). Not entered: the app's lifespan runs once, in the
        fixture, and leaving it would close the app's connections."""
        return TestClient(self.app, raise_server_exceptions=False)

    def get(self, path: str, username: str = "registry@mofa", **params: str) -> httpx.Response:
        """A page as the single sign-on gateway asks for it: the token as a header."""
        token = self.rstack.headers(username)["Authorization"]
        return self.browser().get(path, params=params, headers={"Authorization": token})

    def api(self, path: str, username: str = "registry@mofa", **params: str) -> httpx.Response:
        """The reporting API itself, over the same socket the pages use."""
        headers = self.rstack.headers(username)
        r = httpx.get(self.reporting_url + path, params=params, headers=headers, timeout=30)
        assert r.status_code == 200, r.text
        return r


def _pages_app(rstack: ReportingStack, reporting_url: str, timeout_s: float = 10.0) -> FastAPI:
    settings = rstack.agreements_settings.model_copy(
        update={
            "reporting_url": reporting_url,
            "reporting_timeout_s": timeout_s,
            "watchdog_interval_s": 0.0,
        }
    )
    return create_agreements_app(settings)


@pytest.fixture(scope="module")
def pages(rstack: ReportingStack, history: list[Record]) -> Iterator[Pages]:
    rstack.wait_idle()
    with Served(create_reporting_app(rstack.reporting_settings)) as served:
        app = _pages_app(rstack, served.url)
        with TestClient(app):  # runs the lifespan: the client is closed at the end
            yield Pages(rstack, app, served.url)


# --- reading the page -------------------------------------------------------------------------


def _table(html: str, table_id: str) -> str:
    assert f'id="{table_id}"' in html, f"no table {table_id}"
    return html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]


def _rows(html: str, table_id: str) -> dict[str, list[str]]:
    """key -> the data-value of each cell of its row, in column order."""
    section = _table(html, table_id)
    out: dict[str, list[str]] = {}
    for key, row in re.findall(r'<tr data-key="([^"]*)">(.*?)</tr>', section, re.S):
        out[key] = re.findall(r'data-value="([^"]*)"', row)
    return out


def _value(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*data-value="([^"]*)"', html)
    assert match, f"no #{element_id}"
    return match.group(1)


def _shown(value: Any) -> str:
    """How a JSON value appears in a data-value attribute (Jinja's str of it)."""
    return "None" if value is None else str(value)


def _sign_in(client: TestClient, username: str) -> str:
    page = client.get("/ui/login")
    csrf = CSRF.search(page.text)
    assert csrf
    r = client.post(
        "/ui/login",
        data={"username": username, "password": "dev", "csrf_token": csrf.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    again = CSRF.search(client.get("/ui/reports").text)
    assert again
    return again.group(1)


# --- the figures ------------------------------------------------------------------------------


def test_every_figure_on_the_report_page_is_the_summarys(pages: Pages) -> None:
    summary = pages.api("/v1/cycles/21/summary").json()
    page = pages.get("/ui/reports/21")
    assert page.status_code == 200, page.text[-2000:]
    html = page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    signed = summary["headline"]["agreements_signed"]
    assert signed["value"] >= 1000  # the generated history's cycle 21
    assert _value(html, "headline-count") == str(signed["value"])
    assert _value(html, "headline-previous") == str(signed["previous"])
    assert _value(html, "headline-change") == str(signed["change"])
    # Numbers as Vietnamese write them: 1.000, not 1,000.
    assert f'data-value="{signed["value"]}">{vi_number(signed["value"], "vi")}<' in html
    assert "Kỳ Hội nghị Ngoại vụ toàn quốc lần thứ 20" in html  # the previous cycle, named

    headline = _rows(html, "headline-figures")
    for name, figure in summary["headline"].items():
        if name != "agreements_signed":
            assert headline[name] == [_shown(figure["value"])], name
    for section, table in (
        ("by_province", "by-province"),
        ("by_historical_unit", "by-former"),
        ("by_country", "by-country"),
        ("by_region", "by-region"),
        ("by_partner_type", "by-partner-type"),
        ("by_field", "by-field"),
        ("by_occasion", "by-occasion"),
        ("new_partner_countries", "new-countries"),
    ):
        expected = {r["key"]: [_shown(r["value"])] for r in summary[section]}
        assert _rows(html, table) == expected, section
        for row in summary[section]:
            assert row["label"] in html.replace("&#39;", "'"), (section, row["label"])
    assert len(_rows(html, "by-province")) == 34
    assert len(_rows(html, "by-former")) >= 63
    # International organisations are a group of their own beside countries and regions.
    assert "INTERNATIONAL_ORGANISATION" in _rows(html, "by-country")
    assert "INTERNATIONAL_ORGANISATION" in _rows(html, "by-region")
    assert "Tổ chức quốc tế" in html

    duties = _rows(html, "duties")
    for row in summary["post_signing_duties"]:
        assert duties[row["key"]] == [
            _shown(row[name]["value"])
            for name in (
                "due",
                "delivered_on_time",
                "delivered_late",
                "overdue_not_delivered",
                "not_yet_due",
                "on_time_share",
            )
        ], row["key"]
    if summary["consultation_sla"]:
        sla = _rows(html, "sla")
        for row in summary["consultation_sla"]:
            assert sla[row["key"]] == [
                _shown(row[name]["value"])
                for name in (
                    "requested",
                    "answered",
                    "answered_on_time",
                    "overdue_open",
                    "on_time_share",
                    "median_working_days",
                )
            ], row["key"]
    else:
        assert 'id="sla-heading"' in html


def test_the_cycles_page_lists_every_cycle_with_its_count(pages: Pages) -> None:
    found = pages.api("/v1/cycles").json()["data"]
    page = pages.get("/ui/reports")
    assert page.status_code == 200
    rows = dict(re.findall(r'<tr data-cycle="(\d+)">.*?data-value="(\d+)"', page.text, re.S))
    assert rows == {str(c["number"]): str(c["agreements_signed"]) for c in found}
    for c in found:
        assert f'href="/ui/reports/{c["number"]}"' in page.text
    assert "Kỳ Hội nghị Ngoại vụ toàn quốc lần thứ 21" in page.text
    assert "Đang diễn ra" in page.text and "Đã kết thúc" in page.text
    assert 'href="/ui/reports"' in pages.get("/ui/tasks").text  # in the navigation

    open_cycle = next(c for c in found if c["open"])
    report = pages.get(f"/ui/reports/{open_cycle['number']}")
    assert report.status_code == 200
    day, month, year = reversed(open_cycle["end"].split("-"))
    assert f"Kỳ đang diễn ra, số liệu đến ngày {day}/{month}/{year}." in report.text


def test_filters_are_passed_on_and_a_filter_naming_nothing_is_shown_at_its_field(
    pages: Pages,
) -> None:
    summary = pages.api("/v1/cycles/21/summary", field="education", country="Japan").json()
    page = pages.get("/ui/reports/21", field="education", country="Japan")
    assert page.status_code == 200
    signed = summary["headline"]["agreements_signed"]["value"]
    assert 0 < signed < 1000
    assert _value(page.text, "headline-count") == str(signed)
    assert "Số liệu đã lọc theo: Giáo dục và đào tạo; Nhật Bản." in page.text
    assert 'href="/ui/reports/21/export.csv?field=education&amp;country=Japan"' in page.text
    assert 'src="/ui/reports/21/charts/provinces.svg?field=education&amp;country=Japan"' in (
        page.text
    )

    wrong = pages.get("/ui/reports/21", country="Xyzland")
    assert wrong.status_code == 422
    assert "field-error" in wrong.text and "không phải mã hoặc tên quốc gia" in wrong.text
    assert 'id="headline-count"' not in wrong.text


# --- who sees what ------------------------------------------------------------------------------


def test_a_province_officer_sees_only_their_province(pages: Pages) -> None:
    own = pages.api("/v1/cycles/21/summary", "officer@hai-phong").json()
    national = pages.api("/v1/cycles/21/summary").json()
    client = pages.browser()
    _sign_in(client, "officer@hai-phong")  # a cookie session, as people sign in
    page = client.get("/ui/reports/21")
    assert page.status_code == 200
    signed = own["headline"]["agreements_signed"]["value"]
    assert _value(page.text, "headline-count") == str(signed)
    assert signed < national["headline"]["agreements_signed"]["value"]
    assert "Bạn xem được số liệu của thành phố Hải Phòng." in page.text
    assert 'name="province"' not in page.text  # no choice of another province
    provinces = _rows(page.text, "by-province")
    assert provinces["hai-phong"] == [str(signed)]
    assert all(v == ["0"] for k, v in provinces.items() if k != "hai-phong")
    listing = client.get("/ui/reports")
    mine = pages.api("/v1/cycles", "officer@hai-phong").json()["data"]
    rows = dict(re.findall(r'<tr data-cycle="(\d+)">.*?data-value="(\d+)"', listing.text, re.S))
    assert rows == {str(c["number"]): str(c["agreements_signed"]) for c in mine}

    # Another province's figures: refused, in the reporting service's words, page or file.
    other = client.get("/ui/reports/21?province=ha-noi")
    assert other.status_code == 403
    assert "text/html" in other.headers["content-type"]
    assert "Bạn chỉ xem được số liệu của tỉnh/thành phố mình (hai-phong)" in other.text
    assert client.get("/ui/reports/21/export.csv?province=ha-noi").status_code == 403
    assert client.get("/ui/reports/21/charts/provinces.svg?province=ha-noi").status_code == 403


def test_a_cycle_that_does_not_exist_is_a_404_page_and_strangers_sign_in_first(
    pages: Pages,
) -> None:
    missing = pages.get("/ui/reports/7")
    assert missing.status_code == 404
    assert "text/html" in missing.headers["content-type"]
    assert "Không có kỳ Hội nghị Ngoại vụ số 7" in missing.text
    assert pages.get("/ui/reports/21/charts/secrets.svg").status_code == 404
    assert pages.get("/ui/reports/21/export.pdf").status_code == 404
    assert pages.get("/ui/reports/xxi").status_code == 400
    r = pages.browser().get("/ui/reports/21", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/ui/login")


def test_the_report_page_speaks_english_after_the_switch(pages: Pages) -> None:
    client = pages.browser()
    csrf = _sign_in(client, "pm@office")
    vietnamese = client.get("/ui/reports/21")
    assert '<html lang="vi">' in vietnamese.text
    assert "Số thỏa thuận đã ký trong kỳ" in vietnamese.text
    switched = client.post(
        "/ui/language",
        data={"lang": "en", "next": "/ui/reports/21", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert switched.status_code == 303 and switched.headers["location"] == "/ui/reports/21"
    try:
        page = client.get("/ui/reports/21")
        assert '<html lang="en">' in page.text
        english = pages.api("/v1/cycles/21/summary", "pm@office", lang="en").json()
        signed = english["headline"]["agreements_signed"]["value"]
        assert "Cycle of the 21st National Conference on External Affairs" in page.text
        assert "Agreements signed in the cycle" in page.text
        assert "Previous cycle, Cycle of the 20th National Conference" in page.text
        assert f'data-value="{signed}">{vi_number(signed, "en")}<' in page.text  # 1,000
        for row in english["by_field"] + english["by_region"]:
            assert row["label"] in page.text.replace("&#39;", "'"), row["label"]
        assert "International organisations" in page.text
        listing = client.get("/ui/reports")
        assert "Reports per National Conference on External Affairs" in listing.text
        assert "Open" in listing.text and "Closed" in listing.text
        csv = client.get("/ui/reports/21/export.csv")
        assert (
            csv.content
            == pages.rstack.reporting.get(
                "/v1/cycles/21/export.csv?lang=en", headers=pages.rstack.headers("pm@office")
            ).content
        )
    finally:
        client.post("/ui/language", data={"lang": "vi", "csrf_token": csrf})


# --- downloads and charts -----------------------------------------------------------------------


def test_exports_and_charts_come_through_the_pages_as_the_service_made_them(
    pages: Pages,
) -> None:
    for fmt, start in (("csv", "\ufeff".encode()), ("xlsx", b"PK")):
        page = pages.get(f"/ui/reports/21/export.{fmt}", field="education")
        direct = pages.api(f"/v1/cycles/21/export.{fmt}", field="education", lang="vi")
        assert page.status_code == 200, fmt
        assert page.headers["content-disposition"] == direct.headers["content-disposition"]
        assert page.headers["content-disposition"] == f'attachment; filename="cycle-21.{fmt}"'
        assert page.headers["content-type"] == direct.headers["content-type"]
        if fmt == "csv":
            assert page.content == direct.content
            assert "Giáo dục" in page.content.decode("utf-8-sig")
        assert page.content.startswith(start)
    html = pages.get("/ui/reports/21").text
    for chart in ("trend", "provinces", "countries"):
        assert f'src="/ui/reports/21/charts/{chart}.svg"' in html
        svg = pages.get(f"/ui/reports/21/charts/{chart}.svg")
        assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
        assert b"<svg" in svg.content
        assert "script-src 'self'" in svg.headers["content-security-policy"]
    png = pages.get("/ui/reports/21/charts/trend.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")


def test_the_page_is_printable_without_its_tools(pages: Pages) -> None:
    html = pages.get("/ui/reports/21").text
    assert '<button type="button" data-print hidden>In báo cáo</button>' in html
    css = pages.get("/ui/static/app.css").text
    printed = css.split("@media print", 1)[1]
    assert ".report-tools" in printed and "break-inside: avoid" in printed


# --- the reporting service away -----------------------------------------------------------------


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers: a reporting service stuck."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


def test_a_reporting_service_down_or_silent_is_a_503_page_in_the_persons_language(
    pages: Pages, silent_port: int
) -> None:
    token = pages.rstack.headers("registry@mofa")["Authorization"]
    down = _pages_app(pages.rstack, f"http://127.0.0.1:{free_port()}")
    silent = _pages_app(pages.rstack, f"http://127.0.0.1:{silent_port}", timeout_s=0.5)
    try:
        for app in (down, silent):
            client = TestClient(app, raise_server_exceptions=False)
            for path in ("/ui/reports", "/ui/reports/21", "/ui/reports/21/export.csv"):
                started = time.monotonic()
                r = client.get(path, headers={"Authorization": token})
                assert time.monotonic() - started < 5, path
                assert r.status_code == 503, (path, r.text[-500:])
                assert "text/html" in r.headers["content-type"]
                assert "Dịch vụ báo cáo tạm thời không phản hồi" in r.text
        # In English for someone who chose it.
        client = TestClient(down, raise_server_exceptions=False)
        csrf = _sign_in(client, "supervisor@mps")
        client.post("/ui/language", data={"lang": "en", "csrf_token": csrf})
        try:
            r = client.get("/ui/reports/21")
            assert r.status_code == 503
            assert "The reporting service is not answering right now" in r.text
        finally:
            client.post("/ui/language", data={"lang": "vi", "csrf_token": csrf})
    finally:
        for app in (down, silent):
            app.state.reports.close()
            app.state.db.dispose()
