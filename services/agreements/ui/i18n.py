"""Every word the web pages show, in Vietnamese and English; the law's codes through the shared
table.

Templates call `t("key")`; a key missing from the catalogue renders as the key itself (and is
logged), which the tests look for on every page. A text with a count is a `Plural`, worded by
each language's plural rules. Codes of the law (statuses, outcomes, levels...), bodies,
provinces, fields and countries are named by common/law/labels.py, the one table every surface
shares. The rules' own wording stays in common/law/messages.py; `RULE_TEXT` only rewords the few
rules whose API wording names JSON fields a person filling a form never sees.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, Final

from common.law import labels
from common.law.calendar import TZ
from common.law.drafting import Violation
from common.law.labels import Plural
from common.law.messages import describe
from common.problems import FieldError

log = logging.getLogger(__name__)

LANGUAGES: Final = labels.LANGUAGES
DEFAULT: Final = "vi"

# key -> (Vietnamese, English), or a Plural for a text with a count {n}
TEXTS: Final[dict[str, tuple[str, str] | Plural]] = {
    # --- frame -----------------------------------------------------------------------------
    "app.name": ("Thỏa thuận quốc tế địa phương", "International agreements of localities"),
    "app.skip": ("Bỏ qua, đến nội dung chính", "Skip to main content"),
    "nav.label": ("Điều hướng chính", "Main navigation"),
    "nav.agreements": ("Thỏa thuận", "Agreements"),
    "nav.dossiers": ("Hồ sơ", "Dossiers"),
    "nav.tasks": ("Nhiệm vụ", "Tasks"),
    "nav.new": ("Tạo dự thảo", "New draft"),
    "nav.logout": ("Đăng xuất", "Sign out"),
    "nav.menu": ("Trình đơn", "Menu"),
    "nav.signed_in_as": ("Đang đăng nhập:", "Signed in as"),
    "lang.switch": ("Ngôn ngữ", "Language"),
    "lang.vi": ("Tiếng Việt", "Tiếng Việt"),
    "lang.en": ("English", "English"),
    "common.save": ("Lưu", "Save"),
    "common.cancel": ("Hủy", "Cancel"),
    "common.back": ("Quay lại", "Back"),
    "common.refresh": ("Tải lại", "Refresh"),
    "common.filter": ("Lọc", "Filter"),
    "common.all": ("Tất cả", "All"),
    "common.none": ("Không có", "None"),
    "common.yes": ("Có", "Yes"),
    "common.no": ("Không", "No"),
    "common.optional": ("không bắt buộc", "optional"),
    "common.required": ("bắt buộc", "required"),
    "common.previous": ("Trang trước", "Previous page"),
    "common.next": ("Trang sau", "Next page"),
    "common.page_of": ("Trang {page}/{pages}", "Page {page} of {pages}"),
    "common.errors_title": (
        "Chưa lưu được: vui lòng sửa các mục được đánh dấu.",
        "Not saved: please correct the marked items.",
    ),
    "common.error_count": Plural("{n} lỗi", "{n} error", "{n} errors"),
    "common.working_days_left": Plural(
        "còn {n} ngày làm việc", "{n} working day left", "{n} working days left"
    ),
    "common.overdue": ("Quá hạn", "Overdue"),
    "common.provisional": ("tạm tính", "provisional"),
    "common.provisional_hint": (
        "Lịch làm bù, nghỉ bù của năm này chưa được công bố: hạn có thể thay đổi.",
        "This year's working-day swaps are not announced yet: the deadline may still move.",
    ),
    "common.on_time": ("đúng hạn", "on time"),
    "common.late": ("trễ hạn", "late"),
    "common.due": ("Hạn", "Due"),
    "common.no_deadline": ("Không có hạn", "No deadline"),
    "common.working": ("Đang xử lý…", "Working…"),
    "common.unsaved": (
        "Có thay đổi chưa lưu. Rời trang sẽ mất các thay đổi này.",
        "You have unsaved changes. Leaving the page loses them.",
    ),
    "common.file_too_large": (
        "Tệp vượt quá giới hạn {mb} MB.",
        "The file exceeds the {mb} MB limit.",
    ),
    "form.required": ("Mục này là bắt buộc.", "This is required."),
    "form.choose_one": ("Hãy chọn ít nhất một mục.", "Choose at least one."),
    "form.choose_listed": ("Hãy chọn một mục trong danh sách.", "Choose one of the listed items."),
    "form.whole_number": ("Hãy nhập một số nguyên.", "Enter a whole number."),
    "form.date": ("Hãy nhập ngày hợp lệ.", "Enter a valid date."),
    # --- sign in ---------------------------------------------------------------------------
    "login.title": ("Đăng nhập", "Sign in"),
    "login.intro": (
        "Dùng tài khoản được cấp cho cơ quan, đơn vị của bạn.",
        "Use the account issued to your organisation.",
    ),
    "login.username": ("Tên đăng nhập", "Username"),
    "login.username_hint": (
        "Ví dụ: officer@ha-noi, reviewer@mofa, leader@da-nang",
        "For example officer@ha-noi, reviewer@mofa, leader@da-nang",
    ),
    "login.password": ("Mật khẩu", "Password"),
    "login.submit": ("Đăng nhập", "Sign in"),
    "login.bad_credentials": ("Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password."),
    "login.required": (
        "Vui lòng nhập tên đăng nhập và mật khẩu.",
        "Enter a username and password.",
    ),
    "login.token_title": ("Đăng nhập bằng mã truy cập", "Sign in with an access token"),
    "login.token_intro": (
        "Dán mã truy cập (JWT) do hệ thống định danh của cơ quan cấp. Nếu cổng đăng nhập "
        "một lần của cơ quan đã chuyển tiếp mã qua tiêu đề Authorization, bạn không cần "
        "làm bước này.",
        "Paste the access token (JWT) issued by your organisation's identity provider. If "
        "your single sign-on gateway forwards it in the Authorization header, you do not "
        "need this step.",
    ),
    "login.token": ("Mã truy cập", "Access token"),
    "login.token_submit": ("Dùng mã này", "Use this token"),
    "login.bad_token": (
        "Mã truy cập không hợp lệ hoặc đã hết hạn.",
        "The access token is invalid or expired.",
    ),
    "login.password_disabled": (
        "Đăng nhập bằng mật khẩu chỉ dùng trong môi trường phát triển.",
        "Password sign-in is only available in development.",
    ),
    "login.expired": (
        "Phiên làm việc đã hết hạn, vui lòng đăng nhập lại.",
        "Your session has ended; please sign in again.",
    ),
    "login.cookies": (
        "Trình duyệt cần cho phép cookie của trang này để đăng nhập. Hãy tải lại trang.",
        "Your browser must accept this site's cookies to sign in. Reload the page.",
    ),
    "login.dev_note": (
        "Môi trường phát triển: mật khẩu của mọi tài khoản thử nghiệm là dev.",
        "Development environment: every test account's password is dev.",
    ),
    # --- errors ----------------------------------------------------------------------------
    "error.title": ("Không thực hiện được", "Something went wrong"),
    "error.not_found": (
        "Không tìm thấy trang hoặc hồ sơ này, hoặc bạn không có quyền xem.",
        "This page or dossier was not found, or you may not see it.",
    ),
    "error.server": (
        "Đã xảy ra lỗi không mong muốn. Vui lòng thử lại; nếu vẫn lỗi, hãy báo bộ phận "
        "vận hành kèm mã {cid}.",
        "An unexpected error occurred. Please try again; if it persists, tell the operators "
        "and quote {cid}.",
    ),
    "error.bad_request": (
        "Yêu cầu không hợp lệ. Hãy quay lại trang trước và thử lại.",
        "The request was not valid. Go back and try again.",
    ),
    "error.csrf": (
        "Biểu mẫu đã hết hạn hoặc không đến từ trang này. Hãy tải lại trang rồi thử lại.",
        "The form expired or did not come from this site. Reload the page and try again.",
    ),
    "error.home": ("Về trang chính", "Go to the start page"),
    "error.nothing_here": (
        "Tài khoản của bạn không có việc nào trên các trang này.",
        "Your account has nothing to do on these pages.",
    ),
    # --- flash messages after an action ------------------------------------------------------
    "flash.created": ("Đã tạo dự thảo.", "Draft created."),
    "flash.saved": ("Đã lưu thay đổi.", "Changes saved."),
    "flash.unchanged": ("Không có thay đổi nào để lưu.", "There was nothing to save."),
    "flash.uploaded": ("Đã đính kèm tài liệu.", "Document attached."),
    "flash.submitted": (
        "Đã trình hồ sơ. Hệ thống đang gửi lấy ý kiến các cơ quan.",
        "Dossier submitted. The bodies are being asked for their opinions.",
    ),
    "flash.deleted": ("Đã xóa dự thảo.", "Draft deleted."),
    "flash.answered": ("Đã ghi nhận ý kiến.", "Your answer was recorded."),
    "flash.claimed": ("Bạn đã nhận xử lý nhiệm vụ này.", "You now handle this task."),
    "flash.released": ("Đã trả lại nhiệm vụ.", "The task was released."),
    "flash.taken_over": (
        "Bạn đã nhận thay nhiệm vụ; việc này được ghi vào tiến trình.",
        "You took the task over; the timeline records it.",
    ),
    "flash.signed": ("Đã ghi nhận ký kết.", "The signing was recorded."),
    "flash.copy": (
        "Đã ghi nhận gửi bản sao; nơi nhận sẽ xác nhận.",
        "The copy was recorded as sent; the recipient will acknowledge it.",
    ),
    "flash.case": (
        "Đã mở hồ sơ mới. Hãy đính kèm tờ trình và tài liệu rồi trình.",
        "A new case was opened. Attach the proposal and documents, then submit.",
    ),
    "flash.language": ("Đã đổi ngôn ngữ.", "Language changed."),
    # --- agreements list ---------------------------------------------------------------------
    "list.title": ("Thỏa thuận của {province}", "Agreements of {province}"),
    "list.title_all": ("Hồ sơ được giao", "Dossiers assigned to you"),
    "list.search": ("Tìm theo tên, nội dung, đối tác", "Search title, summary, partner"),
    "list.status": ("Trạng thái", "Status"),
    "list.empty": ("Chưa có thỏa thuận nào.", "No agreements yet."),
    "list.empty_filtered": ("Không có thỏa thuận nào khớp.", "No agreement matches."),
    "list.col_title": ("Tên thỏa thuận", "Title"),
    "list.col_partner": ("Bên nước ngoài", "Foreign party"),
    "list.col_status": ("Trạng thái", "Status"),
    "list.col_next": ("Hạn tiếp theo", "Next deadline"),
    "list.col_updated": ("Cập nhật", "Updated"),
    "list.count": Plural("{n} thỏa thuận", "{n} agreement", "{n} agreements"),
    # --- draft form --------------------------------------------------------------------------
    "draft.new_title": ("Tạo dự thảo thỏa thuận", "New draft agreement"),
    "draft.edit_title": ("Nội dung dự thảo", "Content of the draft"),
    "draft.create": ("Tạo dự thảo", "Create the draft"),
    "draft.save": ("Lưu dự thảo", "Save the draft"),
    "draft.section_what": ("Văn bản", "The text"),
    "draft.section_who": ("Các bên", "The parties"),
    "draft.section_content": ("Nội dung và lĩnh vực", "Content and fields"),
    "draft.section_procedure": ("Thủ tục", "Procedure"),
    "draft.province": ("Tỉnh, thành phố", "Province or city"),
    "draft.choose": ("— Chọn —", "— Choose —"),
    "draft.languages_hint": (
        "Mã ngôn ngữ ISO 639-1, cách nhau bằng dấu phẩy, ví dụ: vi, ko",
        "ISO 639-1 codes separated by commas, e.g. vi, ko",
    ),
    "draft.form_name_hint": (
        "Chỉ điền khi chọn tên gọi khác. Không dùng tên gọi của điều ước (công ước, hiệp "
        "ước, định ước, hiệp định).",
        "Only for another name. Treaty names (convention, treaty, accord) are not allowed.",
    ),
    "draft.title_hint": (
        "Không bắt đầu bằng tên gọi của điều ước quốc tế (Điều 6).",
        "Must not start with a treaty name (Art. 6).",
    ),
    "draft.related_hint": (
        "Các cơ quan liên quan trực tiếp đến nội dung; cơ quan bắt buộc theo luật được "
        "tự động thêm.",
        "Bodies directly concerned by the content; those the law requires are added automatically.",
    ),
    "draft.touches_hint": (
        "Nội dung liên quan đến các lĩnh vực này sẽ được gửi thêm cơ quan tương ứng.",
        "Content touching these is also sent to the matching bodies.",
    ),
    "draft.term_hint": ("Số tháng, ví dụ 36", "Number of months, e.g. 36"),
    "draft.country_hint": (
        "Chọn quốc gia của bên nước ngoài; bỏ trống với tổ chức quốc tế",
        "The foreign party's country; leave empty for an international organisation",
    ),
    "draft.stale": (
        "Người khác vừa sửa dự thảo này. Trang đã được tải lại với nội dung mới nhất; hãy sửa lại.",
        "Someone else changed this draft meanwhile. The page shows the latest content; "
        "please make your change again.",
    ),
    # Field labels (the form's and the page's)
    "field.title": ("Tên thỏa thuận", "Title"),
    "field.form": ("Tên gọi (loại văn bản)", "Kind of text"),
    "field.form_name": ("Tên gọi khác", "Other name"),
    "field.foreign_title": ("Tên bằng tiếng nước ngoài", "Title in the partner's language"),
    "draft.foreign_title_hint": (
        "Như trên văn bản tiếng nước ngoài; cũng không được mang tên điều ước (Treaty, "
        "Convention, Covenant...).",
        "As on the foreign-language text; it may not carry a treaty's name either (Treaty, "
        "Convention, Covenant...).",
    ),
    "field.category": ("Loại văn bản theo phạm vi", "Category"),
    "field.signatory_level": ("Cấp ký", "Signatory level"),
    "field.signatory_unit": (
        "Đơn vị ký (nếu là Sở, xã, tổ chức)",
        "Signing unit (department, commune, organisation)",
    ),
    "field.province": ("Tỉnh, thành phố", "Province or city"),
    "field.foreign_party.name": ("Tên bên nước ngoài", "Foreign party's name"),
    "field.foreign_party.country": ("Quốc gia", "Country"),
    "field.foreign_party.type": ("Loại bên nước ngoài", "Type of foreign party"),
    "field.fields": ("Lĩnh vực hợp tác", "Fields of cooperation"),
    "field.summary": ("Tóm tắt nội dung", "Summary of the content"),
    "field.languages": ("Ngôn ngữ văn bản", "Languages of the text"),
    "field.procedure": ("Thủ tục", "Procedure"),
    "field.reduced_reason": (
        "Giải trình hoàn cảnh áp dụng thủ tục rút gọn",
        "The circumstances of the reduced procedure",
    ),
    "field.reduced_ground": (
        "Căn cứ áp dụng thủ tục rút gọn (Điều 35)",
        "Ground for the reduced procedure (Art. 35)",
    ),
    "draft.reduced_ground_hint": (
        "Chỉ cơ quan nhà nước cấp tỉnh được áp dụng; bỏ trống với thủ tục thông thường.",
        "Open to provincial state bodies only; leave empty for the standard procedure.",
    ),
    "agreement.route": ("Cơ quan được lấy ý kiến", "Bodies consulted"),
    "signing.signed_text_in": ("Văn bản đã ký bằng {language}", "Signed text in {language}"),
    "signing.differences": (
        "Khác biệt giữa bản ký và bản đã phê duyệt ({language})",
        "Differences between the signed and the approved text ({language})",
    ),
    "signing.approved_text": ("Văn bản đã được phê duyệt", "Approved text"),
    "signing.signed_version": ("Văn bản đã ký", "Signed text"),
    "agreement.route_hint": (
        "Theo cấp ký, nội dung và lĩnh vực của dự thảo; danh sách cập nhật khi dự thảo thay đổi.",
        "By the signatory level, the content and the fields of the draft; it follows the draft "
        "as it changes.",
    ),
    "field.touches": ("Nội dung liên quan đến", "Content touches"),
    "field.related_bodies": ("Cơ quan liên quan cần lấy ý kiến", "Related bodies to consult"),
    "field.occasion": ("Dịp ký kết (sự kiện)", "Occasion (event)"),
    "field.term_months": ("Thời hạn (tháng)", "Term (months)"),
    "field.status": ("Trạng thái", "Status"),
    "field.case_kind": ("Loại hồ sơ", "Kind of case"),
    "field.created": ("Tạo lúc", "Created"),
    "field.submitted": ("Trình lúc", "Submitted"),
    "field.round": ("Lần trình", "Submission"),
    "field.signed_on": ("Ngày ký", "Signed on"),
    "field.signing_place": ("Nơi ký", "Place of signing"),
    "field.effective_from": ("Có hiệu lực từ", "In force from"),
    "field.expires_on": ("Hết hiệu lực ngày", "Expires on"),
    "field.copy_due_on": ("Hạn gửi bản sao", "Copy due on"),
    "field.copy_delivered_on": ("Đã gửi bản sao ngày", "Copy sent on"),
    "field.copy_received_at": ("Nơi nhận xác nhận lúc", "Copy acknowledged"),
    "field.decided": ("Quyết định", "Decision"),
    "field.parent": ("Thỏa thuận gốc", "Original agreement"),
    "field.effective_on": ("Có hiệu lực từ ngày", "Takes effect on"),
    "field.documents": ("Hồ sơ tài liệu", "Dossier documents"),
    "field.signatories": ("Người ký", "Signatories"),
    # --- agreement page ----------------------------------------------------------------------
    "agreement.facts": ("Thông tin chung", "Overview"),
    "agreement.documents": ("Tài liệu hồ sơ", "Dossier documents"),
    "agreement.no_documents": ("Chưa có tài liệu nào.", "No documents yet."),
    "agreement.doc_kind": ("Loại tài liệu", "Kind"),
    "agreement.doc_language": ("Ngôn ngữ", "Language"),
    "agreement.doc_file": ("Tệp", "File"),
    "agreement.doc_uploaded": ("Đính kèm lúc", "Attached"),
    "agreement.doc_digest": ("SHA-256", "SHA-256"),
    "agreement.upload_title": ("Đính kèm tài liệu", "Attach a document"),
    "agreement.upload": ("Đính kèm", "Attach"),
    "agreement.upload_hint": (
        "PDF, DOCX, DOC, ODT hoặc TXT, tối đa {mb} MB.",
        "PDF, DOCX, DOC, ODT or TXT, at most {mb} MB.",
    ),
    "agreement.missing": ("Hồ sơ còn thiếu:", "The dossier still lacks:"),
    "agreement.complete": (
        "Hồ sơ đã đủ tài liệu bắt buộc.",
        "The dossier has every required document.",
    ),
    "agreement.submit_title": ("Trình hồ sơ", "Submit the dossier"),
    "agreement.submit_intro": (
        "Khi trình, hệ thống kiểm tra mọi quy định của Luật và gửi lấy ý kiến các cơ quan. "
        "Sau khi trình, không sửa được hồ sơ trừ khi bị trả lại.",
        "Submitting checks every rule of the law and sends the dossier for opinions. It "
        "cannot be changed afterwards unless it is returned.",
    ),
    "agreement.submit": ("Trình hồ sơ", "Submit the dossier"),
    "agreement.submit_failed": (
        "Chưa trình được: hồ sơ chưa đáp ứng các quy định dưới đây.",
        "Not submitted: the dossier breaks the rules below.",
    ),
    "agreement.delete_title": ("Xóa dự thảo", "Delete the draft"),
    "agreement.delete": ("Xóa dự thảo này", "Delete this draft"),
    "agreement.delete_confirm": (
        "Xóa vĩnh viễn dự thảo này?",
        "Delete this draft for good?",
    ),
    "agreement.waiting": ("Đang chờ", "Waiting for"),
    "agreement.nothing_waiting": ("Không có việc nào đang chờ.", "Nothing is pending."),
    "agreement.your_tasks": ("Việc của bạn", "Your tasks"),
    "agreement.open_task": ("Mở nhiệm vụ", "Open the task"),
    "agreement.timeline": ("Diễn biến", "Timeline"),
    "agreement.no_timeline": ("Chưa có bước nào.", "No steps yet."),
    "agreement.cases": ("Hồ sơ sửa đổi, chấm dứt", "Amendments and terminations"),
    "agreement.pending_refresh": (
        "Hệ thống đang xử lý; trang sẽ tự tải lại.",
        "The system is working on it; the page reloads by itself.",
    ),
    "agreement.download": ("Tải về {name}", "Download {name}"),
    # signing
    "signing.title": ("Ghi nhận ký kết", "Record the signing"),
    "signing.intro": (
        "Đính kèm văn bản đã ký. Văn bản phải trùng khớp với văn bản đã được phê duyệt; "
        "nếu khác, thỏa thuận phải lấy ý kiến lại.",
        "Attach the signed text. It must be the approved text byte for byte; a different "
        "text goes back to consultation.",
    ),
    "signing.signed_text": ("Văn bản đã ký", "Signed text"),
    "signing.signed_text_have": (
        "Đã đính kèm: {name}. Chọn tệp khác nếu muốn thay.",
        "Attached: {name}. Choose another file to replace it.",
    ),
    "signing.place": ("Nơi ký", "Place of signing"),
    "signing.vn": ("Người ký phía Việt Nam", "Vietnamese signatory"),
    "signing.foreign": ("Người ký phía nước ngoài", "Foreign signatory"),
    "signing.name": ("Họ và tên", "Full name"),
    "signing.position": ("Chức vụ", "Position"),
    "signing.authorised_by": ("Ký theo ủy quyền của", "Signed under the authority of"),
    "signing.term_or_expiry": (
        "Ghi ngày hết hiệu lực hoặc thời hạn (tháng), không ghi cả hai.",
        "Give the expiry date or the term in months, not both.",
    ),
    "signing.acknowledge": (
        "Tôi xác nhận văn bản ký khác văn bản đã duyệt và đồng ý đưa đi lấy ý kiến lại",
        "I confirm the signed text differs from the approved one and must be consulted again",
    ),
    "signing.submit": ("Ghi nhận ký kết", "Record the signing"),
    # copy
    "copy.intro_copy": (
        "Bản sao văn bản đã ký phải được gửi trong {days} ngày kể từ ngày ký; hạn: {due}.",
        "The signed copy is due within {days} days of signing, by {due}.",
    ),
    "copy.intro_notice": (
        "Thông báo chấm dứt, rút khỏi hoặc tạm đình chỉ phải được gửi Bộ Ngoại giao; hạn: {due}.",
        "The notice of the termination, withdrawal or suspension is due at the Ministry of "
        "Foreign Affairs by {due}.",
    ),
    "copy.intro_report": (
        "Báo cáo Thủ tướng Chính phủ về thỏa thuận đã ký (Điều 19) phải được gửi trong {days} "
        "ngày kể từ ngày ký; hạn: {due}.",
        "The report to the Prime Minister on the signed agreement (Art. 19) is due within "
        "{days} days of signing, by {due}.",
    ),
    "copy.intro_plan": (
        "Kế hoạch thực hiện thỏa thuận năm tới gửi Bộ Ngoại giao; hạn: {due}.",
        "Next year's implementation plan of the agreement, due at the Ministry of Foreign "
        "Affairs by {due}.",
    ),
    "copy.delivered_on": ("Ngày gửi", "Sent on"),
    "copy.note": ("Số công văn, ghi chú", "Dispatch number, note"),
    "copy.submit": ("Ghi nhận đã gửi", "Record as sent"),
    # changes
    "change.title": ("Sửa đổi hoặc chấm dứt", "Amend or end"),
    "change.intro": (
        "Sửa đổi, bổ sung, gia hạn, chấm dứt, rút khỏi hoặc tạm đình chỉ một thỏa thuận "
        "đã ký theo cùng thủ tục và cùng người quyết định như khi ký kết (Điều 33, 34).",
        "Amending, supplementing, extending, terminating, withdrawing from or suspending a "
        "signed agreement follows the procedure and decider of its signing (Art. 33, 34).",
    ),
    "change.start": ("Bắt đầu: {kind}", "Start: {kind}"),
    "change.page_title": ("{kind}: {title}", "{kind}: {title}"),
    "change.kind": ("Loại", "Kind"),
    "change.summary": ("Nội dung thay đổi và lý do", "What changes, and why"),
    "change.summary_end": ("Lý do", "The reasons"),
    "change.title_hint": (
        "Để trống để dùng tên mặc định: {default}",
        "Leave empty for the default: {default}",
    ),
    "change.expires_hint": (
        "Bắt buộc khi gia hạn: ngày hết hiệu lực mới.",
        "Required for an extension: the new expiry date.",
    ),
    "change.submit": ("Mở hồ sơ", "Open the case"),
    # --- tasks -------------------------------------------------------------------------------
    "tasks.title": ("Nhiệm vụ", "Tasks"),
    "tasks.intro": (
        "Sắp theo hạn, việc gần hạn nhất ở trên; việc quá hạn được đánh dấu.",
        "Sorted by deadline, soonest first; overdue tasks are marked.",
    ),
    "tasks.show": ("Hiển thị", "Show"),
    "tasks.open": ("Đang mở", "Open"),
    "tasks.closed": ("Đã xong", "Done"),
    "tasks.empty": ("Không có nhiệm vụ nào.", "No tasks."),
    "tasks.col_task": ("Nhiệm vụ", "Task"),
    "tasks.col_agreement": ("Thỏa thuận", "Agreement"),
    "tasks.col_province": ("Tỉnh, thành phố", "Province"),
    "tasks.col_due": ("Hạn", "Due"),
    "tasks.col_handler": ("Người xử lý", "Handled by"),
    "tasks.unclaimed": ("Chưa có người nhận", "Not claimed"),
    "tasks.count": Plural("{n} nhiệm vụ", "{n} task", "{n} tasks"),
    "task.title": ("{kind}: {title}", "{kind}: {title}"),
    "task.assignee": ("Giao cho", "Assigned to"),
    "task.requested": ("Giao lúc", "Requested"),
    "task.claimed_by": ("Đang do {who} xử lý", "Handled by {who}"),
    "task.claim": ("Nhận xử lý", "Claim"),
    "task.release": ("Trả lại", "Release"),
    "task.take_over": ("Nhận thay", "Take over"),
    "task.take_over_confirm": (
        "Nhận thay nhiệm vụ đang do {who} xử lý? Việc nhận thay được ghi lại.",
        "Take over the task {who} holds? Taking over is recorded.",
    ),
    "task.answer_title": ("Trả lời", "Answer"),
    "task.outcome": ("Kết quả", "Outcome"),
    "task.comment": ("Ý kiến", "Comment"),
    "task.comment_hint": (
        "Bắt buộc với: {outcomes}.",
        "Required with: {outcomes}.",
    ),
    "task.opinion_file": ("Văn bản ý kiến (tệp)", "Written opinion (file)"),
    "task.submit": ("Gửi ý kiến", "Send the answer"),
    "task.answered": (
        "{who} đã trả lời lúc {at}: {outcome}",
        "{who} answered on {at}: {outcome}",
    ),
    "task.done_by_action": (
        "Việc này được thực hiện trên trang thỏa thuận.",
        "This is done on the agreement's page.",
    ),
    "task.paused": (
        "Hồ sơ đang được tỉnh bổ sung; thời hạn tạm dừng.",
        "The province is completing the dossier; the clock is stopped.",
    ),
    "task.go_agreement": ("Xem thỏa thuận", "View the agreement"),
    # --- timeline details --------------------------------------------------------------------
    "timeline.by": ("bởi {who}", "by {who}"),
    "timeline.due": ("hạn {due}", "due {due}"),
    "timeline.round": ("lần trình {n}", "submission {n}"),
    "timeline.working_days_taken": labels.COUNTS["working_day"],
    "timeline.overdue_days": Plural("quá hạn {n} ngày", "{n} day overdue", "{n} days overdue"),
    # --- historical import (/ui/import) -------------------------------------------------------
    "nav.import": ("Nhập sổ đăng ký", "Import a register"),
    "flash.import_busy": (
        "Tệp này đang được nhập hoặc đã nhập xong.",
        "This file is already being imported, or was imported.",
    ),
    "import.title": ("Nhập sổ đăng ký thỏa thuận", "Import a register of agreements"),
    "import.intro": (
        "Tải lên sổ đăng ký các thỏa thuận đã ký (CSV UTF-8 hoặc Excel .xlsx). Hệ thống đọc và "
        "kiểm tra từng dòng rồi cho xem trước sẽ nhập gì; chỉ khi bạn xác nhận mới lưu.",
        "Upload a register of signed agreements (UTF-8 CSV or Excel .xlsx). Every row is read "
        "and checked and you see what would be imported; nothing is stored until you confirm.",
    ),
    "import.file": ("Tệp sổ đăng ký", "Register file"),
    "import.file_hint": ("CSV hoặc .xlsx, tối đa {mb} MB.", "CSV or .xlsx, at most {mb} MB."),
    "import.too_big": ("Tệp lớn hơn {mb} MB.", "The file is larger than {mb} MB."),
    "import.empty": ("Tệp trống.", "The file is empty."),
    "import.preview": ("Xem trước", "Preview"),
    "import.columns": ("Các cột của sổ đăng ký", "The register's columns"),
    "import.columns_hint": (
        "Dòng đầu là tên cột, bằng mã dưới đây hoặc tiêu đề tiếng Việt quen dùng (Số hiệu, Tên "
        "thỏa thuận, Ngày ký, ...). Cột khác (STT, Ghi chú) được bỏ qua.",
        "The first row names the columns, by the codes below or the usual Vietnamese headings "
        "(Số hiệu, Tên thỏa thuận, Ngày ký, ...). Other columns (row numbers, notes) are left "
        "out.",
    ),
    "import.recent": ("Các lần tải lên gần đây", "Recent uploads"),
    "import.uploaded_at": ("Tải lên lúc", "Uploaded"),
    "import.state": ("Tình trạng", "State"),
    "import.imported": ("Đã nhập", "Imported"),
    "import.status.previewed": ("Chờ xác nhận", "Awaiting confirmation"),
    "import.status.running": ("Đang nhập", "Importing"),
    "import.status.done": ("Đã nhập xong", "Imported"),
    "import.status.failed": ("Không nhập được", "Not imported"),
    "import.another": ("Tải lên tệp khác", "Upload another file"),
    "import.running": ("Đang nhập…", "Importing…"),
    "import.progress": ("Đã lưu {stored}/{total} dòng.", "{stored} of {total} rows stored."),
    "import.done": Plural(
        "Đã nhập {n} thỏa thuận.", "{n} agreement imported.", "{n} agreements imported."
    ),
    "import.totals": (
        "Trên {total} dòng: {already} đã nhập trước đây, {repeated} dòng lặp lại, {rejected} "
        "dòng không hợp lệ (không nhập).",
        "Of {total} rows: {already} imported before, {repeated} repeated, {rejected} invalid "
        "(not imported).",
    ),
    "import.interrupted": (
        "Lần nhập trước bị gián đoạn và không lưu dòng nào; bạn có thể xác nhận lại.",
        "The earlier import was interrupted and stored nothing; you may confirm it again.",
    ),
    "import.failed": (
        "Chưa nhập được: dữ liệu đã thay đổi từ khi xem trước hoặc có lỗi hệ thống; không dòng "
        "nào được lưu. Xem lại bản xem trước dưới đây rồi xác nhận lại.",
        "Not imported: the records changed since the preview, or the system failed; nothing "
        "was stored. Check the preview below and confirm again.",
    ),
    "import.preview_heading": ("Xem trước", "Preview"),
    "import.plan": (
        "{total} dòng: {to_import} sẽ được nhập, {already} đã nhập trước đây, {repeated} lặp lại, "
        "{rejected} không hợp lệ.",
        "{total} rows: {to_import} to import, {already} imported before, {repeated} repeated, "
        "{rejected} invalid.",
    ),
    "import.by_cycle": ("Theo kỳ Hội nghị Ngoại vụ", "By conference cycle"),
    "import.by_province": ("Theo tỉnh, thành phố hiện nay", "By current province"),
    "import.by_former": ("Theo đơn vị trước sáp nhập", "By former unit"),
    "import.rows": ("Số dòng", "Rows"),
    "import.readings": ("Giá trị đã được hiểu như thế nào", "How values were read"),
    "import.as_written": ("Trong tệp", "In the file"),
    "import.read_as": ("Hiểu là", "Read as"),
    "import.column": ("Cột", "Column"),
    "import.row": ("Dòng", "Row"),
    "import.message": ("Nội dung", "Message"),
    "import.errors": ("Lỗi", "Errors"),
    "import.warnings": ("Cảnh báo", "Warnings"),
    "import.more": Plural(
        "Còn {n} mục không hiển thị.", "{n} more not shown.", "{n} more not shown."
    ),
    "import.errors_block": Plural(
        "{n} dòng có lỗi sẽ không được nhập.",
        "{n} row with errors will not be imported.",
        "{n} rows with errors will not be imported.",
    ),
    "import.confirm": Plural(
        "Nhập {n} thỏa thuận", "Import {n} agreement", "Import {n} agreements"
    ),
    "import.confirm_partial": Plural(
        "Chỉ nhập {n} dòng hợp lệ",
        "Import only the {n} valid row",
        "Import only the {n} valid rows",
    ),
    "import.are_you_sure": Plural(
        "Nhập {n} thỏa thuận vào hệ thống?",
        "Import {n} agreement into the system?",
        "Import {n} agreements into the system?",
    ),
    "import.nothing": ("Không có dòng nào để nhập.", "There is nothing to import."),
    # --- operator console (/ui/ops) ----------------------------------------------------------
    "nav.ops": ("Vận hành", "Operations"),
    "flash.repaired": (
        "Đã khởi động quy trình từ sự kiện trình; hành động đã được ghi vào nhật ký.",
        "The workflow was started from the submission event; the action is in the log.",
    ),
    "flash.replayed": (
        "Các sự kiện đã được xếp hàng để phát lại; hành động đã được ghi vào nhật ký.",
        "The events are queued to be published again; the action is in the log.",
    ),
    "ops.title": ("Bảng điều khiển vận hành", "Operator console"),
    "ops.intro": (
        "Thư chết, quy trình bị dừng, phát lại sự kiện và độ trễ của các nhóm tiêu thụ. Mọi "
        "thao tác đều được ghi lại: ai, lúc nào, làm gì và vì sao.",
        "Dead letters, stopped workflows, replaying events and consumer lag. Every action is "
        "recorded: who, when, what and why.",
    ),
    "ops.sections": ("Các mục vận hành", "Console sections"),
    "ops.tab_overview": ("Tổng quan", "Overview"),
    "ops.tab_dead_letters": ("Thư chết", "Dead letters"),
    "ops.tab_workflows": ("Quy trình bị dừng", "Stopped workflows"),
    "ops.tab_replay": ("Phát lại sự kiện", "Replay events"),
    "ops.tab_lag": ("Độ trễ tiêu thụ", "Consumer lag"),
    "ops.tab_actions": ("Nhật ký vận hành", "Audit log"),
    "ops.col_at": ("Lúc", "When"),
    "ops.col_actor": ("Người thực hiện", "Who"),
    "ops.col_action": ("Thao tác", "Action"),
    "ops.col_target": ("Đối tượng", "On"),
    "ops.col_outcome": ("Kết quả", "Outcome"),
    "ops.col_reason": ("Lý do", "Reason"),
    "ops.col_failed_at": ("Chuyển vào thư chết lúc", "Dead-lettered"),
    "ops.col_event": ("Sự kiện", "Event"),
    "ops.col_agreement": ("Thỏa thuận", "Agreement"),
    "ops.col_origin": ("Nguồn", "Origin"),
    "ops.col_state": ("Trạng thái", "State"),
    "ops.kind_retry": ("Gửi lại thư chết", "Retry a dead letter"),
    "ops.kind_discard": ("Bỏ qua thư chết", "Discard a dead letter"),
    "ops.kind_repair": ("Sửa quy trình", "Repair a workflow"),
    "ops.kind_replay": ("Phát lại sự kiện", "Replay events"),
    "ops.state_open": ("Chưa xử lý", "Open"),
    "ops.state_retried": ("Đã gửi lại", "Retried"),
    "ops.state_discarded": ("Đã bỏ qua", "Discarded"),
    "ops.outcome_retried": ("đã gửi lại", "retried"),
    "ops.outcome_discarded": ("đã bỏ qua", "discarded"),
    "ops.outcome_already_handled": ("đã được xử lý trước đó", "already handled"),
    "ops.outcome_not_found": ("không còn trên chủ đề", "no longer on the topic"),
    "ops.outcome_not_retriable": (
        "không gửi lại được (không đến từ chủ đề sự kiện)",
        "cannot be retried (it did not come from the events topic)",
    ),
    "ops.reason": ("Lý do", "Reason"),
    "ops.reason_hint": (
        "Bắt buộc: được ghi vào nhật ký vận hành cùng tên bạn.",
        "Required: kept in the audit log with your name.",
    ),
    "ops.reason_required": (
        "Hãy ghi lý do (ít nhất 3 ký tự).",
        "Give a reason (at least 3 characters).",
    ),
    "ops.letters.intro": (
        "Sự kiện mà một nhóm tiêu thụ không xử lý được sau các lần thử, mới nhất ở trên. "
        "Sửa nguyên nhân rồi gửi lại (các bên tiêu thụ bỏ qua sự kiện đã xử lý), hoặc bỏ qua "
        "kèm lý do.",
        "Events a consumer group could not process after its retries, newest first. Fix the "
        "cause, then retry (consumers ignore events they already processed), or discard with "
        "a reason.",
    ),
    "ops.letters.show": ("Hiển thị", "Show"),
    "ops.letters.open_count": Plural(
        "{n} thư chết chưa xử lý", "{n} open dead letter", "{n} open dead letters"
    ),
    "ops.letters.count": Plural("{n} thư", "{n} letter", "{n} letters"),
    "ops.letters.scanned": Plural(
        "đã đọc {n} thư mới nhất", "{n} newest letter read", "{n} newest letters read"
    ),
    "ops.letters.not_an_event": ("(không phải sự kiện hợp lệ)", "(not a valid event)"),
    "ops.letters.see_all": ("Xem tất cả thư chết", "See every dead letter"),
    "ops.letters.results": ("Kết quả:", "Outcome:"),
    "ops.letters.select": ("Chọn", "Select"),
    "ops.letters.pick": ("Chọn thư {id}", "Select letter {id}"),
    "ops.letters.handled": ("{who}, {at}", "{who}, {at}"),
    "ops.letters.act": ("Xử lý các thư đã chọn", "Act on the selected letters"),
    "ops.letters.retry": ("Gửi lại", "Retry"),
    "ops.letters.discard": ("Bỏ qua", "Discard"),
    "ops.letters.empty": ("Không có thư chết nào.", "No dead letters."),
    "ops.letter.title": ("Thư chết {id}", "Dead letter {id}"),
    "ops.letter.facts": ("Thông tin", "Details"),
    "ops.letter.group": ("Nhóm tiêu thụ", "Consumer group"),
    "ops.letter.place": ("Vị trí trên chủ đề thư chết", "Place on the dead-letter topic"),
    "ops.letter.type": ("Loại sự kiện", "Event type"),
    "ops.letter.event_id": ("Mã sự kiện", "Event id"),
    "ops.letter.event_time": ("Thời điểm sự kiện", "Event time"),
    "ops.letter.key": ("Khóa bản ghi", "Record key"),
    "ops.letter.headers": ("Tiêu đề bản ghi", "Record headers"),
    "ops.letter.data": ("Dữ liệu", "Data"),
    "ops.workflows.intro": (
        "Thỏa thuận ở trạng thái cần một quy trình đang chạy mà quy trình không chạy, và thỏa "
        "thuận có nhiệm vụ quá hạn hơn một ngày mà quy trình chưa ghi nhận.",
        "Agreements in a state that needs a running workflow whose workflow is not running, "
        "and agreements with a task over a day past its deadline that the workflow has not "
        "acted on.",
    ),
    "ops.workflows.check": ("Kiểm tra ngay", "Check now"),
    "ops.workflows.unreachable": (
        "Không kết nối được Temporal: chỉ hiển thị các nhiệm vụ quá hạn chưa được ghi nhận.",
        "Temporal cannot be reached: only tasks past their deadline without their event are shown.",
    ),
    "ops.workflows.count": Plural(
        "{n} thỏa thuận cần chú ý", "{n} agreement needs attention", "{n} agreements need attention"
    ),
    "ops.workflows.checked": Plural(
        "đã kiểm tra {n} thỏa thuận", "{n} agreement checked", "{n} agreements checked"
    ),
    "ops.workflows.submitted": ("trình lúc {at}", "submitted {at}"),
    "ops.workflows.workflow": ("Quy trình", "Workflow"),
    "ops.workflows.temporal_ui": ("Mở trên Temporal UI", "Open in the Temporal UI"),
    "ops.workflows.repair": ("Khởi động quy trình", "Start the workflow"),
    "ops.workflows.engineer": ("Cần kỹ sư xử lý.", "An engineer is needed."),
    "ops.workflows.empty": (
        "Mọi quy trình cần chạy đều đang chạy.",
        "Every workflow that should run is running.",
    ),
    "ops.replay.intro": (
        "Hộp thư đi giữ mọi sự kiện: phát lại các sự kiện được tạo trong một khoảng thời gian "
        "(ví dụ sau khi Kafka mất dữ liệu). Các bên tiêu thụ bỏ qua sự kiện đã xử lý.",
        "The outbox keeps every event: publish again the events created in a time range "
        "(e.g. after Kafka lost its data). Consumers ignore events they already processed.",
    ),
    "ops.replay.since": ("Từ", "From"),
    "ops.replay.until": ("Đến (không kể)", "Until (excluded)"),
    "ops.replay.local_time": ("Giờ Việt Nam.", "Vietnam time."),
    "ops.replay.bad_moment": (
        "Hãy nhập ngày và giờ.",
        "Enter a date and a time.",
    ),
    "ops.replay.preview": ("Xem trước", "Preview"),
    "ops.replay.count": Plural("{n} sự kiện", "{n} event", "{n} events"),
    "ops.replay.span": ("Từ {first} đến {last}.", "From {first} to {last}."),
    "ops.replay.events": ("Số sự kiện", "Events"),
    "ops.replay.are_you_sure": Plural(
        "Phát lại {n} sự kiện?", "Publish {n} event again?", "Publish {n} events again?"
    ),
    "ops.replay.confirm": Plural(
        "Xác nhận phát lại {n} sự kiện",
        "Confirm: publish {n} event again",
        "Confirm: publish {n} events again",
    ),
    "ops.replay.nothing": (
        "Không có sự kiện nào trong khoảng thời gian này.",
        "No events were created in this range.",
    ),
    "ops.lag.intro": (
        "Với mỗi nhóm tiêu thụ và mỗi phân vùng của agreements.events: vị trí đã xác nhận, "
        "vị trí cuối và số bản ghi còn chờ.",
        "For each consumer group and each partition of agreements.events: the committed "
        "offset, the end offset and the records still waiting.",
    ),
    "ops.lag.total": ("Tổng trên {topic}", "Total on {topic}"),
    "ops.lag.records": Plural("{n} bản ghi chờ xử lý", "{n} record waiting", "{n} records waiting"),
    "ops.lag.per_partition": ("Chi tiết từng phân vùng", "Per partition"),
    "ops.lag.partition": ("Phân vùng", "Partition"),
    "ops.lag.committed": ("Đã xác nhận", "Committed"),
    "ops.lag.end": ("Cuối", "End"),
    "ops.lag.lag": ("Độ trễ", "Lag"),
    "ops.lag.none": ("chưa có", "none yet"),
    "ops.actions.intro": (
        "Mọi thao tác trên bảng điều khiển, mới nhất ở trên; không thể sửa hay xóa.",
        "Every action taken in the console, newest first; nothing here can be changed.",
    ),
    "ops.actions.latest": ("Thao tác gần đây", "Latest actions"),
    "ops.actions.see_all": ("Xem toàn bộ nhật ký", "See the whole log"),
    "ops.actions.empty": ("Chưa có thao tác nào.", "No actions yet."),
    "ops.actions.count": Plural("{n} thao tác", "{n} action", "{n} actions"),
    # --- reports per conference cycle (/ui/reports) -------------------------------------------
    "nav.reports": ("Báo cáo", "Reports"),
    "reports.title": (
        "Báo cáo theo kỳ Hội nghị Ngoại vụ toàn quốc",
        "Reports per National Conference on External Affairs",
    ),
    "reports.intro": (
        "Mỗi kỳ gồm các thỏa thuận ký sau ngày Hội nghị Ngoại vụ toàn quốc lần trước đến hết "
        "ngày Hội nghị lần này. Chọn một kỳ để xem đầy đủ số liệu, in hoặc tải về.",
        "Each cycle counts the agreements signed after one National Conference on External "
        "Affairs up to and including the next. Choose a cycle to see all its figures, print "
        "them or download them.",
    ),
    "reports.scope": (
        "Bạn xem được số liệu của {province}.",
        "You see the figures of {province}.",
    ),
    "reports.cycle": ("Kỳ", "Cycle"),
    "reports.name": ("Tên kỳ", "Name"),
    "reports.period": ("Thời gian ký", "Signing period"),
    "reports.period_value": ("Sau ngày {start} đến hết ngày {end}", "After {start} up to {end}"),
    "reports.state": ("Tình trạng", "State"),
    "reports.open": ("Đang diễn ra", "Open"),
    "reports.closed": ("Đã kết thúc", "Closed"),
    "reports.signed": ("Thỏa thuận đã ký", "Agreements signed"),
    "reports.no_cycles": ("Chưa có kỳ nào có số liệu.", "No cycle has figures yet."),
    "reports.open_note": (
        "Kỳ đang diễn ra, số liệu đến ngày {date}.",
        "Open cycle, figures to {date}.",
    ),
    "reports.conference_on": ("Hội nghị họp ngày {date}.", "The conference met on {date}."),
    "reports.all_cycles": ("Tất cả các kỳ", "All cycles"),
    "reports.previous_link": ("Kỳ trước", "Previous cycle"),
    "reports.next_link": ("Kỳ sau", "Next cycle"),
    "reports.tools": ("In và tải về", "Print and download"),
    "reports.print": ("In báo cáo", "Print the report"),
    "reports.csv": ("Tải bảng số liệu (CSV)", "Download the figures (CSV)"),
    "reports.xlsx": ("Tải bảng tính (Excel)", "Download the workbook (Excel)"),
    "reports.filters": ("Lọc số liệu", "Filter the figures"),
    "reports.filter.province": ("Tỉnh, thành phố", "Province"),
    "reports.filter.field": ("Lĩnh vực hợp tác", "Field of cooperation"),
    "reports.filter.country": ("Quốc gia đối tác", "Partner country"),
    "reports.filter.country_hint": (
        "Mã hoặc tên quốc gia, ví dụ KR, Hàn Quốc, Japan.",
        "A country's code or name, e.g. KR, Korea, Nhật Bản.",
    ),
    "reports.filter.apply": ("Xem số liệu", "Show the figures"),
    "reports.filter.clear": ("Bỏ lọc", "Clear the filters"),
    "reports.filtered": ("Số liệu đã lọc theo: {filters}.", "Figures filtered by: {filters}."),
    "reports.headline": ("Số thỏa thuận đã ký trong kỳ", "Agreements signed in the cycle"),
    "reports.headline_previous": ("Kỳ trước, {cycle}: {value}", "Previous cycle, {cycle}: {value}"),
    "reports.no_previous": (
        "Không có kỳ trước để so sánh.",
        "There is no previous cycle to compare with.",
    ),
    "reports.figures": ("Chỉ tiêu chính", "Headline figures"),
    "reports.col.name": ("Tên", "Name"),
    "reports.col.value": ("Kỳ này", "This cycle"),
    "reports.col.previous": ("Kỳ trước", "Previous cycle"),
    "reports.col.change": ("Thay đổi", "Change"),
    "reports.by_province": (
        "Theo tỉnh, thành phố hiện hành (34 đơn vị)",
        "By current province (34 units)",
    ),
    "reports.by_former": (
        "Theo đơn vị cấp tỉnh trước sáp nhập (63 đơn vị)",
        "By former provincial unit (63 units)",
    ),
    "reports.by_country": ("Theo quốc gia đối tác", "By partner country"),
    "reports.by_region": ("Theo khu vực", "By region"),
    "reports.by_partner_type": ("Theo loại đối tác", "By partner type"),
    "reports.by_field": ("Theo lĩnh vực hợp tác", "By field of cooperation"),
    "reports.by_occasion": ("Theo sự kiện ký kết", "By signing occasion"),
    "reports.new_countries": (
        "Quốc gia đối tác mới so với kỳ trước",
        "Partner countries new since the previous cycle",
    ),
    "reports.none": ("Không có số liệu.", "No figures."),
    "reports.sla": (
        "Thời hạn góp ý theo cơ quan được lấy ý kiến",
        "Consultation deadlines by consulted body",
    ),
    "reports.sla_hint": (
        "Tỷ lệ đúng hạn tính trên mọi lần lấy ý kiến đã đến hạn: lần quá hạn chưa trả lời "
        "cũng tính là trễ. Trung vị tính trên các lần đã trả lời.",
        "The on-time share counts every consultation that fell due: one overdue and not "
        "answered counts as missed. The median counts the answered ones.",
    ),
    "reports.sla.body": ("Cơ quan", "Body"),
    "reports.sla.requested": ("Số lần lấy ý kiến", "Requested"),
    "reports.sla.answered": ("Đã trả lời", "Answered"),
    "reports.sla.on_time": ("Trả lời đúng hạn", "Answered on time"),
    "reports.sla.overdue_open": ("Quá hạn chưa trả lời", "Overdue, not answered"),
    "reports.sla.share": ("Tỷ lệ đúng hạn", "Share on time"),
    "reports.sla.share_previous": ("Tỷ lệ kỳ trước", "Previous cycle's share"),
    "reports.sla.median": ("Trung vị ngày làm việc", "Median working days"),
    "reports.duties": ("Thực hiện nghĩa vụ sau ký", "Post-signing compliance"),
    "reports.duties_hint": (
        "Bản sao, thông báo, báo cáo Thủ tướng và kế hoạch hằng năm có hạn trong kỳ; "
        "thời hạn 15 ngày, kế hoạch trước ngày 15 tháng 11.",
        "Copies, notices, reports to the Prime Minister and yearly plans due in the cycle; "
        "15 days each, plans by 15 November.",
    ),
    "reports.duty.name": ("Nghĩa vụ", "Duty"),
    "reports.duty.due": ("Đến hạn trong kỳ", "Due in the cycle"),
    "reports.duty.on_time": ("Gửi đúng hạn", "Sent on time"),
    "reports.duty.late": ("Gửi quá hạn", "Sent late"),
    "reports.duty.overdue": ("Quá hạn chưa gửi", "Overdue, not sent"),
    "reports.duty.not_yet_due": ("Chưa đến hạn", "Not yet due"),
    "reports.duty.share": ("Tỷ lệ đúng hạn", "Share on time"),
    "reports.charts": ("Biểu đồ", "Charts"),
    "reports.chart.trend": (
        "Biểu đồ số thỏa thuận đã ký qua các kỳ",
        "Chart of the agreements signed in each cycle",
    ),
    "reports.chart.provinces": (
        "Biểu đồ số thỏa thuận đã ký theo tỉnh, thành phố",
        "Chart of the agreements signed by province",
    ),
    "reports.chart.countries": (
        "Biểu đồ số thỏa thuận đã ký theo quốc gia đối tác",
        "Chart of the agreements signed by partner country",
    ),
    "reports.as_of": ("Số liệu đến ngày {date}", "Figures as of {date}"),
    "reports.agreements": Plural("{n} thỏa thuận", "{n} agreement", "{n} agreements"),
}

# Rules whose API wording names JSON fields (form_name, expires_on, PROPOSAL...): the form
# shows these words instead. Every other rule is worded by domain/messages.py.
RULE_TEXT: Final[dict[str, tuple[str, str]]] = {
    "form_name_required": (
        "Khi chọn tên gọi khác, hãy ghi rõ tên gọi.",
        "With another name, write the name.",
    ),
    "proposal_required": ("Thiếu tờ trình.", "The proposal is missing."),
    "implementation_plan_required": (
        "Thiếu dự thảo kế hoạch thực hiện.",
        "The draft implementation plan is missing.",
    ),
    "draft_text_required": (
        "Thiếu dự thảo văn bản bằng {language_name}.",
        "The draft text in {language_name} is missing.",
    ),
    "vietnamese_translation_required": (
        "Văn bản không có bản tiếng Việt: cần đính kèm bản dịch tiếng Việt (Điều 7).",
        "Without a Vietnamese text, attach a Vietnamese translation (Art. 7).",
    ),
    "signed_text_required": (
        "Cần đính kèm văn bản đã ký.",
        "Attach the signed text.",
    ),
    "expiry_or_term": (
        "Chỉ ghi một trong hai: ngày hết hiệu lực hoặc thời hạn.",
        "Give either the expiry date or the term, not both.",
    ),
    "expires_on_required": (
        "Gia hạn phải nêu ngày hết hiệu lực mới.",
        "An extension must give the new expiry date.",
    ),
    "comment_required": (
        "Cần ghi rõ ý kiến (lý do, nội dung cần sửa hoặc bổ sung) khi chọn “{outcome_label}”.",
        "A comment (the reasons, or what to change or add) is required with “{outcome_label}”.",
    ),
    "outcome_not_allowed": (
        "Kết quả này không dùng được cho nhiệm vụ này.",
        "This outcome does not fit this task.",
    ),
    "opinion_by_answering_body": (
        "Văn bản ý kiến do cơ quan trả lời đính kèm, không thuộc hồ sơ đề xuất.",
        "Written opinions are attached by whoever answers, not by the proposer.",
    ),
}


def _index(lang: str) -> int:
    return 0 if lang == "vi" else 1


def normalise(lang: str | None) -> str:
    return lang if lang in LANGUAGES else DEFAULT


def text(key: str, lang: str, **params: Any) -> str:
    entry = TEXTS.get(key)
    if entry is None:
        log.warning("untranslated key %s", key)
        return key
    if isinstance(entry, Plural):
        return entry.format(int(params.pop("n", 0)), lang, **params)
    template = entry[_index(lang)]
    return template.format(**params) if params else template


def label(vocabulary: str, code: Any, lang: str) -> str:
    """A code of the law by name, from the shared table (common/law/labels.py)."""
    found = labels.pair(vocabulary, code)
    if found is None:
        log.warning("no %s label for %s", vocabulary, getattr(code, "value", code))
        return str(getattr(code, "value", code))
    return labels.pick(found, lang)


def options(
    vocabulary: str, lang: str, codes: Iterable[Any] | None = None
) -> list[tuple[str, str]]:
    """(code, label) pairs of a vocabulary, in its declared order (or the order given)."""
    return labels.choices(vocabulary, lang, codes)


def field_label(code: str, lang: str) -> str:
    return labels.field_label(code, lang)


def language_name(code: str, lang: str) -> str:
    return labels.language_name(code, lang)


def body_name(code: str, lang: str) -> str:
    """A consulted body, a province (for its own tasks) or a central office, by name."""
    return labels.org_label(code, lang)


def province_name(code: str, lang: str) -> str:
    return labels.province_name(code, lang)


def country(code: str, lang: str) -> str:
    return labels.country(code, lang)


def local(moment: datetime | date | str | None, lang: str, *, with_time: bool = True) -> str:
    """A moment in Vietnam time as people there write it: 24/11/2026 14:05."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        raw = moment
        try:
            moment = datetime.fromisoformat(raw) if "T" in raw else date.fromisoformat(raw)
        except ValueError:
            return raw
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(TZ)
        return moment.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")
    return moment.strftime("%d/%m/%Y")


def rule_messages(violations: list[Violation], lang: str) -> list[FieldError]:
    """The broken rules worded for a person at a form (RULE_TEXT first, else the API's)."""
    out: list[FieldError] = []
    for v, described in zip(violations, describe(violations, lang), strict=True):
        override = RULE_TEXT.get(v.rule)
        if override is None:
            out.append(described)
            continue
        params = dict(v.params)
        if v.rule == "comment_required":
            params["outcome_label"] = label("outcome", params.get("value", ""), lang)
        if "language" in params:
            params["language_name"] = language_name(str(params["language"]), lang)
        message = override[_index(lang)].format(**params)
        out.append(FieldError(field=v.field, rule=v.rule, message=message))
    return out


def catalogue_gaps() -> Mapping[str, list[str]]:
    """Keys whose Vietnamese or English text is empty, here or in the shared table of the
    law's codes (the tests keep this empty)."""
    gaps: dict[str, list[str]] = {}
    for key, entry in TEXTS.items():
        texts = entry.texts() if isinstance(entry, Plural) else entry
        if not all(t.strip() for t in texts):
            gaps.setdefault("texts", []).append(key)
    for key, pair in RULE_TEXT.items():
        if not all(t.strip() for t in pair):
            gaps.setdefault("rules", []).append(key)
    for vocabulary, codes in labels.gaps().items():
        gaps.setdefault(vocabulary, []).extend(codes)
    return gaps
