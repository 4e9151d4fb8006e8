"""The agreements service's one settings object."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import Field

from common.settings import CommonSettings


class AgreementsSettings(CommonSettings):
    agreements_database_url: str | None = None
    agreements_host: str = "127.0.0.1"
    agreements_port: int = 8001
    # Sized to Starlette's 40-token thread pool so sync endpoints never wait on the pool
    # (infra.md: a 5+10 pool deadlocks around 50 concurrent requests).
    db_pool_size: int = 40

    dev_password: str = "dev"
    # Sessions (README "Sessions and sign-in"): tokens live JWT_TTL_SECONDS (15 minutes) and
    # are renewed while the session lives: a page session ends after this long without a
    # request, any session this long after sign-in.
    session_idle_seconds: int = Field(default=2 * 3600, gt=0)
    session_max_seconds: int = Field(default=12 * 3600, gt=0)
    # Failed sign-ins allowed per account and per address (the `limits` library's notation).
    login_limit_per_account: str = "5 per 15 minutes"
    login_limit_per_address: str = "30 per 15 minutes"
    documents_dir: Path | None = None
    max_document_bytes: int = 25 * 1024 * 1024

    relay_metrics_host: str = "127.0.0.1"
    relay_metrics_port: int = 9101
    activity_metrics_host: str = "127.0.0.1"
    activity_metrics_port: int = 9103
    relay_batch_size: int = 200
    # How often an idle relay looks at the outbox on its own: writers wake it when they commit
    # events (services/agreements/outbox.py), so this only bounds a lost wake-up.
    relay_poll_interval_s: float = 5.0
    # The least time between two rounds of the relay: the first wake-up is served at once, and
    # the commits of a burst (under load, hundreds a second) are published together in the next
    # round instead of one round each (a round costs a query and a produce).
    relay_min_round_interval_s: float = 0.05
    # The check for submitted agreements whose workflow never took them in (0 turns it off).
    watchdog_interval_s: float = 30.0
    watchdog_stuck_after_s: float = 60.0
    # CloudEvents `source` of everything this service emits.
    source: str = "/services/agreements"

    # The operator console (/v1/ops, /ui/ops): where its links to a workflow point, which
    # consumer groups it watches, and how much of the dead-letter topic it reads per partition
    # (the newest letters; older ones are still on the topic for Kafka's own tools).
    temporal_ui_url: str = "http://127.0.0.1:8233"
    ops_consumer_groups: list[str] = Field(
        default_factory=lambda: ["workflow-bridge", "notifications", "reporting"]
    )
    ops_dead_letter_scan_limit: int = 5000
    ops_kafka_timeout_s: float = 10.0

    # The report pages (/ui/reports) read the reporting service's API with the signed-in
    # person's own token; past this many seconds the page says the service is not answering.
    reporting_url: str = "http://127.0.0.1:8003"
    reporting_timeout_s: float = 5.0
    # Origins whose pages may call the sign-in (POST /v1/auth/token) from a browser: the
    # notifications and reporting services' Swagger UI (Authorize). Unset: their development
    # addresses in development, none otherwise.
    sign_in_origins: list[str] | None = None

    def allowed_sign_in_origins(self) -> list[str]:
        if self.sign_in_origins is not None:
            return self.sign_in_origins
        if not self.is_development:
            return []
        return [
            f"http://{host}:{port}" for host in ("127.0.0.1", "localhost") for port in (8002, 8003)
        ]

    @property
    def database_url(self) -> str:
        if self.agreements_database_url:
            return self.agreements_database_url
        return f"sqlite:///{(self.data_dir / 'agreements.db').resolve()}"

    @property
    def documents_path(self) -> Path:
        return (self.documents_dir or self.data_dir / "documents").resolve()


@cache
def get_settings() -> AgreementsSettings:
    return AgreementsSettings()
