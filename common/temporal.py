"""The one way every process talks to Temporal: pydantic data conversion (dataclasses with
dates travel as readable JSON), the SDK's Prometheus metrics, and the correlation id carried
from the workflow memo to every activity."""

from __future__ import annotations

import functools
from typing import Any

from pydantic import TypeAdapter
from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter
from temporalio.converter import (
    CompositePayloadConverter,
    DataConverter,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
)
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
    StartActivityInput,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)

from common.logs import get_correlation_id, set_correlation_id
from common.settings import CommonSettings

CORRELATION_MEMO = "correlation_id"
_HEADER = "correlation-id"

# The SDK makes a payload converter for every workflow run, each with its own cache of
# pydantic type adapters, and building the adapter of a contract dataclass costs milliseconds:
# a cache per run built the same adapters again for every agreement. The contracts are the
# same classes in every run (the sandbox, where histories replay in tests, passes them
# through), so one cache for the process serves every run.
_TYPE_ADAPTERS = functools.lru_cache(maxsize=1024)(TypeAdapter)


class _PydanticJSONConverter(PydanticJSONPlainPayloadConverter):
    def __init__(self) -> None:
        super().__init__()
        self._type_adapter = _TYPE_ADAPTERS


class PayloadConverter(CompositePayloadConverter):
    """The SDK's pydantic payload converter (dataclasses, dates and datetimes as readable
    JSON) with one type-adapter cache per process."""

    def __init__(self) -> None:
        json = _PydanticJSONConverter()
        super().__init__(
            *(
                json if isinstance(c, JSONPlainPayloadConverter) else c
                for c in DefaultPayloadConverter.default_encoding_payload_converters
            )
        )


DATA_CONVERTER = DataConverter(payload_converter_class=PayloadConverter)


async def connect(settings: CommonSettings, *, metrics_address: str | None = None) -> Client:
    """A client for the configured namespace; with `metrics_address` ("127.0.0.1:9103") the
    SDK's own metrics (workflow and activity task latencies, failures, slots) are served
    there for Prometheus."""
    runtime = None
    if metrics_address:
        runtime = Runtime(
            telemetry=TelemetryConfig(
                metrics=PrometheusConfig(bind_address=metrics_address, durations_as_seconds=True)
            )
        )
    kwargs: dict[str, Any] = {"runtime": runtime} if runtime is not None else {}
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=DATA_CONVERTER,
        **kwargs,
    )


class CorrelationInterceptor(Interceptor):
    """Workflows stamp their memo's correlation id on every activity they start; activities
    take it as their own, so the events they write carry it to Kafka."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _ActivityInbound(next)

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor] | None:
        return _WorkflowInbound


class _ActivityInbound(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        payload = input.headers.get(_HEADER)
        cid = activity.payload_converter().from_payload(payload, str) if payload else None
        set_correlation_id(cid)
        try:
            return await self.next.execute_activity(input)
        finally:
            set_correlation_id(None)


class _WorkflowInbound(WorkflowInboundInterceptor):
    def init(self, outbound: WorkflowOutboundInterceptor) -> None:
        super().init(_WorkflowOutbound(outbound))


class _WorkflowOutbound(WorkflowOutboundInterceptor):
    def start_activity(self, input: StartActivityInput) -> workflow.ActivityHandle[Any]:
        cid = workflow.memo_value(CORRELATION_MEMO, default=None, type_hint=str)
        if cid:
            input.headers = {
                **input.headers,
                _HEADER: workflow.payload_converter().to_payload(cid),
            }
        return super().start_activity(input)


__all__ = ["CORRELATION_MEMO", "CorrelationInterceptor", "connect", "get_correlation_id"]
