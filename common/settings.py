"""Settings shared by every part of the system, read from the environment (pydantic-settings)."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from common.law.cycles import DEFAULT_CONFERENCES, ConferenceCalendar
from common.law.deadlines import Timing
from common.law.vocabulary import Role

DEV_JWT_SECRET = "development-only-secret-change-me-0123456789"


class FileSettingsSource(EnvSettingsSource):
    """`<NAME>_FILE=/run/secrets/x` gives a setting the content of that file, as containers
    hand out secrets (Docker and Kubernetes secrets); the plain `<NAME>` still wins."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        path = os.environ.get(f"{field_name.upper()}_FILE")
        if not path:
            return None, field_name, False
        return Path(path).read_text(encoding="utf-8").strip(), field_name, False


class CommonSettings(BaseSettings):
    """What every process needs: environment, data folder, broker, Temporal, tokens, logging.

    Each service subclasses this for its own settings; there is one settings object per process.
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        files = FileSettingsSource(settings_cls)
        return (init_settings, env_settings, dotenv_settings, files, file_secret_settings)

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path(".data")
    log_level: str = "INFO"

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    events_topic: str = "agreements.events"
    events_partitions: int = 6

    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"

    # Tokens: HS256 with a shared secret in development; in production either a shared secret
    # that is not the default, or RS256/ES256 keys from a JWKS endpoint or a PEM public key.
    jwt_secret: str = DEV_JWT_SECRET
    jwt_issuer: str = "urn:vn-intl-agreements:dev"
    jwt_audience: str = "vn-intl-agreements"
    jwt_jwks_url: str | None = None
    jwt_public_key: str | None = None
    jwt_ttl_seconds: int = 8 * 3600

    @model_validator(mode="after")
    def _refuse_default_secret_outside_development(self) -> CommonSettings:
        uses_shared_secret = not (self.jwt_jwks_url or self.jwt_public_key)
        if self.env == "production" and uses_shared_secret and self.jwt_secret == DEV_JWT_SECRET:
            raise ValueError(
                "JWT_SECRET still has its development value: set JWT_SECRET, JWT_JWKS_URL "
                "or JWT_PUBLIC_KEY when ENV=production"
            )
        return self

    # The figures domain.md §2.3 marks configurable; unset, `Timing`'s own defaults hold.
    consultation_reminder_working_days_before: int | None = Field(default=None, ge=0)
    copy_reminder_days_before: list[int] | None = None
    expiry_reminder_days: list[int] | None = None
    plan_reminder_days_before: int | None = Field(default=None, ge=0)
    copy_to_mofa_for_all_levels: bool | None = None
    provincial_org_decider: Literal["provincial_leader", "council_chair"] | None = None

    # Conference dates on top of domain.md §4's, e.g. REPORTING_CONFERENCES='{"22": "2026-12-20"}'
    # once the 22nd is fixed (or '{"17": "2014-12-10"}' to give cycle 18 its start).
    reporting_conferences: dict[int, date] = Field(default_factory=dict)

    def conference_calendar(self) -> ConferenceCalendar:
        """The conferences every part counts cycles by: the law's dates and these settings."""
        return ConferenceCalendar({**DEFAULT_CONFERENCES, **self.reporting_conferences})

    def timing(self) -> Timing:
        """The procedure's figures new workflows start with: the law's, with the configurable
        ones overridden here and nowhere else."""
        overrides: dict[str, Any] = {
            "reminder_working_days_before": self.consultation_reminder_working_days_before,
            "copy_reminder_days_before": _descending(self.copy_reminder_days_before),
            "expiry_reminder_days": _descending(self.expiry_reminder_days),
            "plan_reminder_days_before": self.plan_reminder_days_before,
            "copy_to_mofa_for_all_levels": self.copy_to_mofa_for_all_levels,
            "provincial_org_decider": (
                Role(self.provincial_org_decider) if self.provincial_org_decider else None
            ),
        }
        return replace(Timing(), **{k: v for k, v in overrides.items() if v is not None})

    @property
    def is_development(self) -> bool:
        return self.env != "production"


def _descending(days: list[int] | None) -> tuple[int, ...] | None:
    return None if days is None else tuple(sorted(set(days), reverse=True))
