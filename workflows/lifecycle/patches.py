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
