"""The HTTP listener for the webhook and /healthz: a connection cap and header/body deadlines.

A client that opens connections and sends headers slowly (or never) must not use up the
process's file descriptors: a connection that has not sent a whole request head within
HEADER_TIMEOUT seconds is closed (aiohttp's keep-alive timer also runs from the moment a
connection opens, before its first request), a body must arrive within BODY_TIMEOUT, and past
MAX_CONNECTIONS open connections a new one is closed at once, without a log line per refusal.
"""

from __future__ import annotations

import asyncio
import logging
import time

from aiohttp import web

log = logging.getLogger("advisor.telegram")

HEADER_TIMEOUT = 10.0  # seconds for a request head (and for an idle kept-alive connection)
BODY_TIMEOUT = 10.0  # seconds for the body once the head is in
MAX_CONNECTIONS = 256  # Telegram opens at most 100 (setWebhook max_connections); far below nofile
REFUSAL_LOG_EVERY = 60.0  # seconds between two "connections refused" warnings


class _Refuse(asyncio.Protocol):
    """A connection over the cap: closed as soon as it is accepted."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Close the socket (its file descriptor is free again at once)."""
        if isinstance(transport, asyncio.Transport):
            transport.abort()
        else:
            transport.close()


class CappedSite(web.TCPSite):
    """A TCP site that closes connections beyond `cap` while `cap` are open."""

    def __init__(self, runner: web.AppRunner, host: str, port: int, cap: int) -> None:
        """Listen on host:port with at most `cap` open connections."""
        super().__init__(runner, host, port)
        self.cap = cap
        self.refused = 0
        self._warned_at = 0.0

    async def start(self) -> None:
        """Register with the runner and listen, each new connection checked against the cap."""
        await web.BaseSite.start(self)  # registers the site; TCPSite.start would listen uncapped
        server = self._runner.server
        assert server is not None

        def factory() -> asyncio.BaseProtocol:
            if len(server.connections) >= self.cap:
                self._refuse()
                return _Refuse()
            return server()

        self._server = await asyncio.get_running_loop().create_server(
            factory, self._host, self._port, backlog=self._backlog, reuse_address=True
        )

    def _refuse(self) -> None:
        """Count a refused connection; warn at most once a minute."""
        self.refused += 1
        now = time.monotonic()
        if now - self._warned_at >= REFUSAL_LOG_EVERY:
            self._warned_at = now
            log.warning(
                "%d connections open: new ones are closed (%d refused so far)",
                self.cap,
                self.refused,
            )


async def listen(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Serve `app` on host:port with the deadlines and the cap above; the runner to clean up."""
    runner = web.AppRunner(app, access_log=None, keepalive_timeout=HEADER_TIMEOUT)
    await runner.setup()
    await CappedSite(runner, host, port, MAX_CONNECTIONS).start()
    return runner


async def read_body(request: web.Request) -> bytes:
    """The request body, or TimeoutError when it does not arrive within BODY_TIMEOUT."""
    return await asyncio.wait_for(request.read(), BODY_TIMEOUT)
