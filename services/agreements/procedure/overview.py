"""What a person sees of agreements, read in one go for a page: the list with each agreement's
next deadline, and one agreement with its dossier, who it waits for, its timeline, its cases
and what the person may do on it now. Every read goes through the use cases' access checks."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from common.auth import Principal
from common.law.drafting import DocumentFacts, Violation, check_dossier
from common.law.vocabulary import (
    ANSWERED_BY_DECISION,
    EDITABLE_STATUSES,
    OUTCOMES,
    AgreementStatus,
    CaseKind,
    DocumentKind,
    Outcome,
    TaskKind,
    TaskStatus,
)
from services.agreements.domain import access
from services.agreements.drafting import cases, documents, service
from services.agreements.errors import NotFound
from services.agreements.inbox import tasks
from services.agreements.models import (
    Agreement,
    Document,
    RoutedBodyPublic,
    Task,
    TaskPublic,
    TimelineStep,
)
from services.agreements.procedure import timeline

# The caller's own tasks on one agreement: never more than a handful.
MY_TASKS_LIMIT = 50


@dataclass(frozen=True)
class AgreementList:
    """One page of the agreements the caller may read, with each one's open task due soonest."""

    rows: list[Agreement]
    total: int
    next_deadline: dict[str, Task]


def agreement_list(
    session: Session,
    *,
    principal: Principal,
    filters: service.AgreementFilter,
    limit: int,
    offset: int,
) -> AgreementList:
    rows, total = service.list_agreements(
        session, principal=principal, filters=filters, limit=limit, offset=offset
    )
    upcoming = tasks.next_deadlines(session, agreement_ids=[a.id for a in rows])
    return AgreementList(rows, total, upcoming)


@dataclass(frozen=True)
class Overview:
    """One agreement as the caller may see it, and what they may do on it now."""

    agreement: Agreement
    task: TaskPublic | None  # the caller's task the page was opened for
    documents: list[Document]
    current_document_ids: set[str]  # the versions the dossier carries
    steps: list[TimelineStep]
    pending: list[TaskPublic]  # whom it waits for, whoever the caller is
    mine: list[TaskPublic]  # the caller's open tasks on it
    children: list[Agreement]  # its amendments, terminations, ...
    parent: Agreement | None  # the agreement a case changes
    can_draft: bool
    editable: bool
    deletable: bool
    can_sign: bool
    gaps: list[Violation]  # what the dossier still lacks, while it can be completed
    # The duties the province owes now (the copy or notice, the report, a yearly plan).
    duty_tasks: list[TaskPublic]
    change_kinds: list[CaseKind]
    signed_text: Document | None
    # Each language of the approved text, with its signed version once attached.
    signing_languages: dict[str, Document | None]
    answer_task: TaskPublic | None  # the task the caller answers on this page
    outcomes: list[Outcome]  # the answers that task allows
    route: list[RoutedBodyPublic]  # the bodies the law consults on it, and why


def agreement_overview(
    session: Session,
    *,
    principal: Principal,
    agreement_id: str,
    lang: str,
    task_id: str | None = None,
) -> Overview:
    """The agreement (or, with `task_id`, one of the caller's tasks on it); another province's
    agreement, or a task of another body or on another agreement, answers like a missing one."""
    a = service.get_agreement(session, principal=principal, agreement_id=agreement_id)
    active = None
    if task_id is not None:
        task, task_agreement = tasks.get_task(session, principal=principal, task_id=task_id)
        if task_agreement.id != a.id:
            raise NotFound("task_not_found", id=task_id)
        active = tasks.to_public(task, task_agreement)
    docs = documents.list_documents(session, principal=principal, agreement_id=a.id)
    mine_rows, _ = tasks.list_tasks(
        session,
        principal=principal,
        filters=tasks.TaskFilter(agreement_id=a.id, status=(TaskStatus.OPEN, TaskStatus.PAUSED)),
        limit=MY_TASKS_LIMIT,
        offset=0,
    )
    mine = [tasks.to_public(t, ag) for t, ag in mine_rows]
    can_draft = access.can_draft(principal, a.province)
    editable = can_draft and a.status in EDITABLE_STATUSES
    current = service.current_documents(docs)
    gaps = (
        check_dossier(service.draft_facts(a), [DocumentFacts(d.kind, d.language) for d in current])
        if editable
        else []
    )
    answer_task = active if active is not None and active.kind in ANSWERED_BY_DECISION else None
    return Overview(
        agreement=a,
        task=active,
        documents=docs,
        current_document_ids={d.id for d in current},
        route=service.route_of(a),
        steps=timeline.timeline(session, agreement_id=a.id, lang=lang).steps,
        pending=tasks.waiting_on(session, agreement=a),
        mine=mine,
        children=cases.cases_of(session, principal=principal, agreement=a),
        parent=cases.parent_of(session, principal=principal, agreement=a),
        can_draft=can_draft,
        editable=editable,
        deletable=can_draft and a.status is AgreementStatus.DRAFT,
        can_sign=can_draft and a.status is AgreementStatus.APPROVED,
        gaps=gaps,
        duty_tasks=[
            t for t in mine if t.kind is TaskKind.COPY_DELIVERY and t.status is TaskStatus.OPEN
        ],
        change_kinds=cases.open_kinds(principal, a),
        signed_text=next((d for d in reversed(docs) if d.kind is DocumentKind.SIGNED_TEXT), None),
        signing_languages=_signing_languages(a, docs),
        answer_task=answer_task,
        outcomes=[
            o for o in Outcome if answer_task is not None and o in OUTCOMES[answer_task.kind]
        ],
    )


def _signing_languages(a: Agreement, docs: list[Document]) -> dict[str, Document | None]:
    """The languages whose signed version the signing needs (those of the approved draft
    text), each with the latest signed version attached, if any."""
    approved = {
        d.language
        for d in docs
        if d.kind in (DocumentKind.DRAFT_TEXT, DocumentKind.SIGNED_TEXT)
        and d.sha256 in a.approved_text_sha256
    }
    signed = {d.language: d for d in docs if d.kind is DocumentKind.SIGNED_TEXT}
    languages = sorted(approved) or sorted(signed) or ["vi"]
    return {language: signed.get(language) for language in languages}
