"""How the reports name things, in Vietnamese and English: sections, columns, codes."""

from __future__ import annotations

from typing import Final

from common.bodies import get_body
from common.countries import country_name
from common.fields import FIELD_LABELS, Field
from common.provinces import CURRENT_UNITS, OLD_UNITS
from services.reporting.domain.regions import region_name

_VI, _EN = 0, 1

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
}

HEADLINES: Final[dict[str, tuple[str, str]]] = {
    "agreements_signed": ("Số thỏa thuận đã ký", "Agreements signed"),
    "in_force": ("Đang có hiệu lực", "In force"),
    "expiring_within_180_days": ("Sắp hết hiệu lực trong 180 ngày", "Expiring within 180 days"),
    "expired": ("Đã hết hiệu lực", "Expired"),
    "terminated": ("Đã chấm dứt", "Terminated"),
    "suspended": ("Tạm đình chỉ", "Suspended"),
    "withdrawn": ("Đã rút khỏi", "Withdrawn"),
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

SLA: Final[dict[str, tuple[str, str]]] = {
    "requested": ("Số lần lấy ý kiến", "Consultations requested"),
    "answered": ("Đã trả lời", "Answered"),
    "on_time_share": ("Tỷ lệ trả lời đúng hạn", "Share answered on time"),
    "median_working_days": ("Số ngày làm việc (trung vị)", "Median working days"),
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

STATUSES: Final[dict[str, tuple[str, str]]] = {
    "DRAFT": ("Dự thảo", "Draft"),
    "SUBMITTED": ("Đã trình", "Submitted"),
    "RETURNED": ("Trả lại bổ sung hồ sơ", "Returned for completion"),
    "IN_CONSULTATION": ("Đang lấy ý kiến", "In consultation"),
    "AWAITING_PM_OPINION": ("Chờ ý kiến Thủ tướng", "Awaiting the Prime Minister's opinion"),
    "AWAITING_DECISION": ("Chờ quyết định", "Awaiting decision"),
    "APPROVED": ("Đã đồng ý", "Approved"),
    "REJECTED": ("Không đồng ý", "Rejected"),
    "SIGNED": ("Đã ký", "Signed"),
    "IN_FORCE": ("Đang có hiệu lực", "In force"),
    "SUSPENDED": ("Tạm đình chỉ", "Suspended"),
    "TERMINATED": ("Chấm dứt hiệu lực", "Terminated"),
    "WITHDRAWN": ("Rút khỏi", "Withdrawn"),
    "EXPIRED": ("Hết hiệu lực", "Expired"),
}

FORMS: Final[dict[str, tuple[str, str]]] = {
    "AGREEMENT": ("Thỏa thuận", "Agreement"),
    "MEMORANDUM_OF_UNDERSTANDING": ("Bản ghi nhớ", "Memorandum of understanding"),
    "LETTER_OF_INTENT": ("Ý định thư", "Letter of intent"),
    "MINUTES_OF_AGREEMENT": ("Biên bản thỏa thuận", "Minutes of agreement"),
    "MINUTES_OF_EXCHANGE": ("Biên bản trao đổi", "Minutes of exchange"),
    "COOPERATION_PROGRAMME": ("Chương trình hợp tác", "Cooperation programme"),
    "COOPERATION_PLAN": ("Kế hoạch hợp tác", "Cooperation plan"),
    "COMMUNIQUE": ("Thông cáo", "Communiqué"),
    "DECLARATION": ("Tuyên bố", "Declaration"),
    "OTHER": ("Tên gọi khác", "Other name"),
}

PARTNER_TYPES: Final[dict[str, tuple[str, str]]] = {
    "STATE": ("Nhà nước, Quốc hội, Chính phủ", "State, parliament or government"),
    "LOCAL_GOVERNMENT": ("Chính quyền địa phương", "Local government"),
    "AGENCY_OR_ORGANISATION": ("Cơ quan, tổ chức nước ngoài", "Foreign agency or organisation"),
    "INTERNATIONAL_ORGANISATION": ("Tổ chức quốc tế", "International organisation"),
    "INDIVIDUAL": ("Cá nhân", "Individual"),
}

SIGNATORY_LEVELS: Final[dict[str, tuple[str, str]]] = {
    "PROVINCIAL_COUNCIL": ("Hội đồng nhân dân cấp tỉnh", "Provincial People's Council"),
    "PROVINCIAL_COMMITTEE": ("Ủy ban nhân dân cấp tỉnh", "Provincial People's Committee"),
    "DEPARTMENT": ("Cơ quan chuyên môn cấp tỉnh", "Provincial department"),
    "BORDER_COMMUNE": ("Ủy ban nhân dân xã biên giới", "Border commune"),
    "PROVINCIAL_ORG": ("Cơ quan cấp tỉnh của tổ chức", "Provincial body of an organisation"),
}

UNATTRIBUTED_UNIT: Final = (
    "Không xác định được đơn vị trước sáp nhập",
    "Former unit not attributable",
)

REPORT_TEXTS: Final[dict[str, tuple[str, str]]] = {
    "title": (
        "Báo cáo kết quả ký kết thỏa thuận quốc tế của địa phương",
        "International agreements of Vietnamese localities: results",
    ),
    "cycle": (
        "Kỳ Hội nghị Ngoại vụ toàn quốc lần thứ {n}",
        "Cycle of the {n}th National Conference on External Affairs",
    ),
    "period": ("Ký sau ngày {start} đến hết ngày {end}", "Signed after {start} up to {end}"),
    "period_first": ("Ký đến hết ngày {end}", "Signed up to {end}"),
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
    return pair[_VI if lang == "vi" else _EN]


def field_label(code: str, lang: str) -> str:
    try:
        return pick(FIELD_LABELS[Field(code)], lang)
    except ValueError:
        return code


def unit_label(code: str, lang: str) -> str:
    if code == "":
        return pick(UNATTRIBUTED_UNIT, lang)
    unit = CURRENT_UNITS.get(code) or OLD_UNITS.get(code)
    return unit.name if unit else code


def body_label(code: str, lang: str) -> str:
    body = get_body(code)
    if body is None:
        return code
    return body.name_vi if lang == "vi" else body.name_en


def label(dimension: str, key: str, lang: str) -> str:
    """The readable name of `key` in a breakdown."""
    if dimension in ("province", "historical_unit"):
        return unit_label(key, lang)
    if dimension == "country":
        return country_name(key, lang)
    if dimension in ("region", "sub_region"):
        return region_name(key, lang)
    if dimension == "field":
        return field_label(key, lang)
    if dimension == "body":
        return body_label(key, lang)
    table = {
        "form": FORMS,
        "partner_type": PARTNER_TYPES,
        "signatory_level": SIGNATORY_LEVELS,
        "status": STATUSES,
    }.get(dimension)
    if table and key in table:
        return pick(table[key], lang)
    return key
