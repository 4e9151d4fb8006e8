"""The law's rules on signing (domain.md §2, §2.1): an agreement is signed after its decision
(and after the Prime Minister's consent where one was needed), never before and never in the
future; every language version of the approved text has its signed counterpart, and a signed
text that differs from the approved one goes back to consultation."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from common.law.drafting import Violation


def earliest_signing_day(decided_on: date, pm_consent_on: date | None = None) -> date:
    """The first day an approved agreement may be signed: the day of the decision, or of the
    Prime Minister's written consent when it came later."""
    return max(decided_on, pm_consent_on) if pm_consent_on else decided_on


def check_signing_date(
    signed_on: date, *, decided_on: date, pm_consent_on: date | None, today: date
) -> list[Violation]:
    """`signed_on` on or after the decision (and the consent) and not after today."""
    out = []
    earliest = earliest_signing_day(decided_on, pm_consent_on)
    if signed_on < earliest:
        rule = (
            "signed_before_pm_consent"
            if pm_consent_on and earliest == pm_consent_on and pm_consent_on > decided_on
            else "signed_before_decision"
        )
        out.append(Violation("signed_on", rule, {"value": signed_on, "earliest": earliest}))
    if signed_on > today:
        out.append(Violation("signed_on", "date_in_future", {"value": signed_on}))
    return out


class TextMatch(StrEnum):
    """How a signed language version compares with its approved counterpart."""

    IDENTICAL = "IDENTICAL"  # byte for byte
    SAME_TEXT = "SAME_TEXT"  # another file (a scan's text layer, a re-export) with the same text
    DIFFERENT = "DIFFERENT"  # the words differ: back to consultation unless acknowledged
    UNREADABLE = "UNREADABLE"  # not byte-identical and no text could be read from one of them
    MISSING = "MISSING"  # the approved language has no signed counterpart


@dataclass(frozen=True)
class TextVersion:
    """One language version of a text: its file's hash and, when it could be read, its words."""

    sha256: str
    text: str | None = None


@dataclass(frozen=True)
class Comparison:
    language: str
    match: TextMatch
    approved: TextVersion | None
    signed: TextVersion | None


_SPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Text as the comparison sees it: Unicode NFC, no layout (line breaks, hyphenation at a
    line end, runs of spaces), so a PDF re-export of the same words compares equal."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"-\n(?=\w)", "", text)  # a word hyphenated across a line
    return _SPACE.sub(" ", text).strip()


def compare_signed_texts(
    approved: Mapping[str, TextVersion], signed: Mapping[str, TextVersion]
) -> list[Comparison]:
    """Each language of the approved text against its signed counterpart."""
    out = []
    for language, version in sorted(approved.items()):
        counterpart = signed.get(language)
        if counterpart is None:
            match = TextMatch.MISSING
        elif counterpart.sha256 == version.sha256:
            match = TextMatch.IDENTICAL
        elif version.text is None or counterpart.text is None:
            match = TextMatch.UNREADABLE
        elif normalise_text(version.text) == normalise_text(counterpart.text):
            match = TextMatch.SAME_TEXT
        else:
            match = TextMatch.DIFFERENT
        out.append(Comparison(language, match, version, counterpart))
    return out


def text_changed(comparisons: list[Comparison]) -> bool:
    """The signed text is not the approved one: it needs acknowledging, and goes back to
    consultation. A version that could not be read counts as changed: nobody can tell."""
    return any(c.match in (TextMatch.DIFFERENT, TextMatch.UNREADABLE) for c in comparisons)
