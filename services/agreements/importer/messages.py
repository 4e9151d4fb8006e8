"""What each rule of a register row says to a person, in Vietnamese and English."""

from __future__ import annotations

from typing import Final

# What each rule of a row says to a person: (Vietnamese, English).
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "required": ("Cột này là bắt buộc.", "This column is required."),
    "too_long": ("Quá dài (tối đa {max} ký tự).", "Too long (at most {max} characters)."),
    "too_short": ("Quá ngắn (tối thiểu {min} ký tự).", "Too short (at least {min} characters)."),
    "unknown_value": (
        "Giá trị '{value}' không hợp lệ; cho phép: {allowed}.",
        "'{value}' is not allowed; allowed: {allowed}.",
    ),
    "forbidden_treaty_name": (
        "Không được dùng tên gọi của điều ước quốc tế ('{name}') cho thỏa thuận quốc tế (Điều 6).",
        "A treaty name ('{name}') may not be used for an international agreement (Art. 6).",
    ),
    "unknown_province": (
        "'{value}' không phải tên hoặc mã của một tỉnh, thành phố (63 đơn vị cũ hoặc 34 đơn vị "
        "hiện hành).",
        "'{value}' is not the name or code of a province (63 former or 34 current units).",
    ),
    "other_province": (
        "Bạn chỉ được nhập thỏa thuận của tỉnh/thành phố mình ({own}); dòng này thuộc {value}.",
        "You may only import agreements of your own province ({own}); this row is {value}'s.",
    ),
    "unknown_country": (
        "'{value}' không phải mã ISO 3166-1 alpha-2 hay tên quốc gia (tiếng Anh hoặc tiếng Việt).",
        "'{value}' is not an ISO 3166-1 alpha-2 code or a country name (English or Vietnamese).",
    ),
    "partner_not_foreign": ("Bên ký kết phải là bên nước ngoài.", "The partner must be foreign."),
    "unknown_field": (
        "Lĩnh vực '{value}' không có trong danh mục; cho phép: {allowed}.",
        "'{value}' is not a field of cooperation; allowed: {allowed}.",
    ),
    "date": (
        "'{value}' không phải ngày hợp lệ (YYYY-MM-DD hoặc DD/MM/YYYY).",
        "'{value}' is not a date (YYYY-MM-DD or DD/MM/YYYY).",
    ),
    "signed_in_future": (
        "Ngày ký {value} ở tương lai.",
        "The signing date {value} is in the future.",
    ),
    "expires_before_start": (
        "Ngày hết hiệu lực {value} phải sau ngày bắt đầu hiệu lực {start}.",
        "The expiry date {value} must be after the start date {start}.",
    ),
    "duplicate_reference": (
        "Số hiệu '{value}' đã xuất hiện ở dòng {first}.",
        "Reference '{value}' already appears on row {first}.",
    ),
    "missing_column": ("Tệp thiếu cột '{value}'.", "The file lacks the column '{value}'."),
    "unknown_column": (
        "Cột '{value}' không được hỗ trợ; các cột: {allowed}.",
        "Column '{value}' is not supported; columns: {allowed}.",
    ),
    "encoding": (
        "Tệp phải là CSV mã hóa UTF-8.",
        "The file must be a UTF-8 encoded CSV.",
    ),
    "empty_file": ("Tệp không có dòng dữ liệu nào.", "The file has no data rows."),
    "too_many_rows": (
        "Tệp có quá nhiều dòng (tối đa {max}); hãy chia nhỏ tệp.",
        "The file has too many rows (at most {max}); split it.",
    ),
    "malformed_row": (
        "Dòng không đọc được như CSV: {value}.",
        "The row cannot be read as CSV: {value}.",
    ),
}
