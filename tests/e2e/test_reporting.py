"""The reporting read model follows the real procedure within a second, and a rebuild from the
agreements service gives the same figures."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from common.db import Database
from services.reporting.__main__ import migrate_database
from services.reporting.app import create_app
from services.reporting.rebuild import rebuild
from services.reporting.settings import ReportingSettings
from tests.helpers import until

from .conftest import Lifecycle, today

pytestmark = pytest.mark.integration


def open_cycle(lifecycle: Lifecycle) -> dict[str, Any]:
    cycles = lifecycle.reporting("/v1/cycles")["data"]
    return next(c for c in cycles if c["open"])


def test_signing_shows_in_the_cycle_within_a_second_and_a_rebuild_agrees(
    lifecycle: Lifecycle, tmp_path_factory: pytest.TempPathFactory
) -> None:
    before = open_cycle(lifecycle)["agreements_signed"]
    aid = lifecycle.submit_new()
    lifecycle.consult_all(aid)
    lifecycle.approve(aid)
    r = lifecycle.sign(aid, effective_from=today().isoformat(), term_months=24)
    assert r.status_code == 200, r.text
    signed_at = time.monotonic()
    until(
        lambda: open_cycle(lifecycle)["agreements_signed"] == before + 1,
        10,
        "the signed agreement in the open cycle",
    )
    took = time.monotonic() - signed_at
    assert took < 1.0, f"the summary changed {took:.2f}s after the signing"

    delivered = lifecycle.deliver_copy(aid, duty="COPY")
    assert (
        lifecycle.decide("registry@mofa", delivered["receipt"]["id"], "RECEIVED").status_code == 200
    )
    number = open_cycle(lifecycle)["number"]
    summary = until(
        lambda: (
            (s := lifecycle.reporting(f"/v1/cycles/{number}/summary"))
            and _copy_delivered(s) >= 1
            and s
        ),
        10,
        "the delivered copy in the summary",
    )
    assert summary

    # A new, empty read model rebuilt from the agreements service's export says the same.
    settings = ReportingSettings(
        env="test",
        data_dir=tmp_path_factory.mktemp("rebuilt"),
        kafka_bootstrap_servers=lifecycle.settings.kafka_bootstrap_servers,
    )
    migrate_database(settings.database_url)
    db = Database(settings.database_url, pool_size=2)
    try:
        rebuild(settings, db, client=lifecycle.client)
        with TestClient(create_app(settings)) as rebuilt:
            headers = lifecycle.login("registry@mofa")

            def same() -> bool:
                live = lifecycle.reporting(f"/v1/cycles/{number}/summary")
                again = rebuilt.get(f"/v1/cycles/{number}/summary", headers=headers).json()
                return bool(_without_clock(live) == _without_clock(again))

            until(same, 10, "the rebuilt summary to equal the live one")
    finally:
        db.dispose()


def _copy_delivered(summary: dict[str, Any]) -> int:
    """Copies delivered so far in the cycle, wherever the summary keeps the count."""
    compliance = summary.get("post_signing_compliance") or summary.get("compliance") or {}
    for key in ("delivered", "delivered_on_time", "on_time"):
        value = compliance.get(key)
        if isinstance(value, dict):
            value = value.get("value")
        if isinstance(value, int):
            return value
    return 0


def _without_clock(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in summary.items() if k not in ("generated_at", "as_of")}
