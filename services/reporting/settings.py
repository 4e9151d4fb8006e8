"""The reporting service's one settings object."""

from __future__ import annotations

from functools import cache

from common.law.cycles import ConferenceCalendar
from common.settings import CommonSettings


class ReportingSettings(CommonSettings):
    reporting_database_url: str | None = None
    reporting_host: str = "127.0.0.1"
    reporting_port: int = 8003
    # Sized to Starlette's 40-token thread pool, as in the agreements service.
    db_pool_size: int = 40

    consumer_group: str = "reporting"
    # The rebuild command reads the agreements service's operator export from AGREEMENTS_URL
    # (common settings: the revocation list is read from there too).
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
        """The conferences (CommonSettings.reporting_conferences); a changed date re-counts
        the stored figures at the next start."""
        return self.conference_calendar()


@cache
def get_settings() -> ReportingSettings:
    return ReportingSettings()
