"""What every part of the lifecycle workflow shares: its state, the tasks it keeps, and how it
calls an activity. The phases (workflow.py), the people's updates (handlers.py), the timers
(timers.py) and the steps that change the record (steps.py) build on it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    # Full dotted names, so that the sandbox passes the modules through: `from package import
    # module` would load them afresh in every workflow run (their dataclasses new types, which
    # also defeats the data converter's cache of type adapters).
    import workflows.lifecycle.contracts as c
    import workflows.lifecycle.patches as patches
    from common.law.deadlines import Timing
    from common.law.routing import Assignee, may_act_on, province_duty_assignee
    from common.law.vocabulary import (
        FINAL_STATUSES,
        CaseKind,
        Duty,
        Outcome,
        TaskKind,
        TaskStatus,
    )
    from workflows.lifecycle.state import (
        OPENING,
        Action,
        DutyState,
        LifecycleState,
        Phase,
        TaskState,
        Timer,
    )

ACTIVITY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=30),
    non_retryable_error_types=["AgreementMissing"],
)
# One short transaction: an attempt that takes longer is stuck and tried again.
STEP_TIMEOUT = timedelta(seconds=10)


def refuse(kind: str, message: str) -> ApplicationError:
    """A definite refusal of a person's action, mapped to an HTTP status by the API."""
    return ApplicationError(message, type=kind, non_retryable=True)


class LifecycleBase:
    """The workflow's state and the helpers every part uses. The methods at the end are
    provided by the other parts; they are declared here so each part can call the others."""

    def __init__(self) -> None:
        self.s = LifecycleState(agreement_id="")
        self.timing = Timing()
        self._poke = False
        self._continue_after_timer = False
        self._lean: bool | None = None
        # The armed Temporal timer of a lean run (timers.py) and the time it is for.
        self._alarm: asyncio.Task[None] | None = None
        self._alarm_at: datetime | None = None

    # --- provided by the other parts -------------------------------------------------------

    async def _wait(self, done: Callable[[], bool]) -> None:
        raise NotImplementedError

    async def _open_signing(self) -> None:
        raise NotImplementedError

    async def _apply_ending(self) -> None:
        raise NotImplementedError

    # --- versioning ------------------------------------------------------------------------

    def _lean_history(self) -> bool:
        """Whether this run started under patches.LEAN_HISTORY (asked at the start of each
        run, so the marker is the run's first; a run started before replays without it)."""
        if self._lean is None:
            self._lean = workflow.patched(patches.LEAN_HISTORY)
        return self._lean

    def _patched(self, patch_id: str) -> bool:
        """`workflow.patched(patch_id)`, without a marker of its own in runs started under
        patches.LEAN_HISTORY for the patches that came before it: those runs have them all."""
        if patch_id in patches.SINCE_LEAN_HISTORY and self._lean_history():
            return True
        return workflow.patched(patch_id)

    # --- activities ------------------------------------------------------------------------

    async def _activity(self, name: str, arg: Any, result_type: type[Any]) -> Any:
        """One step of the agreements service, run by the agreements service's worker process:
        as a local activity of the worker running this workflow (which that process hosts), or,
        in runs started before patches.LOCAL_STEPS, as an activity on its `agreements` queue.

        Each step is one short transaction keyed by its op id (`_op`), so running it again (a
        retry, or a workflow task that ran it and was lost with its worker) does it once."""
        if self._patched(patches.LOCAL_STEPS):
            return await workflow.execute_local_activity(
                name,
                arg,
                result_type=result_type,
                start_to_close_timeout=STEP_TIMEOUT,
                retry_policy=ACTIVITY_RETRY,
            )
        return await self._queued_step(name, arg, result_type)

    async def _queued_step(self, name: str, arg: Any, result_type: type[Any]) -> Any:
        """A step as runs from before patches.LOCAL_STEPS take it: an activity on the
        agreements service's own task queue."""
        return await workflow.execute_activity(
            name,
            arg,
            result_type=result_type,
            task_queue=c.ACTIVITY_TASK_QUEUE,
            # One short transaction each: a worker killed mid-attempt is retried elsewhere soon.
            start_to_close_timeout=STEP_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )

    def _op(self) -> str:
        """The id an activity stores with its effect, so a retry does not do it twice."""
        return str(workflow.uuid4())

    # --- the case --------------------------------------------------------------------------

    def _submission(self) -> c.Submission:
        assert self.s.submission is not None
        return self.s.submission

    def _case_kind(self) -> CaseKind:
        return CaseKind(self._submission().case_kind)

    def _province_duty(self) -> Assignee:
        return province_duty_assignee(self._submission().province)

    # --- tasks -----------------------------------------------------------------------------

    def _add_task(
        self, task_id: str, kind: TaskKind, assignee: Assignee, duty: Duty | None = None
    ) -> TaskState:
        """Known to the workflow before any activity makes it visible (status OPENING), so
        an update arriving the moment it shows up waits for it instead of being refused."""
        task = TaskState(
            task_id=task_id,
            kind=kind,
            role=assignee.role,
            org=assignee.org,
            round=self.s.round,
            duty=duty,
        )
        self.s.tasks[task_id] = task
        return task

    def _opened(self, task: TaskState, due_at: Any = None) -> None:
        if task.status == OPENING:
            task.status = TaskStatus.OPEN
        task.due_at = due_at or task.due_at
        self._poke = True

    def _close_task(self, task_id: str | None, status: TaskStatus) -> None:
        if task_id and task_id in self.s.tasks:
            self.s.tasks[task_id].status = status
            self._unschedule(task_id=task_id)

    def _current(self, kind: TaskKind) -> TaskState | None:
        """The task of this kind opened in the current round, if any."""
        found = [t for t in self.s.tasks.values() if t.kind == kind and t.round == self.s.round]
        return found[-1] if found else None

    def _consultations(self) -> list[TaskState]:
        return [t for t in self.s.tasks.values() if t.kind == TaskKind.CONSULTATION]

    def _latest_by_body(self) -> dict[str, TaskState]:
        latest: dict[str, TaskState] = {}
        for t in self._consultations():
            if t.org in self.s.bodies:
                latest[t.org] = t  # insertion order is the order tasks were opened
        return latest

    def _consultation_settled(self) -> bool:
        latest = self._latest_by_body()
        if self._supplement_requests():
            return True
        return len(latest) == len(self.s.bodies) and all(
            t.status == TaskStatus.DONE for t in latest.values()
        )

    def _supplement_requests(self) -> list[TaskState]:
        """Latest consultation tasks whose answer asked for a supplement: the dossier goes
        back, and after resubmission each such body gets a new task."""
        return [
            t for t in self._latest_by_body().values() if t.outcome == Outcome.REQUEST_SUPPLEMENT
        ]

    def _opinions(self) -> dict[str, str]:
        return {
            body: t.outcome or ""
            for body, t in self._latest_by_body().items()
            if t.status == TaskStatus.DONE
        }

    def _is_assignee(self, task: TaskState, actor: c.Actor) -> bool:
        return may_act_on(Assignee(task.role, task.org), role=actor.role, org=actor.org)

    def _duty_delivered(self) -> bool:
        task = self.s.tasks.get(self.s.duty_task_id or "")
        return task is not None and task.status == TaskStatus.DONE

    def _extra_duty(self, task_id: str) -> DutyState | None:
        """The report or plan whose delivery or receipt task this is."""
        for d in self.s.extra_duties:
            if task_id in (d.task_id, d.receipt_task_id):
                return d
        return None

    def _follow_up_finished(self) -> bool:
        # The report is owed like the copy; a yearly plan does not hold the agreement open.
        reported = all(d.received for d in self.s.extra_duties if d.duty == Duty.REPORT)
        duty_done = (self.s.duty is None or self.s.duty_received) and reported
        if self._case_kind() != CaseKind.CONCLUSION:
            return duty_done
        return duty_done and self.s.status in FINAL_STATUSES

    # --- timers ----------------------------------------------------------------------------

    def _schedule(self, timer: Timer) -> None:
        self.s.timers.append(timer)
        self._poke = True

    def _unschedule(
        self, *, task_id: str | None = None, actions: set[Action] | None = None
    ) -> None:
        self.s.timers = [
            t
            for t in self.s.timers
            if not (
                (task_id is not None and t.task_id == task_id)
                or (actions is not None and t.action in actions)
            )
        ]

    # --- what people see -------------------------------------------------------------------

    def _view(self, t: TaskState) -> c.TaskView:
        return c.TaskView(
            task_id=t.task_id,
            kind=t.kind,
            org=t.org,
            role=t.role,
            round=t.round,
            status=t.status,
            due_at=t.due_at,
            outcome=t.outcome,
        )

    def _result(self, task: TaskState | None) -> c.UpdateResult:
        return c.UpdateResult(
            agreement_id=self.s.agreement_id,
            phase=self.s.phase,
            status=self.s.status,
            task=self._view(task) if task is not None else None,
        )


__all__ = ["ACTIVITY_RETRY", "LifecycleBase", "Phase", "refuse"]
