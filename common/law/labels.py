"""The one (Vietnamese, English) table of the law's vocabulary, the names of the organisations,
places and fields it speaks of, and counts worded by each language's plural rules.

Web pages, reports and notifications all name a code through this module, so a status reads
the same on a page, in a report and in an e-mail. Vietnamese comes first everywhere: it is the
working language (domain.md §5); English is the second. Texts that only one surface shows (page
chrome, report headings, notification sentences) stay with that surface.

The names of cooperation fields, consulted bodies, provincial units and countries have their
own catalogues (common/fields.py, common/bodies.py, common/provinces.py, common/countries.py);
the functions here read them rather than copy them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from types import MappingProxyType
from typing import Any, Final

from babel import Locale

from common.bodies import get_body, unit_label
from common.countries import country_name
from common.fields import FIELD_LABELS
from common.fields import Field as CooperationField
from common.law.deadlines import Timing
from common.law.routing import MOFA_REGISTRY, PM_OFFICE
from common.law.vocabulary import (
    AgreementForm,
    AgreementStatus,
    CaseKind,
    Category,
    DocumentKind,
    Duty,
    Outcome,
    PartnerType,
    Procedure,
    ReducedGround,
    RejectionReason,
    Role,
    RouteReason,
    SignatoryLevel,
    TaskKind,
    TaskStatus,
    Touch,
)
from common.provinces import CURRENT_UNITS, OLD_UNITS
from common.text import fold

Pair = tuple[str, str]  # (Vietnamese, English)
LANGUAGES: Final = ("vi", "en")


def pick(pair: Pair, lang: str) -> str:
    """The Vietnamese or the English half of a pair; any language but "vi" reads English."""
    return pair[0] if lang == "vi" else pair[1]


# --- counts -----------------------------------------------------------------------------------


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse("vi" if lang == "vi" else "en")


def plural_category(n: int, lang: str) -> str:
    """The CLDR plural category of `n` in `lang` ("one", "other", ...), by Babel's rules.
    Vietnamese has only "other"; English has "one" for 1 and "other" for the rest."""
    return str(_locale(lang).plural_form(abs(n)))


@dataclass(frozen=True)
class Plural:
    """A phrase with a count in every form the two languages need; `{n}` is the count.

    Vietnamese does not inflect ("1 ngày", "3 ngày"); English has a singular and a plural."""

    vi: str
    en_one: str
    en_other: str

    def forms(self, lang: str) -> Mapping[str, str]:
        if lang == "vi":
            return {"other": self.vi}
        return {"one": self.en_one, "other": self.en_other}

    def format(self, n: int, lang: str, **params: Any) -> str:
        forms = self.forms(lang)
        template = forms.get(plural_category(n, lang), forms["other"])
        return template.format(n=n, **params)

    def texts(self) -> tuple[str, ...]:
        return (self.vi, self.en_one, self.en_other)


def plural(n: int, lang: str, *, vi: str, en_one: str, en_other: str, **params: Any) -> str:
    """`plural(3, "en", vi="còn {n} ngày", en_one="{n} day left", en_other="{n} days left")`
    -> "3 days left"."""
    return Plural(vi, en_one, en_other).format(n, lang, **params)


# The units the law counts time in; every surface says them the same way.
COUNTS: Final[Mapping[str, Plural]] = MappingProxyType(
    {
        "day": Plural("{n} ngày", "{n} day", "{n} days"),
        "working_day": Plural("{n} ngày làm việc", "{n} working day", "{n} working days"),
    }
)


def count(unit: str, n: int, lang: str) -> str:
    """`count("working_day", 1, "en")` -> "1 working day"; "3 working days"; "3 ngày làm việc"."""
    return COUNTS[unit].format(n, lang)


_ORDINAL_SUFFIX_EN: Final = {"one": "st", "two": "nd", "few": "rd", "other": "th"}


def ordinal(n: int, lang: str) -> str:
    """ "thứ 21" / "21st", "22nd", "23rd", "24th", "11th" (Babel's ordinal rules)."""
    if lang == "vi":
        return f"thứ {n}"
    return f"{n}{_ORDINAL_SUFFIX_EN.get(str(_locale(lang).ordinal_form(abs(n))), 'th')}"


# --- the vocabulary ---------------------------------------------------------------------------

_TIMING: Final = Timing()

# Every enum of common/law/vocabulary.py, member by member. Where the earlier copies of the pages,
# reports and notifications disagreed, the wording of the law (70/2020/QH14) won.
LABELS: Final[Mapping[type[StrEnum], Mapping[Any, Pair]]] = MappingProxyType(
    {
        AgreementStatus: {
            AgreementStatus.DRAFT: ("Dự thảo", "Draft"),
            AgreementStatus.SUBMITTED: ("Đã trình", "Submitted"),
            AgreementStatus.RETURNED: ("Trả lại để bổ sung hồ sơ", "Returned for completion"),
            AgreementStatus.IN_CONSULTATION: ("Đang lấy ý kiến", "In consultation"),
            AgreementStatus.AWAITING_PM_OPINION: (
                "Chờ ý kiến Thủ tướng Chính phủ",
                "Awaiting the Prime Minister's opinion",
            ),
            AgreementStatus.AWAITING_DECISION: ("Chờ quyết định", "Awaiting the decision"),
            AgreementStatus.APPROVED: ("Đã phê duyệt", "Approved"),
            AgreementStatus.REJECTED: ("Không được phê duyệt", "Rejected"),
            AgreementStatus.SIGNED: ("Đã ký", "Signed"),
            AgreementStatus.IN_FORCE: ("Đang có hiệu lực", "In force"),
            AgreementStatus.SUSPENDED: ("Tạm đình chỉ thực hiện", "Suspended"),
            AgreementStatus.TERMINATED: ("Đã chấm dứt hiệu lực", "Terminated"),
            AgreementStatus.WITHDRAWN: ("Đã rút khỏi", "Withdrawn"),
            AgreementStatus.EXPIRED: ("Hết hiệu lực", "Expired"),
        },
        AgreementForm: {
            AgreementForm.AGREEMENT: ("Thỏa thuận", "Agreement"),
            AgreementForm.MEMORANDUM_OF_UNDERSTANDING: (
                "Bản ghi nhớ",
                "Memorandum of understanding",
            ),
            AgreementForm.LETTER_OF_INTENT: ("Ý định thư", "Letter of intent"),
            AgreementForm.MINUTES_OF_AGREEMENT: ("Biên bản thỏa thuận", "Minutes of agreement"),
            AgreementForm.MINUTES_OF_EXCHANGE: ("Biên bản trao đổi", "Minutes of exchange"),
            AgreementForm.COOPERATION_PROGRAMME: ("Chương trình hợp tác", "Cooperation programme"),
            AgreementForm.COOPERATION_PLAN: ("Kế hoạch hợp tác", "Cooperation plan"),
            AgreementForm.COMMUNIQUE: ("Thông cáo", "Communiqué"),
            AgreementForm.DECLARATION: ("Tuyên bố", "Declaration"),
            AgreementForm.OTHER: ("Tên gọi khác", "Other name"),
        },
        Category: {
            Category.INTERNATIONAL_AGREEMENT: ("Thỏa thuận quốc tế", "International agreement"),
            Category.ODA_OR_CONCESSIONAL_LOAN: (
                "Vốn ODA, vốn vay ưu đãi",
                "ODA or concessional loan",
            ),
            Category.VIETNAMESE_AID_ABROAD: (
                "Viện trợ của Việt Nam cho nước ngoài",
                "Vietnamese aid abroad",
            ),
            Category.FOREIGN_NGO_AID: (
                "Viện trợ phi chính phủ nước ngoài",
                "Foreign non-governmental aid",
            ),
            Category.CIVIL_CONTRACT: ("Hợp đồng dân sự", "Civil-law contract"),
            Category.PPP_CONTRACT: (
                "Hợp đồng dự án đối tác công tư (PPP)",
                "Public-private partnership (PPP) contract",
            ),
        },
        SignatoryLevel: {
            SignatoryLevel.PROVINCIAL_COUNCIL: (
                "Hội đồng nhân dân cấp tỉnh",
                "Provincial People's Council",
            ),
            SignatoryLevel.PROVINCIAL_COMMITTEE: (
                "Ủy ban nhân dân cấp tỉnh",
                "Provincial People's Committee",
            ),
            SignatoryLevel.DEPARTMENT: (
                "Cơ quan chuyên môn thuộc Ủy ban nhân dân cấp tỉnh",
                "Provincial department",
            ),
            SignatoryLevel.BORDER_COMMUNE: (
                "Ủy ban nhân dân xã biên giới",
                "People's Committee of a border commune",
            ),
            SignatoryLevel.PROVINCIAL_ORG: (
                "Cơ quan cấp tỉnh của tổ chức",
                "Provincial body of an organisation",
            ),
        },
        PartnerType: {
            PartnerType.STATE: ("Nhà nước, Quốc hội, Chính phủ", "State, parliament or government"),
            PartnerType.LOCAL_GOVERNMENT: ("Chính quyền địa phương", "Local government"),
            PartnerType.AGENCY_OR_ORGANISATION: (
                "Cơ quan, tổ chức được thành lập theo pháp luật nước ngoài",
                "Agency or organisation established under foreign law",
            ),
            PartnerType.INTERNATIONAL_ORGANISATION: (
                "Tổ chức quốc tế",
                "International organisation",
            ),
            PartnerType.INDIVIDUAL: ("Cá nhân", "Individual"),
        },
        Procedure: {
            Procedure.STANDARD: (
                f"Thông thường ({count('working_day', _TIMING.consultation_working_days, 'vi')})",
                f"Standard ({count('working_day', _TIMING.consultation_working_days, 'en')})",
            ),
            Procedure.REDUCED: (
                f"Rút gọn ({count('working_day', _TIMING.reduced_working_days, 'vi')})",
                f"Reduced ({count('working_day', _TIMING.reduced_working_days, 'en')})",
            ),
        },
        Touch: {
            Touch.SECURITY: ("An ninh", "Security"),
            Touch.DEFENCE: ("Quốc phòng", "Defence"),
            Touch.BORDER: ("Biên giới", "Borders"),
            Touch.INVESTMENT: ("Đầu tư", "Investment"),
            Touch.SENSITIVE: ("Nội dung phức tạp, nhạy cảm", "Complex or sensitive content"),
        },
        DocumentKind: {
            DocumentKind.PROPOSAL: ("Tờ trình", "Proposal"),
            DocumentKind.DRAFT_TEXT: ("Dự thảo văn bản thỏa thuận", "Draft text"),
            DocumentKind.TRANSLATION: ("Bản dịch tiếng Việt", "Vietnamese translation"),
            DocumentKind.IMPLEMENTATION_PLAN: (
                "Dự thảo kế hoạch thực hiện",
                "Draft implementation plan",
            ),
            DocumentKind.IMPACT_ASSESSMENT: ("Đánh giá tác động", "Impact assessment"),
            DocumentKind.SIGNED_TEXT: ("Văn bản đã ký", "Signed text"),
            DocumentKind.OPINION: ("Văn bản ý kiến", "Written opinion"),
            DocumentKind.OTHER: ("Tài liệu khác", "Other document"),
        },
        TaskKind: {
            TaskKind.CONSULTATION: ("Cho ý kiến", "Opinion"),
            TaskKind.PM_OPINION: ("Ý kiến Thủ tướng Chính phủ", "Prime Minister's opinion"),
            TaskKind.DECISION: ("Quyết định ký kết", "Decision"),
            TaskKind.COPY_RECEIPT: ("Xác nhận nhận bản sao", "Acknowledge the copy"),
            TaskKind.SUPPLEMENT: ("Bổ sung hồ sơ", "Complete the dossier"),
            TaskKind.SIGNING: ("Ghi nhận ký kết", "Record the signing"),
            TaskKind.COPY_DELIVERY: ("Gửi bản sao, báo cáo", "Send the copy and report"),
        },
        TaskStatus: {
            TaskStatus.OPEN: ("Đang mở", "Open"),
            TaskStatus.PAUSED: ("Tạm dừng", "Paused"),
            TaskStatus.DONE: ("Đã xong", "Done"),
            TaskStatus.CANCELLED: ("Đã hủy", "Cancelled"),
        },
        # "Nhất trí" for a consulted body's agreement, "Đồng ý" for the Prime Minister's
        # consent: the two must not read alike when both appear on one decision.
        Outcome: {
            Outcome.AGREE: ("Nhất trí", "Agree"),
            Outcome.AGREE_WITH_COMMENTS: ("Nhất trí, có góp ý", "Agree with comments"),
            Outcome.DISAGREE: ("Không nhất trí", "Disagree"),
            Outcome.REQUEST_SUPPLEMENT: ("Đề nghị bổ sung hồ sơ", "Request a supplement"),
            Outcome.CONSENT: ("Đồng ý", "Consent"),
            Outcome.REFUSE: ("Không đồng ý", "Refuse"),
            Outcome.APPROVE: ("Phê duyệt", "Approve"),
            Outcome.REJECT: ("Không phê duyệt", "Reject"),
            Outcome.RECEIVED: ("Đã nhận", "Received"),
            Outcome.DONE: ("Đã thực hiện", "Done"),
        },
        CaseKind: {
            CaseKind.CONCLUSION: ("Ký kết", "Conclusion"),
            CaseKind.AMENDMENT: ("Sửa đổi", "Amendment"),
            CaseKind.SUPPLEMENT: ("Bổ sung", "Supplement"),
            CaseKind.EXTENSION: ("Gia hạn", "Extension"),
            CaseKind.TERMINATION: ("Chấm dứt hiệu lực", "Termination"),
            CaseKind.WITHDRAWAL: ("Rút khỏi", "Withdrawal"),
            CaseKind.SUSPENSION: ("Tạm đình chỉ thực hiện", "Suspension"),
            CaseKind.RESUMPTION: ("Tiếp tục thực hiện", "Resumption"),
        },
        Role: {
            Role.PROVINCE_OFFICER: ("Cán bộ tỉnh", "Province officer"),
            Role.PROVINCIAL_LEADER: (
                "Chủ tịch Ủy ban nhân dân cấp tỉnh",
                "Chairman of the provincial People's Committee",
            ),
            Role.COUNCIL_CHAIR: (
                "Chủ tịch Hội đồng nhân dân cấp tỉnh",
                "Chairman of the provincial People's Council",
            ),
            Role.REVIEWER: ("Chuyên viên cơ quan được lấy ý kiến", "Reviewer of a consulted body"),
            Role.SUPERVISOR: ("Lãnh đạo cơ quan được lấy ý kiến", "Head of a consulted body"),
            Role.PM_OFFICE: ("Văn phòng Chính phủ", "Office of the Government"),
            Role.MOFA_REGISTRY: (
                "Bộ phận lưu chiểu, Bộ Ngoại giao",
                "Registry, Ministry of Foreign Affairs",
            ),
            Role.OPERATOR: ("Vận hành", "Operator"),
            Role.ADMIN: ("Quản trị", "Administrator"),
        },
        Duty: {
            Duty.COPY: ("Bản sao thỏa thuận đã ký", "Copy of the signed agreement"),
            Duty.REPORT: (
                "Báo cáo Thủ tướng Chính phủ về thỏa thuận đã ký",
                "Report to the Prime Minister on the signed agreement",
            ),
            Duty.PLAN: (
                "Kế hoạch thực hiện thỏa thuận hằng năm",
                "Yearly implementation plan of the agreement",
            ),
            Duty.NOTICE: (
                "Thông báo chấm dứt hiệu lực, rút khỏi hoặc tạm đình chỉ thực hiện",
                "Notice of termination, withdrawal or suspension",
            ),
        },
        RouteReason: {
            RouteReason.ALWAYS_MOFA: (
                "Thỏa thuận cấp tỉnh luôn phải lấy ý kiến Bộ Ngoại giao",
                "Agreements at provincial level are always sent to the Ministry of Foreign Affairs",
            ),
            RouteReason.FOREIGN_AFFAIRS_BODY: (
                "Cơ quan ngoại vụ cấp tỉnh cho ý kiến về mọi thỏa thuận dưới cấp tỉnh",
                "The provincial foreign-affairs body gives its opinion on every agreement below "
                "provincial level",
            ),
            RouteReason.BORDER_COMMUNE: (
                "Thỏa thuận của xã biên giới lấy ý kiến công an, quân sự và biên phòng tỉnh",
                "Border-commune agreements are sent to the provincial police, military and "
                "border-guard commands",
            ),
            RouteReason.SECURITY: (
                "Dự thảo có nội dung liên quan đến an ninh",
                "The draft touches security",
            ),
            RouteReason.DEFENCE: (
                "Dự thảo có nội dung liên quan đến quốc phòng",
                "The draft touches defence",
            ),
            RouteReason.BORDER: (
                "Dự thảo có nội dung liên quan đến biên giới",
                "The draft touches the border",
            ),
            RouteReason.INVESTMENT: (
                "Dự thảo có nội dung liên quan đến đầu tư",
                "The draft touches investment",
            ),
            RouteReason.SENSITIVE: (
                "Nội dung phức tạp, nhạy cảm",
                "Complex or sensitive content",
            ),
            RouteReason.SECURITY_BORDER_FIELD: (
                "Lĩnh vực hợp tác có an ninh và quản lý biên giới",
                "A field of cooperation is security and border management",
            ),
            RouteReason.INVESTMENT_FIELD: (
                "Lĩnh vực hợp tác có đầu tư",
                "A field of cooperation is investment",
            ),
            RouteReason.RELATED: (
                "Cơ quan liên quan do đơn vị đề xuất nêu",
                "Named by the proposer as related to the content",
            ),
        },
        ReducedGround: {
            ReducedGround.HIGH_LEVEL_VISIT: (
                "Ký kết trong chuyến thăm cấp cao được cấp có thẩm quyền cho phép",
                "Signing during a high-level visit allowed by a competent authority",
            ),
            ReducedGround.POLITICAL_URGENCY: (
                "Yêu cầu cấp bách về chính trị, đối ngoại",
                "Urgent political or foreign-affairs need",
            ),
            ReducedGround.EMERGENCY_RELIEF: (
                "Yêu cầu cấp bách về cứu trợ khẩn cấp",
                "Urgent need for emergency relief",
            ),
            ReducedGround.DISASTER_RECOVERY: (
                "Khắc phục hậu quả thiên tai, thảm họa, dịch bệnh",
                "Recovery from a natural disaster, catastrophe or epidemic",
            ),
        },
        RejectionReason: {
            RejectionReason.LEADER_REJECTED: (
                "Người có thẩm quyền quyết định không phê duyệt",
                "Rejected by the decider",
            ),
            RejectionReason.PM_REFUSED: (
                "Thủ tướng Chính phủ không đồng ý",
                "Refused by the Prime Minister",
            ),
        },
    }
)

# The names templates and callers use for each vocabulary.
VOCABULARIES: Final[Mapping[str, type[StrEnum]]] = MappingProxyType(
    {
        "status": AgreementStatus,
        "form": AgreementForm,
        "category": Category,
        "level": SignatoryLevel,
        "partner": PartnerType,
        "procedure": Procedure,
        "touch": Touch,
        "document": DocumentKind,
        "task": TaskKind,
        "task_status": TaskStatus,
        "outcome": Outcome,
        "case": CaseKind,
        "role": Role,
        "duty": Duty,
        "reason": RejectionReason,
        "reduced_ground": ReducedGround,
        "route_reason": RouteReason,
    }
)

Vocabulary = str | type[StrEnum]


def vocabulary(name: Vocabulary) -> type[StrEnum]:
    """The enum a vocabulary name stands for (KeyError when none); an enum is itself."""
    return name if isinstance(name, type) else VOCABULARIES[name]


def _value(code: Any) -> str:
    return str(getattr(code, "value", code))


def pair(name: Vocabulary, code: Any) -> Pair | None:
    """The (Vietnamese, English) label of `code` (a member or its value); None when the code is
    not in the vocabulary."""
    enum = vocabulary(name)
    try:
        member = enum(_value(code))
    except ValueError:
        return None
    return LABELS[enum][member]


def label(name: Vocabulary, code: Any, lang: str) -> str:
    """`label("status", "IN_FORCE", "vi")` -> "Đang có hiệu lực"; the code itself when unknown,
    so a new code shows up as itself rather than as nothing."""
    found = pair(name, code)
    return _value(code) if found is None else pick(found, lang)


def pairs(name: Vocabulary) -> Mapping[str, Pair]:
    """code value -> (Vietnamese, English), in the order the enum declares its members."""
    enum = vocabulary(name)
    return MappingProxyType({member.value: LABELS[enum][member] for member in enum})


def choices(name: Vocabulary, lang: str, codes: Iterable[Any] | None = None) -> list[Pair]:
    """(code, label) of each member, in declared order or in the order of `codes` (codes
    outside the vocabulary are left out)."""
    table = pairs(name)
    keys = list(table) if codes is None else [_value(c) for c in codes]
    return [(key, pick(table[key], lang)) for key in keys if key in table]


# --- names of fields, bodies, places and languages ---------------------------------------------

# Organisations that receive tasks but are neither consulted bodies nor provinces.
ORGS: Final[Mapping[str, Pair]] = MappingProxyType(
    {
        PM_OFFICE: ("Văn phòng Chính phủ", "Office of the Government"),
        MOFA_REGISTRY: (
            "Bộ phận lưu chiểu, Bộ Ngoại giao",
            "Registry of the Ministry of Foreign Affairs",
        ),
    }
)


def field_label(code: Any, lang: str) -> str:
    """A field of cooperation (common/fields.py); the code itself when unknown."""
    try:
        return pick(FIELD_LABELS[CooperationField(_value(code))], lang)
    except ValueError:
        return _value(code)


def body_name(code: str, lang: str) -> str:
    """A consulted body (common/bodies.py) by name; the code itself when unknown."""
    body = get_body(code)
    if body is None:
        return code
    return body.name_vi if lang == "vi" else body.name_en


def province_name(code: str, lang: str) -> str:
    """A current provincial-level unit as running text names it: "tỉnh Lạng Sơn" / "Lang Son",
    "thành phố Hà Nội" / "Hanoi"; the code itself when unknown."""
    return unit_label(code, lang)


def unit_name(code: str, lang: str) -> str:
    """The bare name of a provincial-level unit, current or one of the 63 former ones, as a
    table lists it: "Lạng Sơn" / "Lang Son", "Kiên Giang" / "Kien Giang"."""
    unit = CURRENT_UNITS.get(code) or OLD_UNITS.get(code)
    if unit is None:
        return code
    if lang == "vi":
        return unit.name
    if code in CURRENT_UNITS:
        return unit_label(code, lang)
    return " ".join(word.capitalize() for word in fold(unit.name).split())


def country(code: str, lang: str) -> str:
    """A country by its everyday name (common/countries.py); the code itself when unknown."""
    return country_name(code, lang)


def org_label(code: str | None, lang: str) -> str:
    """Whoever a task is given to, by name: a consulted body, a province, the Office of the
    Government or the Ministry of Foreign Affairs' registry; the code itself when unknown."""
    if not code:
        return ""
    if get_body(code) is not None:
        return body_name(code, lang)
    if code in ORGS:
        return pick(ORGS[code], lang)
    return province_name(code, lang)


def language_name(code: str, lang: str) -> str:
    """A language by name in the reader's language ("Tiếng Hàn" / "Korean"); the code when
    unknown."""
    name = _locale(lang).languages.get(code)
    return str(name) if name else code


# --- checks -----------------------------------------------------------------------------------


def gaps() -> Mapping[str, list[str]]:
    """Members with no label or an empty one, per vocabulary (the tests keep this empty)."""
    found: dict[str, list[str]] = {}
    for enum in VOCABULARIES.values():
        table = LABELS.get(enum, {})
        for member in enum:
            entry = table.get(member)
            if entry is None or not all(text.strip() for text in entry):
                found.setdefault(enum.__name__, []).append(member.value)
    return found
