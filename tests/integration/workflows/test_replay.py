"""Histories recorded from the end-to-end runs replay without non-determinism: a change to
the workflow that would break agreements already in progress fails here.

Each replays twice: as the agreements worker runs the workflow (outside Temporal's sandbox,
workflows/worker.py), and inside the sandbox, where workflow code that reads the clock, draws
random numbers or does I/O on any path these histories take fails.

Re-record after an intended, versioned change with:
    RECORD_HISTORIES=1 .venv/bin/pytest tests/e2e -k sqlite
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from common.temporal import DATA_CONVERTER, CorrelationInterceptor
from workflows.lifecycle.contracts import WORKFLOW_NAME
from workflows.lifecycle.workflow import AgreementLifecycleWorkflow

# Every history ever recorded, by the month its code shipped (histories/<yyyy-mm>/): an
# agreement started under any of them may still be running.
ROOT = Path(__file__).resolve().parents[2] / "fixtures" / "histories"
HISTORIES = sorted(ROOT.glob("**/*.json"))


def test_there_are_recorded_histories_to_replay() -> None:
    assert len(HISTORIES) >= 10, "record them: RECORD_HISTORIES=1 pytest tests/e2e -k sqlite"


def recorded(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))


async def replays(history: WorkflowHistory) -> None:
    """The history replays on the workflow's current code without non-determinism, in the
    workers' runner and in the sandbox."""
    runners: list[WorkflowRunner] = [UnsandboxedWorkflowRunner(), SandboxedWorkflowRunner()]
    for runner in runners:
        replayer = Replayer(
            workflows=[AgreementLifecycleWorkflow],
            data_converter=DATA_CONVERTER,
            interceptors=[CorrelationInterceptor()],
            workflow_runner=runner,
        )
        result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
        assert result.replay_failure is None


@pytest.mark.parametrize("path", HISTORIES, ids=[str(p.relative_to(ROOT)) for p in HISTORIES])
async def test_recorded_history_replays_without_nondeterminism(path: Path) -> None:
    history = recorded(path)
    await replays(history)
    assert history.events[0].workflow_execution_started_event_attributes.workflow_type.name == (
        WORKFLOW_NAME
    )
