"""What reaches the lifecycle workflow from outside: people's answers, signing and copies as
updates (validated at once, so a person gets a definite answer), the bridge's submissions and
linked cases' changes as signals, and the state as a query. Who may act is decided by
common/law/routing.py."""

from __future__ import annotations

from temporalio import workflow

from workflows.lifecycle.base import refuse
from workflows.lifecycle.steps import StepsMixin

with workflow.unsafe.imports_passed_through():
    import workflows.lifecycle.contracts as c
    from common.law.routing import (
        claim_stops,
        duty_recipient,
        may_act_on,
        may_release_claim,
    )
    from common.law.vocabulary import (
        ANSWERED_BY_DECISION,
        CLOSED_TASK_STATUSES,
        ENDING_KINDS,
        OUTCOMES,
        PRIMARY_DUTIES,
        AgreementStatus,
        Duty,
        Outcome,
        TaskKind,
        TaskStatus,
    )
    from workflows.lifecycle.state import (
        AGREEMENT_TIMERS,
        OPENING,
        Action,
        Phase,
        TaskState,
    )

# Submissions already taken in, by event id: a redelivered event changes nothing.
SEEN_EVENTS_KEPT = 50


class HandlersMixin(StepsMixin):
    # --- updates: people acting on their tasks ---------------------------------------------

    @workflow.update(name=c.UPDATE_DECIDE)
    async def decide(self, cmd: c.Decide) -> c.UpdateResult:
        task = self._check_decide(cmd)
        # Someone quick enough saw the task the moment its row appeared: let it finish opening.
        await workflow.wait_condition(lambda: task.status != OPENING)
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
        task.status = TaskStatus.DONE
        task.outcome = answered.outcome
        self._unschedule(task_id=task.task_id)
        if task.kind == TaskKind.COPY_RECEIPT:
            extra = self._extra_duty(task.task_id)
            if extra is not None:
                extra.received = True
            else:
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
            raise refuse(c.Refusal.TASK_UNKNOWN, f"task {cmd.task_id} is not part of this case")
        if task.kind not in ANSWERED_BY_DECISION:
            raise refuse(c.Refusal.WRONG_PHASE, f"a {task.kind} task is done by its own action")
        if task.status == TaskStatus.PAUSED:
            raise refuse(c.Refusal.TASK_PAUSED, "the dossier is back with the province")
        if task.status in CLOSED_TASK_STATUSES or task.answering:
            raise refuse(c.Refusal.ALREADY_ANSWERED, "this task has already been answered")
        if not self._is_assignee(task, cmd.actor):
            raise refuse(c.Refusal.NOT_ASSIGNEE, "this task is assigned to another organisation")
        self._check_claimed(task, cmd.actor)
        allowed = OUTCOMES[TaskKind(task.kind)]
        if cmd.outcome not in allowed:
            names = ", ".join(sorted(allowed))
            raise refuse(c.Refusal.INVALID_OUTCOME, f"allowed outcomes: {names}")
        return task

    @workflow.update(name=c.UPDATE_CLAIM)
    async def claim(self, cmd: c.Claim) -> c.ClaimResult:
        task = self._check_claim(cmd)
        previous = task.claimed_by
        holder = None if cmd.action == c.ClaimAction.RELEASE else cmd.actor.subject
        task.claimed_by = holder  # before the activity: a second claim meanwhile sees it
        taken_over = cmd.action == c.ClaimAction.TAKE_OVER and previous not in (None, holder)
        await self._activity(
            c.Activities.RECORD_CLAIM,
            c.RecordClaim(
                op_id=self._op(),
                agreement_id=self.s.agreement_id,
                task_id=task.task_id,
                claimed_by=holder,
                taken_over_from=previous if taken_over else None,
                at=workflow.now(),
            ),
            c.Done,
        )
        return c.ClaimResult(task_id=task.task_id, claimed_by=holder, previous=previous)

    @claim.validator
    def validate_claim(self, cmd: c.Claim) -> None:
        self._check_claim(cmd)

    def _check_claim(self, cmd: c.Claim) -> TaskState:
        task = self.s.tasks.get(cmd.task_id)
        if task is None:
            raise refuse(c.Refusal.TASK_UNKNOWN, f"task {cmd.task_id} is not part of this case")
        if task.status in CLOSED_TASK_STATUSES or task.status == OPENING or task.answering:
            raise refuse(c.Refusal.TASK_CLOSED, "this task is not open")
        actor = cmd.actor
        if cmd.action == c.ClaimAction.RELEASE:
            if not may_release_claim(task.claimed_by, subject=actor.subject, role=actor.role):
                raise refuse(c.Refusal.TASK_CLAIMED, "only its holder or a supervisor releases it")
            return task
        if not self._is_assignee(task, actor):
            raise refuse(c.Refusal.NOT_ASSIGNEE, "this task is assigned to another organisation")
        if cmd.action == c.ClaimAction.CLAIM:
            self._check_claimed(task, actor)
        return task

    def _check_claimed(self, task: TaskState, actor: c.Actor) -> None:
        if claim_stops(task.claimed_by, subject=actor.subject, role=actor.role):
            raise refuse(c.Refusal.TASK_CLAIMED, f"{task.claimed_by} holds this task")

    @workflow.update(name=c.UPDATE_SIGN)
    async def sign(self, cmd: c.Sign) -> c.UpdateResult:
        self._check_province_action(cmd.actor, Phase.SIGNING)
        signing = self.s.tasks[self.s.signing_task_id or ""]
        self.s.signing_in_flight = True
        try:
            await workflow.wait_condition(lambda: signing.status != OPENING)
            if cmd.text_changed:
                await self._restart_for_changed_text(cmd)
            else:
                await self._record_signing(cmd)
        finally:
            self.s.signing_in_flight = False
        self._poke = True
        return self._result(None)

    @sign.validator
    def validate_sign(self, cmd: c.Sign) -> None:
        self._check_province_action(cmd.actor, Phase.SIGNING)

    @workflow.update(name=c.UPDATE_DELIVER_COPY)
    async def deliver_copy(self, cmd: c.DeliverCopy) -> c.UpdateResult:
        duty_task = self._check_copy(cmd)
        await workflow.wait_condition(lambda: duty_task.status != OPENING)
        duty_task = self._check_copy(cmd)
        sub = self._submission()
        extra = self._extra_duty(duty_task.task_id)
        duty = extra.duty if extra is not None else self.s.duty or Duty.COPY
        recipient = duty_recipient(
            duty,
            sub.signatory_level,
            sub.province,
            to_mofa_for_all_levels=self.timing.copy_to_mofa_for_all_levels,
        )
        receipt = self._add_task(
            str(workflow.uuid4()),
            TaskKind.COPY_RECEIPT,
            recipient,
            duty if extra is not None else None,
        )
        if extra is not None:
            extra.receipt_task_id = receipt.task_id
        else:
            self.s.receipt_task_id = receipt.task_id
            # The copy's (or notice's) own reminders; a report's follow its task.
            self.s.timers = [
                t
                for t in self.s.timers
                if not (
                    t.action in (Action.DUTY_REMINDER, Action.DUTY_OVERDUE) and t.task_id is None
                )
            ]
        self._close_task(duty_task.task_id, TaskStatus.DONE)
        await self._activity(
            c.Activities.RECORD_COPY_DELIVERED,
            c.RecordCopyDelivered(
                op_id=self._op(),
                agreement_id=self.s.agreement_id,
                duty=duty,
                delivered_on=cmd.delivered_on,
                note=cmd.note,
                actor=cmd.actor,
                receipt_task_id=receipt.task_id,
                copy_to_mofa_for_all_levels=self.timing.copy_to_mofa_for_all_levels,
                at=workflow.now(),
                delivery_task_id=duty_task.task_id,
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
        task = self._delivery_task(cmd.duty)
        if task is None:
            raise refuse(c.Refusal.WRONG_PHASE, f"no {cmd.duty or 'copy or notice'} is owed now")
        if task.status in CLOSED_TASK_STATUSES:
            raise refuse(c.Refusal.ALREADY_ANSWERED, "the copy was already delivered")
        if not self._is_assignee(task, cmd.actor):
            raise refuse(c.Refusal.NOT_ASSIGNEE, "only the province's officers deliver it")
        self._check_claimed(task, cmd.actor)
        return task

    def _delivery_task(self, duty: Duty | None) -> TaskState | None:
        """The province's task of delivering this duty: the case's copy or notice when no
        duty (or that one) is named, else the report, or the earliest plan not delivered."""
        if duty is None or duty in PRIMARY_DUTIES:
            return self.s.tasks.get(self.s.duty_task_id or "")
        owed = [
            self.s.tasks[d.task_id]
            for d in self.s.extra_duties
            if d.duty == duty and d.task_id in self.s.tasks
        ]
        open_ = [t for t in owed if t.status not in CLOSED_TASK_STATUSES]
        found = open_ or owed
        return found[0] if found else None

    def _check_province_action(self, actor: c.Actor, phase: Phase) -> None:
        if self.s.phase != phase or self.s.signing_in_flight:
            raise refuse(c.Refusal.WRONG_PHASE, f"the agreement is {self.s.status}")
        if not may_act_on(self._province_duty(), role=actor.role, org=actor.org):
            raise refuse(c.Refusal.NOT_ASSIGNEE, "only the province's officers record this")

    # --- signals: the bridge and linked cases ----------------------------------------------

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
        if self.s.status in (AgreementStatus.IN_FORCE, AgreementStatus.SUSPENDED):
            self._unschedule(actions={Action.EXPIRING, Action.EXPIRE})
            self._schedule_expiry()
        self._poke = True

    @workflow.signal(name=c.SIGNAL_PARENT_ENDED)
    def parent_ended(self, ended: c.ParentEnded) -> None:
        self.s.status = ended.status
        if ended.status == AgreementStatus.SUSPENDED:
            self.s.suspended = True
            self._unschedule(actions={Action.PLAN})
        elif ended.status == AgreementStatus.IN_FORCE:  # a resumption ended the suspension
            self.s.suspended = False
            if not any(t.action == Action.PLAN for t in self.s.timers):
                self._schedule_plan()
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
