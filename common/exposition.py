"""Two parts of one process, each with a metrics port of its own. The embedded stack runs
parts the production stack runs as separate processes (the relay and the bridge inside the
agreements worker): each part keeps its port and its Prometheus job, and each series is served
by exactly one of them, so no sum over jobs counts it twice."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector


class _Families(Collector):
    """The families of `source` whose names start with one of `prefixes`, or, with
    `others`, every other family."""

    def __init__(self, source: CollectorRegistry, prefixes: tuple[str, ...], others: bool):
        self.source = source
        self.prefixes = prefixes
        self.others = others

    def collect(self) -> Iterable[Metric]:
        for family in self.source.collect():
            if family.name.startswith(self.prefixes) != self.others:
                yield family


def split(
    prefixes: tuple[str, ...], source: CollectorRegistry = REGISTRY
) -> tuple[CollectorRegistry, CollectorRegistry]:
    """(the families named with `prefixes`, all the others) of `source`, each as a registry
    to serve on its own port. Metrics registered later are served too: each scrape reads
    `source` afresh."""
    return _registry(_Families(source, prefixes, False)), _registry(
        _Families(source, prefixes, True)
    )


def _registry(collector: Collector) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return registry
