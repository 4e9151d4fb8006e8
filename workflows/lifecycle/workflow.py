"""AgreementLifecycleWorkflow: one agreement's procedure after submission (domain.md §2).

Consultation of the bodies the law names, with reminders and daily escalation once overdue;
return of an incomplete dossier and resumption; the Prime Minister's opinion on a disagreement
at provincial level; the leader's decision; signing, the 15-day copy or notice duty; then the
years in force with the yearly plan and the expiry reminders. Change cases (amendments,
terminations...) are agreements of their own kind and run here too.

Orchestration only: every effect is an activity of the agreements service (task queue
`agreements`), every moment is Temporal's clock, and the whole state is one dataclass that
continue-as-new carries over, so the history stays small however long the agreement lives.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    # The full dotted name, so that the sandbox passes the module through: `from package
    # import module` would load it afresh in every workflow run (its dataclasses new types,
    # which also defeats the data converter's cache of type adapters).
    import workflows.lifecycle.contracts as c
    from common.law.deadlines import Timing
    from common.law.routing import (
        consultation_assignee,
        consulted_bodies,
        copy_recipient,
        decider,
        needs_pm_opinion,
        pm_assignee,
        province_duty_assignee,
    )
    from common.law.vocabulary import (
        ANSWERED_BY_DECISION,
        CHANGE_KINDS,
        ENDING_KINDS,
        OUTCOMES,
        CaseKind,
        Duty,
        Outcome,
        TaskKind,
    )
    from workflows.lifecycle.contracts import (
        AGREEMENT_TIMERS,
        Action,
        LifecycleInput,
        LifecycleState,
        Phase,
        TaskState,
        Timer,
    )

# Vietnam keeps UTC+7 all year; calendar-day duties start at local midnight.
VN = timezone(timedelta(hours=7))
MORNING = time(8, 0)
# Continue-as-new well before Temporal's own warning (10k events / 50 MB).
MAX_HISTORY_EVENTS = 2_000
SEEN_EVENTS_KEPT = 50

ACTIVITY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=30),
    non_retryable_error_types=["AgreementMissing"],
)


def _vn_at(day: date, moment: time = time(0, 0)) -> datetime:
    return datetime.combine(day, moment, tzinfo=VN).astimezone(UTC)


def _vn_today(now: datetime) -> date:
    return now.astimezone(VN).date()


def _refuse(kind: str, message: str) -> ApplicationError:
    return ApplicationError(message, type=kind, non_retryable=True)


@workflow.defn(name=c.WORKFLOW_NAME)
class AgreementLifecycleWorkflow:
    def __init__(self) -> None:
        self.s = LifecycleState(agreement_id="")
        self.timing = Timing()
        self._poke = False
        self._continue_after_timer = False

    # --- entry -----------------------------------------------------------------------------

    @workflow.run
    async def run(self, inp: LifecycleInput) -> str:
        self.timing = inp.timing
        if inp.state is not None:
            self.s = inp.state
        else:
            self.s.agreement_id = inp.agreement_id
        phases: dict[str, Callable[[], Any]] = {
            Phase.WAITING: self._waiting,
            Phase.CONSULTATION: self._consultation,
            Phase.RETURNED: self._returned,
            Phase.PM_OPINION: self._pm_opinion,
            Phase.DECISION: self._decision,
            Phase.SIGNING: self._signing,
            Phase.EFFECTIVE_WAIT: self._effective_wait,
            Phase.FOLLOW_UP: self._follow_up,
        }
        while self.s.phase != Phase.DONE:
            await phases[self.s.phase]()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.s.status

    # --- phases ----------------------------------------------------------------------------

    async def _waiting(self) -> None:
        await self._wait(lambda: bool(self.s.pending))
        sub = self.s.pending.pop(0)
        self.s.submission = sub
        self.s.round = sub.round
        self.s.effective_on = sub.effective_on
        self.s.bodies = consulted_bodies(
            signatory_level=sub.signatory_level,
            province=sub.province,
            touches=sub.touches,
            related_bodies=sub.related_bodies,
        )
        self.s.ask_bodies = list(self.s.bodies)
        self.s.phase = Phase.CONSULTATION

    async def _consultation(self) -> None:
        if self.s.ask_bodies or self.s.resume_task_ids:
            await self._open_consultations()
        await self._wait(self._consultation_settled)
        requesting = self._supplement_requests()
        if requesting:
            await self._return_dossier(requesting[0].task_id)
            return
        opinions = self._opinions()
        sub = self._submission()
        if needs_pm_opinion(sub.signatory_level, opinions.values()):
            self.s.phase = Phase.PM_OPINION
        else:
            self.s.phase = Phase.DECISION

    async def _returned(self) -> None:
        await self._wait(lambda: any(p.round > self.s.round for p in self.s.pending))
        sub = next(p for p in self.s.pending if p.round > self.s.round)
        self.s.pending = [p for p in self.s.pending if p.round > sub.round]
        self.s.round = sub.round
        self.s.submission = sub
        # Bodies that asked for the supplement owe an opinion on the completed dossier (their
        # new task becomes their latest); the others' clocks restart from the new date.
        self.s.ask_bodies = [t.org for t in self._supplement_requests()]
        self.s.resume_task_ids = [t.task_id for t in self._consultations() if t.status == "PAUSED"]
        self.s.phase = Phase.CONSULTATION

    async def _pm_opinion(self) -> None:
        task = self._current(TaskKind.PM_OPINION)
        if task is None:
            task_id = str(workflow.uuid4())
            disagreeing = sorted(b for b, o in self._opinions().items() if o == Outcome.DISAGREE)
            task = self._add_task(task_id, TaskKind.PM_OPINION, pm_assignee())
            self.s.status = "AWAITING_PM_OPINION"
            deadline: c.Deadline = await self._activity(
                c.Activities.OPEN_PM_OPINION,
                c.OpenPmOpinion(
                    op_id=self._op(),
                    agreement_id=self.s.agreement_id,
                    task_id=task_id,
                    working_days=self.timing.pm_working_days,
                    disagreeing_bodies=disagreeing,
                    at=workflow.now(),
                ),
                c.Deadline,
            )
            self._opened(task, deadline.due_at)
            self._schedule(Timer(deadline.escalate_at, Action.OVERDUE, task_id=task_id))
        await self._wait(lambda: task.status == "DONE")
        self.s.pm_outcome = task.outcome
        if task.outcome == Outcome.REFUSE:
            self.s.status = "REJECTED"
            self.s.phase = Phase.DONE
        else:
            self.s.phase = Phase.DECISION

    async def _decision(self) -> None:
        task = self._current(TaskKind.DECISION)
        if task is None:
            task_id = str(workflow.uuid4())
            task = self._add_task(task_id, TaskKind.DECISION, decider(self._submission().province))
            self.s.status = "AWAITING_DECISION"
            await self._activity(
                c.Activities.OPEN_DECISION,
                c.OpenDecision(
                    op_id=self._op(),
                    agreement_id=self.s.agreement_id,
                    task_id=task_id,
                    opinions=self._opinions(),
                    pm_outcome=self.s.pm_outcome,
                    at=workflow.now(),
                ),
                c.Done,
            )
            self._opened(task)
        await self._wait(lambda: task.status == "DONE")
        if task.outcome == Outcome.REJECT:
            self.s.status = "REJECTED"
            self.s.phase = Phase.DONE
            return
        self.s.status = "APPROVED"
        if self._case_kind() in ENDING_KINDS:
            effective_on = self.s.effective_on or _vn_today(workflow.now())
            self._schedule(Timer(_vn_at(effective_on), Action.EFFECTIVE))
            self.s.phase = Phase.EFFECTIVE_WAIT
            return
        if self.s.signing_task_id is None:  # normally opened by the approving update
            await self._open_signing()

    async def _signing(self) -> None:
        await self._wait(lambda: self.s.phase != Phase.SIGNING or self.s.signed is not None)
        if self.s.phase != Phase.SIGNING:
            return  # the signed text changed: consultation again
        signed = self.s.signed
        assert signed is not None
        sub = self._submission()
        if self._case_kind() in CHANGE_KINDS and sub.parent_id:
            effect: c.ParentEffect = await self._activity(
                c.Activities.APPLY_CHANGE_TO_PARENT,
                c.ApplyChangeToParent(
                    op_id=self._op(),
                    case_id=self.s.agreement_id,
                    parent_id=sub.parent_id,
                    at=workflow.now(),
                ),
                c.ParentEffect,
            )
            await self._signal_parent(
                sub.parent_id,
                c.SIGNAL_PARENT_CHANGED,
                c.ParentChanged(case_id=self.s.agreement_id, expires_on=effect.expires_on),
            )
        self._start_duty(Duty.COPY, signed.copy_due_on)
        if self._case_kind() == CaseKind.CONCLUSION:
            self.s.expires_on = signed.expires_on
            self._schedule(Timer(_vn_at(signed.effective_from), Action.IN_FORCE))
        self.s.phase = Phase.FOLLOW_UP

    async def _effective_wait(self) -> None:
        await self._wait(lambda: self.s.follow_up_ready)
        self.s.phase = Phase.FOLLOW_UP

    async def _follow_up(self) -> None:
        await self._wait(self._follow_up_finished)
        self.s.phase = Phase.DONE

    # --- update handlers: people acting on their tasks --------------------------------------

    @workflow.update(name=c.UPDATE_DECIDE)
    async def decide(self, cmd: c.Decide) -> c.UpdateResult:
        task = self._check_decide(cmd)
        # Someone quick enough saw the task the moment its row appeared: let it finish opening.
        await workflow.wait_condition(lambda: task.status != "OPENING")
        task = self._check_decide(cmd)
        task.answering = True
        try:
            answered: c.Answered = await self._activity(
                c.Activities.RECORD_ANSWER,
                c.RecordAnswer(
                    op_id=self._op(),
                    agreement_id=self.s.agreement_id,
                    task_id=task.task_id,
                    outcome=cmd.outcome,
                    comment=cmd.comment,
                    document_ids=list(cmd.document_ids),
                    actor=cmd.actor,
                    at=workflow.now(),
                ),
                c.Answered,
            )
        finally:
            task.answering = False
        task.status = "DONE"
        task.outcome = answered.outcome
        self._unschedule(task_id=task.task_id)
        if task.kind == TaskKind.COPY_RECEIPT:
            self.s.duty_received = True
        self.s.status = answered.status
        if (
            task.kind == TaskKind.DECISION
            and answered.outcome == Outcome.APPROVE
            and self._case_kind() not in ENDING_KINDS
        ):
            # Approved means ready to sign: the answer returns only once signing is possible.
            await self._open_signing()
        self._poke = True
        return self._result(task)

    @decide.validator
    def validate_decide(self, cmd: c.Decide) -> None:
        self._check_decide(cmd)

    def _check_decide(self, cmd: c.Decide) -> TaskState:
        task = self.s.tasks.get(cmd.task_id)
        if task is None:
            raise _refuse(c.Refusal.TASK_UNKNOWN, f"task {cmd.task_id} is not part of this case")
        if task.kind not in ANSWERED_BY_DECISION:
            raise _refuse(c.Refusal.WRONG_PHASE, f"a {task.kind} task is done by its own action")
        if task.status == "PAUSED":
            raise _refuse(c.Refusal.TASK_PAUSED, "the dossier is back with the province")
        if task.status in ("DONE", "CANCELLED") or task.answering:
            raise _refuse(c.Refusal.ALREADY_ANSWERED, "this task has already been answered")
        if not self._is_assignee(task, cmd.actor):
            raise _refuse(c.Refusal.NOT_ASSIGNEE, "this task is assigned to another organisation")
        if cmd.outcome not in OUTCOMES[TaskKind(task.kind)]:
            allowed = ", ".join(sorted(OUTCOMES[TaskKind(task.kind)]))
            raise _refuse(c.Refusal.INVALID_OUTCOME, f"allowed outcomes: {allowed}")
        return task

    @workflow.update(name=c.UPDATE_SIGN)
    async def sign(self, cmd: c.Sign) -> c.UpdateResult:
        self._check_province_action(cmd.actor, Phase.SIGNING)
        signing = self.s.tasks[self.s.signing_task_id or ""]
        self.s.signing_in_flight = True
        try:
            await workflow.wait_condition(lambda: signing.status != "OPENING")
            if cmd.text_changed:
                await self._restart_for_changed_text(cmd)
            else:
                await self._record_signing(cmd)
        finally:
            self.s.signing_in_flight = False
        self._poke = True
        return self._result(None)

    async def _restart_for_changed_text(self, cmd: c.Sign) -> None:
        self._close_task(self.s.signing_task_id, "CANCELLED")
        self.s.signing_task_id = None
        self.s.round += 1
        self.s.text_changed = True
        self.s.ask_bodies = list(self.s.bodies)
        self.s.pm_outcome = None
        self.s.status = "IN_CONSULTATION"
        self.s.phase = Phase.CONSULTATION
        await self._activity(
            c.Activities.RESTART_FOR_CHANGED_TEXT,
            c.RestartForChangedText(
                op_id=self._op(),
                agreement_id=self.s.agreement_id,
                signed_text_sha256=cmd.signed_text_sha256,
                actor=cmd.actor,
                round=self.s.round,
                at=workflow.now(),
            ),
            c.Done,
        )

    async def _record_signing(self, cmd: c.Sign) -> None:
        copy_task = self._add_task(
            str(workflow.uuid4()), TaskKind.COPY_DELIVERY, self._province_duty()
        )
        self.s.duty_task_id = copy_task.task_id
        self._close_task(self.s.signing_task_id, "DONE")
        self.s.status = "SIGNED"
        self.s.signed = await self._activity(
            c.Activities.RECORD_SIGNING,
            c.RecordSigning(
                op_id=self._op(),
                agreement_id=self.s.agreement_id,
                sign=cmd,
                copy_task_id=copy_task.task_id,
                copy_calendar_days=self.timing.copy_calendar_days,
                copy_to_mofa_for_all_levels=self.timing.copy_to_mofa_for_all_levels,
                at=workflow.now(),
            ),
            c.Signed,
        )
        self._opened(copy_task)

    @sign.validator
    def validate_sign(self, cmd: c.Sign) -> None:
        self._check_province_action(cmd.actor, Phase.SIGNING)

    @workflow.update(name=c.UPDATE_DELIVER_COPY)
    async def deliver_copy(self, cmd: c.DeliverCopy) -> c.UpdateResult:
        duty_task = self._check_copy(cmd)
        await workflow.wait_condition(lambda: duty_task.status != "OPENING")
        duty_task = self._check_copy(cmd)
        sub = self._submission()
        recipient = copy_recipient(
            sub.signatory_level,
            sub.province,
            to_mofa_for_all_levels=self.timing.copy_to_mofa_for_all_levels,
        )
        receipt = self._add_task(str(workflow.uuid4()), TaskKind.COPY_RECEIPT, recipient)
        self.s.receipt_task_id = receipt.task_id
        self._close_task(duty_task.task_id, "DONE")
        self._unschedule(actions={Action.DUTY_REMINDER, Action.DUTY_OVERDUE})
        await self._activity(
            c.Activities.RECORD_COPY_DELIVERED,
            c.RecordCopyDelivered(
                op_id=self._op(),
                agreement_id=self.s.agreement_id,
                duty=self.s.duty or Duty.COPY,
                delivered_on=cmd.delivered_on,
                note=cmd.note,
                actor=cmd.actor,
                receipt_task_id=receipt.task_id,
                copy_to_mofa_for_all_levels=self.timing.copy_to_mofa_for_all_levels,
                at=workflow.now(),
            ),
            c.TaskView,
        )
        self._opened(receipt)
        self._poke = True
        return self._result(receipt)

    @deliver_copy.validator
    def validate_deliver_copy(self, cmd: c.DeliverCopy) -> None:
        self._check_copy(cmd)

    def _check_copy(self, cmd: c.DeliverCopy) -> TaskState:
        task = self.s.tasks.get(self.s.duty_task_id or "")
        if task is None:
            raise _refuse(c.Refusal.WRONG_PHASE, "no signed copy or notice is owed now")
        if task.status in ("DONE", "CANCELLED"):
            raise _refuse(c.Refusal.ALREADY_ANSWERED, "the copy was already delivered")
        if not self._is_assignee(task, cmd.actor):
            raise _refuse(c.Refusal.NOT_ASSIGNEE, "only the province's officers deliver it")
        return task

    def _check_province_action(self, actor: c.Actor, phase: str) -> None:
        if self.s.phase != phase or self.s.signing_in_flight:
            raise _refuse(c.Refusal.WRONG_PHASE, f"the agreement is {self.s.status}")
        sub = self._submission()
        if actor.role != "province_officer" or actor.org != sub.province:
            raise _refuse(c.Refusal.NOT_ASSIGNEE, "only the province's officers record this")

    # --- signals: the bridge and linked cases -----------------------------------------------

    @workflow.signal(name=c.SIGNAL_SUBMITTED)
    def submitted(self, sub: c.Submission) -> None:
        # A redelivered event, or an old round, changes nothing.
        if sub.event_id in self.s.seen_event_ids or sub.round <= self.s.round:
            return
        self.s.seen_event_ids = [*self.s.seen_event_ids, sub.event_id][-SEEN_EVENTS_KEPT:]
        self.s.pending.append(sub)
        self._poke = True

    @workflow.signal(name=c.SIGNAL_PARENT_CHANGED)
    def parent_changed(self, change: c.ParentChanged) -> None:
        self.s.expires_on = change.expires_on
        if self.s.status in ("IN_FORCE", "SUSPENDED"):
            self._unschedule(actions={Action.EXPIRING, Action.EXPIRE})
            self._schedule_expiry()
        self._poke = True

    @workflow.signal(name=c.SIGNAL_PARENT_ENDED)
    def parent_ended(self, ended: c.ParentEnded) -> None:
        self.s.status = ended.status
        if ended.status == "SUSPENDED":
            self.s.suspended = True
            self._unschedule(actions={Action.PLAN})
        else:
            self._unschedule(actions=set(AGREEMENT_TIMERS))
        self._poke = True

    @workflow.query(name=c.QUERY_STATE)
    def state(self) -> c.StateView:
        return c.StateView(
            agreement_id=self.s.agreement_id,
            phase=self.s.phase,
            status=self.s.status,
            round=self.s.round,
            tasks=[self._view(t) for t in self.s.tasks.values()],
        )

    # --- waiting, timers, continue-as-new ---------------------------------------------------

    async def _wait(self, done: Callable[[], bool]) -> None:
        """Wait for `done`, firing every timer that falls due meanwhile."""
        while not done():
            self._maybe_continue_as_new()
            nxt = min(self.s.timers, key=lambda t: t.at, default=None)
            self._poke = False
            if nxt is None:
                await workflow.wait_condition(lambda: done() or self._poke)
                continue
            delay = (nxt.at - workflow.now()).total_seconds()
            if delay > 0:
                try:
                    await workflow.wait_condition(lambda: done() or self._poke, timeout=delay)
                    continue
                except TimeoutError:
                    pass
            await self._fire_due()

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
            if not self._duty_delivered():
                name = (
                    c.Activities.RECORD_DUTY_REMINDER
                    if action == Action.DUTY_REMINDER
                    else c.Activities.RECORD_DUTY_OVERDUE
                )
                await self._activity(
                    name,
                    c.DutyTimer(
                        op_id=self._op(),
                        agreement_id=self.s.agreement_id,
                        duty=self.s.duty or Duty.COPY,
                        due_on=timer.due_on or _vn_today(workflow.now()),
                        at=workflow.now(),
                        copy_to_mofa_for_all_levels=self.timing.copy_to_mofa_for_all_levels,
                    ),
                    c.Done,
                )
        elif action == Action.EFFECTIVE:
            await self._apply_ending()
        elif action == Action.IN_FORCE:
            await self._agreement_timer(c.Activities.MARK_IN_FORCE)
            if self.s.status == "SIGNED":
                self.s.status = "IN_FORCE"
            self._schedule_expiry()
            self._schedule_plan()
        elif action == Action.PLAN:
            if self.s.status == "IN_FORCE" and not self.s.suspended:
                await self._agreement_timer(
                    c.Activities.RECORD_PLAN_DUE, days=timer.days, due_on=timer.due_on
                )
            self.s.last_plan_due_on = timer.due_on
            self._schedule_plan()
            # One year's history per run: decades in force stay small.
            self._continue_after_timer = True
        elif action == Action.EXPIRING:
            await self._agreement_timer(c.Activities.RECORD_EXPIRING, days=timer.days)
        elif action == Action.EXPIRE:
            await self._agreement_timer(c.Activities.MARK_EXPIRED)
            self.s.status = "EXPIRED"
            self._unschedule(actions=set(AGREEMENT_TIMERS))

    async def _fire_task_timer(self, timer: Timer) -> None:
        task = self.s.tasks.get(timer.task_id or "")
        if task is None or task.status != "OPEN":
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
        if task.status == "OPEN":
            self._schedule(Timer(nxt.next_escalate_at, Action.OVERDUE, task_id=task.task_id))

    async def _agreement_timer(
        self, activity: str, days: int | None = None, due_on: date | None = None
    ) -> None:
        await self._activity(
            activity,
            c.AgreementTimer(
                op_id=self._op(),
                agreement_id=self.s.agreement_id,
                at=workflow.now(),
                days=days,
                due_on=due_on,
            ),
            c.Done,
        )

    def _schedule(self, timer: Timer) -> None:
        self.s.timers.append(timer)
        self._poke = True

    def _unschedule(self, *, task_id: str | None = None, actions: set[str] | None = None) -> None:
        self.s.timers = [
            t
            for t in self.s.timers
            if not (
                (task_id is not None and t.task_id == task_id)
                or (actions is not None and t.action in actions)
            )
        ]

    def _schedule_expiry(self) -> None:
        expires_on = self.s.expires_on
        if expires_on is None:
            return
        now = workflow.now()
        for days in self.timing.expiry_reminder_days:
            at = _vn_at(expires_on - timedelta(days=days), MORNING)
            if at > now:
                self._schedule(Timer(at, Action.EXPIRING, days=days))
        # In force through its last day: it expires as that day ends.
        self._schedule(Timer(_vn_at(expires_on + timedelta(days=1)), Action.EXPIRE))

    def _schedule_plan(self) -> None:
        """The next reminder of the yearly implementation plan (due 15 November for the year
        after), while the agreement will still be in force that year."""
        now = workflow.now()
        year = _vn_today(now).year
        last = self.s.last_plan_due_on
        while True:
            due_on = date(year, self.timing.plan_due_month, self.timing.plan_due_day)
            if _vn_at(due_on) > now and (last is None or due_on > last):
                break
            year += 1
        plan_year = year + 1
        if self.s.expires_on is not None and self.s.expires_on < date(plan_year, 1, 1):
            return
        remind = _vn_at(due_on - timedelta(days=self.timing.plan_reminder_days_before), MORNING)
        self._schedule(Timer(max(remind, now), Action.PLAN, days=plan_year, due_on=due_on))

    def _start_duty(self, duty: str, due_on: date) -> None:
        self.s.duty = duty
        self.s.duty_due_on = due_on
        now = workflow.now()
        for days in self.timing.copy_reminder_days_before:
            at = _vn_at(due_on - timedelta(days=days), MORNING)
            if at > now:
                self._schedule(Timer(at, Action.DUTY_REMINDER, days=days, due_on=due_on))
        self._schedule(
            Timer(_vn_at(due_on + timedelta(days=1)), Action.DUTY_OVERDUE, due_on=due_on)
        )

    # --- steps that call activities ---------------------------------------------------------

    async def _open_consultations(self) -> None:
        new = [
            self._add_task(str(workflow.uuid4()), TaskKind.CONSULTATION, consultation_assignee(b))
            for b in self.s.ask_bodies
        ]
        resumed = [self.s.tasks[t] for t in self.s.resume_task_ids]
        for task in resumed:
            task.status = "OPENING"
        self._close_task(self.s.supplement_task_id, "DONE")
        self.s.status = "IN_CONSULTATION"
        sub = self._submission()
        days = (
            self.timing.reduced_working_days
            if sub.procedure == "REDUCED"
            else self.timing.consultation_working_days
        )
        result: c.Deadlines = await self._activity(
            c.Activities.OPEN_CONSULTATIONS,
            c.OpenConsultations(
                op_id=self._op(),
                agreement_id=self.s.agreement_id,
                at=workflow.now(),
                round=self.s.round,
                working_days=days,
                reminder_working_days_before=self.timing.reminder_working_days_before,
                new_tasks=[c.NewConsultation(task_id=t.task_id, body=t.org) for t in new],
                resumed_task_ids=[t.task_id for t in resumed],
                supplement_task_id=self.s.supplement_task_id,
            ),
            c.Deadlines,
        )
        for d in result.deadlines:
            task = self.s.tasks[d.task_id]
            task.escalations = 0
            self._opened(task, d.due_at)
            self._unschedule(task_id=d.task_id)
            if d.reminder_at is not None:
                self._schedule(Timer(d.reminder_at, Action.REMINDER, task_id=d.task_id))
            self._schedule(Timer(d.escalate_at, Action.OVERDUE, task_id=d.task_id))
        self.s.ask_bodies = []
        self.s.resume_task_ids = []
        self.s.supplement_task_id = None

    async def _return_dossier(self, requesting_task_id: str) -> None:
        # Clocks stop at once, before the province can see the return; an answer being
        # recorded right now stands.
        paused = [
            t for t in self._consultations() if t.status in ("OPEN", "OPENING") and not t.answering
        ]
        for task in paused:
            task.status = "PAUSED"
            self._unschedule(task_id=task.task_id)
        supplement = self._add_task(
            str(workflow.uuid4()), TaskKind.SUPPLEMENT, self._province_duty()
        )
        self.s.supplement_task_id = supplement.task_id
        self.s.status = "RETURNED"
        self.s.phase = Phase.RETURNED
        await self._activity(
            c.Activities.RETURN_DOSSIER,
            c.ReturnDossier(
                op_id=self._op(),
                agreement_id=self.s.agreement_id,
                requesting_task_id=requesting_task_id,
                paused_task_ids=[t.task_id for t in paused],
                supplement_task_id=supplement.task_id,
                at=workflow.now(),
            ),
            c.Done,
        )
        self._opened(supplement)

    async def _open_signing(self) -> None:
        """The province's duty to record the signing; from now on signing is accepted."""
        signing = self._add_task(str(workflow.uuid4()), TaskKind.SIGNING, self._province_duty())
        self.s.signing_task_id = signing.task_id
        self.s.phase = Phase.SIGNING
        await self._activity(
            c.Activities.OPEN_DUTY,
            c.OpenDuty(
                op_id=self._op(),
                agreement_id=self.s.agreement_id,
                task_id=signing.task_id,
                kind=TaskKind.SIGNING,
                at=workflow.now(),
            ),
            c.Done,
        )
        self._opened(signing)

    async def _apply_ending(self) -> None:
        sub = self._submission()
        notice = self._add_task(
            str(workflow.uuid4()), TaskKind.COPY_DELIVERY, self._province_duty()
        )
        self.s.duty_task_id = notice.task_id
        self.s.duty = Duty.NOTICE
        effect: c.ParentEffect = await self._activity(
            c.Activities.APPLY_ENDING_TO_PARENT,
            c.ApplyEndingToParent(
                op_id=self._op(),
                case_id=self.s.agreement_id,
                parent_id=sub.parent_id or "",
                notice_task_id=notice.task_id,
                notice_calendar_days=self.timing.notice_calendar_days,
                copy_to_mofa_for_all_levels=self.timing.copy_to_mofa_for_all_levels,
                at=workflow.now(),
            ),
            c.ParentEffect,
        )
        self._opened(notice)
        self.s.status = effect.status
        self._start_duty(Duty.NOTICE, effect.notice_due_on or _vn_today(workflow.now()))
        self.s.follow_up_ready = True
        await self._signal_parent(
            effect.parent_id,
            c.SIGNAL_PARENT_ENDED,
            c.ParentEnded(
                case_id=self.s.agreement_id,
                status=effect.status,
                effective_on=effect.effective_on or _vn_today(workflow.now()),
            ),
        )

    async def _signal_parent(self, parent_id: str, signal: str, arg: Any) -> None:
        """Tell the changed agreement's workflow; one imported before the system existed has
        none, and its record was already changed by the activity."""
        handle = workflow.get_external_workflow_handle(c.workflow_id(parent_id))
        try:
            await handle.signal(signal, arg)
        except Exception as exc:
            workflow.logger.info("no running workflow for %s: %s", parent_id, exc)

    async def _activity(self, name: str, arg: Any, result_type: type[Any]) -> Any:
        return await workflow.execute_activity(
            name,
            arg,
            result_type=result_type,
            task_queue=c.ACTIVITY_TASK_QUEUE,
            # One short transaction each: a worker killed mid-attempt is retried elsewhere soon.
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=ACTIVITY_RETRY,
        )

    # --- small helpers ----------------------------------------------------------------------

    def _op(self) -> str:
        return str(workflow.uuid4())

    def _submission(self) -> c.Submission:
        assert self.s.submission is not None
        return self.s.submission

    def _case_kind(self) -> str:
        return self._submission().case_kind

    def _add_task(self, task_id: str, kind: str, assignee: Any) -> TaskState:
        """Known to the workflow before any activity makes it visible (status OPENING), so
        an update arriving the moment it shows up waits for it instead of being refused.
        `assignee`: anything with a role and an org."""
        task = TaskState(
            task_id=task_id,
            kind=kind,
            role=str(assignee.role),
            org=assignee.org,
            round=self.s.round,
        )
        self.s.tasks[task_id] = task
        return task

    def _opened(self, task: TaskState, due_at: datetime | None = None) -> None:
        if task.status == "OPENING":
            task.status = "OPEN"
        task.due_at = due_at or task.due_at
        self._poke = True

    def _province_duty(self) -> Any:
        return province_duty_assignee(self._submission().province)

    def _close_task(self, task_id: str | None, status: str) -> None:
        if task_id and task_id in self.s.tasks:
            self.s.tasks[task_id].status = "DONE" if status == "DONE" else status
            self._unschedule(task_id=task_id)

    def _current(self, kind: str) -> TaskState | None:
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
            t.status == "DONE" for t in latest.values()
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
            if t.status == "DONE"
        }

    def _is_assignee(self, task: TaskState, actor: c.Actor) -> bool:
        if actor.org != task.org:
            return False
        if task.role == "reviewer":
            return actor.role in ("reviewer", "supervisor")
        return actor.role == task.role

    def _duty_delivered(self) -> bool:
        task = self.s.tasks.get(self.s.duty_task_id or "")
        return task is not None and task.status == "DONE"

    def _follow_up_finished(self) -> bool:
        duty_done = self.s.duty is None or self.s.duty_received
        if self._case_kind() != CaseKind.CONCLUSION:
            return duty_done
        return duty_done and self.s.status in ("EXPIRED", "TERMINATED", "WITHDRAWN")

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
