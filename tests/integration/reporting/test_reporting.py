"""A generated history imported through the agreements API reaches the reporting service over
the real broker and gives exactly its known counts, in the summary and in every export; live
workflow events change the summary within a second; a rebuild gives the same summary."""

from __future__ import annotations

import csv
import io
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from kafka import KafkaConsumer, TopicPartition
from openpyxl import load_workbook

from common.db import Database, utcnow
from common.events.envelope import Event
from common.events.payloads import PAYLOADS
from common.events.types import DEAD_LETTER_TOPIC
from common.law.calendar import TZ
from common.law.vocabulary import TaskKind, TaskStatus
from services.agreements.models import Agreement, Task
from services.reporting import models
from services.reporting.__main__ import migrate_database
from services.reporting.app import create_app
from services.reporting.rebuild import rebuild
from tests.helpers import draft_body
from tests.integration.reporting.conftest import ReportingStack
from tests.integration.reporting.history import Record, expected, generate, to_csv

pytestmark = pytest.mark.integration

PER_CYCLE = {19: 600, 20: 800, 21: 1000}


def _today() -> date:
    return utcnow().astimezone(TZ).date()


@pytest.fixture(scope="session")
def history(rstack: ReportingStack) -> list[Record]:
    """The generated register, imported once per backend through POST /v1/agreements/import."""
    records = generate(PER_CYCLE)
    r = rstack.agreements.post(
        "/v1/agreements/import",
        files={"file": ("register.csv", to_csv(records), "text/csv")},
        headers=rstack.headers("admin@system"),
    )
    assert r.status_code == 200, r.text[:2000]
    assert r.json()["imported"] == len(records)
    rstack.wait_idle()
    return records


def _values(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {row["key"]: row["value"] for row in rows if row["value"]}


def _assert_counts(summary: dict[str, Any], want: dict[str, Any]) -> None:
    assert summary["headline"]["agreements_signed"]["value"] == want["signed"]
    assert _values(summary["by_province"]) == dict(want["province"])
    assert _values(summary["by_historical_unit"]) == dict(want["historical_unit"])
    assert _values(summary["by_country"]) == dict(want["country"])
    assert _values(summary["by_region"]) == dict(want["region"])
    assert _values(summary["by_partner_type"]) == dict(want["partner_type"])
    assert _values(summary["by_field"]) == dict(want["field"])
    assert _values(summary["by_form"]) == dict(want["form"])
    assert _values(summary["by_signatory_level"]) == dict(want["signatory_level"])
    assert _values(summary["by_occasion"]) == dict(want["occasion"])
    assert _values(summary["pipeline_by_status"]) == dict(want["status"])
    assert summary["headline"]["in_force"]["value"] == want["in_force"]
    assert summary["headline"]["expiring_within_180_days"]["value"] == want["expiring"]
    assert summary["headline"]["expired"]["value"] == want["expired"]
    assert summary["headline"]["terminated"]["value"] == want["terminated"]
    if want["new_countries"] is not None:
        assert [c["key"] for c in summary["new_partner_countries"]] == want["new_countries"]


def test_imported_history_gives_its_known_counts_in_every_breakdown(
    rstack: ReportingStack, history: list[Record]
) -> None:
    today = _today()
    for cycle in PER_CYCLE:
        summary = rstack.summary(cycle)
        _assert_counts(summary, expected(history, cycle, today))
        if cycle - 1 in PER_CYCLE:
            previous = expected(history, cycle - 1, today)
            signed = summary["headline"]["agreements_signed"]
            assert signed["previous"] == previous["signed"]
            assert signed["change"] == signed["value"] - previous["signed"]
    # New partners of the generated history: Brazil and Israel in 20, three more in 21.
    assert {"BR", "IL"} <= {c["key"] for c in rstack.summary(20)["new_partner_countries"]}
    assert {"NZ", "ZA", "AE"} <= {c["key"] for c in rstack.summary(21)["new_partner_countries"]}
    # Thừa Thiên Huế is reported under the former unit Huế.
    assert _values(rstack.summary(21)["by_historical_unit"])["hue"] == sum(
        1 for r in history if r.cycle == 21 and r.old_unit == "hue"
    )


def test_merged_province_sees_its_own_figures_including_its_former_units(
    rstack: ReportingStack, history: list[Record]
) -> None:
    # An Giang took over Kiên Giang on 1 July 2025: its officer sees both former units' records.
    summary = rstack.summary(21, "officer@an-giang")
    want = expected(history, 21, _today(), province="an-giang")
    _assert_counts(summary, want)
    assert set(_values(summary["by_historical_unit"])) <= {"an-giang", "kien-giang"}
    assert summary["filters"]["province"] == "an-giang"


def test_filters_by_field_and_country_count_the_matching_agreements(
    rstack: ReportingStack, history: list[Record]
) -> None:
    by_country = rstack.summary(21, country="Hàn Quốc")
    assert by_country["filters"]["country"] == "KR"
    assert by_country["headline"]["agreements_signed"]["value"] == sum(
        1 for r in history if r.cycle == 21 and r.country == "KR"
    )
    by_field = rstack.summary(20, field="education", province="ha-noi")
    assert by_field["headline"]["agreements_signed"]["value"] == sum(
        1 for r in history if r.cycle == 20 and "education" in r.fields and r.province == "ha-noi"
    )
    assert by_field["headline"]["agreements_signed"]["previous"] == sum(
        1 for r in history if r.cycle == 19 and "education" in r.fields and r.province == "ha-noi"
    )


def test_each_export_carries_the_same_counts(rstack: ReportingStack, history: list[Record]) -> None:
    want = expected(history, 21, _today())
    headers = rstack.headers("registry@mofa")

    r = rstack.reporting.get("/v1/cycles/21/export.csv", headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["Mục", "Mã", "Tên", "Chỉ tiêu", "Kỳ này", "Kỳ trước", "Thay đổi"]
    section = "Theo tỉnh, thành phố (34 đơn vị hiện hành)"
    provinces = {row[1]: int(row[4]) for row in rows[1:] if row[0] == section and row[4] != "0"}
    assert provinces == dict(want["province"])
    countries = {row[1]: int(row[4]) for row in rows if row[0] == "Theo quốc gia đối tác"}
    assert {k: v for k, v in countries.items() if v} == dict(want["country"])

    r = rstack.reporting.get("/v1/cycles/21/export.xlsx", headers=headers)
    assert r.status_code == 200
    workbook = load_workbook(io.BytesIO(r.content), read_only=True)
    assert "Đơn vị trước sáp nhập (63)" in workbook.sheetnames
    sheet = workbook["Đơn vị trước sáp nhập (63)"]
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][:4] == ("Mã", "Tên", "Chỉ tiêu", "Kỳ này")
    assert {row[0]: row[3] for row in table[1:] if row[3]} == dict(want["historical_unit"])
    fields = {row[0]: row[3] for row in workbook["Lĩnh vực"].iter_rows(min_row=2, values_only=True)}
    assert {k: v for k, v in fields.items() if v} == dict(want["field"])

    english = rstack.reporting.get("/v1/cycles/21/export.csv?lang=en", headers=headers)
    assert english.content.decode("utf-8-sig").startswith("Section,Code,Name,Metric")

    r = rstack.reporting.get("/v1/cycles/21/report.html", headers=headers)
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "Báo cáo kết quả ký kết thỏa thuận quốc tế" in r.text
    assert f">{want['signed']}<" in r.text and "<svg" in r.text
    r = rstack.reporting.get("/v1/cycles/21/report.html?lang=en", headers=headers)
    assert "International agreements of Vietnamese localities" in r.text

    for kind in ("provinces", "countries", "trend"):
        png = rstack.reporting.get(f"/v1/cycles/21/charts/{kind}.png", headers=headers)
        assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
        svg = rstack.reporting.get(f"/v1/cycles/21/charts/{kind}.svg", headers=headers)
        assert svg.status_code == 200 and b"<svg" in svg.content
    bad = rstack.reporting.get("/v1/cycles/21/charts/pie.gif", headers=headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "name"


def test_cycles_list_the_conferences_and_the_open_cycle(
    rstack: ReportingStack, history: list[Record]
) -> None:
    r = rstack.reporting.get("/v1/cycles", headers=rstack.headers("admin@system"))
    assert r.status_code == 200
    cycles = {c["number"]: c for c in r.json()["data"]}
    assert cycles[21]["start_after"] == "2021-12-13" and cycles[21]["end"] == "2023-12-18"
    assert cycles[22]["open"] is True and cycles[22]["end"] == _today().isoformat()
    for n, count in PER_CYCLE.items():
        assert cycles[n]["agreements_signed"] == count


# --- live events and rebuild ---------------------------------------------------------------


def _event(name: str, agreement_id: str, data: dict[str, Any], at: datetime) -> Event:
    PAYLOADS[(name, 1)].model_validate(data)  # what the workflow will send, checked here
    return Event(
        id=str(uuid.uuid4()),
        name=name,
        version=1,
        source="/tests/workflow",
        subject=agreement_id,
        time=at,
        data=data,
    )


def _step(agreement_id: str, province: str) -> dict[str, Any]:
    return {
        "agreement_id": agreement_id,
        "province": province,
        "agreement": {
            "title": "Bản ghi nhớ hợp tác giáo dục",
            "signatory_level": "PROVINCIAL_COMMITTEE",
            "partner_name": "Seoul Metropolitan Government",
            "partner_country": "KR",
        },
    }


def _signed_cycle_open(rstack: ReportingStack, province: str) -> dict[str, Any]:
    open_cycle = rstack.reporting_settings.calendar.open_number
    return rstack.summary(open_cycle, f"officer@{province}")


def _record_workflow_in_agreements_db(
    rstack: ReportingStack, agreement_id: str, task: dict[str, Any], signed: dict[str, Any]
) -> None:
    """What the workflow's activities will store in the agreements database with these events
    (the workflow is being built in parallel): the consultation task and the signing."""
    with rstack.agreements_db.write_session() as session:
        session.add(
            Task(
                id=task["task_id"],
                agreement_id=agreement_id,
                kind=TaskKind.CONSULTATION,
                round=1,
                assignee_role="reviewer",
                assignee_org=task["body"],
                status=TaskStatus.DONE,
                requested_at=task["requested_at"],
                due_at=task["due_at"],
                answered_at=task["answered_at"],
                outcome="AGREE",
                on_time=True,
                working_days_taken=4,
            )
        )
        a = session.get(Agreement, agreement_id)
        assert a is not None
        a.status = "IN_FORCE"  # type: ignore[assignment]
        a.signed_on = signed["signed_on"]
        a.effective_from = signed["signed_on"]
        a.expires_on = signed["expires_on"]
        a.copy_due_on = signed["copy_due_on"]
        a.copy_delivered_at = signed["delivered_at"]
        session.add(a)
        session.commit()


def test_live_workflow_events_change_the_summary_within_a_second(
    rstack: ReportingStack, history: list[Record]
) -> None:
    province = "da-nang"
    r = rstack.agreements.post(
        "/v1/agreements",
        json=draft_body(province=province),
        headers=rstack.headers(f"officer@{province}"),
    )
    assert r.status_code == 201, r.text
    agreement_id = r.json()["id"]
    rstack.wait_idle()
    before = _signed_cycle_open(rstack, province)
    assert _values(before["pipeline_by_status"]).get("DRAFT", 0) >= 1

    now = datetime.now(UTC)
    today = _today()
    task: dict[str, Any] = {
        "task_id": str(uuid.uuid4()),
        "body": "mofa",
        "requested_at": now - timedelta(days=6),
        "due_at": now + timedelta(days=3),
        "answered_at": now - timedelta(days=1),
    }
    signed: dict[str, Any] = {
        "signed_on": today,
        "expires_on": today + timedelta(days=120),
        "copy_due_on": today + timedelta(days=15),
        "delivered_at": now,
    }
    step = _step(agreement_id, province)
    events = [
        _event(
            "consultation.requested",
            agreement_id,
            step
            | {
                "task_id": task["task_id"],
                "body": "mofa",
                "round": 1,
                "procedure": "STANDARD",
                "requested_at": task["requested_at"].isoformat(),
                "due_at": task["due_at"].isoformat(),
                "reminder_at": task["due_at"].isoformat(),
                "working_days": 7,
            },
            now + timedelta(milliseconds=1),
        ),
        _event(
            "consultation.answered",
            agreement_id,
            step
            | {
                "task_id": task["task_id"],
                "body": "mofa",
                "round": 1,
                "outcome": "AGREE",
                "comment": "",
                "document_ids": [],
                "answered_by": "reviewer@mofa",
                "requested_at": task["requested_at"].isoformat(),
                "answered_at": task["answered_at"].isoformat(),
                "due_at": task["due_at"].isoformat(),
                "on_time": True,
                "working_days_taken": 4,
            },
            now + timedelta(milliseconds=2),
        ),
        _event(
            "agreement.signed",
            agreement_id,
            step
            | {
                "signed_on": today.isoformat(),
                "place": "Đà Nẵng",
                "signatories": [],
                "effective_from": today.isoformat(),
                "expires_on": signed["expires_on"].isoformat(),
                "signed_text_sha256": "0" * 64,
                "recorded_by": f"officer@{province}",
                "recorded_at": now.isoformat(),
                "copy_due_on": signed["copy_due_on"].isoformat(),
                "copy_recipient": "mofa-registry",
            },
            now + timedelta(milliseconds=3),
        ),
        _event(
            "agreement.copy_delivered",
            agreement_id,
            step
            | {
                "duty": "COPY",
                "due_on": signed["copy_due_on"].isoformat(),
                "recipient": "mofa-registry",
                "task_id": str(uuid.uuid4()),
                "delivered_by": f"officer@{province}",
                "delivered_at": now.isoformat(),
                "on_time": True,
            },
            now + timedelta(milliseconds=4),
        ),
        _event(
            "agreement.in_force",
            agreement_id,
            step
            | {
                "effective_from": today.isoformat(),
                "expires_on": signed["expires_on"].isoformat(),
                "at": now.isoformat(),
            },
            now + timedelta(milliseconds=5),
        ),
    ]
    _record_workflow_in_agreements_db(rstack, agreement_id, task, signed)
    signed_before = before["headline"]["agreements_signed"]["value"]
    in_force_before = before["headline"]["in_force"]["value"]

    rstack.publish(*events)
    published = time.monotonic()
    rstack.wait_for(
        lambda: (
            _signed_cycle_open(rstack, province)["headline"]["in_force"]["value"]
            == in_force_before + 1
        ),
        timeout_s=10,
        what="the live events in the summary",
    )
    assert time.monotonic() - published < 1.0

    rstack.wait_idle()
    after = _signed_cycle_open(rstack, province)
    assert after["headline"]["agreements_signed"]["value"] == signed_before + 1
    assert after["headline"]["expiring_within_180_days"]["value"] >= 1
    sla = {row["key"]: row for row in after["consultation_sla"]}["mofa"]
    assert sla["answered"]["value"] >= 1
    assert sla["median_working_days"]["value"] is not None
    compliance = after["post_signing_compliance"]
    assert compliance["delivered_on_time"]["value"] >= 1

    # The same event delivered again (a replay after a broker failure) changes nothing.
    rstack.publish(*events)
    rstack.wait_idle()
    last: dict[str, Any] = {}

    def unchanged() -> bool:
        last.update(_signed_cycle_open(rstack, province))
        return last == after

    if not _within(unchanged, timeout_s=5):
        changed = sorted(key for key in after if last.get(key) != after[key])
        pytest.fail(f"the replay changed {changed}: {[(after[k], last.get(k)) for k in changed]}")


def _within(check: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _summaries(client: Any, headers: dict[str, str], cycles: range) -> list[Any]:
    out = []
    for n in cycles:
        for params in ({}, {"province": "an-giang"}, {"field": "trade"}, {"country": "JP"}):
            r = client.get(f"/v1/cycles/{n}/summary", params=params, headers=headers)
            assert r.status_code == 200, r.text
            out.append(r.json())
    return out


def test_a_rebuild_from_the_agreements_service_gives_the_same_summaries(
    rstack: ReportingStack, history: list[Record]
) -> None:
    rstack.wait_idle()
    headers = rstack.headers("registry@mofa")
    cycles = range(19, rstack.reporting_settings.calendar.open_number + 1)
    live = _summaries(rstack.reporting, headers, cycles)

    # The broker lost everything and the read model is new: rebuild it from the export.
    settings = rstack.reporting_settings.model_copy(
        update={"reporting_database_url": rstack.urls["rebuilt"], "rebuild_page_size": 700}
    )
    migrate_database(settings.database_url)
    db = Database(settings.database_url, pool_size=2)
    try:
        result = rebuild(settings, db, client=rstack.agreements)
        assert result.agreements >= sum(PER_CYCLE.values())
        from fastapi.testclient import TestClient

        with TestClient(create_app(settings)) as rebuilt:
            assert _summaries(rebuilt, headers, cycles) == live
    finally:
        db.dispose()

    # Rebuilding over the live read model changes nothing either.
    rebuild(rstack.reporting_settings, rstack.reporting_db, client=rstack.agreements)
    assert _summaries(rstack.reporting, headers, cycles) == live


def test_an_event_for_an_unknown_agreement_is_dead_lettered_and_the_next_applied(
    rstack: ReportingStack, history: list[Record]
) -> None:
    ghost = str(uuid.uuid4())
    now = datetime.now(UTC)
    approved = _event(
        "agreement.approved",
        ghost,
        _step(ghost, "hue")
        | {
            "task_id": str(uuid.uuid4()),
            "decided_by": "leader@hue",
            "decided_at": now.isoformat(),
            "comment": "",
            "approved_text_sha256": [],
        },
        now,
    )
    dead_before = rstack.consumer.dead_lettered
    rstack.publish(approved)
    rstack.wait_for(lambda: rstack.consumer.dead_lettered > dead_before, 20, "dead letter")
    headers = _dead_letter_headers(rstack, ghost)
    assert b"unknown agreement" in headers["dlt_reason"]
    assert headers["dlt_consumer_group"] == rstack.reporting_settings.consumer_group.encode()
    rstack.wait_idle()  # and the consumer went on


def test_an_event_whose_data_its_model_refuses_is_dead_lettered(
    rstack: ReportingStack, history: list[Record]
) -> None:
    """The JSON schema leaves a moment's format unchecked; the payload model refuses it, so the
    event is retried, then dead-lettered, and nothing of it reaches the read model."""
    agreement_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    requested = _event(
        "consultation.requested",
        agreement_id,
        _step(agreement_id, "hue")
        | {
            "task_id": str(uuid.uuid4()),
            "body": "mofa",
            "round": 1,
            "procedure": "STANDARD",
            "requested_at": now.isoformat(),
            "due_at": now.isoformat(),
            "reminder_at": now.isoformat(),
            "working_days": 7,
        },
        now,
    )
    requested.data["due_at"] = "next Tuesday"
    dead_before = rstack.consumer.dead_lettered
    rstack.publish(requested)
    rstack.wait_for(lambda: rstack.consumer.dead_lettered > dead_before, 20, "dead letter")
    reason = _dead_letter_headers(rstack, agreement_id)["dlt_reason"]
    assert reason.startswith(b"handler failed") and b"due_at" in reason
    with rstack.reporting_db.session() as session:
        assert session.get(models.ReadConsultation, requested.data["task_id"]) is None
    rstack.wait_idle()


def _dead_letter_headers(rstack: ReportingStack, agreement_id: str) -> dict[str, bytes]:
    """The headers of the dead letter keyed by this agreement."""
    probe = KafkaConsumer(bootstrap_servers=rstack.reporting_settings.kafka_bootstrap_servers)
    try:
        tp = TopicPartition(DEAD_LETTER_TOPIC, 0)
        probe.assign([tp])
        probe.seek_to_beginning(tp)
        letters: list[Any] = []
        deadline = time.monotonic() + 5
        while not letters and time.monotonic() < deadline:
            for records in probe.poll(timeout_ms=200).values():
                letters += [r for r in records if r.key == agreement_id.encode()]
    finally:
        probe.close()
    assert letters, "the event is not on the dead-letter topic"
    return dict(letters[0].headers)


def test_stored_counts_equal_the_counts_summed_from_the_read_model(
    rstack: ReportingStack, history: list[Record]
) -> None:
    """The consumer's incremental counts, in every scope, match a recount from the records."""
    from services.reporting import service

    rstack.wait_idle()
    cycles = [19, 20, 21, rstack.reporting_settings.calendar.open_number]
    filters = [
        service.ReportFilter(),
        service.ReportFilter(province="an-giang"),
        service.ReportFilter(field="education"),
        service.ReportFilter(country="KR"),
        service.ReportFilter(province="da-nang", field="education"),
        service.ReportFilter(province="hue", country="JP"),
    ]
    with rstack.reporting_db.session() as session:
        for f in filters:
            assert f.uses_stored_counts
            stored = service.cycle_counts(session, cycles, f)
            assert stored == service._summed_counts(session, cycles, f), f
