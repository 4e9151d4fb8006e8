"""The reporting API's access rules, refusals, health and metrics, and its schema."""

from __future__ import annotations

import json
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi import FastAPI
from sqlalchemy import create_engine

from common.db import utcnow
from common.law.calendar import TZ
from services.reporting import models, service
from services.reporting.api.responses import CyclesPublic, CycleSummary
from tests.integration.reporting.conftest import ReportingStack
from tests.integration.reporting.history import Record

pytestmark = pytest.mark.integration


def test_province_officer_sees_only_their_province(rstack: ReportingStack) -> None:
    own = rstack.reporting.get("/v1/cycles/21/summary", headers=rstack.headers("officer@hai-phong"))
    assert own.status_code == 200 and own.json()["filters"]["province"] == "hai-phong"
    other = rstack.reporting.get(
        "/v1/cycles/21/summary?province=ha-noi", headers=rstack.headers("leader@hai-phong")
    )
    assert other.status_code == 403
    assert other.headers["content-type"].startswith("application/problem+json")
    assert "hai-phong" in other.json()["detail"] and "chỉ xem" in other.json()["detail"]
    csv = rstack.reporting.get(
        "/v1/cycles/21/export.csv?province=ha-noi", headers=rstack.headers("officer@hai-phong")
    )
    assert csv.status_code == 403


def test_ministries_registry_pm_office_operators_and_admins_see_all(
    rstack: ReportingStack,
) -> None:
    for user in ("reviewer@mofa", "supervisor@mps", "registry@mofa", "pm@office", "ops@system"):
        r = rstack.reporting.get("/v1/cycles/21/summary", headers=rstack.headers(user))
        assert r.status_code == 200, user
        assert r.json()["filters"]["province"] is None, user
    # A provincial body sees its own province.
    police = rstack.reporting.get(
        "/v1/cycles/21/summary", headers=rstack.headers("reviewer@ha-noi.police")
    )
    assert police.json()["filters"]["province"] == "ha-noi"


def test_bad_requests_get_problem_details_naming_the_rule(rstack: ReportingStack) -> None:
    anonymous = rstack.reporting.get("/v1/cycles/21/summary")
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer"
    headers = rstack.headers("admin@system", lang="en")
    missing = rstack.reporting.get("/v1/cycles/7/summary", headers=headers)
    assert missing.status_code == 404 and "cycle 7" in missing.json()["detail"]
    for params, field, rule in (
        ({"province": "atlantis"}, "province", "unknown_province"),
        ({"field": "space"}, "field", "unknown_field"),
        ({"country": "Xyzland"}, "country", "unknown_country"),
    ):
        r = rstack.reporting.get("/v1/cycles/21/summary", params=params, headers=headers)
        assert r.status_code == 422, params
        assert r.json()["errors"] == [
            {"field": field, "rule": rule, "message": r.json()["errors"][0]["message"]}
        ]
    vietnamese = rstack.reporting.get(
        "/v1/cycles/21/summary?country=Xyzland", headers=rstack.headers("admin@system")
    )
    assert "không phải mã hoặc tên quốc gia" in vietnamese.json()["errors"][0]["message"]
    not_a_number = rstack.reporting.get("/v1/cycles/xxi/summary", headers=headers)
    assert not_a_number.status_code == 422


def test_health_readiness_and_metrics(rstack: ReportingStack) -> None:
    assert rstack.reporting.get("/healthz").json() == {"status": "ok"}
    ready = rstack.reporting.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["database"] == "ok"
    rstack.reporting.get("/v1/cycles/21/summary", headers=rstack.headers("admin@system"))
    rstack.wait_for(
        lambda: "reporting_consumer_lag" in rstack.reporting.get("/metrics").text,
        timeout_s=15,
        what="the consumer's first state report",
    )
    text = rstack.reporting.get("/metrics").text
    for name in (
        "reporting_consumer_lag",
        "reporting_seconds_since_last_event",
        'reporting_report_duration_seconds_bucket{le="1.0",report="summary"}',
        "reporting_consumer_report_age_seconds",
    ):
        assert name in text, name


def test_migrated_schema_matches_the_models(rstack: ReportingStack) -> None:
    engine = create_engine(rstack.urls["reporting"])
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), models.METADATA)
    finally:
        engine.dispose()
    assert diff == [], f"models and migrations differ; add a migration: {diff}"


def test_typed_answers_keep_the_json_byte_for_byte(
    rstack: ReportingStack, history: list[Record]
) -> None:
    """The response models only describe the figures: the bytes are those of the summary the
    use case builds, as the report pages and exports have always read them."""
    headers = rstack.headers("registry@mofa")
    app = rstack.reporting.app
    assert isinstance(app, FastAPI)
    calendar, today = app.state.calendar, utcnow().astimezone(TZ).date()
    for lang in ("vi", "en"):
        r = rstack.reporting.get(f"/v1/cycles/21/summary?lang={lang}", headers=headers)
        assert r.status_code == 200, r.text
        with app.state.db.session() as session:
            built = service.cycle_summary(
                session,
                calendar=calendar,
                number=21,
                filters=service.ReportFilter(),
                today=today,
                lang=lang,
            )
        assert built is not None
        assert r.content == _as_fastapi_writes(built)
        CycleSummary.model_validate_json(r.content)
        assert built["by_province"] and built["post_signing_duties"]
    cycles = rstack.reporting.get("/v1/cycles", headers=headers)
    parsed = CyclesPublic.model_validate_json(cycles.content)
    assert cycles.content == _as_fastapi_writes(parsed.model_dump(mode="json"))
    assert cycles.json()["data"][0]["start_after"] == parsed.data[0].start_after.isoformat()


def _as_fastapi_writes(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
