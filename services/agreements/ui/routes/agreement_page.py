"""The agreement's page, which every form about an agreement or a task on it comes back to
(with its errors) when the use case refused what was sent; and the draft form's choices."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from common.countries import country_name
from common.db import utcnow
from common.law.calendar import local_date
from common.law.vocabulary import COMMENT_REQUIRED, AgreementStatus, Outcome, duty_of
from services.agreements.drafting import choices
from services.agreements.drafting.uploads import DOSSIER_KINDS
from services.agreements.procedure import overview
from services.agreements.ui import forms, i18n
from services.agreements.ui.forms import FormErrors
from services.agreements.ui.pages import render
from services.agreements.ui.routes.deps import db_of, settings_of, signed_in
from services.agreements.ui.session import Caller
from services.agreements.unit_of_work import read

# While the workflow takes a submission in, the page looks again by itself.
SETTLING = frozenset({AgreementStatus.SUBMITTED})


def draft_form_context(province: str) -> dict[str, Any]:
    return {
        "country_codes": choices.PARTNER_COUNTRIES,
        "country_name_of": country_name,
        "related_choices": choices.related_bodies(province),
        "draft_fields": forms.DRAFT_FIELDS,
    }


@dataclass
class PageState:
    """What the forms on the page show again: their errors and what was typed, per form."""

    errors: dict[str, FormErrors] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)

    def err(self, form: str) -> FormErrors:
        return self.errors.get(form) or FormErrors()


def agreement_page(
    request: Request,
    caller: Caller,
    agreement_id: str,
    *,
    task_id: str | None = None,
    errors: dict[str, FormErrors] | None = None,
    values: dict[str, dict[str, Any]] | None = None,
    status_code: int = 200,
) -> Response:
    """The agreement (or, with `task_id`, one of the caller's tasks on it): its content, the
    dossier, who it waits for, the timeline, and the forms the caller may use now."""
    principal = signed_in(caller)
    state = PageState(errors or {}, values or {})
    lang = caller.lang
    view = read(
        db_of(request),
        overview.agreement_overview,
        principal=principal,
        agreement_id=agreement_id,
        lang=lang,
        task_id=task_id,
    )
    a = view.agreement
    return render(
        request,
        caller,
        "agreement.html",
        status_code=status_code,
        a=a,
        task=view.task,
        answer_task=view.answer_task,
        outcomes=[o.value for o in view.outcomes],
        comment_required=[o.value for o in Outcome if o in COMMENT_REQUIRED],
        docs=view.documents,
        current_doc_ids=view.current_document_ids,
        steps=view.steps,
        pending=view.pending,
        mine=view.mine,
        children=view.children,
        parent=view.parent,
        can_draft=view.can_draft,
        editable=view.editable,
        deletable=view.deletable,
        can_sign=view.can_sign,
        duty_tasks=view.duty_tasks,
        default_duty=duty_of(view.agreement.case_kind).value,
        change_kinds=view.change_kinds,
        gaps=[e.message for e in i18n.rule_messages(view.gaps, lang)],
        settling=a.status in SETTLING,
        signed_text=view.signed_text,
        signing_languages=view.signing_languages,
        route=view.route,
        dossier_kinds=[k.value for k in DOSSIER_KINDS],
        upload_languages=list(dict.fromkeys(["vi", *a.languages])),
        state=state,
        draft_values=state.values.get("draft") or forms.values_of(a),
        copy_days=settings_of(request).timing().copy_calendar_days,
        today=local_date(utcnow()).isoformat(),
        **draft_form_context(a.province),
    )


async def form_refused(
    request: Request,
    caller: Caller,
    agreement_id: str,
    *,
    form_name: str,
    errors: FormErrors,
    values: dict[str, Any],
    task_id: str | None = None,
) -> Response:
    """The page again, with the refused form's errors next to what was typed (422)."""
    return await run_in_threadpool(
        lambda: agreement_page(
            request,
            caller,
            agreement_id,
            task_id=task_id,
            errors={form_name: errors},
            values={form_name: values},
            status_code=422,
        )
    )
