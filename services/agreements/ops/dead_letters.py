"""Dead letters (thư chết): the records consumers parked on `agreements.events.dlt` after their
retries, listed with their reason and origin, inspected, published again on their original
topic (retry) or set aside with a reason (discard). What was done is kept in `ops_actions`,
so a handled letter no longer counts as open."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Final

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError
from prometheus_client import Gauge
from pydantic import BaseModel, Field

from common.auth import Principal
from common.db import Database
from common.events.types import DEAD_LETTER_TOPIC
from common.kafka import make_producer
from services.agreements.errors import NotFound, ServiceUnavailable
from services.agreements.ops import audit
from services.agreements.ops.access import require_operator
from services.agreements.ops.audit import ActionKind, Done
from services.agreements.ops.lag import end_offsets
from services.agreements.settings import AgreementsSettings
from services.agreements.unit_of_work import read

OPEN_LETTERS = Gauge(
    "agreements_dead_letters_open",
    "Dead letters on agreements.events.dlt neither retried nor discarded, as the operator "
    "console last counted them",
    registry=None,  # registered on the application's registry (app.py)
)

# Headers the consumer base adds when it parks a record (common/kafka.py), not the event's:
# `dlt_reason`, `dlt_reason_kind`, `dlt_original_topic`, `dlt_original_partition`,
# `dlt_original_offset`, `dlt_consumer_group`, `dlt_failed_at`.
DLT_PREFIX: Final = "dlt_"
LETTER_ID: Final = re.compile(r"^(\d{1,6})-(\d{1,19})$")
MAX_SHOWN_BYTES: Final = 100_000


class LetterState(StrEnum):
    OPEN = "open"
    RETRIED = "retried"
    DISCARDED = "discarded"


class LetterResult(StrEnum):
    RETRIED = "retried"
    DISCARDED = "discarded"
    ALREADY_HANDLED = "already_handled"
    NOT_FOUND = "not_found"
    NOT_RETRIABLE = "not_retriable"  # its original topic is not the events topic


class DeadLetterPublic(BaseModel):
    id: str = Field(description="`<partition>-<offset>` on the dead-letter topic")
    topic: str
    partition: int
    offset: int
    state: LetterState
    reason: str
    reason_kind: str | None = Field(
        description="undecodable, invalid (can never be handled) or failed (a fault met)"
    )
    consumer_group: str | None
    failed_at: datetime | None
    original_topic: str | None
    original_partition: int | None
    original_offset: int | None
    event_type: str | None = Field(description="ce_type, e.g. vn.gov.agreements.x.y.v1")
    event_id: str | None
    agreement_id: str | None = Field(description="the event's subject, else the record key")
    event_time: datetime | None
    handled_by: str | None = None
    handled_at: datetime | None = None
    handled_reason: str | None = None
    # Only when one letter is inspected:
    key: str | None = None
    headers: dict[str, str] | None = None
    data: Any = None


class DeadLettersPublic(BaseModel):
    topic: str
    data: list[DeadLetterPublic]
    count: int = Field(description="letters in the chosen state")
    open: int = Field(description="letters neither retried nor discarded")
    scanned: int = Field(description="letters read from the topic (the newest per partition)")
    limit: int
    offset: int


LetterId = Annotated[str, Field(pattern=LETTER_ID.pattern, max_length=30)]


class LettersAction(BaseModel):
    ids: list[LetterId] = Field(min_length=1, max_length=500)
    reason: str = Field(min_length=3, max_length=2000, description="why: kept in the audit log")


class LetterOutcome(BaseModel):
    id: str
    outcome: LetterResult


class LettersActed(BaseModel):
    results: list[LetterOutcome]
    done: int = Field(description="letters retried or discarded by this request")


@dataclass(frozen=True)
class Letter:
    """One record of the dead-letter topic."""

    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]]

    @property
    def id(self) -> str:
        return f"{self.partition}-{self.offset}"

    @property
    def target(self) -> str:
        """How the audit log names it."""
        return f"{DEAD_LETTER_TOPIC}/{self.partition}/{self.offset}"

    @property
    def stamp(self) -> str | None:
        return self.header("dlt_failed_at")

    def header(self, name: str) -> str | None:
        for k, v in self.headers:
            if k == name:
                return v.decode("utf-8", errors="replace") if v is not None else None
        return None

    def original_headers(self) -> list[tuple[str, bytes]]:
        return [(k, v) for k, v in self.headers if not k.startswith(DLT_PREFIX)]


def parse_id(letter_id: str) -> tuple[int, int] | None:
    match = LETTER_ID.match(letter_id)
    return (int(match[1]), int(match[2])) if match else None


class DeadLetterTopic:
    """Reads the dead-letter topic without a consumer group (nothing is committed, nothing is
    taken from the consumers) and publishes letters again."""

    def __init__(self, settings: AgreementsSettings) -> None:
        self.settings = settings
        self.timeout_s = settings.ops_kafka_timeout_s

    def _consumer(self) -> KafkaConsumer:
        try:
            return KafkaConsumer(
                bootstrap_servers=self.settings.kafka_bootstrap_servers,
                group_id=None,
                enable_auto_commit=False,
                client_id="ops-console",
                request_timeout_ms=int(self.timeout_s * 1000) + 1000,
                fetch_max_wait_ms=100,
                # Looking the topic up must not create it on a broker that would.
                allow_auto_create_topics=False,
            )
        except KafkaError as exc:
            raise ServiceUnavailable("ops_broker_unavailable", error=type(exc).__name__) from exc

    def _partitions(self, consumer: KafkaConsumer) -> list[TopicPartition]:
        # Asked for this one topic: the list of every topic took kafka-python 100 ms more. None
        # or empty: no consumer has dead-lettered yet.
        ids = consumer.partitions_for_topic(DEAD_LETTER_TOPIC) or set()
        return [TopicPartition(DEAD_LETTER_TOPIC, p) for p in sorted(ids)]

    def _read(
        self, consumer: KafkaConsumer, spans: dict[TopicPartition, tuple[int, int]]
    ) -> list[Letter]:
        """Every record in [start, end) of each partition."""
        spans = {tp: span for tp, span in spans.items() if span[0] < span[1]}
        if not spans:
            return []
        consumer.assign(list(spans))
        for tp, (start, _) in spans.items():
            consumer.seek(tp, start)
        letters: list[Letter] = []
        deadline = time.monotonic() + self.timeout_s
        pending = set(spans)
        while pending:
            if time.monotonic() > deadline:
                raise ServiceUnavailable("ops_broker_unavailable", error="timeout")
            for tp, records in consumer.poll(timeout_ms=200).items():
                end = spans[tp][1]
                letters += [
                    Letter(r.partition, r.offset, r.key, r.value, list(r.headers or []))
                    for r in records
                    if r.offset < end
                ]
            pending = {tp for tp in pending if consumer.position(tp) < spans[tp][1]}
        return letters

    def newest(self) -> list[Letter]:
        """The newest letters of each partition (at most the scan limit), newest first."""
        consumer = self._consumer()
        try:
            partitions = self._partitions(consumer)
            if not partitions:
                return []
            begin = consumer.beginning_offsets(partitions)
            end = end_offsets(consumer, partitions, self.timeout_s)
            limit = self.settings.ops_dead_letter_scan_limit
            spans = {tp: (max(begin[tp], end[tp] - limit), end[tp]) for tp in partitions}
            letters = self._read(consumer, spans)
        except KafkaError as exc:
            raise ServiceUnavailable("ops_broker_unavailable", error=type(exc).__name__) from exc
        finally:
            consumer.close()
        return sorted(letters, key=lambda letter: (letter.stamp or "", letter.offset), reverse=True)

    def find(self, coordinates: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Letter]:
        """The letters at these (partition, offset) that are still on the topic."""
        wanted = set(coordinates)
        if not wanted:
            return {}
        consumer = self._consumer()
        try:
            known = {tp.partition: tp for tp in self._partitions(consumer)}
            if not known:
                return {}
            end = end_offsets(consumer, list(known.values()), self.timeout_s)
            spans: dict[TopicPartition, tuple[int, int]] = {}
            for partition, offset in wanted:
                tp = known.get(partition)
                if tp is None or offset >= end[tp]:
                    continue
                low, high = spans.get(tp, (offset, offset + 1))
                spans[tp] = (min(low, offset), max(high, offset + 1))
            letters = self._read(consumer, spans)
        except KafkaError as exc:
            raise ServiceUnavailable("ops_broker_unavailable", error=type(exc).__name__) from exc
        finally:
            consumer.close()
        return {
            (letter.partition, letter.offset): letter
            for letter in letters
            if (letter.partition, letter.offset) in wanted
        }

    def publish_again(self, letters: Sequence[Letter]) -> None:
        """Each letter's record as it first was (key, value, the event's headers) on its
        original topic, acknowledged by the broker before this returns. An event several
        groups dead-lettered is published once: every group receives it again anyway."""
        unique: dict[str, Letter] = {}
        for letter in letters:
            unique.setdefault(letter.header("ce_id") or letter.id, letter)
        letters = list(unique.values())
        if not letters:
            return
        try:
            producer = make_producer(self.settings)
        except KafkaError as exc:
            raise ServiceUnavailable("ops_broker_unavailable", error=type(exc).__name__) from exc
        try:
            futures = [
                producer.send(
                    self.settings.events_topic,
                    key=letter.key,
                    value=letter.value,
                    headers=letter.original_headers(),
                )
                for letter in letters
            ]
            producer.flush(timeout=self.timeout_s)
            for future in futures:
                future.get(timeout=self.timeout_s)
        except KafkaError as exc:
            raise ServiceUnavailable("ops_broker_unavailable", error=type(exc).__name__) from exc
        finally:
            producer.close(timeout=5)


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _shown(raw: bytes | None) -> Any:
    """The record's value as a person can read it: its JSON, else its text (cut)."""
    if raw is None:
        return None
    text = raw[:MAX_SHOWN_BYTES].decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def to_public(
    letter: Letter, done: audit.OpsAction | None, *, full: bool = False
) -> DeadLetterPublic:
    state = LetterState.OPEN
    if done is not None:
        state = LetterState.RETRIED if done.kind is ActionKind.RETRY else LetterState.DISCARDED
    key = letter.key.decode("utf-8", errors="replace") if letter.key is not None else None
    return DeadLetterPublic(
        id=letter.id,
        topic=DEAD_LETTER_TOPIC,
        partition=letter.partition,
        offset=letter.offset,
        state=state,
        reason=letter.header("dlt_reason") or "",
        reason_kind=letter.header("dlt_reason_kind"),
        consumer_group=letter.header("dlt_consumer_group"),
        failed_at=_moment(letter.stamp),
        original_topic=letter.header("dlt_original_topic"),
        original_partition=_number(letter.header("dlt_original_partition")),
        original_offset=_number(letter.header("dlt_original_offset")),
        event_type=letter.header("ce_type"),
        event_id=letter.header("ce_id"),
        agreement_id=letter.header("ce_subject") or key,
        event_time=_moment(letter.header("ce_time")),
        handled_by=done.actor if done else None,
        handled_at=done.at if done else None,
        handled_reason=done.reason if done else None,
        key=key if full else None,
        headers=(
            {k: v.decode("utf-8", errors="replace") for k, v in letter.headers} if full else None
        ),
        data=_shown(letter.value) if full else None,
    )


def _handled(db: Database, letters: Iterable[Letter]) -> dict[tuple[str, str | None], Any]:
    kinds = (ActionKind.RETRY, ActionKind.DISCARD)
    return read(db, audit.handled, kinds, [letter.target for letter in letters])


def list_dead_letters(
    db: Database,
    settings: AgreementsSettings,
    *,
    principal: Principal,
    state: LetterState | None = LetterState.OPEN,
    limit: int = 50,
    offset: int = 0,
) -> DeadLettersPublic:
    """The newest letters first, in one state (None: every state); counting the open ones
    also sets the gauge the alerts and dashboards read."""
    require_operator(principal)
    letters = DeadLetterTopic(settings).newest()
    done = _handled(db, letters)
    shown = [to_public(letter, done.get((letter.target, letter.stamp))) for letter in letters]
    still_open = sum(1 for letter in shown if letter.state is LetterState.OPEN)
    OPEN_LETTERS.set(still_open)
    chosen = [letter for letter in shown if state is None or letter.state is state]
    return DeadLettersPublic(
        topic=DEAD_LETTER_TOPIC,
        data=chosen[offset : offset + limit],
        count=len(chosen),
        open=still_open,
        scanned=len(letters),
        limit=limit,
        offset=offset,
    )


def get_dead_letter(
    db: Database, settings: AgreementsSettings, *, principal: Principal, letter_id: str
) -> DeadLetterPublic:
    """One letter with its key, every header and its data."""
    require_operator(principal)
    coordinates = parse_id(letter_id)
    found = DeadLetterTopic(settings).find([coordinates] if coordinates else [])
    letter = found.get(coordinates) if coordinates else None
    if letter is None:
        raise NotFound("ops_dead_letter_not_found", id=letter_id, topic=DEAD_LETTER_TOPIC)
    done = _handled(db, [letter])
    return to_public(letter, done.get((letter.target, letter.stamp)), full=True)


def _act(
    db: Database,
    settings: AgreementsSettings,
    *,
    principal: Principal,
    body: LettersAction,
    kind: ActionKind,
) -> LettersActed:
    require_operator(principal)
    topic = DeadLetterTopic(settings)
    ids = list(dict.fromkeys(body.ids))
    coordinates = {letter_id: parse_id(letter_id) for letter_id in ids}
    found = topic.find(c for c in coordinates.values() if c is not None)
    done_before = _handled(db, found.values())
    outcomes: dict[str, LetterResult] = {}
    chosen: list[Letter] = []
    for letter_id, c in coordinates.items():
        letter = found.get(c) if c is not None else None
        if letter is None:
            outcomes[letter_id] = LetterResult.NOT_FOUND
        elif (letter.target, letter.stamp) in done_before:
            outcomes[letter_id] = LetterResult.ALREADY_HANDLED
        elif kind is ActionKind.RETRY and letter.header("dlt_original_topic") not in (
            None,
            settings.events_topic,
        ):
            outcomes[letter_id] = LetterResult.NOT_RETRIABLE
        else:
            chosen.append(letter)
    if kind is ActionKind.RETRY:
        topic.publish_again(chosen)
    outcome = LetterResult.RETRIED if kind is ActionKind.RETRY else LetterResult.DISCARDED
    audit.record(
        db,
        principal=principal,
        reason=body.reason,
        done=[
            Done(
                kind=kind,
                target=letter.target,
                outcome=outcome.value,
                stamp=letter.stamp,
                agreement_id=(letter.header("ce_subject") or "")[:36] or None,
                event_id=letter.header("ce_id"),
                detail={
                    "event_type": letter.header("ce_type"),
                    "consumer_group": letter.header("dlt_consumer_group"),
                    "dlt_reason": (letter.header("dlt_reason") or "")[:500],
                    "original": "{}/{}/{}".format(
                        letter.header("dlt_original_topic"),
                        letter.header("dlt_original_partition"),
                        letter.header("dlt_original_offset"),
                    ),
                },
            )
            for letter in chosen
        ],
    )
    for letter in chosen:
        outcomes[letter.id] = outcome
    return LettersActed(
        results=[LetterOutcome(id=i, outcome=outcomes[i]) for i in ids], done=len(chosen)
    )


def retry(
    db: Database, settings: AgreementsSettings, *, principal: Principal, body: LettersAction
) -> LettersActed:
    """Publish each open letter's original record again on the events topic; consumers ignore
    event ids they have already processed, so only those that failed act on it."""
    return _act(db, settings, principal=principal, body=body, kind=ActionKind.RETRY)


def discard(
    db: Database, settings: AgreementsSettings, *, principal: Principal, body: LettersAction
) -> LettersActed:
    """Set open letters aside for good, with the reason: nothing is published."""
    return _act(db, settings, principal=principal, body=body, kind=ActionKind.DISCARD)
