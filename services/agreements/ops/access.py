"""Who may use the operator console (operators and administrators) and how its refusals read."""

from __future__ import annotations

from typing import Final

from common.auth import Principal, Role
from common.problems import register_texts
from services.agreements.errors import Forbidden

CONSOLE_ROLES: Final = frozenset({Role.OPERATOR, Role.ADMIN})

# Refusals of the console's use cases, (Vietnamese, English); prefixed so that no other
# module's code of the same name can be worded differently.
TEXTS: Final[dict[str, tuple[str, str]]] = {
    "ops_not_operator": (
        "Chỉ người vận hành và quản trị viên được dùng bảng điều khiển vận hành.",
        "Only operators and administrators may use the operator console.",
    ),
    "ops_broker_unavailable": (
        "Không kết nối được Kafka ({error}); vui lòng thử lại sau.",
        "Kafka cannot be reached ({error}); please try again later.",
    ),
    "ops_dead_letter_not_found": (
        "Không tìm thấy thư chết {id} trên chủ đề {topic}.",
        "Dead letter {id} is not on topic {topic}.",
    ),
    "ops_workflow_running": (
        "Quy trình của thỏa thuận {id} đang chạy: không có gì cần sửa.",
        "The workflow of agreement {id} is running: there is nothing to repair.",
    ),
    "ops_needs_engineer": (
        "Không thể tự sửa quy trình của thỏa thuận {id} (trạng thái {status}, quy trình "
        "{workflow}): khởi động lại từ đầu sẽ hỏi ý kiến các cơ quan lần nữa. Cần kỹ sư xử lý.",
        "The workflow of agreement {id} (status {status}, workflow {workflow}) cannot be "
        "repaired here: starting it again would consult the bodies again. An engineer is needed.",
    ),
    "ops_imported": (
        "Thỏa thuận {id} được nhập từ sổ lưu trữ: không có quy trình.",
        "Agreement {id} was imported from a register: it has no workflow.",
    ),
    "ops_no_submission": (
        "Thỏa thuận {id} không có sự kiện trình (agreement.submitted) trong hộp thư đi.",
        "Agreement {id} has no agreement.submitted event in the outbox.",
    ),
    "ops_replay_unconfirmed": (
        "Cần xác nhận (confirm=true) trước khi phát lại {count} sự kiện.",
        "Confirm (confirm=true) before {count} events are published again.",
    ),
    "ops_replay_changed": (
        "Khoảng thời gian nay có {count} sự kiện, không phải {expected} như đã xác nhận; "
        "hãy xem lại rồi xác nhận lần nữa.",
        "The range now holds {count} events, not the {expected} confirmed; review it and "
        "confirm again.",
    ),
    "ops_replay_range": (
        "Thời điểm kết thúc phải sau thời điểm bắt đầu.",
        "The end of the range must come after its start.",
    ),
}
register_texts(TEXTS)


def may_use_console(principal: Principal | None) -> bool:
    return principal is not None and principal.role in CONSOLE_ROLES


def require_operator(principal: Principal) -> None:
    """Every use case of the console starts here, so the API, the pages and the command line
    refuse the same people."""
    if not may_use_console(principal):
        raise Forbidden("ops_not_operator")
