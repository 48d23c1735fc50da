"""structlog configuration: JSON lines in production, a console renderer on a terminal.

Ids (request, site, call, incident, workflow) are bound with structlog.contextvars so every line
of a request carries them.
"""

from __future__ import annotations

import logging
import sys

import structlog

from dutyline.tracing import add_trace_ids
from dutyline.tracing import enabled as tracing_enabled


def configure_logging(service: str, *, fmt: str = "auto", level: str = "info") -> None:
    json_output = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json_output else structlog.dev.ConsoleRenderer()
    )
    processors: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        # The active span's trace_id and span_id, when the process traces (dutyline.tracing).
        *([add_trace_ids] if tracing_enabled() else []),
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        renderer,
    ]
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(service=service)
    # Libraries that log through the standard library (temporalio, nats) end up in the same stream.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")
