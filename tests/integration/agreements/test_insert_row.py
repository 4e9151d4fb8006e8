"""A document is inserted by a Core statement (`common.db.insert_row`), not through the
session's unit of work: a row inserted so, a document's or a draft's, reads back with every
value the object had (enums, lists, moments, and None where nothing was given); a draft made
through the API reads back as it answered."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import inspect as sa_inspect

from common.db import insert_row
from common.law.vocabulary import (
    AgreementForm,
    AgreementStatus,
    Category,
    DocumentKind,
    PartnerType,
    Procedure,
    SignatoryLevel,
)
from services.agreements.models import Agreement, Document
from tests.helpers import draft_body
from tests.integration.agreements.conftest import Stack

pytestmark = pytest.mark.integration


def values(row: Any) -> dict[str, Any]:
    return {attr.key: getattr(row, attr.key) for attr in sa_inspect(type(row)).column_attrs}


def test_a_row_inserted_reads_back_with_every_value(stack: Stack) -> None:
    draft = Agreement(
        created_by="officer@ha-noi",
        title="Bản ghi nhớ về hợp tác văn hóa",
        form=AgreementForm.MEMORANDUM_OF_UNDERSTANDING,
        category=Category.INTERNATIONAL_AGREEMENT,
        signatory_level=SignatoryLevel.PROVINCIAL_COMMITTEE,
        province="ha-noi",
        partner_name="Ville de Lyon",
        partner_country="FR",
        partner_type=PartnerType.LOCAL_GOVERNMENT,
        fields=["culture", "education"],
        summary="Trao đổi nghệ sĩ.",
        languages=["vi", "fr"],
        procedure=Procedure.STANDARD,
    )
    document = Document(
        agreement_id=draft.id,
        kind=DocumentKind.DRAFT_TEXT,
        language="fr",
        filename="projet.pdf",
        media_type="application/pdf",
        size=3,
        sha256=hashlib.sha256(draft.id.encode()).hexdigest(),
        uploaded_by="officer@ha-noi",
    )
    with stack.db.write_session() as session:
        insert_row(session, draft)
        insert_row(session, document)
        assert not session.new  # neither object was added to the session
        session.commit()
    with stack.db.session() as session:
        stored = session.get(Agreement, draft.id)
        stored_document = session.get(Document, document.id)
        assert stored is not None and stored_document is not None
        assert values(stored) == values(draft)
        assert values(stored_document) == values(document)
        assert stored.status is AgreementStatus.DRAFT and stored.reference is None


def test_a_draft_made_through_the_api_reads_back_as_it_was_answered(stack: Stack) -> None:
    officer = stack.login("officer@ha-noi")
    created = stack.client.post("/v1/agreements", json=draft_body(), headers=officer)
    assert created.status_code == 201, created.text
    again = stack.client.get(f"/v1/agreements/{created.json()['id']}", headers=officer)
    assert again.status_code == 200, again.text
    assert again.json() == created.json()
    assert again.headers["ETag"] == created.headers["ETag"]
