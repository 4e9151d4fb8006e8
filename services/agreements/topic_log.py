"""What the broker holds of the events topic, as the outbox relay asks it (outbox.py): the
topic's id and the ends of its partitions, and whether those ends still hold what the relay's
acknowledgements imply. The embedded broker keeps topics in memory and comes back empty when
restarted; the production Kafka keeps its data, and none of these checks ever fails there."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kafka import KafkaAdminClient, TopicPartition
from kafka.admin import OffsetSpec

from services.agreements.models import RelayState

# How a broker without topic ids (or a topic without one) answers.
_NO_TOPIC_ID = frozenset({"00000000-0000-0000-0000-000000000000", "AAAAAAAAAAAAAAAAAAAAAA"})


@dataclass(frozen=True)
class TopicLog:
    """What the broker holds of a topic: its id (None when the broker names none) and the end
    offset of each partition."""

    topic_id: str | None
    ends: dict[int, int]


def read_topic_log(admin: KafkaAdminClient, topic: str) -> TopicLog | None:
    """The topic as the broker has it now; None when it does not exist. Asked through the
    admin client, whose metadata requests never create the topic."""
    [described] = admin.describe_topics([topic])
    if described["error_code"] != 0 or not described["partitions"]:
        return None
    topic_id = str(described.get("topic_id") or "")
    partitions = [p["partition_index"] for p in described["partitions"]]
    return TopicLog(
        topic_id=topic_id if topic_id and topic_id not in _NO_TOPIC_ID else None,
        ends=read_ends(admin, topic, partitions),
    )


def read_ends(admin: KafkaAdminClient, topic: str, partitions: Sequence[int]) -> dict[int, int]:
    """The end offsets of some partitions of the topic, and nothing else (no topic id): one
    metadata request fewer than `read_topic_log`. Raises KafkaError (UnknownTopicOrPartition
    among others) when the broker cannot answer for one of them."""
    offsets = admin.list_partition_offsets(
        {TopicPartition(topic, p): OffsetSpec.LATEST for p in partitions}
    )
    return {tp.partition: int(o.offset) for tp, o in offsets.items()}


def shortfall(min_ends: dict[str, int], ends: dict[int, int]) -> str | None:
    """Why the log holds less than the relay's acknowledgements imply (`RelayState.min_ends`),
    or None when every partition ends at or above its recorded least end."""
    for partition, acked in sorted(min_ends.items()):
        end = ends.get(int(partition), 0)
        if end < acked:
            return f"partition {partition} ends at offset {end}, below {acked}"
    return None


def lost_records(state: RelayState | None, now: TopicLog, has_published: bool) -> str | None:
    """Why the topic no longer holds what the relay published, or None when it does. With
    the production Kafka, which keeps its data, none of these ever holds."""
    if not has_published:
        return None  # nothing to lose (a new outbox, or one being published again)
    if state is None or (not state.min_ends and state.topic_id is None):
        # Nothing recorded yet (a database from before this check): an empty topic while the
        # outbox says events were published can only be a lost log.
        if not any(now.ends.values()):
            return "the topic is empty but the outbox has published events"
        return None
    if state.topic_id and now.topic_id and state.topic_id != now.topic_id:
        return f"the topic was made again (id {state.topic_id} is now {now.topic_id})"
    return shortfall(state.min_ends, now.ends)
