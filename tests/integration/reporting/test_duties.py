"""Every duty after a decision takes effect in a cycle's figures, from the workflow's events over
the real broker: the signed copy, the report to the Prime Minister, the yearly plan, the notice
of a suspension and of its resumption; on time, late, overdue, not yet due. A replayed or
late event changes nothing, a resumed agreement is in force again, an international
organisation is counted as one, and a rebuild from the export gives the same figures."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from common.db import Database
from common.events.envelope import Event
from common.law.calendar import local_date
from common.law.vocabulary import AgreementStatus, Duty
from services.reporting.__main__ import migrate_database
from services.reporting.app import create_app
from services.reporting.domain.aggregation import INTERNATIONAL_GROUP
from services.reporting.rebuild import rebuild
from tests.helpers import draft_body
from tests.integration.reporting.conftest import ReportingStack
from tests.integration.reporting.workflow import (
    add_duty_tasks,
    event,
    step_data,
    today_in_vietnam,
    update_agreement,
)

pytestmark = pytest.mark.integration

# A province no other test of this package signs in during the open cycle.
PROVINCE = "cao-bang"
SIGNED_1, DUE_1 = date(2024, 3, 1), date(2024, 3, 16)
SIGNED_3, DUE_3 = date(2024, 5, 1), date(2024, 5, 16)
PLAN_DUE = date(2024, 11, 15)
SUSPENDED_ON, NOTICE_DUE = date(2025, 1, 1), date(2025, 1, 16)


def _at(day: date, hour: int = 3) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


class Clock:
    """Event times in the order the workflow emits them, after the drafts they follow."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __next__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now

    def __iter__(self) -> Iterator[datetime]:
        return self


def _draft(rstack: ReportingStack, **overrides: Any) -> str:
    r = rstack.agreements.post(
        "/v1/agreements",
        json=draft_body(province=PROVINCE, **overrides),
        headers=rstack.headers(f"officer@{PROVINCE}"),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _open_case(rstack: ReportingStack, agreement_id: str, kind: str, effective_on: date) -> str:
    r = rstack.agreements.post(
        f"/v1/agreements/{agreement_id}/terminations",
        json={"kind": kind, "effective_on": effective_on.isoformat(), "summary": "Rà soát."},
        headers=rstack.headers(f"officer@{PROVINCE}"),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _step(agreement_id: str) -> dict[str, Any]:
    return step_data(agreement_id, PROVINCE)


def _signed(agreement_id: str, signed_on: date, due: date, report: bool, at: datetime) -> Event:
    return event(
        "agreement.signed",
        agreement_id,
        _step(agreement_id)
        | {
            "signed_on": signed_on.isoformat(),
            "place": "Cao Bằng",
            "signatories": [],
            "effective_from": signed_on.isoformat(),
            "expires_on": None,
            "signed_text_sha256": "0" * 64,
            "recorded_by": f"officer@{PROVINCE}",
            "recorded_at": _at(signed_on).isoformat(),
            "copy_due_on": due.isoformat(),
            "copy_recipient": "mofa-registry",
            "report_due_on": due.isoformat() if report else None,
        },
        at,
    )


def _duty(
    name: str, agreement_id: str, duty: Duty, due: date, when: datetime, **data: Any
) -> Event:
    """An event of a duty (reminder, lateness, delivery, receipt), emitted at `when`."""
    body = _step(agreement_id) | {"duty": duty.value, "due_on": due.isoformat()}
    body |= {"recipient": "mofa-registry"} | data
    return event(name, agreement_id, body, when)


def _delivered(agreement_id: str, duty: Duty, due: date, on: date, at: datetime) -> Event:
    return _duty(
        "agreement.copy_delivered",
        agreement_id,
        duty,
        due,
        at,
        task_id="receipt",
        delivered_by=f"officer@{PROVINCE}",
        delivered_at=_at(on).isoformat(),
        on_time=on <= due,
    )


def _in_force(agreement_id: str, signed_on: date, at: datetime) -> Event:
    data = {"effective_from": signed_on.isoformat(), "expires_on": None, "at": at.isoformat()}
    return event("agreement.in_force", agreement_id, _step(agreement_id) | data, at)


def _figures(rstack: ReportingStack) -> dict[str, dict[str, Any]]:
    """Each duty's figures (this cycle, the previous one) in the open cycle of the province."""
    summary = rstack.summary(rstack.reporting_settings.calendar.open_number, province=PROVINCE)
    return {
        row["key"]: {k: v["value"] for k, v in row.items() if k not in ("key", "label")}
        | {"previous_due": row["due"]["previous"]}
        for row in summary["post_signing_duties"]
    }


def _summary(rstack: ReportingStack) -> dict[str, Any]:
    return rstack.summary(rstack.reporting_settings.calendar.open_number, province=PROVINCE)


def _none(**figures: Any) -> dict[str, Any]:
    zero = {
        "due": 0,
        "delivered_on_time": 0,
        "delivered_late": 0,
        "overdue_not_delivered": 0,
        "not_yet_due": 0,
        "on_time_share": None,
        "previous_due": 0,
    }
    return zero | figures


@pytest.fixture(scope="module")
def published(rstack: ReportingStack) -> list[Event]:
    """Three agreements signed in the open cycle, their duties delivered, late or owed; the
    third suspended, then resumed. Every event as the workflow emits it, and what its
    activities store beside it in the agreements database."""
    today = today_in_vietnam()
    db = rstack.agreements_db
    # A provincial agreement (copy and report owed), one with an international organisation
    # signed by a department (copy only), and one that will be suspended.
    first = _draft(rstack)
    second = _draft(
        rstack,
        signatory_level="DEPARTMENT",
        foreign_party={"name": "UNICEF", "type": "INTERNATIONAL_ORGANISATION"},
    )
    third = _draft(rstack, foreign_party={"name": "Tottori", "country": "JP", "type": "STATE"})
    rstack.wait_idle()

    signed = dict(status=AgreementStatus.IN_FORCE, expires_on=None)
    update_agreement(db, first, signed_on=SIGNED_1, effective_from=SIGNED_1, **signed)
    update_agreement(db, first, copy_due_on=DUE_1, copy_delivered_at=_at(date(2024, 3, 10)))
    add_duty_tasks(
        db,
        first,
        PROVINCE,
        Duty.COPY,
        DUE_1,
        opened_at=_at(SIGNED_1),
        delivered_at=_at(date(2024, 3, 10)),
        on_time=True,
    )
    add_duty_tasks(
        db,
        first,
        PROVINCE,
        Duty.REPORT,
        DUE_1,
        opened_at=_at(SIGNED_1),
        delivered_at=_at(date(2024, 3, 20)),
        on_time=False,
        received_at=_at(date(2024, 3, 22)),
    )
    add_duty_tasks(
        db,
        first,
        PROVINCE,
        Duty.PLAN,
        PLAN_DUE,
        opened_at=_at(date(2024, 10, 1)),
        task_id=(plan_task := str(uuid.uuid4())),
    )
    due_2 = today + timedelta(days=14)
    update_agreement(
        db,
        second,
        status=AgreementStatus.SIGNED,
        signed_on=today - timedelta(days=1),
        effective_from=today - timedelta(days=1),
        copy_due_on=due_2,
    )
    add_duty_tasks(db, second, PROVINCE, Duty.COPY, due_2, opened_at=_at(today))
    update_agreement(db, third, signed_on=SIGNED_3, effective_from=SIGNED_3, **signed)
    update_agreement(db, third, copy_due_on=DUE_3, copy_delivered_at=_at(date(2024, 5, 20)))
    add_duty_tasks(
        db,
        third,
        PROVINCE,
        Duty.COPY,
        DUE_3,
        opened_at=_at(SIGNED_3),
        delivered_at=_at(date(2024, 5, 20)),
        on_time=False,
    )
    add_duty_tasks(db, third, PROVINCE, Duty.REPORT, DUE_3, opened_at=_at(SIGNED_3))

    clock = Clock()
    times = [next(clock) for _ in range(8)]
    received = _duty(
        "agreement.copy_received",
        first,
        Duty.REPORT,
        DUE_1,
        times[4],
        task_id="receipt",
        received_by="pm@office",
        received_at=_at(date(2024, 3, 22)).isoformat(),
    )
    plan = event(
        "agreement.plan_due",
        first,
        _step(first)
        | {"year": 2025, "due_on": PLAN_DUE.isoformat(), "at": times[6].isoformat()}
        | {"task_id": plan_task},
        times[6],
    )
    events = [
        _signed(first, SIGNED_1, DUE_1, True, times[0]),
        _delivered(first, Duty.COPY, DUE_1, date(2024, 3, 10), times[1]),
        # The receipt of the report arrives before its delivery: it still counts as late.
        received,
        _delivered(first, Duty.REPORT, DUE_1, date(2024, 3, 20), times[3]),
        _in_force(first, SIGNED_1, times[5]),
        plan,
        _duty(
            "agreement.copy_overdue",
            first,
            Duty.PLAN,
            PLAN_DUE,
            times[7],
            at=times[7].isoformat(),
            days_overdue=3,
        ),
        _signed(second, today - timedelta(days=1), due_2, False, next(clock)),
        _signed(third, SIGNED_3, DUE_3, True, next(clock)),
        _delivered(third, Duty.COPY, DUE_3, date(2024, 5, 20), next(clock)),
        _in_force(third, SIGNED_3, next(clock)),
    ]
    rstack.publish(*events)
    rstack.wait_idle()
    return events


def test_each_duty_is_counted_on_time_late_overdue_or_not_yet_due(
    rstack: ReportingStack, published: list[Event]
) -> None:
    figures = _figures(rstack)
    assert list(figures) == ["COPY", "NOTICE", "REPORT", "PLAN"]
    assert figures["COPY"] == _none(
        due=3, delivered_on_time=1, delivered_late=1, not_yet_due=1, on_time_share=0.5
    )
    assert figures["REPORT"] == _none(
        due=2, delivered_late=1, overdue_not_delivered=1, on_time_share=0.0
    )
    assert figures["PLAN"] == _none(due=1, overdue_not_delivered=1, on_time_share=0.0)
    assert figures["NOTICE"] == _none()
    # In the report's own language, in each export.
    headers = rstack.headers("registry@mofa", lang="en")
    cycle = rstack.reporting_settings.calendar.open_number
    exported = rstack.reporting.get(
        f"/v1/cycles/{cycle}/export.csv", params={"province": PROVINCE}, headers=headers
    ).content.decode("utf-8-sig")
    rows = [r for r in csv.reader(io.StringIO(exported)) if r[0].startswith("Copies, notices")]
    assert len(rows) == 4 * 6
    report = {r[3]: r[4] for r in rows if r[1] == "REPORT"}
    assert report == {
        "Due in the cycle": "2",
        "Sent on time": "0",
        "Sent late": "1",
        "Overdue, not sent": "1",
        "Not yet due": "0",
        "Share sent on time": "0.0",
    }
    assert {r[2] for r in rows if r[1] == "REPORT"} == {
        "Report to the Prime Minister on the signed agreement"
    }
    html = rstack.reporting.get(
        f"/v1/cycles/{cycle}/report.html", params={"province": PROVINCE}, headers=headers
    ).text
    assert "Yearly implementation plan of the agreement" in html


def test_an_international_organisation_is_counted_with_the_organisations_not_a_country(
    rstack: ReportingStack, published: list[Event]
) -> None:
    summary = _summary(rstack)
    by_country = {row["key"]: row["value"] for row in summary["by_country"] if row["value"]}
    assert by_country == {"KR": 1, "JP": 1, INTERNATIONAL_GROUP: 1}
    assert {row["key"]: row["value"] for row in summary["by_region"] if row["value"]} == {
        "142": 2,
        INTERNATIONAL_GROUP: 1,
    }
    assert summary["headline"]["partner_countries"]["value"] == 2
    assert INTERNATIONAL_GROUP not in {row["key"] for row in summary["new_partner_countries"]}


@pytest.fixture(scope="module")
def resumed(rstack: ReportingStack, published: list[Event]) -> list[Event]:
    """The third agreement suspended from 1 January 2025 (its notice sent in time), then
    resumed today (its notice owed within 15 days)."""
    third = published[-1].data["agreement_id"]
    db = rstack.agreements_db
    today = today_in_vietnam()
    suspension = _open_case(rstack, third, "SUSPENSION", SUSPENDED_ON)
    rstack.wait_idle()
    clock = Clock()
    update_agreement(db, third, status=AgreementStatus.SUSPENDED)
    sent = _at(date(2025, 1, 10))
    update_agreement(
        db,
        suspension,
        status=AgreementStatus.SUSPENDED,
        copy_due_on=NOTICE_DUE,
        copy_delivered_at=sent,
    )
    add_duty_tasks(
        db,
        suspension,
        PROVINCE,
        Duty.NOTICE,
        NOTICE_DUE,
        opened_at=_at(SUSPENDED_ON),
        delivered_at=sent,
        on_time=True,
    )
    ended = [
        event(
            "agreement.terminated",
            third,
            _step(third)
            | {
                "case_id": suspension,
                "case_kind": "SUSPENSION",
                "status": "SUSPENDED",
                "effective_on": SUSPENDED_ON.isoformat(),
                "notice_due_on": NOTICE_DUE.isoformat(),
                "at": _at(SUSPENDED_ON).isoformat(),
            },
            next(clock),
        ),
        _delivered(suspension, Duty.NOTICE, NOTICE_DUE, local_date(sent), next(clock)),
    ]
    rstack.publish(*ended)
    rstack.wait_idle()
    headline = _summary(rstack)["headline"]
    assert (headline["suspended"]["value"], headline["in_force"]["value"]) == (1, 2)

    resumption = _open_case(rstack, third, "RESUMPTION", today)
    rstack.wait_idle()
    notice_due = today + timedelta(days=15)
    update_agreement(db, third, status=AgreementStatus.IN_FORCE)
    update_agreement(db, resumption, status=AgreementStatus.IN_FORCE, copy_due_on=notice_due)
    add_duty_tasks(db, resumption, PROVINCE, Duty.NOTICE, notice_due, opened_at=_at(today))
    clock = Clock()
    back = event(
        "agreement.resumed",
        third,
        _step(third)
        | {
            "case_id": resumption,
            "effective_on": today.isoformat(),
            "notice_due_on": notice_due.isoformat(),
            "at": next(clock).isoformat(),
        },
        next(clock),
    )
    rstack.publish(back)
    rstack.wait_idle()
    return [*ended, back]


def test_a_resumed_agreement_is_in_force_again_and_both_notices_count(
    rstack: ReportingStack, resumed: list[Event]
) -> None:
    headline = _summary(rstack)["headline"]
    assert (headline["suspended"]["value"], headline["in_force"]["value"]) == (0, 3)
    assert _figures(rstack)["NOTICE"] == _none(
        due=2, delivered_on_time=1, not_yet_due=1, on_time_share=1.0
    )


def test_a_replayed_or_late_event_changes_nothing(
    rstack: ReportingStack, published: list[Event], resumed: list[Event]
) -> None:
    before = _summary(rstack)
    first = published[0].data["agreement_id"]
    # The same events again (a redelivery), and older news sent again under new ids: a
    # reminder of the copy sent before its delivery, the suspension before the resumption.
    again = [replace(e, id=f"{e.id}-again") for e in (published[1], resumed[0])]
    assert published[0].time is not None
    reminder = _duty(
        "agreement.copy_reminder",
        first,
        Duty.COPY,
        DUE_1,
        published[0].time,
        at=_at(date(2024, 3, 9)).isoformat(),
        days_left=7,
    )
    rstack.publish(*published, *resumed, *again, reminder)
    rstack.wait_idle()
    after = _summary(rstack)
    for section in before:
        assert after[section] == before[section], section


def test_a_rebuild_from_the_export_gives_the_same_duty_figures(
    rstack: ReportingStack, resumed: list[Event]
) -> None:
    from fastapi.testclient import TestClient

    cycle = rstack.reporting_settings.calendar.open_number
    headers = rstack.headers("registry@mofa")
    live = [rstack.summary(n, province=PROVINCE) for n in (cycle - 1, cycle)]
    settings = rstack.reporting_settings.model_copy(
        update={"reporting_database_url": rstack.urls["rebuilt"], "rebuild_page_size": 3}
    )
    migrate_database(settings.database_url)
    db = Database(settings.database_url, pool_size=2)
    try:
        result = rebuild(settings, db, client=rstack.agreements)
        assert result.duties >= 8
        with TestClient(create_app(settings)) as rebuilt:
            for want in live:
                n = want["cycle"]["number"]
                r = rebuilt.get(
                    f"/v1/cycles/{n}/summary", params={"province": PROVINCE}, headers=headers
                )
                got = r.json()
                for section in want:
                    assert got[section] == want[section], (n, section)
    finally:
        db.dispose()


def test_only_operators_and_admins_export_the_duties_page_by_page(
    rstack: ReportingStack, published: list[Event], resumed: list[Event]
) -> None:
    for user in (f"officer@{PROVINCE}", "registry@mofa", "reviewer@mofa"):
        r = rstack.agreements.get("/v1/export/duties", headers=rstack.headers(user))
        assert r.status_code == 403, user
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"after": after} if after else {})
        r = rstack.agreements.get(
            "/v1/export/duties", params=params, headers=rstack.headers("ops@system")
        )
        assert r.status_code == 200, r.text
        seen += r.json()["data"]
        if not (after := r.json()["next_after"]):
            break
    assert len({d["task_id"] for d in seen}) == len(seen)
    first = published[0].data["agreement_id"]
    report = next(d for d in seen if d["agreement_id"] == first and d["duty"] == "REPORT")
    assert report["province"] == PROVINCE and report["due_on"] == DUE_1.isoformat()
    assert report["on_time"] is False
    assert report["received_at"].startswith("2024-03-22")
