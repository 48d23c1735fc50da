"""Waiting, in real time, for a workflow worker to catch up with the test server's skipped clock; and
recorded histories with their input changed."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from typing import Any

from temporalio.client import WorkflowHistory

ATTEMPTS = 250
PAUSE = 0.02


async def until(predicate: Callable[[], bool], what: str) -> None:
    for _ in range(ATTEMPTS):
        if predicate():
            return
        await asyncio.sleep(PAUSE)
    raise AssertionError(f"timed out waiting for {what}")


async def until_state(handle: Any, query: Any, **expected: str) -> dict[str, str]:
    """The workflow's ``query`` result once it has the ``expected`` values."""
    state: dict[str, str] = {}
    for _ in range(ATTEMPTS):
        state = await handle.query(query)
        if all(state.get(key) == value for key, value in expected.items()):
            return state
        await asyncio.sleep(PAUSE)
    raise AssertionError(f"state {state} never matched {expected}")


def with_input_fields(history: WorkflowHistory, **fields: object) -> WorkflowHistory:
    """``history`` as if its workflow had been started with ``fields`` set in its (JSON) input: what a
    worker that ignores the fields would have recorded for such an input."""
    recorded = json.loads(history.to_json())
    payload = recorded["events"][0]["workflowExecutionStartedEventAttributes"]["input"]["payloads"][0]
    data = json.loads(base64.b64decode(payload["data"]))
    payload["data"] = base64.b64encode(json.dumps({**data, **fields}).encode()).decode()
    return WorkflowHistory.from_json(history.workflow_id, json.dumps(recorded))
