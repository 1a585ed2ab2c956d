"""bot/telegram/transport.py against a local aiohttp server: bodies, timeouts, errors, settings."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.settings import Settings, SettingsError, load_settings
from bot.telegram.transport import AiohttpRequest

TOKEN = "123456:TRANSPORT-TEST-abcdefghijklmnop"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def message(chat_id: int, **extra: Any) -> dict[str, Any]:
    """A Bot API Message object, as Telegram answers a send."""
    return {"message_id": 1, "date": 0, "chat": {"id": chat_id, "type": "private"}, **extra}


async def serve(handler: Handler) -> tuple[web.AppRunner, str]:
    """A server on 127.0.0.1 answering every path with handler; (runner, base URL)."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


def test_a_bot_sends_a_message_and_a_photo_through_it() -> None:
    seen: list[dict[str, Any]] = []

    async def handler(request: web.Request) -> web.Response:
        form = await request.post()
        entry: dict[str, Any] = {
            "path": request.path,
            "agent": request.headers.get("User-Agent", ""),
            "type": request.content_type,
        }
        for key, value in form.items():
            entry[key] = value.file.read() if isinstance(value, web.FileField) else value
        seen.append(entry)
        chat = int(str(form["chat_id"]))
        return web.json_response({"ok": True, "result": message(chat, text="hi")})

    async def go() -> None:
        runner, base = await serve(handler)
        request = AiohttpRequest(connection_pool_size=4)
        bot = Bot(TOKEN, base_url=f"{base}/bot", request=request, get_updates_request=request)
        try:
            await request.initialize()
            sent = await bot.send_message(42, "hello <b>there</b>", parse_mode="HTML")
            assert sent.chat.id == 42
            await bot.send_photo(42, b"\x89PNG fake bytes", caption="chart")
        finally:
            await request.shutdown()
            await runner.cleanup()

    asyncio.run(go())
    text, photo = seen
    assert text["path"] == f"/bot{TOKEN}/sendMessage"
    assert text["type"] == "application/x-www-form-urlencoded"
    assert text["text"] == "hello <b>there</b>" and text["parse_mode"] == "HTML"
    assert text["agent"].startswith("python-telegram-bot")
    assert photo["type"] == "multipart/form-data"
    assert photo["photo"] == b"\x89PNG fake bytes" and photo["caption"] == "chart"


def test_status_and_body_come_back_unchanged_for_an_error_answer() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=429, body=b'{"ok":false}')

    async def go() -> tuple[int, bytes]:
        runner, base = await serve(handler)
        request = AiohttpRequest()
        try:
            await request.initialize()
            return await request.do_request(f"{base}/x", "POST")
        finally:
            await request.shutdown()
            await runner.cleanup()

    assert asyncio.run(go()) == (429, b'{"ok":false}')


def test_a_slow_answer_is_timed_out_after_the_read_timeout() -> None:
    async def handler(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.Response(text="late")

    async def go() -> float:
        runner, base = await serve(handler)
        request = AiohttpRequest(read_timeout=0.2)
        loop = asyncio.get_running_loop()
        try:
            await request.initialize()
            start = loop.time()
            with pytest.raises(TimedOut):
                await request.do_request(f"{base}/x", "POST")
            return loop.time() - start
        finally:
            await request.shutdown()
            await runner.cleanup()

    assert asyncio.run(go()) < 1.5


def test_a_per_call_read_timeout_overrides_the_default() -> None:
    async def handler(request: web.Request) -> web.Response:
        await asyncio.sleep(0.3)
        return web.Response(text="ok")

    async def go() -> tuple[int, bytes]:
        runner, base = await serve(handler)
        request = AiohttpRequest(read_timeout=0.05)
        try:
            await request.initialize()
            return await request.do_request(f"{base}/x", "POST", read_timeout=5)
        finally:
            await request.shutdown()
            await runner.cleanup()

    assert asyncio.run(go()) == (200, b"ok")


def test_a_full_pool_is_a_timeout_that_says_nothing_was_sent() -> None:
    arrived: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        arrived.append(request.path)
        await asyncio.sleep(0.5)
        return web.Response(text="ok")

    async def go() -> str:
        runner, base = await serve(handler)
        request = AiohttpRequest(connection_pool_size=1, pool_timeout=0.1)
        try:
            await request.initialize()
            first = asyncio.create_task(request.do_request(f"{base}/first", "POST"))
            await asyncio.sleep(0.1)
            with pytest.raises(TimedOut) as caught:
                await request.do_request(f"{base}/second", "POST")
            assert await first == (200, b"ok")
            return str(caught.value)
        finally:
            await request.shutdown()
            await runner.cleanup()

    assert "Pool timeout" in asyncio.run(go())
    assert arrived == ["/first"]


def test_the_pool_is_freed_after_errors() -> None:
    async def handler(request: web.Request) -> web.Response:
        if request.path == "/slow":
            await asyncio.sleep(1)
        return web.Response(text="ok")

    async def go() -> tuple[int, bytes]:
        runner, base = await serve(handler)
        request = AiohttpRequest(connection_pool_size=1, read_timeout=0.05, pool_timeout=0.5)
        try:
            await request.initialize()
            for _ in range(3):
                with pytest.raises(TimedOut):
                    await request.do_request(f"{base}/slow", "POST")
            return await request.do_request(f"{base}/fast", "POST")
        finally:
            await request.shutdown()
            await runner.cleanup()

    assert asyncio.run(go()) == (200, b"ok")


def test_a_refused_connection_is_a_network_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there

    async def go() -> str:
        request = AiohttpRequest()
        try:
            await request.initialize()
            with pytest.raises(NetworkError) as caught:
                await request.do_request(f"http://127.0.0.1:{port}/x", "POST")
            assert not isinstance(caught.value, TimedOut)
            return str(caught.value)
        finally:
            await request.shutdown()

    assert "aiohttp.ClientConnectorError" in asyncio.run(go())


def test_a_connection_dropped_mid_answer_is_a_network_error() -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        request.transport.close()
        return web.Response(text="never")

    async def go() -> None:
        runner, base = await serve(handler)
        request = AiohttpRequest()
        try:
            await request.initialize()
            with pytest.raises(NetworkError):
                await request.do_request(f"{base}/x", "POST")
        finally:
            await request.shutdown()
            await runner.cleanup()

    asyncio.run(go())


def test_it_must_be_initialized_and_can_be_again_after_shutdown() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(text=json.dumps({"ok": True}))

    async def go() -> int:
        runner, base = await serve(handler)
        request = AiohttpRequest()
        try:
            with pytest.raises(RuntimeError):
                await request.do_request(f"{base}/x", "POST")
            await request.initialize()
            await request.shutdown()
            await request.initialize()
            status, _ = await request.do_request(f"{base}/x", "POST")
            return status
        finally:
            await request.shutdown()
            await runner.cleanup()

    assert asyncio.run(go()) == 200


def test_a_pool_needs_one_connection() -> None:
    with pytest.raises(ValueError):
        AiohttpRequest(connection_pool_size=0)


def test_send_rate_and_pool_are_settings_with_telegram_s_ceilings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = Settings()
    assert (s.ADVISOR_SEND_RATE, s.ADVISOR_WORKERS, s.ADVISOR_HTTP_POOL) == (30.0, 1, 256)
    monkeypatch.setenv("ADVISOR_SEND_RATE", "1000")
    assert load_settings(need_token=False).ADVISOR_SEND_RATE == 1000
    for bad in ("1001", "0", "-5"):
        monkeypatch.setenv("ADVISOR_SEND_RATE", bad)
        with pytest.raises(SettingsError, match="ADVISOR_SEND_RATE"):
            load_settings(need_token=False)
    monkeypatch.setenv("ADVISOR_SEND_RATE", "30")
    monkeypatch.setenv("ADVISOR_WORKERS", "0")
    with pytest.raises(SettingsError, match="ADVISOR_WORKERS"):
        load_settings(need_token=False)


def test_the_service_uses_the_transport_and_each_worker_sends_its_share(tmp_path: Path) -> None:
    from bot.telegram import Service

    settings = Settings(
        TELEGRAM_BOT_TOKEN=TOKEN,  # type: ignore[arg-type]
        ADVISOR_DB=tmp_path / "advisor.db",
        ADVISOR_SEND_RATE=900,
        ADVISOR_WORKERS=3,
        ADVISOR_HTTP_POOL=32,
    )
    service = Service(settings)
    try:
        request = service.bot.request
        assert isinstance(request, AiohttpRequest) and request.pool_size == 32
        assert request.read_timeout == 30
        assert service.sender.pace.interval == pytest.approx(1 / 300)
    finally:
        service.receipts.close()
    plain = Service(Settings(TELEGRAM_BOT_TOKEN=TOKEN, ADVISOR_DB=tmp_path / "b.db"))  # type: ignore[arg-type]
    try:
        assert plain.sender.pace.interval == pytest.approx(1 / 30)  # Telegram's ceiling
    finally:
        plain.receipts.close()
