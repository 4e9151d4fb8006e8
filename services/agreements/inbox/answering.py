"""Answering a task (an opinion, the Prime Minister's answer, the leader's decision, a receipt):
what can be told before asking the workflow, then the workflow's own verdict as a Temporal
update, then the task as it now stands. The API and the pages both answer through here."""

from __future__ import annotations

from functools import partial

from anyio import to_thread
from sqlmodel import Session, col, select

from common.auth import Principal, Role
from common.db import Database
from common.law.drafting import Violation
from common.law.routing import claim_stops
from common.law.vocabulary import ANSWERED_BY_DECISION, COMMENT_REQUIRED, OUTCOMES, DocumentKind
from services.agreements.drafting import uploads
from services.agreements.errors import Conflict, Forbidden, RulesBroken
from services.agreements.inbox import tasks
from services.agreements.models import (
    Agreement,
    DecisionCreate,
    DecisionPublic,
    Document,
    Task,
)
from services.agreements.procedure.engine import Engine, actor
from workflows.lifecycle import contracts as c

# A written opinion is filed in the language of the administration that writes it.
OPINION_LANGUAGE = "vi"


def check_answer(
    session: Session, *, principal: Principal, task_id: str, body: DecisionCreate
) -> str:
    """Everything that can be told before asking the workflow; returns the agreement's id.
    The workflow's validator still decides whether the task is open and the caller's."""
    task, agreement = tasks.get_task(session, principal=principal, task_id=task_id)
    if principal.role is Role.ADMIN:
        raise Forbidden("not_assignee")
    if task.kind not in ANSWERED_BY_DECISION:
        raise Conflict("task_done_by_action", kind=task.kind.value)
    violations: list[Violation] = []
    allowed = OUTCOMES[task.kind]
    if body.outcome not in allowed:
        violations.append(
            Violation(
                "outcome",
                "outcome_not_allowed",
                {
                    "value": body.outcome.value,
                    "kind": task.kind.value,
                    "allowed": ", ".join(sorted(allowed)),
                },
            )
        )
    if body.outcome in COMMENT_REQUIRED and not body.comment.strip():
        violations.append(Violation("comment", "comment_required", {"value": body.outcome.value}))
    if body.document_ids:
        known = set(
            session.exec(
                select(Document.id).where(
                    Document.agreement_id == agreement.id,
                    col(Document.id).in_(body.document_ids),
                )
            ).all()
        )
        for i, doc_id in enumerate(body.document_ids):
            if doc_id not in known:
                violations.append(
                    Violation(f"document_ids.{i}", "unknown_document", {"value": doc_id})
                )
    if violations:
        raise RulesBroken(violations)
    if claim_stops(task.claimed_by, subject=principal.subject, role=principal.role):
        raise Conflict("task_claimed", by=task.claimed_by)
    return agreement.id


def prepare_answer(
    db: Database,
    *,
    principal: Principal,
    task_id: str,
    body: DecisionCreate,
    opinion: uploads.Upload | None = None,
) -> tuple[str, c.Decide]:
    """The checks, then the written opinion (if one was sent) attached to the dossier: the
    agreement's id and the command for its workflow."""
    with db.session() as session:
        agreement_id = check_answer(session, principal=principal, task_id=task_id, body=body)
    document_ids = list(body.document_ids)
    if opinion is not None:
        doc = uploads.upload_document(
            db,
            principal=principal,
            agreement_id=agreement_id,
            kind=DocumentKind.OPINION,
            language=OPINION_LANGUAGE,
            upload=opinion,
        )
        document_ids.append(doc.id)
    return agreement_id, c.Decide(
        task_id=task_id,
        outcome=body.outcome.value,
        comment=body.comment,
        document_ids=document_ids,
        actor=actor(principal),
    )


def answered(
    session: Session, *, principal: Principal, task_id: str, result: c.UpdateResult
) -> DecisionPublic:
    task, agreement = tasks.get_task(session, principal=principal, task_id=task_id)
    return DecisionPublic(task=tasks.to_public(task, agreement), agreement_status=result.status)


async def answer_task(
    *,
    db: Database,
    engine: Engine,
    principal: Principal,
    task_id: str,
    body: DecisionCreate,
    update_id: str,
    opinion: uploads.Upload | None = None,
) -> DecisionPublic:
    """Answer a task. The workflow answers at once whether the task is open, the caller's and
    not yet answered: the new state, or a definite refusal. Of two people answering the same
    task at the same moment, exactly one wins; Temporal keeps an update's outcome by its id,
    so a retry with the same `update_id` gets the same answer."""
    agreement_id, decide = await to_thread.run_sync(
        partial(
            prepare_answer, db, principal=principal, task_id=task_id, body=body, opinion=opinion
        )
    )
    result = await engine.update(agreement_id, c.UPDATE_DECIDE, decide, update_id=update_id)

    def read_back() -> DecisionPublic:
        with db.session() as session:
            return answered(session, principal=principal, task_id=task_id, result=result)

    return await to_thread.run_sync(read_back)


async def change_claim(
    *,
    db: Database,
    engine: Engine,
    principal: Principal,
    task_id: str,
    action: str,
    update_id: str | None = None,
) -> tuple[Task, Agreement]:
    """Claim, release or take over a task. The workflow decides (its validator refuses a
    colleague's claim unless taken over) and records who holds the task; the task as it now
    stands."""
    agreement_id = await to_thread.run_sync(
        partial(tasks_check_claim, db, principal=principal, task_id=task_id, action=action)
    )
    await engine.execute(
        agreement_id,
        c.UPDATE_CLAIM,
        c.Claim(task_id=task_id, actor=actor(principal), action=action),
        c.ClaimResult,
        update_id=update_id,
    )

    def read_back() -> tuple[Task, Agreement]:
        with db.session() as session:
            return tasks.get_task(session, principal=principal, task_id=task_id)

    return await to_thread.run_sync(read_back)


def tasks_check_claim(db: Database, *, principal: Principal, task_id: str, action: str) -> str:
    with db.session() as session:
        return tasks.check_claim(session, principal=principal, task_id=task_id, action=action)
