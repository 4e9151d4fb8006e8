"""Consumer lag (độ trễ): for each consumer group of the events topic, each partition's
committed offset, its end offset and the records between them, read from the broker."""

from __future__ import annotations

import time
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.errors import KafkaError
from pydantic import BaseModel, Field

from common.auth import Principal
from services.agreements.errors import ServiceUnavailable
from services.agreements.ops.access import require_operator
from services.agreements.settings import AgreementsSettings


class PartitionLag(BaseModel):
    partition: int
    committed: int | None = Field(description="the group's committed offset; null if none yet")
    end: int = Field(description="the partition's end offset (next record's offset)")
    lag: int = Field(description="records the group has not committed yet")


class GroupLag(BaseModel):
    group: str
    lag: int
    partitions: list[PartitionLag]


class LagPublic(BaseModel):
    topic: str
    groups: list[GroupLag]
    total: int


def end_offsets(
    consumer: KafkaConsumer, partitions: list[TopicPartition], timeout_s: float
) -> dict[TopicPartition, int]:
    """Each partition's end offset as a fetch reports it (its high watermark). The broker's
    offset lookup is asked first and a fetch from there confirms it: the embedded broker
    (Tansu) answers that lookup with the count of record batches, not of records, so a batch
    of several records would hide most of the lag."""
    if not partitions:
        return {}
    listed = consumer.end_offsets(partitions)
    consumer.assign(partitions)
    for tp in partitions:
        consumer.seek(tp, listed[tp])
    deadline = time.monotonic() + timeout_s
    while any(consumer.highwater(tp) is None for tp in partitions):
        if time.monotonic() > deadline:
            raise ServiceUnavailable("ops_broker_unavailable", error="timeout")
        consumer.poll(timeout_ms=100, max_records=1)
    return {tp: max(listed[tp], consumer.highwater(tp) or 0) for tp in partitions}


def _lag_of(
    group: str,
    committed: dict[Any, Any],
    partitions: list[TopicPartition],
    begin: dict[TopicPartition, int],
    end: dict[TopicPartition, int],
) -> GroupLag:
    rows = []
    for tp in partitions:
        meta = committed.get(tp)
        offset = meta.offset if meta is not None and meta.offset >= 0 else None
        # A group that never committed on a partition starts from its beginning.
        start = offset if offset is not None else begin[tp]
        rows.append(
            PartitionLag(
                partition=tp.partition, committed=offset, end=end[tp], lag=max(0, end[tp] - start)
            )
        )
    return GroupLag(group=group, lag=sum(r.lag for r in rows), partitions=rows)


def consumer_lag(settings: AgreementsSettings, *, principal: Principal) -> LagPublic:
    """The lag of every watched group (OPS_CONSUMER_GROUPS) on the events topic, partition by
    partition, as the broker knows it now."""
    require_operator(principal)
    topic = settings.events_topic
    timeout_ms = int(settings.ops_kafka_timeout_s * 1000)
    admin: KafkaAdminClient | None = None
    consumer: KafkaConsumer | None = None
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            request_timeout_ms=timeout_ms,
            client_id="ops-console",
        )
        consumer = KafkaConsumer(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            group_id=None,
            enable_auto_commit=False,
            client_id="ops-console",
            request_timeout_ms=timeout_ms + 1000,
            allow_auto_create_topics=False,
        )
        # None or empty while the topic does not exist yet (dead_letters.py: asked for itself).
        ids = consumer.partitions_for_topic(topic)
        partitions = [TopicPartition(topic, p) for p in sorted(ids or ())]
        begin = consumer.beginning_offsets(partitions) if partitions else {}
        end = end_offsets(consumer, partitions, settings.ops_kafka_timeout_s)
        groups = []
        for group in settings.ops_consumer_groups:
            # One group per request: older brokers (and Tansu) fetch one group's offsets at a
            # time.
            committed = admin.list_group_offsets({group: partitions or None}).get(group, {})
            groups.append(_lag_of(group, committed, partitions, begin, end))
    except KafkaError as exc:
        raise ServiceUnavailable("ops_broker_unavailable", error=type(exc).__name__) from exc
    finally:
        if consumer is not None:
            consumer.close()
        if admin is not None:
            admin.close()
    return LagPublic(topic=topic, groups=groups, total=sum(g.lag for g in groups))
