"""The lifecycle workflow's clock: waiting while timers fall due, what each timer does, the
schedules of duties, expiry and the yearly plan (computed by common/law/deadlines.py), and
continue-as-new between steps so that decades in force keep a small history."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime

from temporalio import workflow

from workflows.lifecycle import patches
from workflows.lifecycle.base import LifecycleBase

with workflow.unsafe.imports_passed_through():
    import workflows.lifecycle.contracts as c
    from common.law.calendar import local_date
    from common.law.deadlines import (
        duty_schedule,
        expiry_schedule,
        next_plan,
        takes_effect_at,
    )
    from common.law.vocabulary import AgreementStatus, Duty, TaskKind, TaskStatus
    from workflows.lifecycle.state import (
        AGREEMENT_TIMERS,
        Action,
        DutyState,
        LifecycleInput,
        Timer,
    )

# Continue-as-new well before Temporal's own warning (10k events / 50 MB).
MAX_HISTORY_EVENTS = 2_000


class TimersMixin(LifecycleBase):
    async def _wait(self, done: Callable[[], bool]) -> None:
        """Wait for `done`, firing every timer that falls due meanwhile."""
        while not done():
            self._maybe_continue_as_new()
            nxt = min(self.s.timers, key=lambda t: t.at, default=None)
            self._poke = False
            if nxt is None:
                self._disarm()
                await workflow.wait_condition(lambda: done() or self._poke)
                continue
            delay = (nxt.at - workflow.now()).total_seconds()
            if delay > 0:
                if self._lean_history():
                    self._arm(nxt.at, delay)
                    await workflow.wait_condition(lambda: done() or self._poke or self._rang())
                    if not self._rang():
                        continue
                else:
                    try:
                        await workflow.wait_condition(lambda: done() or self._poke, timeout=delay)
                        continue
                    except TimeoutError:
                        pass
            await self._fire_due()

    def _arm(self, at: datetime, delay: float) -> None:
        """The one Temporal timer of a run under patches.LEAN_HISTORY, for the next timer's
        time `at`: kept across steps and phases while that time stays the next."""
        if self._alarm is not None and self._alarm_at == at and not self._alarm.done():
            return
        self._disarm()
        self._alarm = asyncio.create_task(workflow.sleep(delay))
        self._alarm_at = at

    def _rang(self) -> bool:
        return self._alarm is not None and self._alarm.done()

    def _disarm(self) -> None:
        if self._alarm is not None and not self._alarm.done():
            self._alarm.cancel()
        self._alarm = None

    async def _fire_due(self) -> None:
        now = workflow.now()
        due = sorted((t for t in self.s.timers if t.at <= now), key=lambda t: t.at)
        for timer in due:
            if timer in self.s.timers:
                self.s.timers.remove(timer)
                await self._fire(timer)

    def _maybe_continue_as_new(self) -> None:
        info = workflow.info()
        long_history = info.get_current_history_length() > MAX_HISTORY_EVENTS
        wanted = self._continue_after_timer or long_history or info.is_continue_as_new_suggested()
        # Only between steps: no update half done, no submission not yet taken in.
        if wanted and workflow.all_handlers_finished() and not self.s.pending:
            workflow.continue_as_new(
                LifecycleInput(agreement_id=self.s.agreement_id, timing=self.timing, state=self.s)
            )

    async def _fire(self, timer: Timer) -> None:
        action = timer.action
        if action in (Action.REMINDER, Action.OVERDUE):
            await self._fire_task_timer(timer)
        elif action in (Action.DUTY_REMINDER, Action.DUTY_OVERDUE):
            name = (
                c.Activities.RECORD_DUTY_REMINDER
                if action == Action.DUTY_REMINDER
                else c.Activities.RECORD_DUTY_OVERDUE
            )
            if timer.task_id is not None:  # a report or a plan
                task = self.s.tasks.get(timer.task_id)
                if task is not None and task.status == TaskStatus.OPEN:
                    await self._duty_timer(name, timer.duty or Duty.REPORT, timer)
            elif not self._duty_delivered():
                await self._duty_timer(name, self.s.duty or Duty.COPY, timer)
        elif action == Action.EFFECTIVE:
            await self._apply_ending()
        elif action == Action.IN_FORCE:
            await self._agreement_timer(c.Activities.MARK_IN_FORCE)
            if self.s.status == AgreementStatus.SIGNED:
                self.s.status = AgreementStatus.IN_FORCE
            self._schedule_expiry()
            self._schedule_plan()
        elif action == Action.PLAN:
            if self.s.status == AgreementStatus.IN_FORCE and not self.s.suspended:
                await self._plan_due(timer)
            self.s.last_plan_due_on = timer.due_on
            self._schedule_plan()
            # One year's history per run: decades in force stay small.
            self._continue_after_timer = True
        elif action == Action.EXPIRING:
            await self._agreement_timer(c.Activities.RECORD_EXPIRING, days=timer.days)
        elif action == Action.EXPIRE:
            await self._agreement_timer(c.Activities.MARK_EXPIRED)
            self.s.status = AgreementStatus.EXPIRED
            self._unschedule(actions=set(AGREEMENT_TIMERS))

    async def _fire_task_timer(self, timer: Timer) -> None:
        task = self.s.tasks.get(timer.task_id or "")
        if task is None or task.status != TaskStatus.OPEN:
            return
        if timer.action == Action.REMINDER:
            await self._activity(
                c.Activities.RECORD_TASK_REMINDER,
                c.TaskTimer(
                    op_id=self._op(),
                    agreement_id=self.s.agreement_id,
                    task_id=task.task_id,
                    at=workflow.now(),
                ),
                c.Done,
            )
            return
        task.escalations += 1
        nxt: c.Escalated = await self._activity(
            c.Activities.RECORD_TASK_OVERDUE,
            c.TaskTimer(
                op_id=self._op(),
                agreement_id=self.s.agreement_id,
                task_id=task.task_id,
                at=workflow.now(),
                escalation=task.escalations,
            ),
            c.Escalated,
        )
        if task.status == TaskStatus.OPEN:
            self._schedule(Timer(nxt.next_escalate_at, Action.OVERDUE, task_id=task.task_id))

    async def _agreement_timer(
        self,
        activity: str,
        days: int | None = None,
        due_on: date | None = None,
        task_id: str | None = None,
    ) -> None:
        await self._activity(
            activity,
            c.AgreementTimer(
                op_id=self._op(),
                agreement_id=self.s.agreement_id,
                at=workflow.now(),
                days=days,
                due_on=due_on,
                task_id=task_id,
            ),
            c.Done,
        )

    async def _duty_timer(self, activity: str, duty: Duty, timer: Timer) -> None:
        await self._activity(
            activity,
            c.DutyTimer(
                op_id=self._op(),
                agreement_id=self.s.agreement_id,
                duty=duty,
                due_on=timer.due_on or local_date(workflow.now()),
                at=workflow.now(),
                copy_to_mofa_for_all_levels=self.timing.copy_to_mofa_for_all_levels,
                task_id=timer.task_id,
            ),
            c.Done,
        )

    async def _plan_due(self, timer: Timer) -> None:
        """The yearly plan is due on 15 November: announced a month before, and (from
        patches.PLAN_DUTY on) a duty of the province with its own task, reminders and
        lateness, acknowledged by the Ministry's registry."""
        plan_task = None
        if self._patched(patches.PLAN_DUTY) and timer.due_on is not None:
            plan_task = self._add_task(
                str(workflow.uuid4()), TaskKind.COPY_DELIVERY, self._province_duty(), Duty.PLAN
            )
        await self._agreement_timer(
            c.Activities.RECORD_PLAN_DUE,
            days=timer.days,
            due_on=timer.due_on,
            task_id=plan_task.task_id if plan_task else None,
        )
        if plan_task is not None and timer.due_on is not None:
            self._opened(plan_task)
            self._start_extra_duty(
                DutyState(
                    duty=Duty.PLAN, due_on=timer.due_on, task_id=plan_task.task_id, year=timer.days
                )
            )

    def _schedule_expiry(self) -> None:
        if self.s.expires_on is None:
            return
        schedule = expiry_schedule(self.s.expires_on, self.timing, workflow.now())
        for reminder in schedule.reminders:
            self._schedule(Timer(reminder.at, Action.EXPIRING, days=reminder.days))
        self._schedule(Timer(schedule.passed_at, Action.EXPIRE))

    def _schedule_plan(self) -> None:
        """The next reminder of the yearly implementation plan, while the agreement will
        still be in force the year it is for."""
        plan = next_plan(
            workflow.now(),
            last_due_on=self.s.last_plan_due_on,
            expires_on=self.s.expires_on,
            timing=self.timing,
        )
        if plan is not None:
            self._schedule(Timer(plan.at, Action.PLAN, days=plan.year, due_on=plan.due_on))

    def _start_duty(self, duty: Duty, due_on: date) -> None:
        self.s.duty = duty
        self.s.duty_due_on = due_on
        schedule = duty_schedule(due_on, self.timing, workflow.now())
        for reminder in schedule.reminders:
            self._schedule(
                Timer(reminder.at, Action.DUTY_REMINDER, days=reminder.days, due_on=due_on)
            )
        self._schedule(Timer(schedule.passed_at, Action.DUTY_OVERDUE, due_on=due_on))

    def _start_extra_duty(self, duty: DutyState) -> None:
        """A report or plan: its reminders and lateness follow its own delivery task."""
        self.s.extra_duties.append(duty)
        schedule = duty_schedule(duty.due_on, self.timing, workflow.now())
        for reminder in schedule.reminders:
            self._schedule(
                Timer(
                    reminder.at,
                    Action.DUTY_REMINDER,
                    task_id=duty.task_id,
                    days=reminder.days,
                    due_on=duty.due_on,
                    duty=duty.duty,
                )
            )
        self._schedule(
            Timer(
                schedule.passed_at,
                Action.DUTY_OVERDUE,
                task_id=duty.task_id,
                due_on=duty.due_on,
                duty=duty.duty,
            )
        )

    def _schedule_at(self, day: date, action: Action) -> None:
        """A timer for the moment something dated `day` takes effect."""
        self._schedule(Timer(takes_effect_at(day), action))
