"""What a draft's form offers to choose from: the foreign party's country and the bodies a
draft may name as related."""

from __future__ import annotations

from typing import Final

import pycountry

from common.bodies import BODIES, CENTRAL

# Every country but Viet Nam can be a foreign party's.
PARTNER_COUNTRIES: Final = tuple(
    sorted(c.alpha_2 for c in pycountry.countries if c.alpha_2 != "VN")
)


def related_bodies(province: str | None) -> list[str]:
    """Bodies a draft may name as related: the ministries, and the province's own bodies."""
    return [
        code
        for code, body in BODIES.items()
        if body.level == CENTRAL or (province is not None and body.province == province)
    ]
