"""The HTTP server every service runs: uvicorn's, waking once a second while idle."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from types import FrameType

import uvicorn

# uvicorn's own loop wakes ten times a second to see whether it should stop, and refreshes
# the Date header on every tenth wake. Idle, those wakes were a good part of each service's
# CPU (bench/idle.py): this one wakes once a second, refreshing the header each time, and is
# woken at once when asked to stop.
TICK_S = 1.0


class Server(uvicorn.Server):
    def __init__(
        self, config: uvicorn.Config, before_exit: Callable[[], None] | None = None
    ) -> None:
        super().__init__(config)
        self.before_exit = before_exit
        self._loop: asyncio.AbstractEventLoop | None = None
        self._exit: asyncio.Event | None = None

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._exit = asyncio.Event()
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 10) % 864000  # uvicorn's header refresh: every tenth tick
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._exit.wait(), TICK_S)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.before_exit is not None:
            self.before_exit()
        super().handle_exit(sig, frame)
        if self._loop is not None and self._exit is not None:
            self._loop.call_soon_threadsafe(self._exit.set)


def serve(app: str, *, host: str, port: int, before_exit: Callable[[], None] | None = None) -> None:
    """Serve an application factory (`module:function`) as every service does, until asked
    to stop; `before_exit` runs first when asked."""
    config = uvicorn.Config(
        app, factory=True, host=host, port=port, log_config=None, access_log=False
    )
    Server(config, before_exit).run()
