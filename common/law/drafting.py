"""The law's checks on a draft and its dossier (domain.md §1, §2.1), as pure functions.

Each check returns Violations (field, rule, parameters); domain/messages.py words them in
Vietnamese and English. `check_draft` runs on every create and update and again at submission;
`check_dossier` runs at submission, when the documents must be complete.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

import pycountry

from common.bodies import get_body
from common.law.vocabulary import (
    ENDING_KINDS,
    AgreementForm,
    CaseKind,
    Category,
    DocumentKind,
    PartnerType,
    Procedure,
    ReducedGround,
    SignatoryLevel,
)
from common.provinces import border_countries, current_unit
from common.text import fold

# Treaty names (Art. 6): an agreement of a locality may not be called by these. Folded (no
# diacritics, lower case) -> how the message names the word.
TREATY_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "cong uoc": "Công ước",
        "hiep uoc": "Hiệp ước",
        "dinh uoc": "Định ước",
        "hiep dinh": "Hiệp định",
        # In a foreign-language title: the English names of treaties.
        "treaty": "Treaty",
        "treaties": "Treaties",
        "convention": "Convention",
        "covenant": "Covenant",
    }
)
_TREATY_WORD = re.compile(r"\b(" + "|".join(map(re.escape, TREATY_NAMES)) + r")\b")
# "Convention" also names a kind of venue, which a title may mention as a place.
_NOT_A_TREATY = re.compile(r"\s*(center|centre|hall|bureau|complex|palace)\b")
# Words after which a treaty word names the subject of the document (an existing treaty it
# implements, refers to or falls under), not the document itself.
_SUBJECT_CONNECTORS: Final = (
    # Vietnamese
    "ve",  # về
    "thuc hien",  # thực hiện
    "thuc thi",  # thực thi
    "trien khai",  # triển khai
    "theo",
    "khuon kho",  # (trong) khuôn khổ
    "can cu",  # căn cứ
    "huong dan",  # hướng dẫn
    "nham",  # nhằm
    "lien quan",  # liên quan
    # English
    "on",
    "implementing",
    "implementation",
    "under",
    "pursuant",
    "regarding",
    "concerning",
    "within",
    "related",
)
_CONNECTOR = re.compile(r"\b(" + "|".join(_SUBJECT_CONNECTORS) + r")\b")

VIETNAMESE = "vi"


@dataclass(frozen=True)
class Violation:
    field: str
    rule: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class DraftFacts:
    """What the rules need to know about a draft, free of any storage or HTTP type."""

    title: str
    form: AgreementForm
    form_name: str | None
    category: Category
    signatory_level: SignatoryLevel
    province: str
    partner_country: str
    partner_type: PartnerType
    languages: Sequence[str]
    procedure: Procedure
    reduced_reason: str | None
    related_bodies: Sequence[str]
    case_kind: CaseKind = CaseKind.CONCLUSION
    reduced_ground: ReducedGround | None = None
    foreign_title: str | None = None  # the title in the partner's language


@dataclass(frozen=True)
class DocumentFacts:
    kind: DocumentKind
    language: str


def forbidden_name_in(text: str, *, as_title: bool) -> str | None:
    """The treaty name a title or form name presents the document as, if any, as the law
    writes it (e.g. "Hiệp định").

    A title may name an existing treaty as its subject ("Bản ghi nhớ về thực hiện Hiệp định
    EVFTA", "MoU on implementing the Convention ..."): a treaty word after a connector such
    as "về", "thực hiện", "on", "under" is a mention. Anywhere else it presents the document
    as a treaty: at the start, after a prefix such as "Dự thảo", a number or a quotation mark,
    in brackets, or after the document's own name. A form name is the kind itself, so any
    treaty word in it counts.
    """
    folded = fold(text)
    for match in _TREATY_WORD.finditer(folded):
        if match.group(1) == "convention" and _NOT_A_TREATY.match(folded, match.end()):
            continue
        if as_title and _CONNECTOR.search(folded, 0, match.start()):
            continue
        return TREATY_NAMES[match.group(1)]
    return None


def is_known_country(code: str) -> bool:
    return len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None


def is_known_language(code: str) -> bool:
    return len(code) == 2 and pycountry.languages.get(alpha_2=code.lower()) is not None


def check_draft(d: DraftFacts) -> list[Violation]:
    out: list[Violation] = []
    if current_unit(d.province) is None:
        out.append(Violation("province", "unknown_province", {"value": d.province}))

    if (name := forbidden_name_in(d.title, as_title=True)) is not None:
        out.append(Violation("title", "forbidden_treaty_name", {"name": name}))
    if d.foreign_title and (name := forbidden_name_in(d.foreign_title, as_title=True)):
        out.append(Violation("foreign_title", "forbidden_treaty_name", {"name": name}))
    if d.form is AgreementForm.OTHER and not (d.form_name or "").strip():
        out.append(Violation("form_name", "form_name_required", {}))
    if d.form_name and (name := forbidden_name_in(d.form_name, as_title=False)) is not None:
        out.append(Violation("form_name", "forbidden_treaty_name", {"name": name}))

    if d.category is not Category.INTERNATIONAL_AGREEMENT:
        out.append(Violation("category", "out_of_scope", {"category": d.category.value}))

    if d.procedure is Procedure.REDUCED:
        out += check_reduced_procedure(d)

    if not d.partner_country and d.partner_type is PartnerType.INTERNATIONAL_ORGANISATION:
        pass  # an international organisation belongs to no country
    elif not d.partner_country:
        out.append(Violation("foreign_party.country", "country_required", {}))
    elif not is_known_country(d.partner_country):
        out.append(
            Violation("foreign_party.country", "unknown_country", {"value": d.partner_country})
        )
    elif d.partner_country.upper() == "VN":
        out.append(Violation("foreign_party.country", "partner_not_foreign", {}))

    if d.signatory_level is SignatoryLevel.BORDER_COMMUNE:
        if d.partner_type is not PartnerType.LOCAL_GOVERNMENT:
            out.append(Violation("foreign_party.type", "border_commune_partner_type", {}))
        neighbours = border_countries(d.province)
        if d.partner_country.upper() not in neighbours:
            out.append(
                Violation(
                    "foreign_party.country",
                    "border_commune_partner_country",
                    {"allowed": ", ".join(sorted(neighbours)) or "-"},
                )
            )

    if not d.languages:
        out.append(Violation("languages", "languages_required", {}))
    for i, lang in enumerate(d.languages):
        if not is_known_language(lang):
            out.append(Violation(f"languages.{i}", "unknown_language", {"value": lang}))

    for i, code in enumerate(d.related_bodies):
        body = get_body(code)
        if body is None:
            out.append(Violation(f"related_bodies.{i}", "unknown_body", {"value": code}))
        elif body.province is not None and body.province != d.province:
            out.append(Violation(f"related_bodies.{i}", "body_of_other_province", {"value": code}))
    return out


# Who may use the reduced procedure (Art. 35): the provincial state bodies, not the commune
# level and not the provincial bodies of organisations.
REDUCED_LEVELS: Final = frozenset(
    {
        SignatoryLevel.PROVINCIAL_COUNCIL,
        SignatoryLevel.PROVINCIAL_COMMITTEE,
        SignatoryLevel.DEPARTMENT,
    }
)


def check_reduced_procedure(d: DraftFacts) -> list[Violation]:
    """The reduced procedure only where the law allows it: a provincial state body, one of
    the grounds of Art. 35, and an explanation of the circumstances."""
    out = []
    if d.signatory_level not in REDUCED_LEVELS:
        out.append(
            Violation("procedure", "reduced_not_allowed", {"level": d.signatory_level.value})
        )
    if d.reduced_ground is None:
        out.append(Violation("reduced_ground", "reduced_ground_required", {}))
    if not (d.reduced_reason or "").strip():
        out.append(Violation("reduced_reason", "reduced_reason_required", {}))
    return out


def check_dossier(d: DraftFacts, documents: Iterable[DocumentFacts]) -> list[Violation]:
    """Required documents (§2.1) and the language rule (Art. 7). Ending an agreement
    (termination, withdrawal, suspension) needs only the proposal stating why: there is no
    new text to consult on."""
    have = {(doc.kind, doc.language) for doc in documents}
    kinds = {kind for kind, _ in have}
    out: list[Violation] = []
    if DocumentKind.PROPOSAL not in kinds:
        out.append(Violation("documents", "proposal_required", {}))
    if d.case_kind in ENDING_KINDS:
        return out
    if DocumentKind.IMPLEMENTATION_PLAN not in kinds:
        out.append(Violation("documents", "implementation_plan_required", {}))
    for lang in dict.fromkeys(lang.lower() for lang in d.languages):
        if (DocumentKind.DRAFT_TEXT, lang) not in have:
            out.append(Violation("documents", "draft_text_required", {"language": lang}))
    if VIETNAMESE not in {lang.lower() for lang in d.languages} and (
        (DocumentKind.TRANSLATION, VIETNAMESE) not in have
    ):
        out.append(Violation("documents", "vietnamese_translation_required", {}))
    return out


def check_submitter(d: DraftFacts, submitter_province: str | None) -> list[Violation]:
    if submitter_province != d.province:
        return [Violation("province", "not_own_province", {"value": d.province})]
    return []
