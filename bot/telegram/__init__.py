"""`python -m bot telegram`: long polling, or webhook mode when WEBHOOK_URL is set."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from typing import Any
from urllib.parse import urlparse

from aiohttp import web
from telegram import Update

from bot.settings import Settings, SettingsError, load_settings
from bot.store import SQLiteStore, StoreError
from bot.telegram.app import Advisor, build_application
from bot.telegram.logs import setup_logging

log = logging.getLogger("advisor.telegram")
ALLOWED = ["message", "callback_query"]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def health_routes(advisor: Advisor) -> list[web.RouteDef]:
    """GET /healthz: is the database reachable, and when was the last update handled."""

    async def health(request: web.Request) -> web.Response:
        ok = advisor.store.healthy()
        last = advisor.last_update_at
        body = {"ok": ok, "database": "reachable" if ok else "unreachable", "last_update_at": last}
        return web.json_response(body, status=200 if ok else 503)

    return [web.get("/healthz", health)]


def webhook_routes(app: Any, settings: Settings) -> list[web.RouteDef]:
    """POST <path of WEBHOOK_URL>: updates from Telegram, checked against the secret."""
    assert settings.WEBHOOK_URL and settings.WEBHOOK_SECRET
    path = urlparse(settings.WEBHOOK_URL).path or "/telegram"
    secret = settings.WEBHOOK_SECRET.get_secret_value()

    async def receive(request: web.Request) -> web.Response:
        if request.headers.get(SECRET_HEADER) != secret:
            return web.Response(status=403, text="forbidden")
        try:
            data = await request.json()
            update = Update.de_json(data, app.bot)
        except Exception:
            return web.Response(status=400, text="bad update")
        await app.update_queue.put(update)
        return web.Response(text="ok")

    return [web.post(path, receive)]


async def serve(settings: Settings) -> int:
    """Run until SIGTERM/SIGINT."""
    try:
        store = SQLiteStore(settings.ADVISOR_DB, synchronous=settings.ADVISOR_DB_SYNC)
    except StoreError as exc:
        log.error("cannot open the database: %s", exc)
        return 1
    try:
        store.check_writable()  # in WAL mode a locked database still opens for reading
    except StoreError as exc:
        store.close()
        log.error("cannot open the database: %s", exc)
        return 1
    advisor = Advisor(store)
    app = build_application(settings, advisor)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    routes = health_routes(advisor)
    async with app:
        if app.post_init is not None:  # run_polling would call it; this lifecycle is manual
            await app.post_init(app)
        if settings.WEBHOOK_URL:
            assert settings.WEBHOOK_SECRET is not None
            await app.bot.set_webhook(
                settings.WEBHOOK_URL,
                secret_token=settings.WEBHOOK_SECRET.get_secret_value(),
                allowed_updates=ALLOWED,
            )
            routes += webhook_routes(app, settings)
        else:
            assert app.updater is not None
            await app.updater.start_polling(allowed_updates=ALLOWED, timeout=10)
        await app.start()
        web_app = web.Application()
        web_app.add_routes(routes)
        runner = web.AppRunner(web_app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, settings.WEBHOOK_LISTEN, settings.WEBHOOK_PORT)
        await site.start()
        mode = "webhook" if settings.WEBHOOK_URL else "polling"
        log.info(
            "advisor running (%s); health on %s:%s",
            mode,
            settings.WEBHOOK_LISTEN,
            settings.WEBHOOK_PORT,
        )
        await stop.wait()
        log.info("stopping")
        await runner.cleanup()
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        await app.stop()
    store.close()
    return 0


def main(argv: list[str]) -> int:
    """Read settings (a bad one stops start-up with its name), set up logs, serve."""
    try:
        settings = load_settings(need_token=True)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    secrets = [
        settings.TELEGRAM_BOT_TOKEN.get_secret_value() if settings.TELEGRAM_BOT_TOKEN else ""
    ]
    if settings.WEBHOOK_SECRET:
        secrets.append(settings.WEBHOOK_SECRET.get_secret_value())
    setup_logging(settings.LOG_LEVEL, secrets, settings.LOG_FORMAT)
    return asyncio.run(serve(settings))
