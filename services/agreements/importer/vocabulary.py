"""The codes a register's cells may name, read in the forms people write them: the code itself,
its Vietnamese or English label from the one label table (common/law/labels.py), and the
abbreviations registers use. Matching ignores case and diacritics."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Final

from common.fields import FIELD_LABELS
from common.law import labels
from common.law.vocabulary import (
    AgreementForm,
    AgreementStatus,
    PartnerType,
    SignatoryLevel,
)
from common.text import fold

# What registers write beyond the labels: short forms and spelling variants.
# (Lists, not pairs: they are spellings, not the Vietnamese and English labels.)
_ALIASES: Final[Mapping[str, list[str]]] = {
    AgreementForm.AGREEMENT: ["thoả thuận"],
    AgreementForm.MEMORANDUM_OF_UNDERSTANDING: ["mou", "bản ghi nhớ"],
    AgreementForm.LETTER_OF_INTENT: ["loi", "ý định thư"],
    AgreementForm.MINUTES_OF_AGREEMENT: ["biên bản thoả thuận"],
    AgreementForm.COOPERATION_PROGRAMME: ["cooperation program"],
    AgreementForm.COMMUNIQUE: ["communiqué"],
    SignatoryLevel.PROVINCIAL_COUNCIL: ["hđnd tỉnh", "hdnd", "hội đồng nhân dân cấp tỉnh"],
    SignatoryLevel.PROVINCIAL_COMMITTEE: ["ubnd tỉnh", "ubnd", "ủy ban nhân dân cấp tỉnh"],
    SignatoryLevel.DEPARTMENT: ["cấp sở", "sở", "department"],
    SignatoryLevel.BORDER_COMMUNE: ["xã biên giới", "border commune"],
    SignatoryLevel.PROVINCIAL_ORG: ["tổ chức cấp tỉnh", "provincial organisation"],
    PartnerType.STATE: ["nhà nước", "chính phủ", "state", "government"],
    PartnerType.LOCAL_GOVERNMENT: ["chính quyền địa phương", "local government"],
    PartnerType.AGENCY_OR_ORGANISATION: ["cơ quan, tổ chức", "tổ chức", "organisation", "agency"],
    PartnerType.INTERNATIONAL_ORGANISATION: ["tổ chức quốc tế", "international organization"],
    PartnerType.INDIVIDUAL: ["cá nhân", "individual"],
    AgreementStatus.SIGNED: ["đã ký", "signed"],
    AgreementStatus.IN_FORCE: ["đang có hiệu lực", "có hiệu lực", "in force"],
    AgreementStatus.EXPIRED: ["hết hiệu lực", "expired"],
    AgreementStatus.TERMINATED: ["chấm dứt", "chấm dứt hiệu lực", "terminated"],
    AgreementStatus.WITHDRAWN: ["rút khỏi", "withdrawn"],
    AgreementStatus.SUSPENDED: ["tạm đình chỉ", "suspended"],
}
# A historical record is signed; these are the states a signed agreement can be in.
IMPORTABLE_STATUSES: Final = (
    AgreementStatus.SIGNED,
    AgreementStatus.IN_FORCE,
    AgreementStatus.EXPIRED,
    AgreementStatus.TERMINATED,
    AgreementStatus.WITHDRAWN,
    AgreementStatus.SUSPENDED,
)


def _index(pairs: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    """Folded name -> code, for every way of writing each code."""
    index: dict[str, str] = {}
    for code, names in pairs:
        for name in (code, code.replace("_", " "), *names):
            index[fold(name)] = code
    return index


def _of(enum: type[StrEnum], codes: Iterable[StrEnum] | None = None) -> dict[str, str]:
    members = list(codes if codes is not None else enum)
    return _index((m.value, (*(labels.pair(enum, m) or ()), *_ALIASES.get(m, ()))) for m in members)


FORMS: Final = _of(AgreementForm, [f for f in AgreementForm if f is not AgreementForm.OTHER])
LEVELS: Final = _of(SignatoryLevel)
PARTNER_TYPES: Final = _of(PartnerType)
STATUSES: Final = _of(AgreementStatus, IMPORTABLE_STATUSES)
FIELDS: Final = _index((f.value, names) for f, names in FIELD_LABELS.items())


def allowed(vocabulary: Mapping[str, str]) -> str:
    """The codes a column accepts, for the message of a cell that names none of them."""
    return ", ".join(dict.fromkeys(vocabulary.values()))
