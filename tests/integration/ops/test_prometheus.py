"""Prometheus against the embedded stack: every process is scraped, every rule evaluates, and
an agreement driven through its first steps shows up in the business series."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.helpers import until
from tests.integration.ops.conftest import Embedded, give_opinion, submit_agreement

pytestmark = pytest.mark.integration

JOBS = {
    "prometheus",
    "agreements",
    "agreements-relay",
    "agreements-worker",
    "workflow-bridge",
    "notifications",
    "reporting",
    "temporal",
}


def _value(embedded: Embedded, promql: str) -> float:
    result = embedded.query(promql)
    return float(result[0]["value"][1]) if result else 0.0


def test_prometheus_scrapes_every_process_and_evaluates_every_rule(embedded: Embedded) -> None:
    def all_up() -> bool:
        targets = embedded.prometheus_get("/api/v1/targets")["activeTargets"]
        return {t["labels"]["job"] for t in targets if t["health"] == "up"} == JOBS

    until(all_up, 60, f"every job up: {sorted(JOBS)}")

    def rules_evaluated() -> list[dict[str, Any]] | None:
        groups = embedded.prometheus_get("/api/v1/rules")["groups"]
        rules = [rule for group in groups for rule in group["rules"]]
        evaluated = all(r.get("lastEvaluation", "0001")[:4] != "0001" for r in rules)
        return rules if rules and evaluated else None

    rules = until(rules_evaluated, 30, "every rule evaluated once")
    assert [r["name"] for r in rules if r["health"] != "ok"] == []
    assert {r["name"] for r in rules if r["type"] == "alerting"} >= {
        "TargetDown",
        "OutboxBacklogStale",
        "ConsumerLagGrowing",
        "EventsDeadLettered",
        "ConsultationsOverdue",
        "CopiesOverdue",
        "WorkflowTaskFailures",
        "NotificationDeliveryFailures",
    }
    # A healthy idle stack raises nothing, but for the calendar's reminder, which follows the
    # date and the override file (from November it asks for the coming year's swaps; promtool
    # tests it against fixed dates).
    alerts = embedded.prometheus_get("/api/v1/alerts")["alerts"]
    dated = {"WorkingDayCalendarNotAnnounced"}
    firing = [a for a in alerts if a["state"] == "firing"]
    assert [a for a in firing if a["labels"]["alertname"] not in dated] == []


def test_an_agreement_through_its_first_steps_reaches_the_business_series(
    embedded: Embedded,
) -> None:
    consultations_before = _value(
        embedded, 'sum(agreements_tasks_open{org="mofa",kind="CONSULTATION"})'
    )
    answered_before = _value(embedded, "sum(agreements_consultation_answer_working_days_count)")

    with httpx.Client(base_url=embedded.api, timeout=20) as client:
        agreement_id = submit_agreement(client)

        # Submission -> the workflow opens the consultation of the Ministry of Foreign Affairs.
        until(
            lambda: (
                _value(embedded, 'sum(agreements_tasks_open{org="mofa",kind="CONSULTATION"})')
                > consultations_before
            ),
            30,
            "the open MOFA consultation in Prometheus",
        )
        assert _value(embedded, 'sum(agreements_by_status{status="IN_CONSULTATION"})') >= 1
        until(
            lambda: (
                _value(
                    embedded,
                    'sum(type:agreements_relay_events_published:rate5m{type="agreement.submitted"})',
                )
                > 0
            ),
            30,
            "the submission rate (recording rule)",
        )
        until(
            lambda: _value(embedded, 'sum(workflow_bridge_events_total{outcome="started"})') >= 1,
            30,
            "the bridge starting the workflow",
        )
        until(
            lambda: (
                _value(
                    embedded,
                    'sum(notifications_delivered_total{channel="inbox",event_type="consultation.requested"})',
                )
                >= 1
            ),
            30,
            "the reviewers' inbox notification",
        )

        # The ministry gives its opinion -> the answer time is observed, the task closes.
        give_opinion(client, agreement_id)
    until(
        lambda: (
            _value(embedded, "sum(agreements_consultation_answer_working_days_count)")
            > answered_before
        ),
        30,
        "the answer time of the opinion",
    )
    # The worker's SDK metrics: the workflow ran and took its steps as local activities.
    assert _value(embedded, 'sum(temporal_local_activity_total{job="agreements-worker"})') >= 1
    assert (
        _value(embedded, 'sum(temporal_workflow_task_queue_poll_succeed{job="agreements-worker"})')
        >= 1
    )
    assert _value(embedded, "max(agreements_outbox_oldest_age_seconds)") < 60
    # The relay and the bridge share the worker's process, each with its own port and job:
    # every series is served by one of them only, so no sum counts it twice.
    for series, job in (
        ("{__name__=~'workflow_bridge_.*'}", "workflow-bridge"),
        ("{__name__=~'event_consumer_.*', group='workflow-bridge'}", "workflow-bridge"),
        ("{__name__=~'agreements_relay_.*'}", "agreements-relay"),
    ):
        jobs = {r["metric"]["job"] for r in embedded.query(f"count by (job) ({series})")}
        assert jobs == {job}, series
