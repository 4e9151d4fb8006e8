"""What a consumer's `fetch_max_wait_ms` costs: the CPU of an idle consumer and the
produce-to-consume latency, for a few values, against the embedded broker.

A broker that answered a waiting fetch as soon as a record arrives would make a longer wait
cost no latency and save the CPU of asking again and again; this checks whether it does.
Records are produced at random moments (0-300 ms apart) while the consumer polls on its own
thread, as the services' consumers do, so a record may find a fetch already waiting.
(An earlier version polled only after each record was sent: the fetch then found the record
in place, and the figures hid that the embedded broker, Tansu 0.6, does not answer a waiting
fetch early: it holds it for half its wait, so the delay is up to half the wait.)

    .venv/bin/python bench/consumer_wait.py [--waits 20 100 250 500] [--records 50]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Samples, embedded_stack
from common.events.types import EVENTS_TOPIC
from common.kafka import CONSUMER_DEFAULTS, RUN_POLL_MS


def measure(bootstrap: str, wait_ms: int, records: int, idle_s: float) -> dict[str, float]:
    config = CONSUMER_DEFAULTS | {"fetch_max_wait_ms": wait_ms, "auto_offset_reset": "latest"}
    consumer = KafkaConsumer(
        EVENTS_TOPIC, bootstrap_servers=bootstrap, group_id=f"bench-{uuid.uuid4()}", **config
    )
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=0)
    try:
        settle = time.monotonic() + 6  # the group join and the first fetches
        while time.monotonic() < settle:
            consumer.poll(timeout_ms=200)
        cpu, until = time.process_time(), time.monotonic() + idle_s
        while time.monotonic() < until:
            consumer.poll(timeout_ms=RUN_POLL_MS)
        idle_share = (time.process_time() - cpu) / idle_s
        arrived: dict[bytes, float] = {}
        polling = threading.Event()
        polling.set()

        def poll() -> None:
            while polling.is_set():
                for batch in consumer.poll(timeout_ms=RUN_POLL_MS).values():
                    for record in batch:
                        arrived[record.value] = time.perf_counter()

        poller = threading.Thread(target=poll)
        poller.start()
        sent: dict[bytes, float] = {}
        try:
            for i in range(records):
                time.sleep(random.random() * 0.3)
                value = str(i).encode()
                sent[value] = time.perf_counter()
                producer.send(EVENTS_TOPIC, key=f"k{i}".encode(), value=value).get(timeout=10)
            deadline = time.monotonic() + 10 + wait_ms / 1000
            while len(arrived) < records and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            polling.clear()
            poller.join()
        latency = Samples()
        latency.latencies.extend(arrived[v] - sent[v] for v in sent if v in arrived)
        figures = latency.summary("per_s")
        return {
            "idle_cpu_percent": round(idle_share * 100, 1),
            "p50_ms": figures["p50_ms"],
            "p99_ms": figures["p99_ms"],
        }
    finally:
        consumer.close()
        producer.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--waits", type=int, nargs="+", default=[20, 100, 250, 500])
    parser.add_argument("--records", type=int, default=50)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds of idle measurement")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="bench-consumer-") as tmp,
        embedded_stack(Path(tmp), workflows=False) as stack,
    ):
        for wait in args.waits:
            figures = measure(stack.env["KAFKA_BOOTSTRAP_SERVERS"], wait, args.records, args.idle)
            print(
                f"fetch_max_wait_ms {wait:>4}: idle consumer {figures['idle_cpu_percent']}% of a "
                f"core; produce -> consume p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms",
                flush=True,
            )


if __name__ == "__main__":
    main()
