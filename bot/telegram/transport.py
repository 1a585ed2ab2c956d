"""The Bot API's HTTP transport: python-telegram-bot's BaseRequest over an aiohttp session.

python-telegram-bot's default, httpx over httpcore, re-scans every open connection (and for each
idle one, every connection again) on each request and each response; with the tens of
connections a 200 ms round trip needs, that bookkeeping was most of the bot's CPU
(docs/performance.md). aiohttp keeps free connections in a per-host deque. Timeouts and errors
follow PTB's HTTPXRequest: a full pool, a slow connect or a slow answer is TimedOut (the pool
case says the request was not sent), any other transport failure is NetworkError.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

FORM = "application/x-www-form-urlencoded"
POOL_FULL = (
    "Pool timeout: All connections in the connection pool are occupied. Request was *not* sent "
    "to Telegram. Consider adjusting the connection pool size or the pool timeout."
)


def _given(value: Any, default: float | None) -> float | None:
    """A per-call timeout, or this transport's default when the caller left it unset."""
    return default if isinstance(value, DefaultValue) else value


class AiohttpRequest(BaseRequest):
    """BaseRequest with one aiohttp ClientSession of at most `connection_pool_size` connections."""

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        """The limits (seconds; None waits forever), as HTTPXRequest takes them."""
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        self._pool_size = connection_pool_size
        self._read = read_timeout
        self._write = write_timeout
        self._connect = connect_timeout
        self._pool_wait = pool_timeout
        self._media_write = media_write_timeout
        self._slots = asyncio.Semaphore(connection_pool_size)
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}
        self._headers = {"User-Agent": self.USER_AGENT}
        self._form_headers = {**self._headers, "Content-Type": FORM}

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds."""
        return self._read

    @property
    def pool_size(self) -> int:
        """How many requests may be in flight at once (one connection each)."""
        return self._pool_size

    async def initialize(self) -> None:
        """Open the session (again after a shutdown)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0)
            # The Bot API sets no cookies: none are parsed, stored or matched per request.
            jar = aiohttp.DummyCookieJar()
            self._session = aiohttp.ClientSession(connector=connector, cookie_jar=jar)
            self._slots = asyncio.Semaphore(self._pool_size)  # bound to this event loop

    async def shutdown(self) -> None:
        """Close the session and its connections."""
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
        """One HTTP request (form-encoded, multipart with files); (status, body)."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data is not None else None
        timeout = self._timeout(
            _given(read_timeout, self._read),
            _given(write_timeout, self._media_write if files else self._write),
            _given(connect_timeout, self._connect),
        )
        if self._slots.locked():  # wait for a free connection, at most the pool timeout
            try:
                # asyncio.timeout: wait_for can lose a slot it acquired as its time ran out
                async with asyncio.timeout(_given(pool_timeout, self._pool_wait)):
                    await self._slots.acquire()
            except TimeoutError as err:
                raise TimedOut(message=POOL_FULL) from err
        else:
            await self._slots.acquire()
        try:
            data, headers = self._body(request_data, files)
            async with self._session.request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as err:  # aiohttp's timeouts are TimeoutErrors too
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err
        finally:
            self._slots.release()

    def _timeout(
        self, read: float | None, write: float | None, connect: float | None
    ) -> aiohttp.ClientTimeout:
        """aiohttp's timeout for these limits (made once for each combination)."""
        key = (read, write, connect)
        timeout = self._timeouts.get(key)
        if timeout is None:
            # aiohttp has no write timeout: the body's upload is bounded by the whole request's
            # time, which may use every limit in turn (connect, then write, then read).
            total = None
            if connect is not None and write is not None and read is not None:
                total = connect + write + read
            timeout = aiohttp.ClientTimeout(total=total, sock_connect=connect, sock_read=read)
            self._timeouts[key] = timeout
        return timeout

    def _body(
        self, request_data: RequestData | None, files: dict[str, Any] | None
    ) -> tuple[Any, dict[str, str]]:
        """The body and its headers: parameters form-encoded, multipart when there are files."""
        if request_data is None:
            return None, self._headers
        if not files:
            return urlencode(request_data.json_parameters).encode(), self._form_headers
        form = aiohttp.FormData()
        for key, value in request_data.json_parameters.items():
            form.add_field(key, value)
        for name, (filename, content, mimetype) in files.items():
            form.add_field(name, content, filename=filename, content_type=mimetype)
        return form, self._headers
