"""Settings shared by every part of the system, read from the environment (pydantic-settings)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "development-only-secret-change-me-0123456789"


class CommonSettings(BaseSettings):
    """What every process needs: environment, data folder, broker, Temporal, tokens, logging.

    Each service subclasses this for its own settings; there is one settings object per process.
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

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

    @property
    def is_development(self) -> bool:
        return self.env != "production"
