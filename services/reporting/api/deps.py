"""Typed dependencies of the routes: settings, database, caller, language, report filters.

They are `async def` on purpose, as in the agreements service: none does I/O, and FastAPI
would otherwise run each in the thread pool.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Header, Query, Request

from common.auth import Principal
from common.countries import resolve_country
from common.db import utcnow
from common.deps import BearerToken, verify_bearer
from common.fields import Field
from common.http import pick_language
from common.law.calendar import TZ
from common.law.cycles import ConferenceCalendar
from common.provinces import current_unit
from services.reporting.domain.access import NotYourProvince, scoped_province
from services.reporting.errors import Forbidden, InvalidQuery
from services.reporting.service import ReportFilter
from services.reporting.settings import ReportingSettings


async def get_settings(request: Request) -> ReportingSettings:
    settings: ReportingSettings = request.app.state.settings
    return settings


async def get_calendar(request: Request) -> ConferenceCalendar:
    calendar: ConferenceCalendar = request.app.state.calendar
    return calendar


async def get_today() -> date:
    """Today in Vietnam: the open cycle runs to this day."""
    return utcnow().astimezone(TZ).date()


async def get_language(
    accept_language: Annotated[str | None, Header()] = None,
    lang: Annotated[
        str | None,
        Query(pattern="^(vi|en)$", description="vi (default) or en; wins over Accept-Language"),
    ] = None,
) -> str:
    return lang or pick_language(accept_language)


async def get_principal(request: Request, token: BearerToken) -> Principal:
    return await verify_bearer(request.app.state.tokens, token)


async def get_filters(
    principal: Annotated[Principal, Depends(get_principal)],
    province: Annotated[
        str | None, Query(max_length=64, description="current unit code, e.g. ha-noi")
    ] = None,
    field: Annotated[str | None, Query(max_length=64, description="e.g. education")] = None,
    country: Annotated[
        str | None, Query(max_length=100, description="ISO alpha-2, or a country name")
    ] = None,
) -> ReportFilter:
    """The filters asked for, checked, and narrowed to the caller's own province when they
    may see only that one."""
    if province is not None and current_unit(province) is None:
        raise InvalidQuery("province", "unknown_province", value=province)
    if field is not None and field not in {f.value for f in Field}:
        raise InvalidQuery(
            "field", "unknown_field", value=field, allowed=", ".join(f.value for f in Field)
        )
    code = None
    if country is not None and (code := resolve_country(country)) is None:
        raise InvalidQuery("country", "unknown_country", value=country)
    try:
        scoped = scoped_province(principal, province)
    except NotYourProvince as exc:
        raise Forbidden("other_province_figures", own=exc.own) from exc
    return ReportFilter(province=scoped, field=field, country=code)


SettingsDep = Annotated[ReportingSettings, Depends(get_settings)]
CalendarDep = Annotated[ConferenceCalendar, Depends(get_calendar)]
TodayDep = Annotated[date, Depends(get_today)]
LanguageDep = Annotated[str, Depends(get_language)]
CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
FiltersDep = Annotated[ReportFilter, Depends(get_filters)]
