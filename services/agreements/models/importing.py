"""A register uploaded on the import page: kept between its preview and its confirmation, then
the outcome of the import it gave."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary
from sqlmodel import Field as SQLField

from common.db import TableModel, UTCDateTime, utcnow
from services.agreements.models.base import enum_column, new_id


class UploadStatus(StrEnum):
    PREVIEWED = "previewed"  # read and planned; waiting for the person's confirmation
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # nothing stored; the person may confirm again


class ImportUpload(TableModel, table=True):
    __tablename__ = "import_uploads"

    id: str = SQLField(default_factory=new_id, primary_key=True, max_length=36)
    created_by: str = SQLField(max_length=200, index=True)
    org: str = SQLField(max_length=64)
    filename: str = SQLField(max_length=255)
    sha256: str = SQLField(max_length=64)
    # The file until it is imported; emptied afterwards, the outcome stays.
    content: bytes = SQLField(default=b"", sa_column=Column(LargeBinary, nullable=False))
    partial: bool = False
    status: UploadStatus = SQLField(
        default=UploadStatus.PREVIEWED, sa_type=enum_column(UploadStatus)
    )
    total_rows: int = 0
    to_import: int = 0
    imported: int = 0
    outcome: dict[str, Any] = SQLField(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
