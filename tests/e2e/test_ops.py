"""The operator console over the whole system: what the real consumers (bridge, notifications,
reporting) dead-letter shows in it and is discarded with a reason, their lag shows per group
and partition, and an agreement whose workflow was terminated mid-consultation is listed as
needing an engineer, never restarted."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from kafka import KafkaProducer

from common.events.types import EVENTS_TOPIC
from common.temporal import connect
from tests.helpers import until
from workflows.lifecycle.contracts import workflow_id

from .conftest import Lifecycle

pytestmark = pytest.mark.integration

OPS = "ops@system"
GROUPS = ["workflow-bridge", "notifications", "reporting"]


def ops_get(lifecycle: Lifecycle, path: str, **params: Any) -> Any:
    r = lifecycle.client.get(path, params=params, headers=lifecycle.login(OPS))
    assert r.status_code == 200, r.text
    return r.json()


def test_what_real_consumers_dead_letter_is_listed_and_discarded_and_lag_is_per_partition(
    lifecycle: Lifecycle,
) -> None:
    # An event of a major version no consumer knows: every group that handles its type
    # refuses it to the dead-letter topic.
    event_id, subject = str(uuid.uuid4()), str(uuid.uuid4())
    headers = [
        ("ce_specversion", b"1.0"),
        ("ce_id", event_id.encode()),
        ("ce_source", b"/tests/e2e"),
        ("ce_type", b"vn.gov.agreements.agreement.drafted.v9"),
        ("ce_subject", subject.encode()),
        ("ce_time", datetime.now(UTC).isoformat().encode()),
        ("content-type", b"application/json"),
    ]
    producer = KafkaProducer(bootstrap_servers=lifecycle.settings.kafka_bootstrap_servers)
    try:
        producer.send(
            EVENTS_TOPIC,
            key=subject.encode(),
            value=json.dumps({"agreement_id": subject}).encode(),
            headers=headers,
        ).get(timeout=10)
    finally:
        producer.close()

    def parked() -> list[dict[str, Any]]:
        found = ops_get(lifecycle, "/v1/ops/dead-letters", limit=500)["data"]
        return [d for d in found if d["event_id"] == event_id]

    # Notifications and reporting take every type; the bridge passes over all but submissions.
    # Wait for both letters: one arriving after the discard would be left open.
    refusing = {"notifications", "reporting"}
    letters = until(
        lambda: (found := parked()) and {d["consumer_group"] for d in found} >= refusing and found,
        60,
        "the real consumers' dead letters",
    )
    for letter in letters:
        assert letter["consumer_group"] in GROUPS
        assert letter["agreement_id"] == subject
        assert letter["event_type"] == "vn.gov.agreements.agreement.drafted.v9"
        assert letter["original_topic"] == EVENTS_TOPIC and letter["reason"]

    reason = "Sự kiện v9 do công cụ thử gửi nhầm; không có bên nào cần"
    r = lifecycle.client.post(
        "/v1/ops/dead-letters/discard",
        json={"ids": [d["id"] for d in letters], "reason": reason},
        headers=lifecycle.login(OPS) | {"Idempotency-Key": f"discard-{event_id}"},
    )
    assert r.status_code == 200, r.text
    assert {x["outcome"] for x in r.json()["results"]} == {"discarded"}
    assert all(d["event_id"] != event_id for d in parked() if d["state"] == "open")
    audit = ops_get(lifecycle, "/v1/ops/actions", kind="discard")["data"]
    assert {(a["event_id"], a["reason"], a["actor"]) for a in audit[: len(letters)]} == {
        (event_id, reason, OPS)
    }

    # Every group has taken in everything on the topic: lag 0 on each of its partitions.
    def caught_up() -> Any:
        lag = ops_get(lifecycle, "/v1/ops/lag")
        return lag["total"] == 0 and lag

    lag = until(caught_up, 60, "every consumer group caught up")
    assert [g["group"] for g in lag["groups"]] == GROUPS
    for group in lag["groups"]:
        partitions = group["partitions"]
        assert [p["partition"] for p in partitions] == list(
            range(lifecycle.settings.events_partitions)
        )
        assert any(p["end"] > 0 for p in partitions)
        for p in partitions:
            assert p["lag"] == 0
            assert p["committed"] == p["end"] or (p["committed"] is None and p["end"] == 0)


def test_a_workflow_terminated_mid_consultation_is_left_to_an_engineer(
    lifecycle: Lifecycle,
) -> None:
    agreement_id = lifecycle.submit_new()
    lifecycle.wait_status(agreement_id, "IN_CONSULTATION")

    async def terminate() -> None:
        client = await connect(lifecycle.settings)
        await client.get_workflow_handle(workflow_id(agreement_id)).terminate("e2e: a fault")

    asyncio.run(terminate())
    found = ops_get(lifecycle, "/v1/ops/workflows")
    assert found["temporal_reachable"] is True
    [item] = [i for i in found["data"] if i["agreement_id"] == agreement_id]
    assert item["status"] == "IN_CONSULTATION"
    assert (item["workflow_status"], item["findings"], item["repair"]) == (
        "TERMINATED",
        ["workflow_ended"],
        "engineer",
    )
    namespace = lifecycle.settings.temporal_namespace
    assert item["temporal_url"].endswith(
        f"/namespaces/{namespace}/workflows/agreement-{agreement_id}"
    )

    r = lifecycle.client.post(
        f"/v1/ops/workflows/{agreement_id}/repair",
        json={"reason": "restart it"},
        headers=lifecycle.login(OPS),
    )
    assert r.status_code == 409 and r.json()["type"].endswith("/ops-needs-engineer")
    page = lifecycle.client.get(
        "/ui/ops/workflows", headers={"Authorization": lifecycle.login(OPS)["Authorization"]}
    )
    assert page.status_code == 200 and item["temporal_url"] in page.text
