"""Storage tables and API shapes of the agreements service, one module per entity (SQLModel
families: input shapes, the table, output shapes). Importing the package registers every
table, which Alembic and the tests rely on."""

from services.agreements.models.agreement import (
    Agreement,
    AgreementCreate,
    AgreementPublic,
    AgreementsPublic,
    AgreementUpdate,
    ForeignParty,
    RoutedBodyPublic,
)
from services.agreements.models.base import enum_column, new_id
from services.agreements.models.document import Document, DocumentPublic, DocumentsPublic
from services.agreements.models.identity import AuthRevocation, AuthSession, LoginCounter
from services.agreements.models.importing import ImportUpload, UploadStatus
from services.agreements.models.procedure import (
    AmendmentCreate,
    CopyDeliveredPublic,
    CopyDeliveryCreate,
    SignatoryCreate,
    SigningCreate,
    TerminationCreate,
)
from services.agreements.models.records import (
    ActivityOp,
    IdempotencyRecord,
    OutboxEvent,
    RelayState,
    UserPreference,
)
from services.agreements.models.task import (
    AgreementSummary,
    AssigneePublic,
    DecisionCreate,
    DecisionPublic,
    Task,
    TaskPublic,
    TasksPublic,
    TimelinePublic,
    TimelineStep,
)

__all__ = [
    "ActivityOp",
    "Agreement",
    "AgreementCreate",
    "AgreementPublic",
    "AgreementSummary",
    "AgreementUpdate",
    "AgreementsPublic",
    "AmendmentCreate",
    "AssigneePublic",
    "AuthRevocation",
    "AuthSession",
    "CopyDeliveredPublic",
    "CopyDeliveryCreate",
    "DecisionCreate",
    "DecisionPublic",
    "Document",
    "DocumentPublic",
    "DocumentsPublic",
    "ForeignParty",
    "IdempotencyRecord",
    "ImportUpload",
    "LoginCounter",
    "OutboxEvent",
    "RelayState",
    "RoutedBodyPublic",
    "SignatoryCreate",
    "SigningCreate",
    "Task",
    "TaskPublic",
    "TasksPublic",
    "TerminationCreate",
    "TimelinePublic",
    "TimelineStep",
    "UploadStatus",
    "UserPreference",
    "enum_column",
    "new_id",
]
