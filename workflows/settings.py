"""Settings of the workflow worker and the bridge: where their metrics go, and the procedure's
configurable figures (domain.md §2.3) that new workflows start with."""

from __future__ import annotations

from functools import cache

from pydantic import Field

from common.settings import CommonSettings
from workflows.lifecycle.contracts import TimingConfig


class WorkflowSettings(CommonSettings):
    workflow_metrics_host: str = "127.0.0.1"
    workflow_metrics_port: int = 9102
    bridge_metrics_host: str = "127.0.0.1"
    bridge_metrics_port: int = 9104

    # domain.md marks these configurable; the others are the law's own figures.
    consultation_reminder_working_days_before: int = 2
    copy_reminder_days_before: list[int] = Field(default_factory=lambda: [5, 1])
    expiry_reminder_days: list[int] = Field(default_factory=lambda: [180, 90, 30])
    plan_reminder_days_before: int = 30
    copy_to_mofa_for_all_levels: bool = False

    def timing(self) -> TimingConfig:
        return TimingConfig(
            reminder_working_days_before=self.consultation_reminder_working_days_before,
            copy_reminder_days_before=list(self.copy_reminder_days_before),
            expiry_reminder_days=sorted(self.expiry_reminder_days, reverse=True),
            plan_reminder_days_before=self.plan_reminder_days_before,
            copy_to_mofa_for_all_levels=self.copy_to_mofa_for_all_levels,
        )


@cache
def get_settings() -> WorkflowSettings:
    return WorkflowSettings()
