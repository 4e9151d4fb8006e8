"""The fixed list of cooperation fields an agreement is classified under (domain.md §4)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final


class Field(StrEnum):
    """Lĩnh vực hợp tác: the fields the headline reports count agreements by."""

    TRADE = "trade"
    INVESTMENT = "investment"
    EDUCATION = "education"
    HEALTH = "health"
    CULTURE_TOURISM = "culture_tourism"
    SCIENCE_TECHNOLOGY = "science_technology"
    AGRICULTURE = "agriculture"
    ENVIRONMENT_CLIMATE = "environment_climate"
    LABOUR = "labour"
    DIGITAL_GREEN_TRANSITION = "digital_green_transition"
    SECURITY_BORDER = "security_border"
    FRIENDSHIP_EXCHANGE = "friendship_exchange"


# (Vietnamese, English) labels, in the order the enum declares the fields.
FIELD_LABELS: Final[Mapping[Field, tuple[str, str]]] = MappingProxyType(
    {
        Field.TRADE: ("Thương mại", "Trade"),
        Field.INVESTMENT: ("Đầu tư", "Investment"),
        Field.EDUCATION: ("Giáo dục và đào tạo", "Education and training"),
        Field.HEALTH: ("Y tế", "Health"),
        Field.CULTURE_TOURISM: ("Văn hóa và du lịch", "Culture and tourism"),
        Field.SCIENCE_TECHNOLOGY: ("Khoa học và công nghệ", "Science and technology"),
        Field.AGRICULTURE: ("Nông nghiệp", "Agriculture"),
        Field.ENVIRONMENT_CLIMATE: ("Môi trường và khí hậu", "Environment and climate"),
        Field.LABOUR: ("Lao động", "Labour"),
        Field.DIGITAL_GREEN_TRANSITION: (
            "Chuyển đổi số và chuyển đổi xanh",
            "Digital and green transition",
        ),
        Field.SECURITY_BORDER: ("An ninh và quản lý biên giới", "Security and border management"),
        Field.FRIENDSHIP_EXCHANGE: ("Giao lưu hữu nghị", "Friendship exchange"),
    }
)
