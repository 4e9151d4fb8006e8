"""Settings shared by every part of the system, read from the environment (pydantic-settings)."""

from __future__ import annotations

import math
import os
from collections import Counter
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
    SecretsSettingsSource,
    SettingsConfigDict,
)

from common.law.cycles import DEFAULT_CONFERENCES, ConferenceCalendar
from common.law.deadlines import Timing
from common.law.vocabulary import Role

DEV_JWT_SECRET = "development-only-secret-change-me-0123456789"
# What a shared token secret must have outside development: 32 bytes (HS256's key size) and,
# estimated from its own characters, the entropy of 16 random bytes.
MIN_SECRET_BYTES = 32
MIN_SECRET_BITS = 128


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
        sources: list[PydanticBaseSettingsSource] = [
            init_settings,
            env_settings,
            dotenv_settings,
            files,
        ]
        # SECRETS_DIR=/run/secrets: a file named like a setting (jwt_secret) gives its value.
        secrets_dir = os.environ.get("SECRETS_DIR")
        if secrets_dir:
            sources.append(SecretsSettingsSource(settings_cls, secrets_dir=secrets_dir))
        sources.append(file_secret_settings)
        return tuple(sources)

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path(".data")
    log_level: str = "INFO"
    # The largest request body a service reads (JSON and forms; uploads have their own limit).
    max_request_bytes: int = Field(default=1024 * 1024, gt=0)

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    events_topic: str = "agreements.events"
    events_partitions: int = 6
    # `host:port` of the relay's datagrams (its metrics address, over UDP): an idle consumer
    # waits for the relay to say it published instead of asking the broker again and again
    # (common/wakeups.py). The embedded stack sets it; empty: consumers poll the broker.
    events_wakeup_address: str = ""

    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"

    # Tokens. The agreements service issues its own, HS256 with JWT_SECRET under the issuer
    # SESSION_ISSUER: development logins and the page sessions, each with a session id (`sid`)
    # it can revoke. Tokens of an external issuer (JWT_ISSUER; production: RS256/ES256 keys from
    # JWT_JWKS_URL or JWT_PUBLIC_KEY, development: HS256 with the same secret) are accepted too.
    jwt_secret: str = DEV_JWT_SECRET
    jwt_issuer: str = "urn:vn-intl-agreements:dev"
    jwt_audience: str = "vn-intl-agreements"
    jwt_jwks_url: str | None = None
    jwt_public_key: str | None = None
    session_issuer: str = "urn:vn-intl-agreements:sessions"
    # Lifetime of an access token the agreements service issues (sessions outlive it: refresh).
    jwt_ttl_seconds: int = Field(default=15 * 60, gt=0)
    # JWKS: keys are fetched off the event loop, kept this long, and fetched again at most
    # this often when a token names a key id the cached set lacks.
    jwks_cache_seconds: float = 3600.0
    jwks_min_refresh_seconds: float = 30.0
    # Revocation (logout, an administrator's revocation): every service reads the list of
    # revoked sessions and subjects from the agreements service this often; outside
    # development, a list older than the staleness limit refuses session tokens (503) rather
    # than accept a token it can no longer check.
    agreements_url: str = "http://127.0.0.1:8001"
    # The agreements service as a browser reaches it, when not at AGREEMENTS_URL (which may be
    # an internal name): the other services' Swagger UI signs in there (Authorize).
    agreements_public_url: str | None = None
    revocation_poll_seconds: float = Field(default=2.0, gt=0)
    revocation_max_staleness_seconds: float = Field(default=60.0, gt=0)

    @model_validator(mode="after")
    def _refuse_weak_secret_outside_development(self) -> CommonSettings:
        # The secret signs the service's own session tokens and the page's CSRF tokens even
        # when people's tokens come from an external issuer: it must be strong everywhere.
        if self.env == "production":
            weakness = secret_weakness(self.jwt_secret)
            if weakness:
                raise ValueError(
                    f"JWT_SECRET is {weakness}: when ENV=production set JWT_SECRET (or "
                    "JWT_SECRET_FILE, or a jwt_secret file in SECRETS_DIR) to at least "
                    f"{MIN_SECRET_BYTES} random bytes, e.g. `head -c 48 /dev/urandom | base64`"
                )
        if self.session_issuer == self.jwt_issuer and (self.jwt_jwks_url or self.jwt_public_key):
            raise ValueError("SESSION_ISSUER must differ from JWT_ISSUER, the external issuer")
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
    def sign_in_url(self) -> str:
        """The agreements service's token endpoint, absolute, as a browser reaches it."""
        return (self.agreements_public_url or self.agreements_url).rstrip("/") + "/v1/auth/token"

    @property
    def is_development(self) -> bool:
        return self.env != "production"


def secret_weakness(secret: str) -> str | None:
    """Why a shared token secret is too weak (None when it is strong enough): the development
    default, shorter than 32 bytes, or of low entropy. The entropy is estimated from the
    secret's own characters (Shannon, times its length), which a random hex, base64 or
    passphrase of that length passes, and a repeated or short-alphabet one does not."""
    if secret == DEV_JWT_SECRET:
        return "still the development default"
    raw = secret.encode()
    if len(raw) < MIN_SECRET_BYTES:
        return f"{len(raw)} bytes long, fewer than {MIN_SECRET_BYTES}"
    counts = Counter(secret)
    per_char = -sum(n / len(secret) * math.log2(n / len(secret)) for n in counts.values())
    if per_char * len(secret) < MIN_SECRET_BITS or len(counts) < 8:
        return "of low entropy (too few distinct or too repetitive characters)"
    return None


def _descending(days: list[int] | None) -> tuple[int, ...] | None:
    return None if days is None else tuple(sorted(set(days), reverse=True))
