"""The procedure after submission (domain.md §2.2, §2.3), as pure rules.

Who is consulted on a draft (cơ quan được lấy ý kiến), for how many working days, when the
Prime Minister must give an opinion (ý kiến của Thủ tướng), who decides, what each kind of task
may answer, and which duties follow signing. The Temporal workflow, the agreements service and
the consumers all read their vocabulary from here, so a change of the law touches one file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from common.auth import Role
from common.bodies import get_body

MOFA: Final = "mofa"
MPS: Final = "mps"
MOD: Final = "mod"
MOF: Final = "mof"
PM_OFFICE: Final = "pm-office"
MOFA_REGISTRY: Final = "mofa-registry"


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


class Procedure(StrEnum):
    STANDARD = "STANDARD"
    REDUCED = "REDUCED"  # thủ tục rút gọn: high-level visit, urgent political or relief need


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


# Changes that produce a new signed text; the others end or suspend the agreement at an
# effective date and owe the Ministry of Foreign Affairs a notice.
CHANGE_KINDS: Final = frozenset({CaseKind.AMENDMENT, CaseKind.SUPPLEMENT, CaseKind.EXTENSION})
ENDING_KINDS: Final = frozenset({CaseKind.TERMINATION, CaseKind.WITHDRAWAL, CaseKind.SUSPENSION})
ENDING_STATUS: Final[Mapping[CaseKind, str]] = MappingProxyType(
    {
        CaseKind.TERMINATION: "TERMINATED",
        CaseKind.WITHDRAWAL: "WITHDRAWN",
        CaseKind.SUSPENSION: "SUSPENDED",
    }
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


class Duty(StrEnum):
    COPY = "COPY"  # signed copy (and report to the Prime Minister) within 15 days of signing
    NOTICE = "NOTICE"  # notice of termination, withdrawal or suspension within 15 days


@dataclass(frozen=True)
class Assignee:
    """Who may act on a task: a role within an organisation (a body, a province, or one of
    the central offices)."""

    role: Role
    org: str


def consulted_bodies(
    *,
    signatory_level: SignatoryLevel | str,
    province: str,
    touches: Iterable[Touch | str] = (),
    related_bodies: Iterable[str] = (),
) -> list[str]:
    """The bodies asked for a written opinion, in a stable order, without duplicates.

    - Council or Committee: the Ministry of Foreign Affairs always; Public Security and/or
      National Defence for security, defence or border content.
    - Department, and a provincial body of an organisation (decided by the same Chairman, so
      routed the same way): the provincial foreign-affairs body; Public Security, National
      Defence or Finance for security, defence or investment; the Ministry of Foreign Affairs
      for sensitive content; border content goes to both security ministries.
    - Border commune: the provincial police, military command and border-guard command,
      through the provincial foreign-affairs body (which is consulted too, as it gathers the
      opinions for the Chairman).
    In every case the bodies the proposer names as related to the content are added.
    """
    level = SignatoryLevel(signatory_level)
    content = {Touch(t) for t in touches}
    bodies: list[str] = []
    if level in PROVINCIAL_LEVELS:
        bodies.append(MOFA)
        if content & {Touch.SECURITY, Touch.BORDER}:
            bodies.append(MPS)
        if content & {Touch.DEFENCE, Touch.BORDER}:
            bodies.append(MOD)
    elif level is SignatoryLevel.BORDER_COMMUNE:
        bodies += [
            f"{province}.foreign-affairs",
            f"{province}.police",
            f"{province}.military",
            f"{province}.border-guard",
        ]
    else:
        bodies.append(f"{province}.foreign-affairs")
        if content & {Touch.SECURITY, Touch.BORDER}:
            bodies.append(MPS)
        if content & {Touch.DEFENCE, Touch.BORDER}:
            bodies.append(MOD)
        if Touch.INVESTMENT in content:
            bodies.append(MOF)
        if Touch.SENSITIVE in content:
            bodies.append(MOFA)
    bodies += list(related_bodies)
    unknown = [b for b in bodies if get_body(b) is None]
    if unknown:
        raise ValueError(f"unknown consulted bodies {unknown}: refusing to route to no one")
    return list(dict.fromkeys(bodies))


def needs_pm_opinion(level: SignatoryLevel | str, outcomes: Iterable[Outcome | str]) -> bool:
    """At provincial level any disagreement goes to the Prime Minister before the decision;
    below it the leader decides with the disagreement on record."""
    return SignatoryLevel(level) in PROVINCIAL_LEVELS and Outcome.DISAGREE in {
        Outcome(o) for o in outcomes
    }


def decider(province: str) -> Assignee:
    """The Chairman of the provincial People's Committee decides for every level handled
    (for a Council's own agreements its Chairman: the same `provincial_leader` login)."""
    return Assignee(Role.PROVINCIAL_LEADER, province)


def consultation_assignee(body: str) -> Assignee:
    return Assignee(Role.REVIEWER, body)


def pm_assignee() -> Assignee:
    return Assignee(Role.PM_OFFICE, PM_OFFICE)


def province_duty_assignee(province: str) -> Assignee:
    return Assignee(Role.PROVINCE_OFFICER, province)


def copy_recipient(
    level: SignatoryLevel | str, province: str, *, to_mofa_for_all_levels: bool = False
) -> Assignee:
    """Who receives the signed copy or the notice: the Ministry of Foreign Affairs' registry
    for the provincial level, the provincial foreign-affairs body below it (domain.md marks
    that configurable: `Timing.copy_to_mofa_for_all_levels`)."""
    if to_mofa_for_all_levels or SignatoryLevel(level) in PROVINCIAL_LEVELS:
        return Assignee(Role.MOFA_REGISTRY, MOFA_REGISTRY)
    return Assignee(Role.REVIEWER, f"{province}.foreign-affairs")


@dataclass(frozen=True)
class Timing:
    """The figures of domain.md §2.3; those marked configurable there are settings, and a
    workflow keeps the values it started with."""

    consultation_working_days: int = 7
    reduced_working_days: int = 3
    pm_working_days: int = 7
    reminder_working_days_before: int = 2
    copy_calendar_days: int = 15
    notice_calendar_days: int = 15
    copy_reminder_days_before: tuple[int, ...] = (5, 1)
    plan_due_month: int = 11
    plan_due_day: int = 15
    plan_reminder_days_before: int = 30
    expiry_reminder_days: tuple[int, ...] = (180, 90, 30)
    copy_to_mofa_for_all_levels: bool = False

    def consultation_days(self, procedure: Procedure | str) -> int:
        if Procedure(procedure) is Procedure.REDUCED:
            return self.reduced_working_days
        return self.consultation_working_days
