"""How the reports name things, in Vietnamese and English: sections, columns, codes.

Codes of the law, fields, bodies, units and countries are named by common/law/labels.py, the
table the pages and notifications share; only the report's own headings live here.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final

from common.law import cycles
from common.law import labels as shared
from common.law.vocabulary import (
    AgreementForm,
    AgreementStatus,
    Duty,
    PartnerType,
    SignatoryLevel,
)
from services.reporting.domain.aggregation import INTERNATIONAL_GROUP
from services.reporting.domain.regions import region_name

_STATUS: Final = shared.pairs(AgreementStatus)

SECTIONS: Final[dict[str, tuple[str, str]]] = {
    "headline": ("Chỉ tiêu chính", "Headline figures"),
    "by_province": ("Theo tỉnh, thành phố (34 đơn vị hiện hành)", "By province (34 current units)"),
    "by_historical_unit": (
        "Theo đơn vị cấp tỉnh trước sáp nhập (63 đơn vị)",
        "By former provincial unit (63 units)",
    ),
    "by_country": ("Theo quốc gia đối tác", "By partner country"),
    "by_region": ("Theo khu vực (UN M49)", "By world region (UN M49)"),
    "by_sub_region": ("Theo tiểu khu vực (UN M49)", "By sub-region (UN M49)"),
    "by_partner_type": ("Theo loại đối tác", "By partner type"),
    "by_field": ("Theo lĩnh vực hợp tác", "By field of cooperation"),
    "by_form": ("Theo tên gọi văn bản", "By form of agreement"),
    "by_signatory_level": ("Theo cấp ký", "By signatory level"),
    "by_occasion": ("Theo sự kiện ký kết", "By signing occasion"),
    "new_partner_countries": (
        "Quốc gia đối tác mới so với kỳ trước",
        "Partner countries new since the previous cycle",
    ),
    "pipeline_by_status": (
        "Hồ sơ trong kỳ theo trạng thái",
        "Cases opened in the cycle by status",
    ),
    "consultation_sla": (
        "Thời hạn góp ý theo cơ quan được lấy ý kiến",
        "Consultation deadlines by consulted body",
    ),
    "post_signing_compliance": (
        "Gửi bản sao sau ký trong 15 ngày",
        "Signed copies sent within 15 days",
    ),
    "post_signing_duties": (
        "Gửi bản sao, thông báo, báo cáo và kế hoạch (theo hạn trong kỳ)",
        "Copies, notices, reports and plans owed (by due date in the cycle)",
    ),
}

HEADLINES: Final[dict[str, tuple[str, str]]] = {
    "agreements_signed": ("Số thỏa thuận đã ký", "Agreements signed"),
    # Agreements now in a status read as that status does everywhere else.
    "in_force": _STATUS[AgreementStatus.IN_FORCE],
    "expiring_within_180_days": ("Sắp hết hiệu lực trong 180 ngày", "Expiring within 180 days"),
    "expired": _STATUS[AgreementStatus.EXPIRED],
    "terminated": _STATUS[AgreementStatus.TERMINATED],
    "suspended": _STATUS[AgreementStatus.SUSPENDED],
    "withdrawn": _STATUS[AgreementStatus.WITHDRAWN],
    "partner_countries": ("Số quốc gia đối tác", "Partner countries"),
    "new_partner_countries": ("Số quốc gia đối tác mới", "New partner countries"),
}

COMPLIANCE: Final[dict[str, tuple[str, str]]] = {
    "copies_due": ("Bản sao phải gửi", "Copies owed"),
    "delivered_on_time": ("Gửi đúng hạn", "Sent on time"),
    "delivered_late": ("Gửi quá hạn", "Sent late"),
    "overdue_not_delivered": ("Quá hạn chưa gửi", "Overdue, not sent"),
    "not_yet_due": ("Chưa đến hạn", "Not yet due"),
    "on_time_share": ("Tỷ lệ gửi đúng hạn", "Share sent on time"),
}

# The figures of each duty in post_signing_duties.
DUTY_FIGURES: Final[dict[str, tuple[str, str]]] = {
    "due": ("Đến hạn trong kỳ", "Due in the cycle"),
    "delivered_on_time": ("Gửi đúng hạn", "Sent on time"),
    "delivered_late": ("Gửi quá hạn", "Sent late"),
    "overdue_not_delivered": ("Quá hạn chưa gửi", "Overdue, not sent"),
    "not_yet_due": ("Chưa đến hạn", "Not yet due"),
    "on_time_share": ("Tỷ lệ gửi đúng hạn", "Share sent on time"),
}

SLA: Final[dict[str, tuple[str, str]]] = {
    "requested": ("Số lần lấy ý kiến", "Consultations requested"),
    "answered": ("Đã trả lời", "Answered"),
    "answered_on_time": ("Trả lời đúng hạn", "Answered on time"),
    "overdue_open": ("Quá hạn chưa trả lời", "Overdue, not answered"),
    # Every consultation that fell due: answered (on time or late) or past its deadline.
    "fell_due": ("Đã đến hạn hoặc đã trả lời", "Fell due or answered"),
    "on_time_share": (
        "Tỷ lệ trả lời đúng hạn (trên số đã đến hạn)",
        "Share answered on time (of those that fell due)",
    ),
    "median_working_days": (
        "Số ngày làm việc để trả lời (trung vị)",
        "Median working days to answer",
    ),
}

COLUMNS: Final[dict[str, tuple[str, str]]] = {
    "section": ("Mục", "Section"),
    "metric": ("Chỉ tiêu", "Metric"),
    "key": ("Mã", "Code"),
    "label": ("Tên", "Name"),
    "value": ("Kỳ này", "This cycle"),
    "previous": ("Kỳ trước", "Previous cycle"),
    "change": ("Thay đổi", "Change"),
    "cycle": ("Kỳ", "Cycle"),
    "count": ("Số thỏa thuận", "Agreements"),
}

# code -> (Vietnamese, English) of the breakdowns by a code of the law, in declared order (the
# order the report lists them); read from the shared table.
STATUSES: Final[Mapping[str, tuple[str, str]]] = _STATUS
FORMS: Final[Mapping[str, tuple[str, str]]] = shared.pairs(AgreementForm)
PARTNER_TYPES: Final[Mapping[str, tuple[str, str]]] = shared.pairs(PartnerType)
SIGNATORY_LEVELS: Final[Mapping[str, tuple[str, str]]] = shared.pairs(SignatoryLevel)
# The duties after a decision takes effect, in the order the report lists them.
DUTIES: Final[Mapping[str, tuple[str, str]]] = shared.pairs(Duty)

# Breakdown dimension -> the vocabulary its keys come from.
_VOCABULARY_OF: Final[Mapping[str, type[StrEnum]]] = {
    "form": AgreementForm,
    "partner_type": PartnerType,
    "signatory_level": SignatoryLevel,
    "status": AgreementStatus,
}

UNATTRIBUTED_UNIT: Final = (
    "Không xác định được đơn vị trước sáp nhập",
    "Former unit not attributable",
)

# The group of international organisations beside the countries and the world regions.
INTERNATIONAL_ORGANISATIONS: Final = ("Tổ chức quốc tế", "International organisations")

REPORT_TEXTS: Final[dict[str, tuple[str, str]]] = {
    "title": (
        "Báo cáo kết quả ký kết thỏa thuận quốc tế của địa phương",
        "International agreements of Vietnamese localities: results",
    ),
    "period": ("Ký sau ngày {start} đến hết ngày {end}", "Signed after {start} up to {end}"),
    "open": ("(kỳ đang diễn ra, số liệu đến ngày {end})", "(open cycle, figures to {end})"),
    "filters": ("Bộ lọc", "Filters"),
    "generated": ("Lập ngày", "Generated on"),
    "no_data": ("Không có số liệu.", "No data."),
    "trend": ("Số thỏa thuận đã ký qua các kỳ", "Agreements signed per cycle"),
    "top_countries": ("Quốc gia đối tác (nhiều nhất)", "Partner countries (most agreements)"),
    "province_chart": ("Thỏa thuận đã ký theo tỉnh, thành phố", "Agreements signed by province"),
    "country_chart": ("Thỏa thuận đã ký theo quốc gia đối tác", "Agreements signed by country"),
    "trend_chart": ("Thỏa thuận đã ký qua các kỳ", "Agreements signed across cycles"),
    "other": ("Khác", "Other"),
    "province": ("Tỉnh, thành phố", "Province"),
    "field": ("Lĩnh vực", "Field"),
    "country": ("Quốc gia", "Country"),
}


def pick(pair: tuple[str, str], lang: str) -> str:
    return shared.pick(pair, lang)


def cycle_heading(n: int, lang: str) -> str:
    return cycles.cycle_heading(n, lang)


def field_label(code: str, lang: str) -> str:
    return shared.field_label(code, lang)


def unit_label(code: str, lang: str) -> str:
    """A current or former provincial-level unit by its bare name; "" is an agreement whose
    former unit cannot be told."""
    if code == "":
        return pick(UNATTRIBUTED_UNIT, lang)
    return shared.unit_name(code, lang)


def body_label(code: str, lang: str) -> str:
    return shared.body_name(code, lang)


def label(dimension: str, key: str, lang: str) -> str:
    """The readable name of `key` in a breakdown."""
    if dimension in ("province", "historical_unit"):
        return unit_label(key, lang)
    if dimension in ("country", "region", "sub_region") and key == INTERNATIONAL_GROUP:
        return pick(INTERNATIONAL_ORGANISATIONS, lang)
    if dimension == "country":
        return shared.country(key, lang)
    if dimension in ("region", "sub_region"):
        return region_name(key, lang)
    if dimension == "field":
        return field_label(key, lang)
    if dimension == "body":
        return body_label(key, lang)
    if dimension == "duty":
        return shared.label("duty", key, lang)
    vocabulary = _VOCABULARY_OF.get(dimension)
    if vocabulary is not None:
        return shared.label(vocabulary, key, lang)
    return key
