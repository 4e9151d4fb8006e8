"""The reporting service's one settings object."""

from __future__ import annotations

from datetime import date
from functools import cache

from pydantic import Field

from common.settings import CommonSettings
from services.reporting.domain.cycles import DEFAULT_CONFERENCES, ConferenceCalendar


class ReportingSettings(CommonSettings):
    reporting_database_url: str | None = None
    reporting_host: str = "127.0.0.1"
    reporting_port: int = 8003
    # Sized to Starlette's 40-token thread pool, as in the agreements service.
    db_pool_size: int = 40

    # Conference dates on top of domain.md §4's, e.g. REPORTING_CONFERENCES='{"22": "2026-12-20"}'
    # once the 22nd is fixed. A changed date re-counts the stored figures at the next start.
    reporting_conferences: dict[int, date] = Field(default_factory=dict)

    consumer_group: str = "reporting"
    # The rebuild command reads the agreements service's operator export from here.
    agreements_url: str = "http://127.0.0.1:8001"
    # Bearer token for that export when tokens come from an external issuer; with the shared
    # development secret the command signs its own operator token.
    reporting_export_token: str | None = None
    rebuild_page_size: int = 2000

    @property
    def database_url(self) -> str:
        if self.reporting_database_url:
            return self.reporting_database_url
        return f"sqlite:///{(self.data_dir / 'reporting.db').resolve()}"

    @property
    def calendar(self) -> ConferenceCalendar:
        return ConferenceCalendar({**DEFAULT_CONFERENCES, **self.reporting_conferences})


@cache
def get_settings() -> ReportingSettings:
    return ReportingSettings()
