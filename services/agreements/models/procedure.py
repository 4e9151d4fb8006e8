"""What people send after approval: the signing, the copy, a change case."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from common.law.vocabulary import (
    AgreementStatus,
    CaseKind,
    Duty,
    Procedure,
    ReducedGround,
    Touch,
)
from services.agreements.models.task import TaskPublic


class SignatoryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    side: Literal["VIETNAMESE", "FOREIGN"]
    name: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=200, description="position, e.g. Chủ tịch")
    authorised_by: str | None = Field(
        default=None, max_length=300, description="whose authorisation they signed under"
    )


class SigningCreate(BaseModel):
    """The signing of an approved agreement (the SIGNED_TEXT document attached first)."""

    model_config = ConfigDict(extra="forbid")

    signed_on: date
    place: str = Field(min_length=1, max_length=300)
    signatories: list[SignatoryCreate] = Field(min_length=2, max_length=20)
    effective_from: date | None = Field(default=None, description="default: the signing date")
    expires_on: date | None = None
    term_months: int | None = Field(default=None, ge=1, le=1200)
    acknowledge_text_changed: bool = Field(
        default=False,
        description="the signed text differs from the approved one: send it to consultation",
    )


class CopyDeliveryCreate(BaseModel):
    """A duty delivered to its recipient: the signed copy (or the notice of an ending), the
    report to the Prime Minister, or the yearly implementation plan."""

    model_config = ConfigDict(extra="forbid")

    duty: Duty | None = Field(
        default=None,
        description="COPY, NOTICE, REPORT or PLAN; may be left out when only one is owed",
    )
    delivered_on: date | None = Field(default=None, description="default: today")
    note: str = Field(default="", max_length=2000, description="e.g. the dispatch number")


class CopyDeliveredPublic(BaseModel):
    agreement_status: AgreementStatus
    receipt: TaskPublic


class AmendmentCreate(BaseModel):
    """Amend, supplement or extend a signed agreement: a linked case, drafted like an
    agreement and run through the same procedure with the same decider."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal[CaseKind.AMENDMENT, CaseKind.SUPPLEMENT, CaseKind.EXTENSION]
    title: str | None = Field(default=None, min_length=3, max_length=500)
    summary: str = Field(min_length=1, max_length=10000, description="what changes and why")
    expires_on: date | None = Field(default=None, description="the new end (extensions)")
    procedure: Procedure = Procedure.STANDARD
    reduced_ground: ReducedGround | None = None
    reduced_reason: str | None = Field(default=None, max_length=2000)
    touches: list[Touch] = Field(default_factory=list, max_length=5)
    related_bodies: list[str] = Field(default_factory=list, max_length=40)


class TerminationCreate(BaseModel):
    """Terminate, withdraw from, suspend or resume (end a suspension of) a signed agreement
    from a date."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal[
        CaseKind.TERMINATION, CaseKind.WITHDRAWAL, CaseKind.SUSPENSION, CaseKind.RESUMPTION
    ]
    effective_on: date
    title: str | None = Field(default=None, min_length=3, max_length=500)
    summary: str = Field(min_length=1, max_length=10000, description="the reasons")
    mandatory: bool = Field(
        default=False,
        description="a termination the law makes mandatory (Art. 34: implementing the "
        "agreement would breach the law's principles); opened by the Ministry of Foreign "
        "Affairs or the decider, it is submitted at once with the reason in `summary`",
    )
    procedure: Procedure = Procedure.STANDARD
    reduced_ground: ReducedGround | None = None
    reduced_reason: str | None = Field(default=None, max_length=2000)
    touches: list[Touch] = Field(default_factory=list, max_length=5)
    related_bodies: list[str] = Field(default_factory=list, max_length=40)
