"""Closing the event loops that test servers run in threads."""

from __future__ import annotations

import asyncio


async def cancel_the_rest() -> None:
    """As asyncio.run does before closing its loop: cancel what is left (a handler still writing to a
    client that hung up) and wait for it, so no task is destroyed pending and no exception goes
    unretrieved; otherwise their complaints are logged when they are collected, in a later test."""
    rest = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for t in rest:
        t.cancel()
    await asyncio.gather(*rest, return_exceptions=True)
