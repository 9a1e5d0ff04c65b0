"""An open-loop HTTP load generator: requests at a fixed rate over N keep-alive connections.

Latency is measured from each request's *scheduled* send time, so a slow server cannot hide
its queueing by slowing the generator down (no coordinated omission). asyncio streams, raw
HTTP/1.1, one request in flight per connection.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    if length:
        await reader.readexactly(length)
    return status


async def _run(
    host: str, port: int, requests: Iterator[bytes], rate: float, seconds: float, connections: int
) -> tuple[list[float], dict[int, int]]:
    queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        while (item := await queue.get()) is not None:
            scheduled, raw = item
            writer.write(raw)
            status = await _read_response(reader)
            latencies.append(time.perf_counter() - scheduled)
            statuses[status] = statuses.get(status, 0) + 1
        writer.close()

    workers = [asyncio.create_task(connection()) for _ in range(connections)]
    await asyncio.sleep(0.5)  # every connection open before the clock starts
    start = time.perf_counter()
    total = int(rate * seconds)
    for index in range(total):
        scheduled = start + index / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((scheduled, next(requests)))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    return latencies, statuses


def open_loop(
    host: str,
    port: int,
    requests: Iterator[bytes],
    *,
    rate: float,
    seconds: float,
    connections: int,
) -> tuple[list[float], dict[int, int]]:
    """Send `rate` requests a second for `seconds`; each latency (s) and the count per status."""
    return asyncio.run(_run(host, port, requests, rate, seconds, connections))
