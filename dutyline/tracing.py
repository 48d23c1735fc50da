"""OpenTelemetry traces: from a gRPC call through the Temporal workflows and activities it starts to
the events it publishes on NATS, and the trace id in every log line written meanwhile.

Configured by the standard variables: ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``..._TRACES_ENDPOINT``)
turns tracing on, spans go there by OTLP/gRPC in batches (``OTEL_BSP_*``), ``OTEL_SERVICE_NAME``
names the process (default ``dutyline-<process>``), ``OTEL_TRACES_SAMPLER`` samples. Without an
endpoint (or with ``OTEL_SDK_DISABLED=true``) tracing is off: no provider, no exporter, and every
helper below returns no interceptor, so a call costs what it did before.

An event reaches NATS later, from the outbox relay's task: the transaction that stages it keeps the
W3C ``traceparent`` of its span with the row (``outbox_traceparent``), the relay publishes it as a
child of that span and sends its own ``traceparent`` as a message header, and a consumer's batch
continues from the headers (``consumer_span``). The event itself (the envelope) never changes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager
from typing import Any

from opentelemetry import context, propagate, trace
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode

TRACEPARENT = "traceparent"
_tracer = trace.get_tracer("dutyline")
# The open health and reflection services are polled all the time and tell nothing about a request.
_UNTRACED_SERVICES = ("grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection")


def enabled() -> bool:
    """Whether this process traces (read from its environment, the same answer all its life)."""
    if os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    if os.environ.get("OTEL_TRACES_EXPORTER", "").strip().lower() == "none":
        return False
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"))


_ENABLED = enabled()


def configure_tracing(process: str) -> None:
    """Install the process's tracer provider and OTLP exporter when tracing is on (every entry point
    calls this once, before it builds its servers and clients); a no-op when it is off."""
    if not _ENABLED:
        return
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    # OTEL_SERVICE_NAME (read by Resource.create) wins over the default name.
    attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {SERVICE_NAME: f"dutyline-{process}"}
    provider = TracerProvider(resource=Resource.create(attributes))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)


def _traced(details: Any) -> bool:
    method = details.method.decode() if isinstance(details.method, bytes) else details.method
    return not method.lstrip("/").startswith(_UNTRACED_SERVICES)


def grpc_server_interceptors() -> list[Any]:
    """The server span of every RPC (continuing the caller's trace from its metadata): first in
    the server's interceptors, so authentication and the handler run inside it."""
    if not _ENABLED:
        return []
    from opentelemetry.instrumentation.grpc import aio_server_interceptor

    return [aio_server_interceptor(filter_=_traced)]


def grpc_client_interceptors() -> list[Any]:
    """The client span of every RPC a channel makes, its context sent along in the metadata."""
    if not _ENABLED:
        return []
    from opentelemetry.instrumentation.grpc import aio_client_interceptors

    return list(aio_client_interceptors(filter_=_traced))


def temporal_interceptors() -> list[Any]:
    """Temporal's OpenTelemetry interceptor: on a client, its workflow starts and signals carry the
    trace in their headers; the workers made from that client run the workflows and activities in it."""
    if not _ENABLED:
        return []
    from temporalio.contrib.opentelemetry import TracingInterceptor

    return [TracingInterceptor()]


def outbox_traceparent() -> str | None:
    """The ``traceparent`` of the current span, kept with an event staged now (None: no trace)."""
    if not _ENABLED:
        return None
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get(TRACEPARENT)


def publish_span(subject: str, traceparent: str | None) -> Span | None:
    """A producer span for publishing an event staged under ``traceparent`` (its child); the caller
    sends ``message_headers(span)`` with the message and ends the span when the stream acknowledged
    it. None when tracing is off or the event was staged outside a trace."""
    if not _ENABLED or not traceparent:
        return None
    parent = propagate.extract({TRACEPARENT: traceparent})
    return _tracer.start_span(
        f"publish {subject}",
        context=parent,
        kind=SpanKind.PRODUCER,
        attributes={"messaging.system": "nats", "messaging.destination.name": subject},
    )


def end_span(span: Span, error: str | None = None) -> None:
    """End a span made by ``publish_span``: failed with ``error``, else as it went."""
    if error is not None:
        span.set_status(Status(StatusCode.ERROR, error))
    span.end()


def message_headers(span: Span) -> dict[str, str]:
    """The headers that carry ``span``'s context with a message."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=trace.set_span_in_context(span))
    return carrier


@contextmanager
def consumer_span(consumer: str, headers: Sequence[Mapping[str, str] | None]) -> Iterator[None]:
    """The span of a consumer applying a batch of messages (their ``headers``): the child of their
    publish when they all belong to one trace, else linked to each; nothing when tracing is off or
    no message came with a trace."""
    if not _ENABLED:
        yield
        return
    parents = [trace.get_current_span(propagate.extract(h)).get_span_context() for h in headers if h]
    parents = [p for p in parents if p.is_valid]
    if not parents:
        yield
        return
    one_trace = len({p.trace_id for p in parents}) == 1
    parent = trace.set_span_in_context(trace.NonRecordingSpan(parents[0])) if one_trace else context.Context()
    with _tracer.start_as_current_span(
        f"process {consumer}",
        context=parent,
        kind=SpanKind.CONSUMER,
        links=[] if one_trace else [Link(p) for p in parents],
        attributes={
            "messaging.system": "nats",
            "messaging.consumer.group.name": consumer,
            "messaging.batch.message_count": len(headers),
        },
    ):
        yield


def add_trace_ids(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: the ids of the active span, to find a log line's trace and the reverse."""
    span_context = trace.get_current_span().get_span_context()
    if span_context.is_valid:
        event["trace_id"] = format(span_context.trace_id, "032x")
        event["span_id"] = format(span_context.span_id, "016x")
    return event
