"""Changing the lifecycle workflow while agreements are in flight: a history recorded before a
versioned change replays on the new code (taking the old branch), and a new run takes the new
branch and records the patch in its history (workflows/lifecycle/patches.py)."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.worker import Worker

from common.temporal import CorrelationInterceptor
from services.agreements.procedure.activities import LifecycleActivities
from tests.integration.workflows.conftest import Procedure
from tests.integration.workflows.test_replay import recorded, replays
from tests.integration.workflows.test_timers import (
    answer_consultations,
    approve,
    deliver_and_receive,
    sign,
    vn,
)
from workflows.lifecycle import contracts as c
from workflows.lifecycle import patches
from workflows.lifecycle.state import LifecycleInput
from workflows.lifecycle.workflow import AgreementLifecycleWorkflow

pytestmark = pytest.mark.integration

HISTORIES = Path(__file__).resolve().parents[2] / "fixtures" / "histories"


def _patch_markers(history: WorkflowHistory) -> set[str]:
    """The patch ids a history recorded (MarkerRecorded events of the SDK's patch marker)."""
    found = set()
    for event in history.events:
        if event.event_type != EventType.EVENT_TYPE_MARKER_RECORDED:
            continue
        details = event.marker_recorded_event_attributes.details
        if "patch-data" in details:
            for payload in details["patch-data"].payloads:
                found.add(json.loads(payload.data)["id"])
    return found


async def test_a_council_agreement_recorded_before_deciders_per_level_replays_unchanged() -> None:
    history = recorded(HISTORIES / "2026-11" / "approval-provincial_council.json")
    assert patches.DECIDER_BY_LEVEL not in _patch_markers(history)
    await replays(history)


async def _new_run_to_the_decision(
    procedure: Procedure, day: date, **draft: Any
) -> tuple[Any, WorkflowHistory]:
    """A run started on `day` by the current code, its consultations agreed: the decision's
    task and the history so far."""
    await procedure.advance_to(vn(day, 9))
    sub = procedure.seed(**draft)
    handle = await procedure.start(sub)
    await answer_consultations(procedure, sub, "AGREE")
    [decision] = await procedure.until(lambda: procedure.tasks(sub.agreement_id, "DECISION"))
    return decision, await handle.fetch_history()


async def test_a_new_council_agreement_takes_the_new_branch_and_records_it(
    procedure: Procedure,
) -> None:
    decision, history = await _new_run_to_the_decision(
        procedure, date(2027, 3, 1), signatory_level="PROVINCIAL_COUNCIL"
    )
    assert decision.assignee_role == "council_chair"
    # The run records patches.LEAN_HISTORY once, which stands for the patches before it.
    assert patches.DECIDER_BY_LEVEL in patches.SINCE_LEAN_HISTORY
    assert _patch_markers(history) == {patches.LEAN_HISTORY}


def _scheduled_activities(history: WorkflowHistory) -> int:
    return sum(e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED for e in history.events)


def _local_activities(history: WorkflowHistory) -> int:
    return sum(
        e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
        and e.marker_recorded_event_attributes.marker_name == "core_local_activity"
        for e in history.events
    )


async def test_a_run_recorded_before_local_steps_replays_with_its_steps_on_the_queue() -> None:
    """Runs started before patches.LOCAL_STEPS scheduled each step on the `agreements` queue;
    they replay on the new code, which keeps scheduling them there."""
    history = recorded(HISTORIES / "2026-12" / "approval-provincial_committee.json")
    assert patches.LOCAL_STEPS not in _patch_markers(history)
    assert _scheduled_activities(history) > 0
    assert _local_activities(history) == 0
    await replays(history)


async def test_a_new_run_takes_its_steps_as_local_activities(procedure: Procedure) -> None:
    decision, history = await _new_run_to_the_decision(procedure, date(2027, 3, 2))
    assert decision.status == "OPEN"
    assert patches.LOCAL_STEPS in patches.SINCE_LEAN_HISTORY
    assert patches.LEAN_HISTORY in _patch_markers(history)
    assert _scheduled_activities(history) == 0
    # Opening the consultations, each answer, opening the decision: one marker each.
    assert _local_activities(history) >= 3


# Not sandboxed: the sandbox would import this test module (and the whole suite's) afresh.
@workflow.defn(name=c.WORKFLOW_NAME, sandboxed=False)
class _BeforeLocalSteps(AgreementLifecycleWorkflow):
    """The workflow as it ran before patches.LOCAL_STEPS: every step on the `agreements` queue."""

    @workflow.run
    async def run(self, inp: LifecycleInput) -> str:
        return await super().run(inp)

    async def _activity(self, name: str, arg: Any, result_type: type[Any]) -> Any:
        return await self._queued_step(name, arg, result_type)

    def _lean_history(self) -> bool:
        return False  # patches.LEAN_HISTORY came later still


def _worker(procedure: Procedure, queue: str, cls: type, pool: ThreadPoolExecutor) -> Worker:
    return Worker(
        procedure.client,
        task_queue=queue,
        workflows=[cls],
        activities=LifecycleActivities(procedure.db).all(),
        activity_executor=pool,
        interceptors=[CorrelationInterceptor()],
        # No sticky queue: the run's next task must go to whichever worker polls `queue` next
        # (the test server's clock would never time out a sticky queue nobody polls).
        max_cached_workflows=0,
    )


async def test_a_run_started_before_local_steps_goes_on_under_the_new_code(
    procedure: Procedure,
) -> None:
    """An agreement in consultation when the new code is deployed: the new worker replays its
    history (no LOCAL_STEPS marker), keeps its steps on the `agreements` queue, which the
    agreements worker process still serves, and the procedure goes on to the decision."""
    await procedure.advance_to(vn(date(2027, 3, 3), 9))
    # A queue of this test's own, so that only the worker it runs takes the run's tasks.
    queue = f"before-local-steps-{uuid.uuid4().hex[:8]}"
    sub = procedure.seed()
    with ThreadPoolExecutor(4) as pool:
        async with _worker(procedure, queue, _BeforeLocalSteps, pool):
            handle = await procedure.client.start_workflow(
                c.WORKFLOW_NAME,
                LifecycleInput(agreement_id=sub.agreement_id, timing=procedure.timing),
                id=c.workflow_id(sub.agreement_id),
                task_queue=queue,
                start_signal=c.SIGNAL_SUBMITTED,
                start_signal_args=[sub],
            )
            await procedure.until(lambda: procedure.tasks(sub.agreement_id, "CONSULTATION"))
        # The deploy: the same run's next tasks go to a worker with the new code.
        async with _worker(procedure, queue, AgreementLifecycleWorkflow, pool):
            await answer_consultations(procedure, sub, "AGREE")
            [decision] = await procedure.until(
                lambda: procedure.tasks(sub.agreement_id, "DECISION")
            )
            assert decision.status == "OPEN"
            history = await handle.fetch_history()
    assert patches.LOCAL_STEPS not in _patch_markers(history)
    assert _local_activities(history) == 0
    assert _scheduled_activities(history) >= 3


def _search_attribute_upserts(history: WorkflowHistory) -> int:
    return sum(
        e.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES
        for e in history.events
    )


def _rearmed(history: WorkflowHistory) -> int:
    """Timers started for the moment of a timer the run had cancelled: the same timer, set
    again after a step (within a second: a timer's moment is counted from its task's end)."""
    moments: dict[str, datetime] = {}
    cancelled: list[datetime] = []
    again = 0
    for e in history.events:
        if e.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
            a = e.timer_started_event_attributes
            moment = e.event_time.ToDatetime() + a.start_to_fire_timeout.ToTimedelta()
            again += any(abs((moment - m).total_seconds()) < 1 for m in cancelled)
            moments[a.timer_id] = moment
        elif e.event_type == EventType.EVENT_TYPE_TIMER_CANCELED:
            cancelled.append(moments[e.timer_canceled_event_attributes.timer_id])
    return again


async def test_a_run_recorded_before_lean_history_replays_with_a_marker_per_patch() -> None:
    """Runs started before patches.LEAN_HISTORY recorded each patch (and the SDK's upsert of
    its search attribute) where first asked, and set their timer again after each step; they
    replay on the new code, which takes the same branches."""
    history = recorded(HISTORIES / "2026-12-local-steps" / "approval-provincial_committee.json")
    markers = _patch_markers(history)
    assert patches.LEAN_HISTORY not in markers
    assert {patches.LOCAL_STEPS, patches.DECIDER_BY_LEVEL} <= markers
    assert _rearmed(history) > 0
    await replays(history)


async def test_a_new_run_records_one_marker_and_keeps_its_timer_while_its_moment_stays(
    procedure: Procedure,
) -> None:
    """Approved, signed, its copy delivered and received: one patch marker and one upsert in
    all, and no timer cancelled only to be started again for the same moment."""
    await procedure.advance_to(vn(date(2027, 4, 12), 9))
    sub = procedure.seed()
    handle = await procedure.start(sub)
    await approve(procedure, sub)
    await sign(
        procedure,
        sub,
        signed_on=date(2027, 4, 13),
        effective_from=date(2027, 4, 13),
        expires_on=date(2030, 4, 12),
    )
    await deliver_and_receive(procedure, sub, date(2027, 4, 14))
    history = await handle.fetch_history()
    assert _patch_markers(history) == {patches.LEAN_HISTORY}
    assert _search_attribute_upserts(history) == 1
    assert _rearmed(history) == 0
    # The copy's reminders and lateness are still armed: the run keeps its clock.
    assert any(e.event_type == EventType.EVENT_TYPE_TIMER_STARTED for e in history.events)
    await replays(history)
