"""The notifications service's one settings object."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import Field, model_validator

from common.settings import CommonSettings


class NotificationsSettings(CommonSettings):
    notifications_database_url: str | None = None
    notifications_host: str = "127.0.0.1"
    notifications_port: int = 8002
    # Sized to Starlette's 40-token thread pool (sync routes), plus the worker's own threads.
    notifications_db_pool_size: int = 40
    # The consumer and the delivery dispatcher run as threads of the API process, so /metrics
    # shows them; switch off to run an API-only replica.
    notifications_worker_enabled: bool = True
    notifications_consumer_group: str = "notifications"
    # A failing handler is retried this often before its event goes to the dead-letter topic.
    notifications_handle_attempts: int = 3

    # Links in messages point at the agreement's page.
    public_base_url: str = "http://127.0.0.1:8001"

    # E-mail: SMTP when SMTP_HOST is set, otherwise a maildir (DATA_DIR/mail by default).
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_timeout_s: float = 10.0
    mail_dir: Path | None = None
    mail_from: str = "Thỏa thuận quốc tế <no-reply@agreements.test>"
    # Development directory e-mails: <user>@<org>.<domain>, e.g. officer@ha-noi.agreements.test
    # (.test is reserved, RFC 2606: nothing can ever be delivered to a real person by mistake).
    dev_email_domain: str = "agreements.test"

    # Delivery of e-mail and webhooks: retried with exponential backoff (base * 2^n, capped,
    # with jitter), at most this many attempts.
    delivery_threads: int = 8
    delivery_batch_size: int = 100
    # An idle dispatcher looks for due deliveries this often: new ones wake it at once (the
    # consumer and the digests are in its process), so this only times retries, whose backoff
    # starts at delivery_backoff_base_s.
    delivery_poll_interval_s: float = 1.0
    delivery_lease_s: float = 120.0
    delivery_backoff_base_s: float = 5.0
    delivery_backoff_max_s: float = 3600.0
    email_max_attempts: int = 10
    webhook_max_attempts: int = 8
    webhook_timeout_s: float = 10.0
    # Consecutive deliveries that exhausted their attempts before a subscription is disabled.
    webhook_disable_after_failures: int = 3
    # Webhooks to loopback or private addresses: allowed in development (local receivers),
    # refused in production unless this says otherwise.
    webhook_allow_private_targets: bool | None = None
    webhook_max_subscriptions_per_owner: int = 20

    # Reminders of people who chose the daily digest are mailed together at this local hour.
    digest_hour: int = Field(default=8, ge=0, le=23)

    @model_validator(mode="after")
    def _check_smtp(self) -> NotificationsSettings:
        if self.smtp_ssl and self.smtp_starttls:
            raise ValueError("SMTP_SSL and SMTP_STARTTLS are exclusive: choose one")
        return self

    @property
    def database_url(self) -> str:
        if self.notifications_database_url:
            return self.notifications_database_url
        return f"sqlite:///{(self.data_dir / 'notifications.db').resolve()}"

    @property
    def mail_path(self) -> Path:
        return (self.mail_dir or self.data_dir / "mail").resolve()

    @property
    def private_webhook_targets_allowed(self) -> bool:
        if self.webhook_allow_private_targets is not None:
            return self.webhook_allow_private_targets
        return self.is_development


@cache
def get_settings() -> NotificationsSettings:
    return NotificationsSettings()
