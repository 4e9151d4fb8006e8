"""When a consumer asks its group coordinator to join again: only for a join round that
completed and was dropped (kafka-python 3.0.12), never while a round is under way or was
taken."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from common.group import finish_dropped_join


@dataclass
class Round:
    is_done: bool


@dataclass
class Coordinator:
    """The coordinator state `finish_dropped_join` reads, as kafka-python 3.0.12 keeps it."""

    _join_task: Round | None
    rejoin_needed: bool
    group_id: str = "g"
    asked: list[bool] = field(default_factory=list)

    def need_rejoin(self) -> bool:
        return self.rejoin_needed

    def request_rejoin(self) -> None:
        self.asked.append(True)
        self.rejoin_needed = True


@dataclass
class Consumer:
    _coordinator: Coordinator | None


def asks(coordinator: Coordinator | None) -> bool:
    return finish_dropped_join(cast(Any, Consumer(coordinator)))


def test_a_completed_round_that_the_coordinator_no_longer_waits_for_is_run_again() -> None:
    coordinator = Coordinator(_join_task=Round(is_done=True), rejoin_needed=False)
    assert asks(coordinator)
    assert coordinator.asked == [True] and coordinator.need_rejoin()


def test_a_round_under_way_taken_or_still_wanted_is_left_alone() -> None:
    under_way = Coordinator(_join_task=Round(is_done=False), rejoin_needed=False)
    taken = Coordinator(_join_task=None, rejoin_needed=False)  # the poll took its result
    wanted = Coordinator(_join_task=Round(is_done=True), rejoin_needed=True)  # polls redo it
    for coordinator in (under_way, taken, wanted):
        assert not asks(coordinator)
        assert coordinator.asked == []


def test_a_consumer_without_that_state_is_left_alone() -> None:
    assert not asks(None)
    assert not finish_dropped_join(cast(Any, object()))
