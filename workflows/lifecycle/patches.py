"""Changes to what the lifecycle workflow does, each behind Temporal's versioning.

Agreements run for years, so a workflow started under older code must replay exactly as it ran.
A change of behaviour takes a patch id from here: `workflow.patched(ID)` is true in runs that
reach the changed step under the new code (and records that in the history), false when an
older history replays. Once no running workflow can still replay the old branch (its agreement
finished, or it continued as new past the change), the old branch goes: first
`workflow.deprecate_patch(ID)` for one release, then the id itself. The README's "Changing the
workflow" section has the procedure; tests/integration/workflows/test_replay.py replays
histories recorded before each change.
"""

from __future__ import annotations

from typing import Final

# 2026-12: decisions go to the decider of the signatory level (the Council's Chairman for the
# Council's own agreements; the setting for provincial bodies of organisations). Before it, the
# Committee's Chairman decided every agreement.
DECIDER_BY_LEVEL: Final = "2026-12-decider-by-level"
# 2026-12: at provincial level signing also owes the report to the Prime Minister (Art. 19),
# a duty of its own with its deadline, reminders, lateness and the PM office's receipt.
REPORT_DUTY: Final = "2026-12-report-duty"
# 2026-12: the yearly implementation plan is a duty (a task due 15 November, delivered or
# overdue, acknowledged by the Ministry's registry), not only a reminder.
PLAN_DUTY: Final = "2026-12-plan-duty"
# 2026-12: a resubmitted dossier whose draft text changed is consulted again by every body
# that gave its opinion on an earlier text.
RECONSULT_CHANGED_TEXT: Final = "2026-12-reconsult-changed-text"
# 2026-12: the workflow's steps (each one short transaction of the agreements service) run as
# local activities of the worker that runs the workflow, which the agreements service's worker
# process hosts: no round trip through the `agreements` task queue for each step. Runs started
# before it keep scheduling ordinary activities on that queue, which the same process serves.
LOCAL_STEPS: Final = "2026-12-local-steps"
# 2026-12: a lean history. A run started under this code records this one marker at its
# start instead of one marker (and one search-attribute upsert, which the SDK adds to every
# patch marker) for each patch before it, listed in SINCE_LEAN_HISTORY: it has them all.
# And its clock keeps one timer armed while the next timer's time does not change, where it
# cancelled and started the same timer again after every step.
LEAN_HISTORY: Final = "2026-12-lean-history"
SINCE_LEAN_HISTORY: Final = frozenset(
    {DECIDER_BY_LEVEL, REPORT_DUTY, PLAN_DUTY, RECONSULT_CHANGED_TEXT, LOCAL_STEPS}
)
