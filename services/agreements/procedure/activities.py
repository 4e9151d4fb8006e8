"""The Temporal activities the agreements service hosts (task queue `agreements`).

Each runs one step of the procedure (consultation.py, decision.py, duties.py, follow_up.py) in
one write transaction, together with a record of the
workflow's op id: a retry after a commit whose acknowledgement was lost answers with the first
result, so no task, opinion or event is ever written twice.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar, cast, get_type_hints

from pydantic import TypeAdapter
from sqlalchemy import bindparam, insert
from sqlmodel import Session, col, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from common.db import Database, utcnow
from services.agreements.models import ActivityOp
from services.agreements.procedure import consultation, decision, duties, follow_up
from services.agreements.procedure.records import AgreementMissing
from workflows.lifecycle import contracts as c

In = TypeVar("In")
Out = TypeVar("Out")
_ANY: TypeAdapter[Any] = TypeAdapter(Any)
# Built once, run on the session's connection: through the ORM (session.get, a row object
# added and flushed) the op's record cost 0.5-0.7 ms more per step (docs/performance.md).
_DONE = select(col(ActivityOp.result)).where(col(ActivityOp.op_id) == bindparam("op_id"))
_RECORD = insert(ActivityOp.__table__)  # type: ignore[attr-defined]


class LifecycleActivities:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _once(self, name: str, op_id: str, use_case: Callable[[Session, In], Out], inp: In) -> Out:
        with self.db.write_session() as session:
            done = session.connection().execute(_DONE, {"op_id": op_id}).first()
            if done is not None:
                return cast(Out, _result_type(use_case).validate_python(done[0]))
            try:
                result = use_case(session, inp)
            except AgreementMissing as exc:
                raise ApplicationError(
                    f"{exc} is not in the database", type="AgreementMissing", non_retryable=True
                ) from exc
            session.execute(
                _RECORD,
                {
                    "op_id": op_id,
                    "name": name,
                    "result": _ANY.dump_python(result, mode="json"),
                    "created_at": utcnow(),
                },
            )
            session.commit()
            return result

    @activity.defn(name=c.Activities.OPEN_CONSULTATIONS)
    def open_consultations(self, inp: c.OpenConsultations) -> c.Deadlines:
        return self._once(
            c.Activities.OPEN_CONSULTATIONS, inp.op_id, consultation.open_consultations, inp
        )

    @activity.defn(name=c.Activities.RECORD_TASK_REMINDER)
    def record_task_reminder(self, inp: c.TaskTimer) -> c.Done:
        return self._once(
            c.Activities.RECORD_TASK_REMINDER, inp.op_id, consultation.record_task_reminder, inp
        )

    @activity.defn(name=c.Activities.RECORD_TASK_OVERDUE)
    def record_task_overdue(self, inp: c.TaskTimer) -> c.Escalated:
        return self._once(
            c.Activities.RECORD_TASK_OVERDUE, inp.op_id, consultation.record_task_overdue, inp
        )

    @activity.defn(name=c.Activities.RECORD_ANSWER)
    def record_answer(self, inp: c.RecordAnswer) -> c.Answered:
        return self._once(c.Activities.RECORD_ANSWER, inp.op_id, decision.record_answer, inp)

    @activity.defn(name=c.Activities.RECORD_CLAIM)
    def record_claim(self, inp: c.RecordClaim) -> c.Done:
        return self._once(c.Activities.RECORD_CLAIM, inp.op_id, decision.record_claim, inp)

    @activity.defn(name=c.Activities.RETURN_DOSSIER)
    def return_dossier(self, inp: c.ReturnDossier) -> c.Done:
        return self._once(c.Activities.RETURN_DOSSIER, inp.op_id, consultation.return_dossier, inp)

    @activity.defn(name=c.Activities.OPEN_PM_OPINION)
    def open_pm_opinion(self, inp: c.OpenPmOpinion) -> c.Deadline:
        return self._once(c.Activities.OPEN_PM_OPINION, inp.op_id, decision.open_pm_opinion, inp)

    @activity.defn(name=c.Activities.OPEN_DECISION)
    def open_decision(self, inp: c.OpenDecision) -> c.Done:
        return self._once(c.Activities.OPEN_DECISION, inp.op_id, decision.open_decision, inp)

    @activity.defn(name=c.Activities.OPEN_DUTY)
    def open_duty(self, inp: c.OpenDuty) -> c.Done:
        return self._once(c.Activities.OPEN_DUTY, inp.op_id, duties.open_duty, inp)

    @activity.defn(name=c.Activities.RECORD_SIGNING)
    def record_signing(self, inp: c.RecordSigning) -> c.Signed:
        return self._once(c.Activities.RECORD_SIGNING, inp.op_id, duties.record_signing, inp)

    @activity.defn(name=c.Activities.RESTART_FOR_CHANGED_TEXT)
    def restart_for_changed_text(self, inp: c.RestartForChangedText) -> c.Done:
        return self._once(
            c.Activities.RESTART_FOR_CHANGED_TEXT,
            inp.op_id,
            duties.restart_for_changed_text,
            inp,
        )

    @activity.defn(name=c.Activities.APPLY_CHANGE_TO_PARENT)
    def apply_change_to_parent(self, inp: c.ApplyChangeToParent) -> c.ParentEffect:
        return self._once(
            c.Activities.APPLY_CHANGE_TO_PARENT, inp.op_id, follow_up.apply_change_to_parent, inp
        )

    @activity.defn(name=c.Activities.APPLY_ENDING_TO_PARENT)
    def apply_ending_to_parent(self, inp: c.ApplyEndingToParent) -> c.ParentEffect:
        return self._once(
            c.Activities.APPLY_ENDING_TO_PARENT, inp.op_id, follow_up.apply_ending_to_parent, inp
        )

    @activity.defn(name=c.Activities.RECORD_COPY_DELIVERED)
    def record_copy_delivered(self, inp: c.RecordCopyDelivered) -> c.TaskView:
        return self._once(
            c.Activities.RECORD_COPY_DELIVERED, inp.op_id, duties.record_copy_delivered, inp
        )

    @activity.defn(name=c.Activities.RECORD_DUTY_REMINDER)
    def record_duty_reminder(self, inp: c.DutyTimer) -> c.Done:
        return self._once(
            c.Activities.RECORD_DUTY_REMINDER, inp.op_id, duties.record_duty_reminder, inp
        )

    @activity.defn(name=c.Activities.RECORD_DUTY_OVERDUE)
    def record_duty_overdue(self, inp: c.DutyTimer) -> c.Done:
        return self._once(
            c.Activities.RECORD_DUTY_OVERDUE, inp.op_id, duties.record_duty_overdue, inp
        )

    @activity.defn(name=c.Activities.MARK_IN_FORCE)
    def mark_in_force(self, inp: c.AgreementTimer) -> c.Done:
        return self._once(c.Activities.MARK_IN_FORCE, inp.op_id, follow_up.mark_in_force, inp)

    @activity.defn(name=c.Activities.RECORD_PLAN_DUE)
    def record_plan_due(self, inp: c.AgreementTimer) -> c.Done:
        return self._once(c.Activities.RECORD_PLAN_DUE, inp.op_id, follow_up.record_plan_due, inp)

    @activity.defn(name=c.Activities.RECORD_EXPIRING)
    def record_expiring(self, inp: c.AgreementTimer) -> c.Done:
        return self._once(c.Activities.RECORD_EXPIRING, inp.op_id, follow_up.record_expiring, inp)

    @activity.defn(name=c.Activities.MARK_EXPIRED)
    def mark_expired(self, inp: c.AgreementTimer) -> c.Done:
        return self._once(c.Activities.MARK_EXPIRED, inp.op_id, follow_up.mark_expired, inp)

    def all(self) -> list[Callable[..., Any]]:
        return [
            self.open_consultations,
            self.record_task_reminder,
            self.record_task_overdue,
            self.record_answer,
            self.return_dossier,
            self.open_pm_opinion,
            self.open_decision,
            self.open_duty,
            self.record_signing,
            self.restart_for_changed_text,
            self.apply_change_to_parent,
            self.apply_ending_to_parent,
            self.record_copy_delivered,
            self.record_duty_reminder,
            self.record_duty_overdue,
            self.mark_in_force,
            self.record_plan_due,
            self.record_expiring,
            self.mark_expired,
            self.record_claim,
        ]


@cache
def _result_type(use_case: Callable[..., Any]) -> TypeAdapter[Any]:
    """How to read back a stored result: the use case's declared return type."""
    return TypeAdapter(get_type_hints(use_case)["return"])
