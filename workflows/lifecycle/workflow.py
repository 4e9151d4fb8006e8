"""AgreementLifecycleWorkflow: one agreement's procedure after submission (domain.md §2).

Consultation of the bodies the law names, with reminders and daily escalation once overdue;
return of an incomplete dossier and resumption; the Prime Minister's opinion on a disagreement
at provincial level; the leader's decision; signing, the 15-day copy or notice duty; then the
years in force with the yearly plan and the expiry reminders. Change cases (amendments,
terminations...) are agreements of their own kind and run here too.

Orchestration only: every rule comes from common/law (who is consulted and decides, every
figure and schedule), every effect is an activity of the agreements service (task queue
`agreements`), every moment is Temporal's clock, and the whole state is one dataclass that
continue-as-new carries over, so the history stays small however long the agreement lives.
This module holds the phases; handlers.py the updates, signals and query; steps.py the steps
that change the record; timers.py the clock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from temporalio import workflow

from workflows.lifecycle import patches
from workflows.lifecycle.handlers import HandlersMixin

with workflow.unsafe.imports_passed_through():
    import workflows.lifecycle.contracts as c
    from common.law.calendar import local_date
    from common.law.routing import (
        Assignee,
        committee_chair,
        consulted_bodies,
        decider,
        needs_pm_opinion,
        pm_assignee,
    )
    from common.law.vocabulary import (
        CHANGE_KINDS,
        ENDING_KINDS,
        AgreementStatus,
        CaseKind,
        Duty,
        Outcome,
        TaskKind,
        TaskStatus,
    )
    from workflows.lifecycle.state import Action, LifecycleInput, Phase, Timer


@workflow.defn(name=c.WORKFLOW_NAME)
class AgreementLifecycleWorkflow(HandlersMixin):
    @workflow.run
    async def run(self, inp: LifecycleInput) -> str:
        self._lean_history()
        self.timing = inp.timing
        if inp.state is not None:
            self.s = inp.state
        else:
            self.s.agreement_id = inp.agreement_id
        phases: dict[Phase, Callable[[], Any]] = {
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
            fields=sub.fields,
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
        if sub.text_sha256 and self._patched(patches.RECONSULT_CHANGED_TEXT):
            # A body's opinion on an earlier text is no opinion on this one: it is asked again
            # (the earlier opinion stays on record, marked as given on an earlier text).
            self.s.ask_bodies += [
                body
                for body, t in self._latest_by_body().items()
                if t.status == TaskStatus.DONE
                and body not in self.s.ask_bodies
                and sorted(t.text_sha256) != sorted(sub.text_sha256)
            ]
        self.s.resume_task_ids = [
            t.task_id for t in self._consultations() if t.status == TaskStatus.PAUSED
        ]
        self.s.phase = Phase.CONSULTATION

    async def _pm_opinion(self) -> None:
        task = self._current(TaskKind.PM_OPINION)
        if task is None:
            task_id = str(workflow.uuid4())
            disagreeing = sorted(b for b, o in self._opinions().items() if o == Outcome.DISAGREE)
            task = self._add_task(task_id, TaskKind.PM_OPINION, pm_assignee())
            self.s.status = AgreementStatus.AWAITING_PM_OPINION
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
        await self._wait(lambda: task.status == TaskStatus.DONE)
        self.s.pm_outcome = task.outcome
        if task.outcome == Outcome.REFUSE:
            self.s.status = AgreementStatus.REJECTED
            self.s.phase = Phase.DONE
        else:
            self.s.phase = Phase.DECISION

    async def _decision(self) -> None:
        task = self._current(TaskKind.DECISION)
        if task is None:
            task_id = str(workflow.uuid4())
            assignee = self._decider()
            task = self._add_task(task_id, TaskKind.DECISION, assignee)
            self.s.status = AgreementStatus.AWAITING_DECISION
            await self._activity(
                c.Activities.OPEN_DECISION,
                c.OpenDecision(
                    op_id=self._op(),
                    agreement_id=self.s.agreement_id,
                    task_id=task_id,
                    opinions=self._opinions(),
                    pm_outcome=self.s.pm_outcome,
                    at=workflow.now(),
                    decider_role=assignee.role,
                    decider_org=assignee.org,
                ),
                c.Done,
            )
            self._opened(task)
        await self._wait(lambda: task.status == TaskStatus.DONE)
        if task.outcome == Outcome.REJECT:
            self.s.status = AgreementStatus.REJECTED
            self.s.phase = Phase.DONE
            return
        self.s.status = AgreementStatus.APPROVED
        if self._case_kind() in ENDING_KINDS:
            self._schedule_at(self.s.effective_on or local_date(workflow.now()), Action.EFFECTIVE)
            self.s.phase = Phase.EFFECTIVE_WAIT
            return
        if self.s.signing_task_id is None:  # normally opened by the approving update
            await self._open_signing()

    def _decider(self) -> Assignee:
        sub = self._submission()
        if self._patched(patches.DECIDER_BY_LEVEL):
            return decider(
                sub.signatory_level,
                sub.province,
                provincial_org_decider=self.timing.provincial_org_decider,
            )
        return committee_chair(sub.province)  # runs that reached the decision before it

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
            self._schedule_at(signed.effective_from, Action.IN_FORCE)
        self.s.phase = Phase.FOLLOW_UP

    async def _effective_wait(self) -> None:
        await self._wait(lambda: self.s.follow_up_ready)
        self.s.phase = Phase.FOLLOW_UP

    async def _follow_up(self) -> None:
        await self._wait(self._follow_up_finished)
        self.s.phase = Phase.DONE
