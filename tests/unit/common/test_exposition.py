"""Two parts of one process, each with its own metrics port (common/exposition.py)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest

from common.exposition import split


def _names(registry: CollectorRegistry) -> set[str]:
    return {family.name for family in registry.collect()}


def test_each_family_is_served_by_exactly_one_part() -> None:
    source = CollectorRegistry()
    Counter("workflow_bridge_events", "bridged", registry=source).inc()
    Gauge("event_consumer_dependency_wait_seconds", "waiting", registry=source).set(3)
    Counter("agreements_relay_events_published", "published", registry=source).inc(2)

    bridge, rest = split(("workflow_bridge_", "event_consumer_"), source)

    assert _names(bridge) == {"workflow_bridge_events", "event_consumer_dependency_wait_seconds"}
    assert _names(rest) == {"agreements_relay_events_published"}
    assert b"agreements_relay_events_published_total 2.0" in generate_latest(rest)
    assert b"agreements_relay" not in generate_latest(bridge)


def test_a_metric_registered_after_the_split_is_served_with_fresh_values() -> None:
    source = CollectorRegistry()
    bridge, rest = split(("workflow_bridge_",), source)
    lag = Gauge("workflow_bridge_consumer_lag", "lag", registry=source)
    lag.set(7)
    assert b"workflow_bridge_consumer_lag 7.0" in generate_latest(bridge)
    lag.set(0)
    assert b"workflow_bridge_consumer_lag 0.0" in generate_latest(bridge)
    assert _names(rest) == set()
