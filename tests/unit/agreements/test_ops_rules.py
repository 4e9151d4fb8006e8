"""The operator console's own rules, without servers: which repair each case gets, when a
passed deadline counts as stuck, how a dead letter is addressed and published again, and that
every word it shows exists in both languages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from common.law.vocabulary import AgreementStatus, Duty, TaskKind
from services.agreements.models import OutboxEvent, Task
from services.agreements.ops import access, workflows
from services.agreements.ops.audit import ActionKind
from services.agreements.ops.dead_letters import Letter, LetterResult, LetterState, parse_id
from services.agreements.ops.workflows import Finding, Repair, WorkflowState
from services.agreements.settings import AgreementsSettings
from services.agreements.ui import i18n


def task(kind: TaskKind, due_at: datetime, task_id: str = "t-1") -> Task:
    return Task(
        id=task_id,
        agreement_id="a-1",
        kind=kind,
        assignee_role="reviewer",
        assignee_org="mofa",
        requested_at=due_at,
        due_at=due_at,
    )


def event(event_type: str, **data: str) -> OutboxEvent:
    return OutboxEvent(event_type=event_type, agreement_id="a-1", data=data)


@pytest.mark.parametrize(
    ("status", "state", "repair"),
    [
        (AgreementStatus.SUBMITTED, WorkflowState.NOT_FOUND, Repair.START),
        (AgreementStatus.SUBMITTED, WorkflowState.RUNNING, Repair.START),
        (AgreementStatus.SUBMITTED, WorkflowState.TERMINATED, Repair.ENGINEER),
        (AgreementStatus.IN_CONSULTATION, WorkflowState.RUNNING, Repair.NONE),
        (AgreementStatus.IN_CONSULTATION, WorkflowState.NOT_FOUND, Repair.ENGINEER),
        (AgreementStatus.APPROVED, WorkflowState.FAILED, Repair.ENGINEER),
        (AgreementStatus.SIGNED, WorkflowState.COMPLETED, Repair.ENGINEER),
        (AgreementStatus.AWAITING_DECISION, WorkflowState.UNKNOWN, Repair.UNKNOWN),
    ],
)
def test_only_a_submission_is_started_again_and_a_later_state_goes_to_an_engineer(
    status: AgreementStatus, state: WorkflowState, repair: Repair
) -> None:
    assert workflows.repair_of(status, state) is repair


def test_a_consultation_is_announced_overdue_the_next_working_morning() -> None:
    # Friday 5 December 2025, 17:00 in Hanoi: the escalation comes on Monday at 08:00.
    due = datetime(2025, 12, 5, 10, 0, tzinfo=UTC)
    monday_morning = datetime(2025, 12, 8, 1, 0, tzinfo=UTC)
    assert workflows.expected_at(TaskKind.CONSULTATION, due) == monday_morning
    assert workflows.expected_at(TaskKind.COPY_DELIVERY, due) == due


def test_a_late_task_counts_as_announced_only_by_its_own_overdue_event() -> None:
    due = datetime(2025, 12, 5, 16, 59, tzinfo=UTC)  # 23:59 in Hanoi, 5 December
    consultation = task(TaskKind.CONSULTATION, due)
    other = event("consultation.overdue", task_id="t-2")
    own = event("consultation.overdue", task_id="t-1")
    assert not workflows.announced(consultation, [other])
    assert workflows.announced(consultation, [other, own])
    copy = task(TaskKind.COPY_DELIVERY, due, task_id="t-3")  # no duty: the case's copy
    report = event("agreement.copy_overdue", duty=Duty.REPORT.value, due_on="2025-12-05")
    copied = event("agreement.copy_overdue", duty=Duty.COPY.value, due_on="2025-12-05")
    assert not workflows.announced(copy, [report])
    assert workflows.announced(copy, [copied])


def test_the_workflow_link_opens_the_agreements_workflow_in_the_temporal_ui() -> None:
    settings = AgreementsSettings(temporal_ui_url="https://temporal.example/", env="test")
    assert workflows.temporal_url(settings, "abc") == (
        "https://temporal.example/namespaces/default/workflows/agreement-abc"
    )


def test_a_letter_is_addressed_by_partition_and_offset_and_published_without_its_dlt_headers() -> (
    None
):
    assert parse_id("0-15") == (0, 15)
    assert parse_id("0-15; drop") is None and parse_id("x-1") is None
    letter = Letter(
        partition=0,
        offset=15,
        key=b"a-1",
        value=b"{}",
        headers=[
            ("ce_id", b"e-1"),
            ("dlt_reason", b"handler failed: boom"),
            ("dlt_reason_kind", b"failed"),
            ("dlt_failed_at", b"2026-12-01T10:00:00+00:00"),
        ],
    )
    assert letter.id == "0-15" and letter.target == "agreements.events.dlt/0/15"
    assert letter.stamp == "2026-12-01T10:00:00+00:00"
    assert letter.original_headers() == [("ce_id", b"e-1")]


def test_every_word_of_the_console_exists_in_both_languages() -> None:
    keys = [f"ops.kind_{k.value}" for k in ActionKind]
    keys += [f"ops.state_{s.value}" for s in LetterState]
    keys += [f"ops.outcome_{o.value}" for o in LetterResult]
    for key in keys:
        assert key in i18n.TEXTS, key
        assert i18n.text(key, "vi") != i18n.text(key, "en"), key
    for code in [*Finding, *Repair]:
        vi, en = workflows.TEXTS[code]
        assert vi.strip() and en.strip() and vi != en
    for vi, en in access.TEXTS.values():
        assert vi.strip() and en.strip() and vi != en
