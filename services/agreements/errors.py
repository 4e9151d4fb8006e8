"""Failures of the use cases, worded for people in Vietnamese and English."""

from __future__ import annotations

from common.law.drafting import Violation
from common.law.labels import pick
from common.law.messages import describe
from common.law.signing import Comparison, TextMatch
from common.problems import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    PreconditionRequired,
    Problem,
    ServiceError,
    ServiceUnavailable,
    Unauthorized,
    Unprocessable,
    UnsupportedMedia,
    register_texts,
    validation_problem,
)

_TEXTS: dict[str, tuple[str, str]] = {
    "agreement_not_found": (
        "Không tìm thấy thỏa thuận {id}.",
        "Agreement {id} was not found.",
    ),
    "document_not_found": ("Không tìm thấy tài liệu {id}.", "Document {id} was not found."),
    "not_drafter": (
        "Chỉ cán bộ của tỉnh đề xuất được soạn, sửa, đính kèm và trình thỏa thuận này.",
        "Only officers of the proposing province may draft, edit, attach to or submit this "
        "agreement.",
    ),
    "other_province": (
        "Bạn chỉ được soạn thỏa thuận cho tỉnh/thành phố của mình ({own}).",
        "You may only draft agreements for your own province ({own}).",
    ),
    "not_editable": (
        "Thỏa thuận đang ở trạng thái {status}: chỉ sửa được khi là dự thảo hoặc bị trả lại.",
        "The agreement is {status}: only a draft or a returned dossier can be changed.",
    ),
    "not_deletable": (
        "Chỉ xóa được dự thảo; thỏa thuận đang ở trạng thái {status}.",
        "Only drafts can be deleted; the agreement is {status}.",
    ),
    "not_submittable": (
        "Thỏa thuận đang ở trạng thái {status} nên không thể trình.",
        "The agreement is {status} and cannot be submitted.",
    ),
    "stale_version": (
        "Phiên bản {given} đã cũ; phiên bản hiện tại là {current}. Hãy tải lại rồi sửa tiếp.",
        "Version {given} is stale; the current version is {current}. Reload and edit again.",
    ),
    "if_match_required": (
        "Cần gửi tiêu đề If-Match với phiên bản đang sửa (ETag).",
        "Send an If-Match header with the version you are editing (its ETag).",
    ),
    "if_match_invalid": (
        "Tiêu đề If-Match không hợp lệ: '{value}'.",
        "The If-Match header is not a version: '{value}'.",
    ),
    "file_too_large": (
        "Tệp vượt quá giới hạn {limit_mb} MB.",
        "The file exceeds the {limit_mb} MB limit.",
    ),
    "media_type_not_allowed": (
        "Kiểu tệp '{media_type}' không được chấp nhận; cho phép: PDF, DOCX, DOC, ODT, TXT.",
        "File type '{media_type}' is not accepted; allowed: PDF, DOCX, DOC, ODT, TXT.",
    ),
    "content_mismatch": (
        "Nội dung tệp không khớp với kiểu '{media_type}'.",
        "The file's content does not match its type '{media_type}'.",
    ),
    "empty_file": ("Tệp rỗng.", "The file is empty."),
    "idempotency_mismatch": (
        "Idempotency-Key này đã được dùng cho một yêu cầu khác.",
        "This Idempotency-Key was already used for a different request.",
    ),
    "bad_credentials": ("Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password."),
    "login_disabled": (
        "Đăng nhập bằng mật khẩu chỉ dùng trong môi trường phát triển.",
        "Password login is only available in development.",
    ),
    "task_not_found": ("Không tìm thấy nhiệm vụ {id}.", "Task {id} was not found."),
    "not_assignee": (
        "Nhiệm vụ này được giao cho cơ quan, đơn vị khác.",
        "This task is assigned to another organisation.",
    ),
    "task_not_open": (
        "Nhiệm vụ đang ở trạng thái {status}, không thể nhận xử lý.",
        "The task is {status} and cannot be claimed.",
    ),
    "task_claimed": (
        "Nhiệm vụ đang do {by} xử lý; người đó (hoặc lãnh đạo đơn vị) cần trả lại trước, hoặc "
        "bạn nhận thay (việc nhận thay được ghi lại).",
        "The task is claimed by {by}; they (or the body's supervisor) must release it first, or "
        "you take it over (which is recorded).",
    ),
    "task_held": (
        "Một đồng nghiệp vừa nhận xử lý nhiệm vụ này; hãy tải lại trang.",
        "A colleague has just claimed this task; reload the page.",
    ),
    "task_done_by_action": (
        "Nhiệm vụ loại {kind} được hoàn thành bằng chính thao tác tương ứng "
        "(trình lại hồ sơ, ghi nhận ký kết, gửi bản sao), không qua ý kiến.",
        "A {kind} task is done by its own action (resubmitting, recording the signing, "
        "delivering the copy), not by a decision.",
    ),
    "task_closed": ("Nhiệm vụ đã đóng.", "The task is closed."),
    "task_paused": (
        "Hồ sơ đã được trả lại tỉnh để bổ sung; thời hạn tạm dừng đến khi hồ sơ được trình lại.",
        "The dossier is back with the province for a supplement; the clock is stopped until "
        "it is resubmitted.",
    ),
    "already_answered": (
        "Nhiệm vụ này đã có ý kiến trả lời.",
        "This task has already been answered.",
    ),
    "wrong_phase": (
        "Thao tác này không thực hiện được ở bước hiện tại của thủ tục.",
        "This action is not possible at the current step of the procedure.",
    ),
    "no_procedure": (
        "Thỏa thuận {id} chưa có thủ tục đang chạy (chưa trình hoặc đã kết thúc).",
        "Agreement {id} has no procedure running (not submitted, or already concluded).",
    ),
    "engine_unavailable": (
        "Hệ thống điều phối thủ tục tạm thời không phản hồi; vui lòng thử lại sau ít phút.",
        "The procedure engine is not answering right now; please try again in a few minutes.",
    ),
    "not_approved": (
        "Chỉ ghi nhận ký kết khi thỏa thuận đã được phê duyệt; hiện đang ở trạng thái {status}.",
        "Signing can only be recorded once the agreement is approved; it is {status}.",
    ),
    "signed_text_differs": (
        "Văn bản ký khác văn bản đã được phê duyệt ({languages}). Gửi lại với "
        "acknowledge_text_changed=true để đưa văn bản thay đổi đi lấy ý kiến lại.",
        "The signed text differs from the approved text ({languages}). Send "
        "acknowledge_text_changed=true to send the changed text back to consultation.",
    ),
    "not_mandatory_opener": (
        "Chỉ Bộ Ngoại giao hoặc người có thẩm quyền quyết định thỏa thuận được mở việc chấm dứt "
        "bắt buộc (Điều 34).",
        "Only the Ministry of Foreign Affairs or the agreement's decider may open a mandatory "
        "termination (Art. 34).",
    ),
    "no_copy_due": (
        "Hiện không có bản sao, thông báo, báo cáo hay kế hoạch nào (như đã nêu) cần gửi cho "
        "thỏa thuận này.",
        "No such copy, notice, report or plan is owed for this agreement now.",
    ),
    "not_changeable": (
        "Không thể {action} thỏa thuận đang ở trạng thái {status}.",
        "An agreement that is {status} cannot be given a {action}.",
    ),
    "case_in_progress": (
        "Thỏa thuận đang có một hồ sơ sửa đổi hoặc chấm dứt chưa kết thúc ({id}).",
        "The agreement already has an amendment or termination in progress ({id}).",
    ),
}


register_texts(_TEXTS)

# How a signed language version that is not the approved one reads, per language.
_TEXT_MATCHES: dict[str, tuple[str, str]] = {
    TextMatch.DIFFERENT: (
        "Bản ký tiếng {language} có nội dung khác bản đã được phê duyệt.",
        "The signed {language} version says something else than the approved one.",
    ),
    TextMatch.UNREADABLE: (
        "Không đọc được nội dung bản ký tiếng {language} (hoặc bản đã phê duyệt) để so sánh: "
        "tệp không trùng khớp từng byte nên được coi là đã thay đổi.",
        "The words of the signed {language} version (or of the approved one) cannot be read, "
        "and the files are not identical: it counts as changed.",
    ),
}


class RulesBroken(ServiceError):
    """One or more rules of the law failed; all of them are listed."""

    status = 422

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__("rules_broken")
        self.violations = violations

    def to_problem(self, lang: str) -> Problem:
        problem = validation_problem(describe(self.violations, lang), lang)
        problem.type = "rules-broken"
        return problem


class FileRefused(Unprocessable):
    """A sent file refused for what it is (empty): 422 naming the form field it came in."""

    def __init__(self, code: str, *, field: str, **params: object) -> None:
        super().__init__(code, **params)
        self.field = field

    def to_problem(self, lang: str) -> Problem:
        problem = super().to_problem(lang)
        problem.errors = [FieldError(self.field, self.code, problem.detail)]
        return problem


class SignedTextDiffers(ServiceError):
    """The signed text is not the approved one in some language: 409, each language named,
    with the comparisons kept so a page can show the differences side by side."""

    status = 409

    def __init__(self, comparisons: list[Comparison]) -> None:
        self.comparisons = comparisons
        self.changed = [c for c in comparisons if c.match in _TEXT_MATCHES]
        super().__init__(
            "signed_text_differs", languages=", ".join(c.language for c in self.changed)
        )

    def to_problem(self, lang: str) -> Problem:
        problem = super().to_problem(lang)
        problem.errors = [
            FieldError(
                f"documents.SIGNED_TEXT.{c.language}",
                f"text_{c.match.value.lower()}",
                pick(_TEXT_MATCHES[c.match], lang).format(language=c.language),
            )
            for c in self.changed
        ]
        return problem


__all__ = [
    "Conflict",
    "FileRefused",
    "Forbidden",
    "NotFound",
    "PayloadTooLarge",
    "PreconditionFailed",
    "PreconditionRequired",
    "RulesBroken",
    "ServiceError",
    "ServiceUnavailable",
    "SignedTextDiffers",
    "Unauthorized",
    "Unprocessable",
    "UnsupportedMedia",
]
