"""Storage of the reporting service: the read model (agreements, consultations, duties), the
counts per cycle the consumer keeps, processed event ids and the consumer's own state."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, MetaData, Table
from sqlalchemy.orm import registry
from sqlmodel import Field

from common.db import TableModel, UTCDateTime, utcnow

# The reporting tables live in their own metadata, not SQLModel's shared one: another service's
# schema checks (and `create_all` in its tests) must not see them, and the reporting
# database must not get theirs.
_registry = registry()
METADATA: MetaData = _registry.metadata


class ReportingTable(TableModel, registry=_registry):
    """Base of the reporting service's table models."""


class ReadAgreement(ReportingTable, table=True):
    """An agreement (or a change case) as the events and the agreements service describe it."""

    __tablename__ = "reporting_agreements"
    __table_args__ = (
        # The figures that depend on today's date (in force, expiring, expired by date) are
        # small ranges of these two indexes, read without touching the table.
        Index(
            "ix_reporting_agreements_expiry",
            "signed_cycle",
            "status",
            "expires_on",
            "effective_from",
            "province",
        ),
        Index(
            "ix_reporting_agreements_start",
            "signed_cycle",
            "status",
            "effective_from",
            "expires_on",
            "province",
        ),
        Index("ix_reporting_agreements_country_cycle", "partner_country", "signed_cycle"),
        # A province's own view: the same figures within one province, index only.
        Index(
            "ix_reporting_agreements_province_cycle",
            "province",
            "signed_cycle",
            "status",
            "expires_on",
            "effective_from",
            "copy_due_on",
            "copy_delivered_at",
        ),
        Index("ix_reporting_agreements_pipeline_cycle", "pipeline_cycle", "province"),
        Index(
            "ix_reporting_agreements_copy_due",
            "copy_due_on",
            "copy_delivered_at",
            "signed_cycle",
            "province",
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    version: int = 1
    case_kind: str = Field(default="CONCLUSION", max_length=40)
    parent_id: str | None = Field(default=None, max_length=36)
    status: str = Field(max_length=40)
    province: str = Field(max_length=64)
    historical_unit: str | None = Field(default=None, max_length=64)
    title: str = Field(default="", max_length=500)
    form: str = Field(max_length=40)
    signatory_level: str = Field(max_length=40)
    partner_name: str = Field(default="", max_length=300)
    partner_country: str = Field(max_length=2)
    partner_type: str = Field(max_length=40)
    fields: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # "|education|trade|": a portable LIKE filters by field on SQLite and PostgreSQL.
    fields_index: str = Field(default="", max_length=600)
    occasion: str | None = Field(default=None, max_length=300)
    reference: str | None = Field(default=None, max_length=100)
    imported: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    signed_on: date | None = None
    effective_from: date | None = None
    expires_on: date | None = None
    copy_due_on: date | None = None
    copy_delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    copy_on_time: bool | None = None
    # Derived from the dates and the configured conferences (domain/cycles.py); a signing
    # cycle only for conclusions, as change cases are not agreements signed.
    signed_cycle: int | None = None
    pipeline_cycle: int | None = None
    # The newest change this row reflects (event time, or the export's as-of for a rebuild):
    # an older event arriving later (a replay) changes nothing.
    state_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReadConsultation(ReportingTable, table=True):
    """One consultation task: a body asked for its written opinion, and its answer."""

    __tablename__ = "reporting_consultations"
    __table_args__ = (
        Index("ix_reporting_consultations_cycle_province", "cycle", "province"),
        # The open ones past their deadline, found without reading the answered history.
        Index("ix_reporting_consultations_open", "answered_at", "due_at"),
    )

    task_id: str = Field(primary_key=True, max_length=36)
    agreement_id: str = Field(max_length=36, index=True)
    province: str = Field(max_length=64)
    body: str = Field(max_length=80)
    round: int = 1
    requested_at: datetime = Field(sa_type=UTCDateTime)
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    on_time: bool | None = None
    working_days_taken: int | None = None
    outcome: str | None = Field(default=None, max_length=40)
    cycle: int | None = None
    state_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReadDuty(ReportingTable, table=True):
    """A duty a province owes once a decision takes effect (domain.md §2.3): the signed copy,
    the notice of an end, a suspension or a resumption, the report to the Prime Minister, the
    yearly implementation plan; one per agreement (or change case), duty and due date."""

    __tablename__ = "reporting_duties"
    __table_args__ = (
        # Those still within their period (not delivered, due today or later) are a small
        # range of this index, read without touching the table: the rest of a cycle's figures
        # come from the stored counts. Not delivered first: with the due day first, SQLite
        # would skip-scan every due day of the history.
        Index(
            "ix_reporting_duties_pending",
            "delivered_at",
            "due_on",
            "province",
            "duty",
            "cycle",
            "agreement_id",
        ),
        # A report filtered by field and country together sums a cycle's duties.
        Index("ix_reporting_duties_cycle_province", "cycle", "province"),
    )

    # The agreement or change case that owes it (a notice is its case's duty).
    agreement_id: str = Field(primary_key=True, max_length=36)
    duty: str = Field(primary_key=True, max_length=20)
    due_on: date = Field(primary_key=True)
    province: str = Field(max_length=64)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    on_time: bool | None = None
    received_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The cycle its due date falls in (domain/cycles.py), derived like the agreements' cycles.
    cycle: int | None = None
    state_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CycleCount(ReportingTable, table=True):
    """How many records count towards `key` of `dimension` in a cycle, per scope (all records,
    one field, one partner country) and current province (domain/aggregation.py); kept by the
    consumer in the same transaction as the record."""

    __tablename__ = "reporting_cycle_counts"

    cycle: int = Field(primary_key=True)
    scope: str = Field(primary_key=True, max_length=80)
    province: str = Field(primary_key=True, max_length=64)
    dimension: str = Field(primary_key=True, max_length=40)
    key: str = Field(primary_key=True, max_length=400)
    n: int = 0


class ProcessedEvent(ReportingTable, table=True):
    """Event ids already applied, written with their effect: a redelivery changes nothing."""

    __tablename__ = "reporting_processed_events"

    event_id: str = Field(primary_key=True, max_length=128)
    event_type: str = Field(max_length=80)
    processed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class ConsumerState(ReportingTable, table=True):
    """What the consumer process reports about itself, for the API's /metrics."""

    __tablename__ = "reporting_consumer_state"

    group_id: str = Field(primary_key=True, max_length=100)
    lag: int = 0
    processed: int = 0
    dead_lettered: int = 0
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReportMeta(ReportingTable, table=True):
    """Small facts about the stored figures, e.g. the conference dates they were counted with."""

    __tablename__ = "reporting_meta"

    name: str = Field(primary_key=True, max_length=100)
    value: str = Field(default="", max_length=2000)


def table_of(model: Any) -> Table:
    """The Core table of a table model (mypy does not see SQLModel's `__table__`)."""
    table: Table = model.__table__
    return table


def row_dict(row: Any) -> dict[str, Any]:
    """A row's stored columns, ready for a Core insert."""
    return {c.name: getattr(row, c.name) for c in table_of(type(row)).columns}
