"""The lifecycle workflow's steps that change the agreement's record: each asks the agreements
service's worker to do it (one transaction with its event) and records in the
workflow's state what people may do next."""

from __future__ import annotations

from typing import Any

from temporalio import workflow

from workflows.lifecycle import patches
from workflows.lifecycle.timers import TimersMixin

with workflow.unsafe.imports_passed_through():
    import workflows.lifecycle.contracts as c
    from common.law.calendar import local_date
    from common.law.routing import consultation_assignee, duties_after_signing
    from common.law.vocabulary import AgreementStatus, Duty, TaskKind, TaskStatus
    from workflows.lifecycle.state import OPENING, Action, DutyState, Phase, Timer


class StepsMixin(TimersMixin):
    async def _open_consultations(self) -> None:
        new = [
            self._add_task(str(workflow.uuid4()), TaskKind.CONSULTATION, consultation_assignee(b))
            for b in self.s.ask_bodies
        ]
        resumed = [self.s.tasks[t] for t in self.s.resume_task_ids]
        for task in resumed:
            task.status = OPENING
        for task in [*new, *resumed]:
            task.text_sha256 = list(self._submission().text_sha256)
        self._close_task(self.s.supplement_task_id, TaskStatus.DONE)
        self.s.status = AgreementStatus.IN_CONSULTATION
        result: c.Deadlines = await self._activity(
            c.Activities.OPEN_CONSULTATIONS,
            c.OpenConsultations(
                op_id=self._op(),
                agreement_id=self.s.agreement_id,
                at=workflow.now(),
                round=self.s.round,
                working_days=self.timing.consultation_days(self._submission().procedure),
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
            t
            for t in self._consultations()
            if t.status in (TaskStatus.OPEN, OPENING) and not t.answering
        ]
        for task in paused:
            task.status = TaskStatus.PAUSED
            self._unschedule(task_id=task.task_id)
        supplement = self._add_task(
            str(workflow.uuid4()), TaskKind.SUPPLEMENT, self._province_duty()
        )
        self.s.supplement_task_id = supplement.task_id
        self.s.status = AgreementStatus.RETURNED
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

    async def _restart_for_changed_text(self, cmd: c.Sign) -> None:
        """The text about to be signed is not the one approved: consultation again."""
        self._close_task(self.s.signing_task_id, TaskStatus.CANCELLED)
        self.s.signing_task_id = None
        self.s.round += 1
        self.s.text_changed = True
        self.s.ask_bodies = list(self.s.bodies)
        self.s.pm_outcome = None
        self.s.status = AgreementStatus.IN_CONSULTATION
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
        report_task = None
        level = self._submission().signatory_level
        if Duty.REPORT in duties_after_signing(level) and self._patched(patches.REPORT_DUTY):
            report_task = self._add_task(
                str(workflow.uuid4()), TaskKind.COPY_DELIVERY, self._province_duty(), Duty.REPORT
            )
        self._close_task(self.s.signing_task_id, TaskStatus.DONE)
        self.s.status = AgreementStatus.SIGNED
        signed: c.Signed = await self._activity(
            c.Activities.RECORD_SIGNING,
            c.RecordSigning(
                op_id=self._op(),
                agreement_id=self.s.agreement_id,
                sign=cmd,
                copy_task_id=copy_task.task_id,
                copy_calendar_days=self.timing.copy_calendar_days,
                copy_to_mofa_for_all_levels=self.timing.copy_to_mofa_for_all_levels,
                at=workflow.now(),
                report_task_id=report_task.task_id if report_task else None,
            ),
            c.Signed,
        )
        self.s.signed = signed
        self._opened(copy_task)
        if report_task is not None:
            self._opened(report_task)
            self._start_extra_duty(
                DutyState(
                    duty=Duty.REPORT,
                    due_on=signed.report_due_on or signed.copy_due_on,
                    task_id=report_task.task_id,
                )
            )

    async def _apply_ending(self) -> None:
        """An approved termination, withdrawal or suspension takes effect today."""
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
        self._start_duty(Duty.NOTICE, effect.notice_due_on or local_date(workflow.now()))
        self.s.follow_up_ready = True
        await self._signal_parent(
            effect.parent_id,
            c.SIGNAL_PARENT_ENDED,
            c.ParentEnded(
                case_id=self.s.agreement_id,
                status=effect.status,
                effective_on=effect.effective_on or local_date(workflow.now()),
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
