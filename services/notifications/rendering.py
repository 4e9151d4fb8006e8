"""What a notification says: Jinja2 templates in Vietnamese and English filled from an event.

Each message names the agreement, its province, the body concerned, what is asked, the
deadline in Vietnam time with the working days left, and a link to the agreement's page.
Templates are plain text (e-mail text/plain and the inbox's JSON); a web page showing them
must escape them as any other text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Final

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from common.events.payloads import PAYLOADS
from common.law import labels
from common.law.calendar import TZ, WorkingDayCalendar, default_calendar
from common.law.labels import Plural
from common.law.routing import MOFA_REGISTRY, PM_OFFICE

TEMPLATES_DIR: Final = Path(__file__).parent / "templates"

# Counts only notifications speak of; the law's units (days, working days) are in the shared
# table (common/law/labels.py COUNTS).
COUNTS: Final[Mapping[str, Plural]] = {
    **labels.COUNTS,
    "reminder": Plural("{n} nhắc việc", "{n} reminder", "{n} reminders"),
}

# English running text says "the Office of the Government", "to the Registry of ..."; the
# name on its own (a page, a report) has no article.
_WITH_ARTICLE_EN: Final = frozenset({PM_OFFICE, MOFA_REGISTRY})

# Where each event keeps the deadline a reader must act by.
DEADLINE_FIELDS: Final[Mapping[str, str]] = {
    "consultation.requested": "due_at",
    "consultation.reminder": "due_at",
    "consultation.overdue": "due_at",
    "pm_opinion.requested": "due_at",
    "agreement.signed": "copy_due_on",
    "agreement.copy_reminder": "due_on",
    "agreement.copy_overdue": "due_on",
    "agreement.plan_due": "due_on",
    "agreement.expiring": "expires_on",
    "agreement.terminated": "notice_due_on",
    "agreement.resumed": "notice_due_on",
}

_MONTHS_EN: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    link: str | None = None


@dataclass(frozen=True)
class Deadline:
    local: str  # e.g. "23:59 ngày 12/01/2026" or "12 January 2026"
    working_days_left: int
    overdue: bool
    has_time: bool  # a moment (consultation deadlines), not a whole day (duties in days)
    # In a year whose working-day swaps are not announced yet: it may still move.
    provisional: bool = False


def label(table: str, code: str | None, lang: str) -> str:
    """A code of the law by its vocabulary's name (common/law/labels.py); "" for no code."""
    if code is None:
        return ""
    return labels.label(table, code, lang)


def org_label(code: str | None, lang: str) -> str:
    """A consulted body, the registry or the PM office, by name as a sentence uses it; the code
    if unknown."""
    name = labels.org_label(code, lang)
    if lang != "vi" and code in _WITH_ARTICLE_EN:
        return f"the {name}"
    return name


def count(unit: str, n: int, lang: str) -> str:
    """`count("working_day", 1, "en")` -> "1 working day" (see COUNTS)."""
    return COUNTS[unit].format(n, lang)


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and "T" in value:
        return datetime.fromisoformat(value)
    return None


def _as_date(value: Any) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and "T" not in value and value:
        return date.fromisoformat(value)
    return None


def format_date(value: Any, lang: str) -> str:
    day = _as_date(value)
    if day is None:
        moment = _as_datetime(value)
        if moment is None:
            return ""
        day = moment.astimezone(TZ).date()
    if lang == "vi":
        return f"ngày {day:%d/%m/%Y}"
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


def format_moment(value: Any, lang: str) -> str:
    """A moment in Vietnam time: "23:59 ngày 12/01/2026" / "23:59, 12 January 2026"."""
    moment = _as_datetime(value)
    if moment is None:
        return format_date(value, lang)
    local = moment.astimezone(TZ)
    day = format_date(local.date(), lang)
    return f"{local:%H:%M} {day}" if lang == "vi" else f"{local:%H:%M}, {day}"


def deadline_of(
    event_name: str, data: Mapping[str, Any], at: datetime, lang: str, calendar: WorkingDayCalendar
) -> Deadline | None:
    """The deadline the event is about, in local time, and the working days left from `at`
    (the moment the event happened) to its close."""
    field = DEADLINE_FIELDS.get(event_name)
    if field is None or not data.get(field):
        return None
    value = data[field]
    moment = _as_datetime(value)
    if moment is None:
        day = _as_date(value)
        assert day is not None
        moment = datetime.combine(day, time.max, tzinfo=TZ)
        shown, has_time = format_date(day, lang), False
    else:
        shown, has_time = format_moment(moment, lang), True
    overdue = at > moment
    left = 0 if overdue else calendar.working_days_between(at, moment)
    return Deadline(
        local=shown,
        working_days_left=left,
        overdue=overdue,
        has_time=has_time,
        provisional=calendar.is_provisional(moment.astimezone(TZ).date()),
    )


def _upfirst(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lowerfirst(text: str) -> str:
    """A label inside a sentence: "Sửa đổi" -> "việc sửa đổi", "Amendment" -> "the amendment".
    Only for labels that start with a common noun (case kinds, duties)."""
    return text[:1].lower() + text[1:]


class Renderer:
    """Renders event and system messages; templates are compiled once and cached."""

    def __init__(
        self,
        public_base_url: str,
        *,
        calendar: WorkingDayCalendar | None = None,
        templates_dir: Path = TEMPLATES_DIR,
    ) -> None:
        self.public_base_url = public_base_url.rstrip("/")
        self.calendar = calendar or default_calendar()
        self.env = Environment(
            loader=FileSystemLoader(templates_dir),
            undefined=StrictUndefined,
            autoescape=False,  # plain text, see the module docstring
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,  # no stat() per message
        )
        self.env.filters["upfirst"] = _upfirst
        self.env.filters["lowerfirst"] = _lowerfirst
        self._templates: dict[str, Template] = {}

    def _template(self, name: str) -> Template:
        template = self._templates.get(name)
        if template is None:
            template = self.env.get_template(name)
            self._templates[name] = template
        return template

    def has_event_template(self, event_name: str, lang: str = "vi") -> bool:
        return (TEMPLATES_DIR / lang / f"{event_name}.j2").exists()

    def link(self, agreement_id: str) -> str:
        return f"{self.public_base_url}/ui/agreements/{agreement_id}"

    def event_context(
        self, event_name: str, data: Mapping[str, Any], lang: str, at: datetime, version: int = 1
    ) -> dict[str, Any]:
        # Through the payload model: optional fields a producer left out get their defaults,
        # and dates and moments arrive typed.
        model = PAYLOADS.get((event_name, version))
        if model is not None:
            data = model.model_validate(data).model_dump()
        agreement = data.get("agreement") or {}
        case_kind = agreement.get("case_kind", "CONCLUSION")
        partner = ""
        if agreement:
            partner = f"{agreement['partner_name']} ({agreement['partner_country']})"

        def bound(fn: Callable[[Any, str], str]) -> Callable[[Any], str]:
            return lambda value: fn(value, lang)

        return {
            "d": data,
            "lang": lang,
            "title": agreement.get("title", ""),
            "province": labels.province_name(data.get("province", ""), lang),
            "level": label("level", agreement.get("signatory_level"), lang),
            "partner": partner,
            "is_change": case_kind != "CONCLUSION",
            "case_kind": label("case", case_kind, lang),
            "body": org_label(data.get("body"), lang),
            "recipient": org_label(data.get("recipient"), lang),
            "deadline": deadline_of(event_name, data, at, lang, self.calendar),
            "link": self.link(data["agreement_id"]),
            "L": lambda table, code: label(table, code, lang),
            "org": bound(org_label),
            "date": bound(format_date),
            "orgs": lambda codes: ", ".join(org_label(c, lang) for c in codes),
            "count": lambda unit, n: count(unit, n, lang),
        }

    def render_event(
        self, event_name: str, data: Mapping[str, Any], lang: str, at: datetime, version: int = 1
    ) -> Message:
        context = self.event_context(event_name, data, lang, at, version)
        return self._render(f"{lang}/{event_name}.j2", context, link=context["link"])

    def render_system(self, name: str, lang: str, **context: Any) -> Message:
        """Messages of the service itself (a disabled subscription, a digest)."""
        counting = {"count": lambda unit, n: count(unit, n, lang)}
        return self._render(f"{lang}/_{name}.j2", {"lang": lang, **counting, **context})

    def _render(self, name: str, context: dict[str, Any], link: str | None = None) -> Message:
        template = self._template(name)
        ctx = template.new_context(context)
        subject = "".join(template.blocks["subject"](ctx)).strip()
        # Event templates fill the shared layout; the service's own messages have a body block.
        if "body" in template.blocks:
            body = "".join(template.blocks["body"](ctx))
        else:
            body = template.render(context)
        body = body.strip() + "\n"
        return Message(subject=" ".join(subject.split()), body=body, link=link)


def digest_items(messages: Iterable[Message]) -> list[dict[str, str]]:
    return [{"subject": m.subject, "body": m.body, "link": m.link or ""} for m in messages]
