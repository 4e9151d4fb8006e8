"""A consumer's place in its Kafka group while it waits for a dependency (partitions paused,
`poll` kept up) and after the broker changed under it (a rebalance, a topic made again)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from kafka import ConsumerRebalanceListener, KafkaConsumer
from kafka.structs import TopicPartition

from common.retry import Stopped

log = logging.getLogger(__name__)

# A wait polls the paused consumer this often, so stopping is prompt and the poll interval
# (max_poll_interval_ms) is never approached.
IDLE_POLL_MS = 500
# How long an assignment stands before a member may join again for gained partitions.
LAYOUT_CHECK_S = 5.0


class ConsumerStopping(Stopped):
    """Raised out of a consumer's wait for a dependency when the process stops: the record in
    hand stays uncommitted, and is handled after the restart instead of being dead-lettered."""


class _Listener(ConsumerRebalanceListener):
    def __init__(self, member: GroupMember) -> None:
        self.member = member

    def on_partitions_revoked(self, revoked: Any) -> None:
        self.member.revoked()

    def on_partitions_assigned(self, assigned: Any) -> None:
        self.member.assigned()


class GroupMember:
    """Subscribes a KafkaConsumer to its topics and keeps track of what the group gave it."""

    def __init__(self, topics: tuple[str, ...], group_id: str) -> None:
        self.topics = topics
        self.group_id = group_id
        self.consumer: KafkaConsumer | None = None
        # Times partitions were assigned (1 after the first join; more means a rebalance), and
        # whether that happened since `begin_batch`.
        self.assignments = 0
        self.reassigned = False
        self._joining = True
        self._assigned_at = 0.0
        self._rewind = False
        # The partitions each topic was last seen with, and whether one gained partitions
        # that an assignment may not have covered yet.
        self._known: dict[str, frozenset[int]] = {}
        self._gained = False

    def join(self, consumer: KafkaConsumer) -> None:
        self._joining = True
        consumer.subscribe(list(self.topics), listener=_Listener(self))
        self.consumer = consumer

    @property
    def settled(self) -> bool:
        """Subscribed and given its partitions, no join under way."""
        return self.consumer is not None and not self._joining

    def leave(self) -> None:
        self.consumer = None
        self._joining = True

    def assigned(self) -> None:
        self.assignments += 1
        self.reassigned = True
        self._joining = False
        self._assigned_at = time.monotonic()
        self._rewind = True

    def revoked(self) -> None:
        self._joining = True

    def begin_batch(self) -> None:
        self.reassigned = False

    def rewind(self) -> bool:
        """After the group assigned partitions here, start each from its committed offset (the
        beginning when the group has none) and say so: the caller drops what that poll
        fetched. kafka-python keeps the positions of partitions it had before a rebalance;
        after the embedded broker lost its log, those point into a log that is gone, and on
        the new one (published again, perhaps over other partitions) they skip events."""
        consumer = self.consumer
        if not self._rewind or consumer is None:
            return False
        for tp in consumer.assignment():
            committed = consumer.committed(tp)
            if committed is None:
                consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, committed)
        self._rewind = False
        return True

    def owns(self, tp: TopicPartition) -> bool:
        """Whether the partition is still assigned here (a rebalance during a wait may have
        given it to another member)."""
        return self.consumer is not None and tp in self.consumer.assignment()

    def realign(self, next_offsets: dict[TopicPartition, int]) -> None:
        """After a rebalance during a batch, a partition that stayed here was reset to its
        committed offset: move it past what the batch handled, so nothing is fetched twice."""
        if not self.reassigned or self.consumer is None:
            return
        for tp, offset in next_offsets.items():
            if self.owns(tp):
                self.consumer.seek(tp, offset)
        self.reassigned = False

    def idle(self, seconds: float, stop: threading.Event) -> None:
        """Wait with every assigned partition paused, calling `poll` all along: the group's
        heartbeat and poll interval stay satisfied, so the consumer keeps its partitions.
        Raises `ConsumerStopping` when `stop` is set."""
        deadline = time.monotonic() + seconds
        while True:
            if stop.is_set():
                raise ConsumerStopping
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            consumer = self.consumer
            if consumer is None:
                stop.wait(min(remaining, IDLE_POLL_MS / 1000))
                continue
            consumer.pause(*consumer.assignment())
            started = time.monotonic()
            polled = consumer.poll(timeout_ms=int(min(remaining * 1000, IDLE_POLL_MS)))
            for tp, records in polled.items():
                # Only after a rebalance assigned partitions anew (unpaused): fetch them again
                # once the dependency is back.
                consumer.seek(tp, records[0].offset)
            if time.monotonic() - started < 0.01:  # poll did not wait: do not spin
                stop.wait(min(remaining, 0.05))

    def resume(self) -> None:
        consumer = self.consumer
        if consumer is not None and consumer.paused():
            consumer.resume(*consumer.paused())

    def follow_partitions(self) -> None:
        """Join again, once the group has settled, after a topic gained partitions.

        kafka-python (3.0) does not rebalance by itself when a subscribed topic gains
        partitions, and the partitions it did not assign are never read: after the embedded
        broker's restart, a consumer may find the topic made with the broker's default count
        before the relay makes it again with the configured one (an operator growing a
        production topic would do the same). Whether the last assignment already covered the
        new partitions cannot be told (the leader used its own metadata), so the member joins
        again once; called before every poll, it reads only cached metadata."""
        consumer = self.consumer
        if consumer is None:
            return
        finish_dropped_join(consumer)
        for topic in self.topics:
            partitions = frozenset(consumer.partitions_for_topic(topic) or ())
            if not partitions:
                continue  # gone for now (a broker restart): compare with what comes back
            known = self._known.get(topic)
            if known and partitions - known:
                self._gained = True
            self._known[topic] = partitions
        if not self._gained or self._joining:
            return  # leaving during a join wedged the group on Tansu: wait for the assignment
        if time.monotonic() - self._assigned_at < LAYOUT_CHECK_S:
            return  # let the group settle first
        self._gained = False
        log.info(
            "consumer group %s: %s gained partitions (%s); joining again",
            self.group_id,
            ", ".join(self.topics),
            {t: sorted(p) for t, p in self._known.items()},
        )
        consumer.unsubscribe()
        self.join(consumer)


def finish_dropped_join(consumer: KafkaConsumer) -> bool:
    """Join again when kafka-python (3.0.12) dropped a join that had completed.

    A poll waits for the group's JoinGroup/SyncGroup round at most its own timeout; the round
    goes on, and the next poll takes its result, but only while the coordinator still says
    the member must rejoin. When the join was asked for by a metadata change (the embedded
    broker came back with the topic made again), the leader's assignment makes the coordinator
    say it need not: a round that completed between two polls is then never applied. The member
    keeps its old partitions without fetching them, sends no heartbeat, and reads nothing
    until it restarts. Seen under load in tests/integration/agreements/test_relay_broker_loss.py.

    Asking for a rejoin makes the next poll run a fresh round, as kafka-python does anyway
    when the round completed between polls after an ordinary rebalance. The state is read from
    the coordinator's private attributes; if a later kafka-python lacks them, nothing is done.
    Returns whether a rejoin was asked for."""
    coordinator = getattr(consumer, "_coordinator", None)
    join = getattr(coordinator, "_join_task", None)
    if coordinator is None or join is None or not getattr(join, "is_done", False):
        return False
    if coordinator.need_rejoin():
        return False  # the next poll starts a new round by itself
    log.warning(
        "consumer group %s: a completed join was never applied; joining again",
        getattr(coordinator, "group_id", "?"),
    )
    coordinator.request_rejoin()
    return True
