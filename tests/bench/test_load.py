"""The open loop's latencies: a stalled server still shows in every call sent during the stall (the
sends do not wait for the replies), and the client's own delay in sending is kept apart from them."""

from __future__ import annotations

import asyncio
import time

from bench.load import open_loop

RATE = 200.0


async def test_a_stall_shows_in_every_call_sent_during_it() -> None:
    loop = asyncio.get_running_loop()
    stall_ends = loop.time() + 0.3

    async def server() -> None:
        # Nothing is answered for the first 0.3 s, then every call at once.
        await asyncio.sleep(max(0.0, stall_ends - loop.time()))

    result = await open_loop(server, rate=RATE, duration=0.5, timeout=2.0)

    assert result.ok == 100 and result.errors == 0
    # The calls sent during the stall waited for its end: the first ~0.25 s, some 40 of them 50 ms or more.
    waited = sorted(result.latencies, reverse=True)
    assert waited[0] >= 0.2
    assert sum(1 for s in waited if s >= 0.05) >= 30
    assert result.latency_ms(99) >= 200


async def test_a_late_send_is_the_clients_delay_not_the_servers() -> None:
    async def server() -> None:
        await asyncio.sleep(0.001)

    # 0.1 s in, the client's event loop is held for 100 ms: the sends due meanwhile leave late.
    asyncio.get_running_loop().call_later(0.1, time.sleep, 0.1)
    result = await open_loop(server, rate=RATE, duration=0.5, timeout=2.0)

    assert result.ok == 100
    assert max(result.send_lags) >= 0.08
    assert result.send_lag_ms(99) >= 50
    # Each call took its millisecond or so from the moment it was sent (but the one or two in flight
    # when the loop was held, which waited for it).
    assert result.latency_ms(90) < 50
    assert result.summary()["max_send_lag_ms"] >= 80
