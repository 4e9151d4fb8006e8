"""What the workflow does around the reporting tests, which run without it: the events it emits
(published straight to the broker) and what its activities store in the agreements database
with them (tasks, the signing, duties delivered and received), so that a rebuild from the
agreements service's export can be compared with what the events built."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from common.db import Database, utcnow
from common.events.envelope import Event
from common.events.payloads import PAYLOADS
from common.law.calendar import TZ, close_of_day
from common.law.routing import province_duty_assignee
from common.law.vocabulary import Duty, Role, TaskKind, TaskStatus
from services.agreements.models import Agreement, Task


def today_in_vietnam() -> date:
    """Today in Vietnam, as the reports count it."""
    return utcnow().astimezone(TZ).date()


def values(rows: list[dict[str, Any]]) -> dict[str, int]:
    """key -> this cycle's value of a breakdown, its zero rows left out."""
    return {row["key"]: row["value"] for row in rows if row["value"]}


def event(name: str, agreement_id: str, data: dict[str, Any], at: datetime) -> Event:
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


def step_data(agreement_id: str, province: str, country: str = "KR") -> dict[str, Any]:
    """What every event after submission says of its agreement."""
    return {
        "agreement_id": agreement_id,
        "province": province,
        "agreement": {
            "title": "Bản ghi nhớ hợp tác giáo dục",
            "signatory_level": "PROVINCIAL_COMMITTEE",
            "partner_name": "Seoul Metropolitan Government",
            "partner_country": country,
        },
    }


def update_agreement(db: Database, agreement_id: str, **columns: Any) -> None:
    """The agreement's row as the workflow's activities leave it."""
    with db.write_session() as session:
        a = session.get(Agreement, agreement_id)
        assert a is not None, agreement_id
        for name, value in columns.items():
            setattr(a, name, value)
        session.add(a)
        session.commit()


def add_duty_tasks(
    db: Database,
    agreement_id: str,
    province: str,
    duty: Duty,
    due_on: date,
    *,
    opened_at: datetime,
    delivered_at: datetime | None = None,
    on_time: bool | None = None,
    received_at: datetime | None = None,
    task_id: str | None = None,
) -> str:
    """The province's delivery task of a duty and, once delivered, the recipient's receipt
    task (answered when received): what the signing, the end of a suspension or the yearly
    plan, then the delivery and the receipt store. Returns the delivery task's id."""
    assignee = province_duty_assignee(province)
    delivery = Task(
        id=task_id or str(uuid.uuid4()),
        agreement_id=agreement_id,
        kind=TaskKind.COPY_DELIVERY,
        duty=duty,
        assignee_role=assignee.role.value,
        assignee_org=assignee.org,
        status=TaskStatus.DONE if delivered_at else TaskStatus.OPEN,
        requested_at=opened_at,
        due_at=close_of_day(due_on),
        answered_at=delivered_at,
        on_time=on_time,
        outcome="DONE" if delivered_at else None,
    )
    with db.write_session() as session:
        session.add(delivery)
        if delivered_at is not None:
            session.add(
                Task(
                    id=str(uuid.uuid4()),
                    agreement_id=agreement_id,
                    kind=TaskKind.COPY_RECEIPT,
                    duty=duty,
                    assignee_role=Role.MOFA_REGISTRY.value,
                    assignee_org="mofa-registry",
                    status=TaskStatus.DONE if received_at else TaskStatus.OPEN,
                    requested_at=delivered_at,
                    answered_at=received_at,
                    outcome="RECEIVED" if received_at else None,
                )
            )
        session.commit()
    return delivery.id
