"""An experiment: python-telegram-bot's BaseRequest over aiohttp instead of httpx (benchmarks only).

httpcore 1.0.9 (under httpx, PTB's default transport) re-scans every open connection, and for
each idle one every connection again, on each request and each response: with the tens of
connections a 200 ms round trip needs, that bookkeeping is most of the bot's CPU. aiohttp's
connector keeps free connections in a per-host deque. Used by tuned_bot when BENCH_HTTP=aiohttp
(for the Bot API calls; getUpdates keeps PTB's own request object).
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """BaseRequest with an aiohttp ClientSession of `pool` connections."""

    def __init__(self, pool: int = 64, read_timeout: float = 5.0) -> None:
        """Configure; the session is made in initialize()."""
        self._pool = pool
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool)
            self._session = aiohttp.ClientSession(connector=connector)

    async def shutdown(self) -> None:
        """Close the session."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One HTTP request: form-encoded parameters, multipart when there are files."""
        if self._session is None:
            raise RuntimeError("AiohttpRequest is not initialized")
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=5.0, sock_read=read)
        data: Any = None
        if request_data is not None:
            files = request_data.multipart_data
            if files:
                form = aiohttp.FormData()
                for key, value in request_data.json_parameters.items():
                    form.add_field(key, value)
                for name, part in files.items():
                    filename, content, mimetype = part[0], part[1], part[2]
                    form.add_field(name, content, filename=filename, content_type=mimetype)
                data = form
            else:
                data = request_data.json_parameters
        try:
            async with self._session.request(
                method, url, data=data, headers={"User-Agent": self.USER_AGENT}, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err
