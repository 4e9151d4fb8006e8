"""The closed vocabularies of the law (Luật Thỏa thuận quốc tế 2020) as the API spells them."""

from __future__ import annotations

from enum import StrEnum

# The procedure's vocabulary is shared with the workflow and the consumers.
from common.procedure import (
    PROVINCIAL_LEVELS,
    CaseKind,
    Procedure,
    SignatoryLevel,
    Touch,
)

__all__ = [
    "PROVINCIAL_LEVELS",
    "AgreementForm",
    "AgreementStatus",
    "CaseKind",
    "Category",
    "DocumentKind",
    "PartnerType",
    "Procedure",
    "SignatoryLevel",
    "Touch",
]


class AgreementForm(StrEnum):
    """Names an agreement may carry (Art. 6); OTHER needs `form_name`."""

    AGREEMENT = "AGREEMENT"  # thỏa thuận
    MEMORANDUM_OF_UNDERSTANDING = "MEMORANDUM_OF_UNDERSTANDING"  # bản ghi nhớ
    LETTER_OF_INTENT = "LETTER_OF_INTENT"  # ý định thư
    MINUTES_OF_AGREEMENT = "MINUTES_OF_AGREEMENT"  # biên bản thỏa thuận
    MINUTES_OF_EXCHANGE = "MINUTES_OF_EXCHANGE"  # biên bản trao đổi
    COOPERATION_PROGRAMME = "COOPERATION_PROGRAMME"  # chương trình hợp tác
    COOPERATION_PLAN = "COOPERATION_PLAN"  # kế hoạch hợp tác
    COMMUNIQUE = "COMMUNIQUE"  # thông cáo
    DECLARATION = "DECLARATION"  # tuyên bố
    OTHER = "OTHER"  # tên gọi khác


class PartnerType(StrEnum):
    STATE = "STATE"
    LOCAL_GOVERNMENT = "LOCAL_GOVERNMENT"
    AGENCY_OR_ORGANISATION = "AGENCY_OR_ORGANISATION"
    INTERNATIONAL_ORGANISATION = "INTERNATIONAL_ORGANISATION"
    INDIVIDUAL = "INDIVIDUAL"


class Category(StrEnum):
    """What the text really is; only INTERNATIONAL_AGREEMENT falls under this law."""

    INTERNATIONAL_AGREEMENT = "INTERNATIONAL_AGREEMENT"
    ODA_OR_CONCESSIONAL_LOAN = "ODA_OR_CONCESSIONAL_LOAN"
    VIETNAMESE_AID_ABROAD = "VIETNAMESE_AID_ABROAD"
    FOREIGN_NGO_AID = "FOREIGN_NGO_AID"
    CIVIL_CONTRACT = "CIVIL_CONTRACT"
    PPP_CONTRACT = "PPP_CONTRACT"


class AgreementStatus(StrEnum):
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    RETURNED = "RETURNED"
    IN_CONSULTATION = "IN_CONSULTATION"
    AWAITING_PM_OPINION = "AWAITING_PM_OPINION"
    AWAITING_DECISION = "AWAITING_DECISION"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    SIGNED = "SIGNED"
    IN_FORCE = "IN_FORCE"
    SUSPENDED = "SUSPENDED"
    TERMINATED = "TERMINATED"
    WITHDRAWN = "WITHDRAWN"
    EXPIRED = "EXPIRED"


# The proposer may edit the dossier only before it is in someone else's hands.
EDITABLE_STATUSES = frozenset({AgreementStatus.DRAFT, AgreementStatus.RETURNED})
SUBMITTABLE_STATUSES = EDITABLE_STATUSES


class DocumentKind(StrEnum):
    PROPOSAL = "PROPOSAL"  # tờ trình
    DRAFT_TEXT = "DRAFT_TEXT"  # dự thảo văn bản thỏa thuận
    TRANSLATION = "TRANSLATION"  # bản dịch tiếng Việt
    IMPLEMENTATION_PLAN = "IMPLEMENTATION_PLAN"  # dự thảo kế hoạch thực hiện
    IMPACT_ASSESSMENT = "IMPACT_ASSESSMENT"
    SIGNED_TEXT = "SIGNED_TEXT"
    OPINION = "OPINION"  # a written opinion or decision, attached by whoever answers a task
    OTHER = "OTHER"
