"""The closed vocabularies of the Law on International Agreements (70/2020/QH14) and of the
procedure the product runs: signatory levels, statuses, task kinds, outcomes, roles, procedures,
case kinds. Every process (the workflow sandbox included) spells them with these enums; their
words in Vietnamese and English are in `labels.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final


class Role(StrEnum):
    """What a person does in the procedure; their organisation says for whom."""

    PROVINCE_OFFICER = "province_officer"
    # The Chairman of the provincial People's Committee: decides for every level but the
    # Council's own agreements.
    PROVINCIAL_LEADER = "provincial_leader"
    # The Chairman of the provincial People's Council: decides the Council's agreements.
    COUNCIL_CHAIR = "council_chair"
    REVIEWER = "reviewer"
    # The head of a consulted body: answers for it like a reviewer and is told when one of its
    # consultations is overdue (domain.md §2.3: escalate to the agency's supervisor daily).
    SUPERVISOR = "supervisor"
    PM_OFFICE = "pm_office"
    MOFA_REGISTRY = "mofa_registry"
    OPERATOR = "operator"
    ADMIN = "admin"


# The roles whose organisation is a province: they read their province's agreements.
PROVINCE_ROLES: Final = frozenset(
    {Role.PROVINCE_OFFICER, Role.PROVINCIAL_LEADER, Role.COUNCIL_CHAIR}
)
# Those who decide (domain.md §1: who decides).
DECIDER_ROLES: Final = frozenset({Role.PROVINCIAL_LEADER, Role.COUNCIL_CHAIR})


class SignatoryLevel(StrEnum):
    """Vietnamese signatory of an agreement (domain.md §1)."""

    PROVINCIAL_COUNCIL = "PROVINCIAL_COUNCIL"  # Hội đồng nhân dân cấp tỉnh
    PROVINCIAL_COMMITTEE = "PROVINCIAL_COMMITTEE"  # Ủy ban nhân dân cấp tỉnh
    DEPARTMENT = "DEPARTMENT"  # cơ quan chuyên môn (cấp Sở)
    BORDER_COMMUNE = "BORDER_COMMUNE"  # UBND xã biên giới
    PROVINCIAL_ORG = "PROVINCIAL_ORG"  # cơ quan cấp tỉnh của tổ chức


# Agreements of the provincial Council or Committee: a disagreement goes to the Prime Minister,
# and the signed copy goes to the Ministry of Foreign Affairs.
PROVINCIAL_LEVELS: Final = frozenset(
    {SignatoryLevel.PROVINCIAL_COUNCIL, SignatoryLevel.PROVINCIAL_COMMITTEE}
)


class Touch(StrEnum):
    """Content that widens the consultation route."""

    SECURITY = "security"
    DEFENCE = "defence"
    BORDER = "border"
    INVESTMENT = "investment"
    SENSITIVE = "sensitive"


class RouteReason(StrEnum):
    """Why a body is consulted on a draft (domain.md §2.2): shown to the officer before
    submitting."""

    ALWAYS_MOFA = "ALWAYS_MOFA"  # the Ministry of Foreign Affairs, on every provincial agreement
    FOREIGN_AFFAIRS_BODY = "FOREIGN_AFFAIRS_BODY"  # below provincial level, always
    BORDER_COMMUNE = "BORDER_COMMUNE"  # police, military, border guard for border communes
    SECURITY = "SECURITY"  # the draft says it touches security
    DEFENCE = "DEFENCE"
    BORDER = "BORDER"
    INVESTMENT = "INVESTMENT"
    SENSITIVE = "SENSITIVE"  # complex or sensitive content: the Ministry of Foreign Affairs
    SECURITY_BORDER_FIELD = "SECURITY_BORDER_FIELD"  # field "security and border management"
    INVESTMENT_FIELD = "INVESTMENT_FIELD"  # field "investment"
    RELATED = "RELATED"  # named by the proposer as related to the content


class Procedure(StrEnum):
    STANDARD = "STANDARD"
    REDUCED = "REDUCED"  # thủ tục rút gọn: high-level visit, urgent political or relief need


class ReducedGround(StrEnum):
    """The grounds on which the law allows the reduced procedure (Art. 35)."""

    # Signing during a high-level visit that a competent authority has allowed.
    HIGH_LEVEL_VISIT = "HIGH_LEVEL_VISIT"
    # Urgency for political or foreign-affairs needs.
    POLITICAL_URGENCY = "POLITICAL_URGENCY"
    # Urgency for emergency relief.
    EMERGENCY_RELIEF = "EMERGENCY_RELIEF"
    # Urgency for recovery from a natural disaster, catastrophe or epidemic.
    DISASTER_RECOVERY = "DISASTER_RECOVERY"


class CaseKind(StrEnum):
    """What a case decides: concluding an agreement, or changing one already signed (Art. 33,
    34). A change case runs the same procedure with the same decider as the conclusion."""

    CONCLUSION = "CONCLUSION"  # ký kết
    AMENDMENT = "AMENDMENT"  # sửa đổi
    SUPPLEMENT = "SUPPLEMENT"  # bổ sung
    EXTENSION = "EXTENSION"  # gia hạn
    TERMINATION = "TERMINATION"  # chấm dứt hiệu lực
    WITHDRAWAL = "WITHDRAWAL"  # rút khỏi
    SUSPENSION = "SUSPENSION"  # tạm đình chỉ thực hiện
    RESUMPTION = "RESUMPTION"  # tiếp tục thực hiện: a suspension ends, in force again


# Changes that produce a new signed text; the others end, suspend or resume the agreement at
# an effective date, with no new text, and owe the Ministry of Foreign Affairs a notice.
CHANGE_KINDS: Final = frozenset({CaseKind.AMENDMENT, CaseKind.SUPPLEMENT, CaseKind.EXTENSION})
ENDING_KINDS: Final = frozenset(
    {CaseKind.TERMINATION, CaseKind.WITHDRAWAL, CaseKind.SUSPENSION, CaseKind.RESUMPTION}
)


class AgreementStatus(StrEnum):
    """Where an agreement (or a change case) stands (domain.md §2)."""

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


# What an approved ending case makes of the agreement it ends.
ENDING_STATUS: Final[Mapping[CaseKind, AgreementStatus]] = MappingProxyType(
    {
        CaseKind.TERMINATION: AgreementStatus.TERMINATED,
        CaseKind.WITHDRAWAL: AgreementStatus.WITHDRAWN,
        CaseKind.SUSPENSION: AgreementStatus.SUSPENDED,
        CaseKind.RESUMPTION: AgreementStatus.IN_FORCE,
    }
)
# The proposer may edit the dossier only before it is in someone else's hands.
EDITABLE_STATUSES: Final = frozenset({AgreementStatus.DRAFT, AgreementStatus.RETURNED})
SUBMITTABLE_STATUSES: Final = EDITABLE_STATUSES
# An agreement in these has ended for good: nothing more follows.
FINAL_STATUSES: Final = frozenset(
    {
        AgreementStatus.REJECTED,
        AgreementStatus.TERMINATED,
        AgreementStatus.WITHDRAWN,
        AgreementStatus.EXPIRED,
    }
)
# Signed and not ended: it can be amended, extended, suspended or ended.
LIVE_STATUSES: Final = frozenset(
    {AgreementStatus.SIGNED, AgreementStatus.IN_FORCE, AgreementStatus.SUSPENDED}
)


class TaskKind(StrEnum):
    """What a person is asked to do. The first four are answered through the decision
    endpoint; the province's duties are done by the action they name."""

    CONSULTATION = "CONSULTATION"  # written opinion of a consulted body
    PM_OPINION = "PM_OPINION"  # the Prime Minister's opinion on a disagreement
    DECISION = "DECISION"  # the provincial leader approves or rejects
    COPY_RECEIPT = "COPY_RECEIPT"  # the recipient acknowledges a copy or notice
    SUPPLEMENT = "SUPPLEMENT"  # the province completes a returned dossier and resubmits
    SIGNING = "SIGNING"  # the province records the signing of an approved agreement
    COPY_DELIVERY = "COPY_DELIVERY"  # the province sends the signed copy or the notice


class TaskStatus(StrEnum):
    OPEN = "OPEN"
    PAUSED = "PAUSED"  # a consultation whose dossier was returned: its clock stopped
    DONE = "DONE"
    CANCELLED = "CANCELLED"


CLOSED_TASK_STATUSES: Final = frozenset({TaskStatus.DONE, TaskStatus.CANCELLED})


class Outcome(StrEnum):
    AGREE = "AGREE"
    AGREE_WITH_COMMENTS = "AGREE_WITH_COMMENTS"
    DISAGREE = "DISAGREE"
    REQUEST_SUPPLEMENT = "REQUEST_SUPPLEMENT"
    CONSENT = "CONSENT"
    REFUSE = "REFUSE"
    APPROVE = "APPROVE"
    REJECT = "REJECT"
    RECEIVED = "RECEIVED"
    DONE = "DONE"  # a province duty, done by its own action


OUTCOMES: Final[Mapping[TaskKind, frozenset[Outcome]]] = MappingProxyType(
    {
        TaskKind.CONSULTATION: frozenset(
            {
                Outcome.AGREE,
                Outcome.AGREE_WITH_COMMENTS,
                Outcome.DISAGREE,
                Outcome.REQUEST_SUPPLEMENT,
            }
        ),
        TaskKind.PM_OPINION: frozenset({Outcome.CONSENT, Outcome.REFUSE}),
        TaskKind.DECISION: frozenset({Outcome.APPROVE, Outcome.REJECT}),
        TaskKind.COPY_RECEIPT: frozenset({Outcome.RECEIVED}),
        TaskKind.SUPPLEMENT: frozenset({Outcome.DONE}),
        TaskKind.SIGNING: frozenset({Outcome.DONE}),
        TaskKind.COPY_DELIVERY: frozenset({Outcome.DONE}),
    }
)
ANSWERED_BY_DECISION: Final = frozenset(
    {TaskKind.CONSULTATION, TaskKind.PM_OPINION, TaskKind.DECISION, TaskKind.COPY_RECEIPT}
)
# A comment is owed with these: the province must know what to fix or why.
COMMENT_REQUIRED: Final = frozenset(
    {
        Outcome.AGREE_WITH_COMMENTS,
        Outcome.DISAGREE,
        Outcome.REQUEST_SUPPLEMENT,
        Outcome.REFUSE,
        Outcome.REJECT,
    }
)


class RejectionReason(StrEnum):
    LEADER_REJECTED = "LEADER_REJECTED"
    PM_REFUSED = "PM_REFUSED"


class Duty(StrEnum):
    """What a province owes after a decision takes effect (domain.md §2.3)."""

    COPY = "COPY"  # signed copy to the Ministry (or the provincial body) within 15 days
    NOTICE = "NOTICE"  # notice of termination, withdrawal or suspension within 15 days
    REPORT = "REPORT"  # report to the Prime Minister within 15 days (provincial level, Art. 19)
    PLAN = "PLAN"  # yearly implementation plan to the Ministry by 15 November


# The duty a case owes when it takes effect, and those that come on top of it.
PRIMARY_DUTIES: Final = frozenset({Duty.COPY, Duty.NOTICE})


def duty_of(case_kind: CaseKind | str) -> Duty:
    """What a case owes after it takes effect: a notice for an ending, a copy otherwise."""
    return Duty.NOTICE if CaseKind(case_kind) in ENDING_KINDS else Duty.COPY


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


class DocumentKind(StrEnum):
    """The dossier (hồ sơ, domain.md §2.1) and what follows it."""

    PROPOSAL = "PROPOSAL"  # tờ trình
    DRAFT_TEXT = "DRAFT_TEXT"  # dự thảo văn bản thỏa thuận
    TRANSLATION = "TRANSLATION"  # bản dịch tiếng Việt
    IMPLEMENTATION_PLAN = "IMPLEMENTATION_PLAN"  # dự thảo kế hoạch thực hiện
    IMPACT_ASSESSMENT = "IMPACT_ASSESSMENT"
    SIGNED_TEXT = "SIGNED_TEXT"
    OPINION = "OPINION"  # a written opinion or decision, attached by whoever answers a task
    OTHER = "OTHER"


VIETNAMESE: Final = "vi"
