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
    "duplicate_row": (
        "Dòng này lặp lại nguyên văn dòng {first} (số hiệu '{value}'); đã bỏ qua.",
        "This row repeats row {first} word for word (reference '{value}'); left out.",
    ),
    "conflicting_reference": (
        "Số hiệu '{value}' có ở cả dòng này và dòng {other} với nội dung khác nhau; cả hai dòng "
        "không được nhập cho đến khi sửa.",
        "Reference '{value}' is on this row and on row {other} with different contents; neither "
        "row is imported until one is corrected.",
    ),
    "already_imported": (
        "Thỏa thuận số hiệu '{value}' đã được nhập trước đây với cùng nội dung; đã bỏ qua.",
        "The agreement with reference '{value}' was imported before with the same content; "
        "left out.",
    ),
    "recorded_differently": (
        "Số hiệu '{value}' đã được nhập trước đây với nội dung khác; hãy kiểm tra lại dòng này.",
        "Reference '{value}' was imported before with different content; check this row.",
    ),
    "reference_taken": (
        "Số hiệu '{value}' đã thuộc về một hồ sơ khác trong hệ thống (có thể của địa phương "
        "khác); hãy dùng số hiệu đầy đủ của sổ đăng ký.",
        "Reference '{value}' already belongs to another record in the system (possibly another "
        "province's); use the register's full reference.",
    ),
    "missing_column": ("Tệp thiếu cột '{value}'.", "The file lacks the column '{value}'."),
    "repeated_column": (
        "Cột '{value}' xuất hiện hai lần.",
        "The column '{value}' appears twice.",
    ),
    "ignored_column": (
        "Cột '{value}' không thuộc sổ đăng ký và được bỏ qua; các cột: {allowed}.",
        "The column '{value}' is not part of the register and is left out; columns: {allowed}.",
    ),
    "bad_workbook": (
        "Không đọc được tệp Excel (.xlsx).",
        "The Excel (.xlsx) file cannot be read.",
    ),
    "encoding": (
        "Tệp phải là CSV mã hóa UTF-8 hoặc tệp Excel (.xlsx).",
        "The file must be a UTF-8 encoded CSV or an Excel (.xlsx) workbook.",
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
