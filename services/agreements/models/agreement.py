"""An agreement (or a change case): the table and its API shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field as SQLField

from common.db import TableModel, UTCDateTime, utcnow
from common.fields import Field as CooperationField
from common.law.vocabulary import (
    AgreementForm,
    AgreementStatus,
    CaseKind,
    Category,
    PartnerType,
    Procedure,
    ReducedGround,
    RouteReason,
    SignatoryLevel,
    Touch,
)
from services.agreements.models.base import enum_column, new_id

# --- Agreement -----------------------------------------------------------------------------


class ForeignParty(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=300)
    country: str | None = Field(
        default=None,
        min_length=2,
        max_length=2,
        description="ISO 3166-1 alpha-2, e.g. KR; none for an international organisation",
    )
    type: PartnerType

    @field_validator("country")
    @classmethod
    def _upper(cls, v: str | None) -> str | None:
        return v.upper() if v else None


class AgreementCreate(BaseModel):
    """A new draft. Field rules of the law are checked on top of these shapes."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=3, max_length=500)
    foreign_title: str | None = Field(
        default=None, max_length=500, description="the title in the partner's language"
    )
    form: AgreementForm
    form_name: str | None = Field(default=None, max_length=200)
    category: Category = Category.INTERNATIONAL_AGREEMENT
    signatory_level: SignatoryLevel
    signatory_unit: str | None = Field(
        default=None,
        max_length=300,
        description="the signing unit as named at signing, e.g. a department or commune",
    )
    province: str = Field(min_length=2, max_length=64, description="current unit code, e.g. ha-noi")
    foreign_party: ForeignParty
    fields: list[CooperationField] = Field(min_length=1, max_length=12)
    summary: str = Field(default="", max_length=10000)
    languages: list[str] = Field(min_length=1, max_length=10, description="ISO 639-1 codes")
    procedure: Procedure = Procedure.STANDARD
    reduced_ground: ReducedGround | None = Field(
        default=None, description="with the reduced procedure: its ground in Art. 35"
    )
    reduced_reason: str | None = Field(
        default=None, max_length=2000, description="with the reduced procedure: the circumstances"
    )
    touches: list[Touch] = Field(default_factory=list, max_length=5)
    related_bodies: list[str] = Field(default_factory=list, max_length=40)
    occasion: str | None = Field(default=None, max_length=300)
    term_months: int | None = Field(default=None, ge=1, le=1200)

    @field_validator("languages")
    @classmethod
    def _lower_unique(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(x.strip().lower() for x in v))

    @field_validator("fields", "touches", "related_bodies")
    @classmethod
    def _unique(cls, v: list[Any]) -> list[Any]:
        return list(dict.fromkeys(v))

    @field_validator(
        "title", "foreign_title", "form_name", "reduced_reason", "occasion", "signatory_unit"
    )
    @classmethod
    def _strip(cls, v: str | None) -> str | None:
        return v.strip() if isinstance(v, str) else v


class AgreementUpdate(BaseModel):
    """A partial change of a draft: only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    foreign_title: str | None = None
    form: AgreementForm | None = None
    form_name: str | None = None
    category: Category | None = None
    signatory_level: SignatoryLevel | None = None
    signatory_unit: str | None = None
    province: str | None = None
    foreign_party: ForeignParty | None = None
    fields: list[CooperationField] | None = None
    summary: str | None = None
    languages: list[str] | None = None
    procedure: Procedure | None = None
    reduced_ground: ReducedGround | None = None
    reduced_reason: str | None = None
    touches: list[Touch] | None = None
    related_bodies: list[str] | None = None
    occasion: str | None = None
    term_months: int | None = None


class Agreement(TableModel, table=True):
    __tablename__ = "agreements"
    __table_args__ = (
        UniqueConstraint("reference", name="uq_agreements_reference"),
        Index("ix_agreements_province_status", "province", "status"),
        Index("ix_agreements_created_at", "created_at"),
    )

    id: str = SQLField(default_factory=new_id, primary_key=True, max_length=36)
    version: int = 1
    status: AgreementStatus = SQLField(
        default=AgreementStatus.DRAFT, sa_type=enum_column(AgreementStatus), index=True
    )
    title: str = SQLField(max_length=500)
    foreign_title: str | None = SQLField(default=None, max_length=500)
    form: AgreementForm = SQLField(sa_type=enum_column(AgreementForm))
    form_name: str | None = SQLField(default=None, max_length=200)
    category: Category = SQLField(
        default=Category.INTERNATIONAL_AGREEMENT, sa_type=enum_column(Category)
    )
    signatory_level: SignatoryLevel = SQLField(sa_type=enum_column(SignatoryLevel))
    signatory_unit: str | None = SQLField(default=None, max_length=300)
    province: str = SQLField(max_length=64)
    partner_name: str = SQLField(max_length=300)
    partner_country: str = SQLField(max_length=2, index=True)
    partner_type: PartnerType = SQLField(sa_type=enum_column(PartnerType))
    fields: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    # "|education|trade|": lets one portable LIKE filter by field on SQLite and PostgreSQL.
    fields_index: str = SQLField(default="", max_length=600)
    summary: str = SQLField(default="", sa_column=Column(Text, nullable=False))
    languages: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    procedure: Procedure = SQLField(default=Procedure.STANDARD, sa_type=enum_column(Procedure))
    reduced_ground: ReducedGround | None = SQLField(
        default=None, sa_type=enum_column(ReducedGround)
    )
    reduced_reason: str | None = SQLField(default=None, max_length=2000)
    touches: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    related_bodies: list[str] = SQLField(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    occasion: str | None = SQLField(default=None, max_length=300)
    term_months: int | None = None
    # Folded (lower case, no diacritics) title + summary + partner, for text search.
    search_text: str = SQLField(default="", sa_column=Column(Text, nullable=False))
    created_by: str = SQLField(max_length=200)
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_by: str | None = SQLField(default=None, max_length=200)
    submitted_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    # Submissions so far: 1 at the first, +1 at each resubmission of a returned dossier.
    round: int = 0

    # A change case (amendment ... suspension) is an agreement of its own kind, linked to the
    # agreement it changes; it runs the same procedure.
    case_kind: CaseKind = SQLField(default=CaseKind.CONCLUSION, sa_type=enum_column(CaseKind))
    parent_id: str | None = SQLField(default=None, max_length=36, index=True)
    # Ending cases: the day the termination, withdrawal or suspension takes effect.
    effective_on: date | None = None
    # A termination the law makes mandatory (Art. 34), opened by the Ministry or the decider.
    mandatory: bool = False

    # Historical records (imported) keep their register reference and the former unit.
    reference: str | None = SQLField(default=None, max_length=100)
    imported: bool = False
    # What the register row said, as a digest: the same row imported again is recognised.
    import_digest: str | None = SQLField(default=None, max_length=64)
    historical_unit: str | None = SQLField(default=None, max_length=64)

    # The texts consulted in the current round, and those approved by the decision.
    consulted_text_sha256: list[str] = SQLField(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    approved_text_sha256: list[str] = SQLField(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    decided_by: str | None = SQLField(default=None, max_length=200)
    decided_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)

    # Signing (ký kết) and the duties after it.
    signed_on: date | None = SQLField(default=None, index=True)
    signing_place: str | None = SQLField(default=None, max_length=300)
    signatories: list[dict[str, Any]] = SQLField(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    signed_text_sha256: str | None = SQLField(default=None, max_length=64)
    effective_from: date | None = None
    expires_on: date | None = None
    copy_due_on: date | None = None
    copy_delivered_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    # The day the province says the copy left: punctuality is judged on it (it may be
    # recorded a day or two later than it was sent).
    copy_delivered_on: date | None = None
    copy_received_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)


class RoutedBodyPublic(BaseModel):
    body: str = Field(description="consulted body code, e.g. mofa or ha-noi.police")
    reasons: list[RouteReason]


class AgreementPublic(BaseModel):
    id: str
    version: int
    status: AgreementStatus
    title: str
    foreign_title: str | None = None
    form: AgreementForm
    form_name: str | None
    category: Category
    signatory_level: SignatoryLevel
    signatory_unit: str | None
    province: str
    foreign_party: ForeignParty
    fields: list[str]
    summary: str
    languages: list[str]
    procedure: Procedure
    reduced_ground: ReducedGround | None = None
    reduced_reason: str | None
    touches: list[str]
    related_bodies: list[str]
    consultation_route: list[RoutedBodyPublic] = Field(
        default_factory=list,
        description="the bodies the law consults on this draft, and why (before submitting too)",
    )
    occasion: str | None
    term_months: int | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    submitted_by: str | None
    submitted_at: datetime | None
    round: int = 0
    case_kind: CaseKind = CaseKind.CONCLUSION
    parent_id: str | None = None
    effective_on: date | None = None
    mandatory: bool = False
    reference: str | None = None
    imported: bool = False
    historical_unit: str | None = None
    approved_text_sha256: list[str] = []
    decided_by: str | None = None
    decided_at: datetime | None = None
    signed_on: date | None = None
    signing_place: str | None = None
    signatories: list[dict[str, Any]] = []
    signed_text_sha256: str | None = None
    effective_from: date | None = None
    expires_on: date | None = None
    copy_due_on: date | None = None
    copy_delivered_at: datetime | None = None
    copy_delivered_on: date | None = None
    copy_received_at: datetime | None = None


class AgreementsPublic(BaseModel):
    data: list[AgreementPublic]
    count: int
    limit: int
    offset: int
