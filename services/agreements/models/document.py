"""A dossier's documents: the table and its API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Field as SQLField

from common.db import TableModel, UTCDateTime, utcnow
from common.law.vocabulary import (
    DocumentKind,
)
from services.agreements.models.base import enum_column, new_id

# --- Documents -----------------------------------------------------------------------------


class Document(TableModel, table=True):
    __tablename__ = "documents"

    id: str = SQLField(default_factory=new_id, primary_key=True, max_length=36)
    agreement_id: str = SQLField(foreign_key="agreements.id", index=True, max_length=36)
    kind: DocumentKind = SQLField(sa_type=enum_column(DocumentKind))
    language: str = SQLField(max_length=8)
    filename: str = SQLField(max_length=255)
    media_type: str = SQLField(max_length=120)
    size: int
    sha256: str = SQLField(max_length=64, index=True)
    uploaded_by: str = SQLField(max_length=200)
    uploaded_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)


class DocumentPublic(BaseModel):
    id: str
    agreement_id: str
    kind: DocumentKind
    language: str
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


class DocumentsPublic(BaseModel):
    data: list[DocumentPublic]
    count: int
