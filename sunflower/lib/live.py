"""Sending to the channel layer from synchronous code, in any thread.

The in-memory channel layer of the embedded default lives in the ASGI server's event loop: a
message must be put there from that loop, or the socket waiting for it is woken late or not
at all (asyncio queues are not thread-safe). So the ASGI application remembers its loop
(RememberLoop, in asgi.py), and sends from other threads — request threads, and the task
workers that `sunflower serve` runs in the same process — are handed to that loop. In a
process without a server loop (a task worker of its own, with the Redis layer of
production) the send runs on a loop of its own, which Redis is reached from just as well.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

SEND_TIMEOUT = 5.0

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_server_loop: asyncio.AbstractEventLoop | None = None
_pending: set[asyncio.Task[None]] = set()  # strong references until each send is done


class RememberLoop:
    """ASGI middleware: note the loop the server runs this application in."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        global _server_loop
        _server_loop = asyncio.get_running_loop()
        await self.app(scope, receive, send)


def server_loop() -> asyncio.AbstractEventLoop | None:
    loop = _server_loop
    return loop if loop is not None and loop.is_running() else None


def group_send(groups: Iterable[str], message: dict[str, Any]) -> None:
    """Send *message* to each channel-layer group, from synchronous code in any thread."""
    names = list(groups)

    async def send_all() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        for name in names:
            await layer.group_send(name, message)

    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    loop = server_loop()
    if loop is not None and running is not loop:
        asyncio.run_coroutine_threadsafe(send_all(), loop).result(SEND_TIMEOUT)
    elif loop is not None:
        # Synchronous code on the server loop's own thread cannot wait for the loop.
        task = loop.create_task(send_all())
        _pending.add(task)
        task.add_done_callback(_pending.discard)
    elif running is None:
        async_to_sync(send_all)()
    else:
        # A thread that runs a loop of its own (not the server's): async_to_sync refuses
        # to run there, so send from a helper thread.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(async_to_sync(send_all)).result(SEND_TIMEOUT)
