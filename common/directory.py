"""The seeded development directory: who can log in locally, with which role and organisation."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from functools import cache

from common.auth import Principal, Role
from common.bodies import BODIES
from common.law.routing import MOFA_REGISTRY, PM_OFFICE
from common.provinces import CURRENT_UNITS


@cache
def dev_users() -> Mapping[str, Principal]:
    """officer@/leader@<province> for the 34 units, reviewer@, reviewer2@ (a colleague, for
    claims) and supervisor@<body> for every consulted body, and the central roles. Usernames
    double as token subjects."""
    users: dict[str, Principal] = {}
    for code, unit in CURRENT_UNITS.items():
        users[f"officer@{code}"] = Principal(
            f"officer@{code}", Role.PROVINCE_OFFICER, code, f"Cán bộ {unit.name}"
        )
        users[f"leader@{code}"] = Principal(
            f"leader@{code}", Role.PROVINCIAL_LEADER, code, f"Chủ tịch UBND {unit.name}"
        )
        users[f"council@{code}"] = Principal(
            f"council@{code}", Role.COUNCIL_CHAIR, code, f"Chủ tịch HĐND {unit.name}"
        )
    for code, body in BODIES.items():
        users[f"reviewer@{code}"] = Principal(
            f"reviewer@{code}", Role.REVIEWER, code, f"Chuyên viên {body.name_vi}"
        )
        users[f"reviewer2@{code}"] = Principal(
            f"reviewer2@{code}", Role.REVIEWER, code, f"Chuyên viên {body.name_vi} (2)"
        )
        users[f"supervisor@{code}"] = Principal(
            f"supervisor@{code}", Role.SUPERVISOR, code, f"Lãnh đạo {body.name_vi}"
        )
    users["pm@office"] = Principal("pm@office", Role.PM_OFFICE, PM_OFFICE, "Văn phòng Chính phủ")
    users["registry@mofa"] = Principal(
        "registry@mofa", Role.MOFA_REGISTRY, MOFA_REGISTRY, "Bộ phận lưu chiểu, Bộ Ngoại giao"
    )
    users["ops@system"] = Principal("ops@system", Role.OPERATOR, "system", "Vận hành")
    users["admin@system"] = Principal("admin@system", Role.ADMIN, "system", "Quản trị")
    return users


def authenticate(username: str, password: str, dev_password: str) -> Principal | None:
    user = dev_users().get(username.strip().lower())
    # Constant-time compare even for the development password: habits carry to production.
    if user is None or not hmac.compare_digest(password.encode(), dev_password.encode()):
        return None
    return user
