"""Settings of the bridge: where its metrics go. The procedure's
figures new workflows start with are `CommonSettings.timing()`."""

from __future__ import annotations

from functools import cache

from common.settings import CommonSettings


class WorkflowSettings(CommonSettings):
    bridge_metrics_host: str = "127.0.0.1"
    bridge_metrics_port: int = 9104


@cache
def get_settings() -> WorkflowSettings:
    return WorkflowSettings()
