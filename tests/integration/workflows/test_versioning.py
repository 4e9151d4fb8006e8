"""Changing the lifecycle workflow while agreements are in flight: a history recorded before a
versioned change replays on the new code (taking the old branch), and a new run takes the new
branch and records the patch in its history (workflows/lifecycle/patches.py)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from common.temporal import DATA_CONVERTER, CorrelationInterceptor
from tests.integration.workflows.conftest import Procedure
from tests.integration.workflows.test_timers import answer_consultations, vn
from workflows.lifecycle import patches
from workflows.lifecycle.workflow import AgreementLifecycleWorkflow

pytestmark = pytest.mark.integration

HISTORIES = Path(__file__).resolve().parents[2] / "fixtures" / "histories"


def _patch_markers(history: WorkflowHistory) -> set[str]:
    """The patch ids a history recorded (MarkerRecorded events of the SDK's patch marker)."""
    found = set()
    for event in history.events:
        if event.event_type != EventType.EVENT_TYPE_MARKER_RECORDED:
            continue
        details = event.marker_recorded_event_attributes.details
        if "patch-data" in details:
            for payload in details["patch-data"].payloads:
                found.add(json.loads(payload.data)["id"])
    return found


async def test_a_council_agreement_recorded_before_deciders_per_level_replays_unchanged() -> None:
    path = HISTORIES / "2026-11" / "approval-provincial_council.json"
    history = WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
    assert patches.DECIDER_BY_LEVEL not in _patch_markers(history)
    replayer = Replayer(
        workflows=[AgreementLifecycleWorkflow],
        data_converter=DATA_CONVERTER,
        interceptors=[CorrelationInterceptor()],
    )
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None


async def test_a_new_council_agreement_takes_the_new_branch_and_records_it(
    procedure: Procedure,
) -> None:
    await procedure.advance_to(vn(date(2027, 3, 1), 9))
    sub = procedure.seed(signatory_level="PROVINCIAL_COUNCIL")
    handle = await procedure.start(sub)
    await answer_consultations(procedure, sub, "AGREE")
    [decision] = await procedure.until(lambda: procedure.tasks(sub.agreement_id, "DECISION"))
    assert decision.assignee_role == "council_chair"
    history = await handle.fetch_history()
    assert patches.DECIDER_BY_LEVEL in _patch_markers(history)
