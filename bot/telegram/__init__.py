"""`python -m bot telegram`: long polling, or webhook mode when WEBHOOK_URL is set.

Exactly once, end to end: an update is written to the inbox before Telegram is told it was
received (before the next getUpdates moves the offset; before the webhook's 200). Each chat's
inbox is processed in update-id order; the new state, the processed mark and the replies are
one transaction; the outbox is then delivered per chat in order. A restart finishes both.

The store is the SQLite file (one process: its lock file says so) or, with
ADVISOR_DATABASE_URL, PostgreSQL: then any number of webhook workers share the database, each
chat claimed by one worker at a time (bot/telegram/claims.py), and a sweep every second wakes
work a killed worker left. Polling takes one process per bot (Telegram serves one getUpdates).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import os
import signal
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from aiohttp import web
from telegram import Bot, BotCommand
from telegram.error import InvalidToken, TelegramError

from bot.dialogue.commands import menu
from bot.pgstore import PostgresStore
from bot.settings import Settings, SettingsError, load_settings
from bot.store import ProcessLock, SQLiteStore, StoreError
from bot.telegram.app import Turns
from bot.telegram.claims import SWEEP_AGE, SWEEP_EVERY, ClaimedSender, ClaimedTurns, Claims
from bot.telegram.database import BUSY_TIMEOUT_MS, Database, pool_threads
from bot.telegram.health import Health, sd_notify
from bot.telegram.listener import listen, read_body
from bot.telegram.logs import setup_logging, url_secrets
from bot.telegram.polling import ALLOWED, poll
from bot.telegram.sender import Pace, Receipts, Sender
from bot.telegram.transport import AiohttpRequest
from bot.telegram.updates import UnreadableUpdate, parse_update, update_id_of

log = logging.getLogger("advisor.telegram")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
POLL_TIMEOUT = 10
EXIT_TOKEN = 3  # Telegram refused the token: the supervisor must not hide it
CATCH_UP = 10.0  # seconds the sender waits at most for the first getUpdates after a start
MAX_BODY = 1024 * 1024  # an update is a few kilobytes; more is not Telegram

__all__ = ["ALLOWED", "main", "serve"]


class Service:
    """The running bot: database, Bot API client, inbox processing, sender, health."""

    def __init__(self, settings: Settings) -> None:
        """Wire the parts; nothing runs until run()."""
        assert settings.TELEGRAM_BOT_TOKEN is not None
        self.settings = settings
        self.mode = "webhook" if settings.WEBHOOK_URL else "polling"
        self.health = Health(mode=self.mode, poll_timeout=POLL_TIMEOUT)
        url = settings.ADVISOR_DATABASE_URL
        self.url = url.get_secret_value() if url is not None else None
        self.threads = pool_threads() if self.url else 1
        self.db = Database(self.health, self.threads)
        base = settings.TELEGRAM_API_BASE_URL
        self.bot = Bot(
            settings.TELEGRAM_BOT_TOKEN.get_secret_value(),
            base_url=base,
            base_file_url=base.replace("/bot", "/file/bot"),
            request=AiohttpRequest(
                connection_pool_size=settings.ADVISOR_HTTP_POOL,
                read_timeout=30,
                write_timeout=30,
                connect_timeout=10,
                pool_timeout=10,
                media_write_timeout=30,
            ),
            get_updates_request=AiohttpRequest(
                connection_pool_size=2, read_timeout=POLL_TIMEOUT + 30
            ),
        )
        self.fatal_reason: str | None = None
        self.stopping = asyncio.Event()
        # The sender has its own connection and thread: a delivered mark never queues behind a
        # turn's commit, which keeps the window for a repeat after kill -9 to a few microseconds.
        self.outdb = Database(self.health, self.threads)
        self.receipts = Receipts(receipts_path(settings))
        self.claims = Claims(self.url) if self.url else None
        self.pg: PostgresStore | None = None
        self.sender: Sender
        self.turns: Turns
        if self.claims is None:
            self.sender = Sender(self.outdb, self.bot, self.fail, self.receipts)
            self.turns = Turns(self.db, self.bot, self.sender.wake, hand_over=self.sender.hand)
        else:
            self.sender = ClaimedSender(self.claims, self.outdb, self.bot, self.fail, self.receipts)
            self.turns = ClaimedTurns(self.claims, self.db, self.bot, self.sender.wake)
        # Telegram's ceiling is the bot's, shared by every worker: each sends its share.
        self.sender.pace = Pace(settings.ADVISOR_SEND_RATE / settings.ADVISOR_WORKERS)

    def fail(self, reason: str) -> None:
        """Stop the process with a non-zero exit (the token was refused)."""
        if self.fatal_reason is None:
            self.fatal_reason = reason
        self.stopping.set()

    async def healthz(self, request: web.Request) -> web.Response:
        """GET /healthz: loop liveness, last write, outbox backlog; 503 unless all is well."""
        database, backlog, oldest = "reachable", None, None
        try:
            backlog, oldest = await asyncio.wait_for(self.outdb.call(self.outdb.store.backlog), 2.0)
        except (TimeoutError, StoreError):
            database = "unreachable"
        body = self.health.report(database, backlog, oldest)
        return web.json_response(body, status=200 if body["ok"] else 503)

    async def receive(self, request: web.Request) -> web.Response:
        """POST from Telegram: secret checked in constant time, stored, then 200."""
        assert self.settings.WEBHOOK_SECRET is not None
        secret = self.settings.WEBHOOK_SECRET.get_secret_value().encode()
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, secret):
            return web.Response(status=403, text="forbidden")
        try:
            body = await read_body(request)
        except TimeoutError:
            log.warning("webhook body did not arrive in time; Telegram will send it again")
            return web.Response(status=408, text="too slow")
        try:
            raw = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            log.warning("webhook body is not JSON; skipped")
            return web.Response(text="ok")  # Telegram would resend it forever
        uid = update_id_of(raw)
        try:
            incoming = parse_update(raw)
        except UnreadableUpdate as exc:
            self.health.skipped_updates += 1
            log.warning("update %s skipped: it could not be read (%s)", uid, exc)
            return web.Response(text="ok")
        if incoming is None:
            return web.Response(text="ok")
        try:
            await self.db.call(self.db.store.receive, [incoming.received()], write=True)
        except StoreError as exc:
            log.error("update %s not stored: %s; Telegram will send it again", uid, exc)
            return web.Response(status=503, text="try again")
        self.health.last_update_at = time.time()
        self.turns.wake(incoming.chat_id)
        return web.Response(text="ok")

    def routes(self) -> list[web.RouteDef]:
        """/healthz, and the webhook path in webhook mode."""
        routes = [web.get("/healthz", self.healthz)]
        if self.settings.WEBHOOK_URL:
            path = urlparse(self.settings.WEBHOOK_URL).path or "/telegram"
            routes.append(web.post(path, self.receive))
        return routes

    async def connect(self) -> None:
        """getMe, the command menu and the webhook (or its removal), retried while offline."""
        pause = 1.0
        while not self.stopping.is_set():
            try:
                await self.bot.initialize()
                await self.bot.set_my_commands([BotCommand(n, t) for n, t in menu()])
                if self.settings.WEBHOOK_URL:
                    assert self.settings.WEBHOOK_SECRET is not None
                    await self.bot.set_webhook(
                        self.settings.WEBHOOK_URL,
                        secret_token=self.settings.WEBHOOK_SECRET.get_secret_value(),
                        allowed_updates=ALLOWED,
                    )
                else:
                    await self.bot.delete_webhook(drop_pending_updates=False)
                return
            except InvalidToken:
                raise
            except TelegramError as exc:
                log.warning(
                    "Telegram not reachable (%s); retrying in %.0f s", type(exc).__name__, pause
                )
                with contextlib.suppress(TimeoutError):  # SIGTERM ends the wait
                    await asyncio.wait_for(self.stopping.wait(), pause)
                pause = min(pause * 2, 30.0)

    async def start_sending(self) -> None:
        """Let the sender go once held updates are stored (polling) or after a second (webhook)."""
        grace = 1.0 if self.mode == "webhook" else CATCH_UP
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.sender.ready.wait(), grace)
        self.sender.ready.set()

    async def watchdog(self) -> None:
        """Ping systemd's watchdog while the loop is alive (WatchdogSec in the unit)."""
        usec = int(os.environ.get("WATCHDOG_USEC", "0") or 0)
        if usec <= 0:
            return
        while True:
            if self.health.loop_alive():
                sd_notify("WATCHDOG=1")
            await asyncio.sleep(usec / 2_000_000)

    async def scrubber(self) -> None:
        """After a /forget whose WAL a reader held, truncate it once the reader is gone."""
        while True:
            await asyncio.sleep(1.0)
            if self.turns.scrub_pending:
                with contextlib.suppress(StoreError):
                    await self.turns.scrub()

    async def sweep(self) -> None:
        """PostgreSQL: wake chats whose rows wait longer than SWEEP_AGE (a dead worker's)."""
        assert self.pg is not None
        while True:
            await asyncio.sleep(SWEEP_EVERY)
            try:
                inbox, outbox = await self.outdb.call(self.pg.waiting_chats, SWEEP_AGE)
            except StoreError as exc:
                log.warning("sweep skipped: %s", exc)
                continue
            for chat in inbox:
                self.turns.wake(chat)
            for chat in outbox:
                self.sender.wake(chat)

    async def open_stores(self) -> None:
        """Open the turns' and the sender's stores (and the claims); StoreError if not."""
        s = self.settings
        if self.url is not None:
            url, threads = self.url, self.threads
            await self.db.open(lambda: PostgresStore(url, pool_size=threads))
            await self.db.call(self.db.store.check_writable, write=True)
            # As with SQLite's NORMAL: a delivered mark lost in a crash of the server only
            # repeats a message, so the sender's commits do not wait for the disk.
            await self.outdb.open(
                lambda: PostgresStore(
                    url, pool_size=threads, synchronous=False, application="advisor-sender"
                )
            )
            assert isinstance(self.outdb.store, PostgresStore)
            self.pg = self.outdb.store
            assert self.claims is not None
            await self.claims.open()
            if self.mode == "polling" and not await self.claims.take_poller():
                raise StoreError(
                    "another worker is polling Telegram for this database; polling takes one "
                    "process (set WEBHOOK_URL to run several workers behind a load balancer)"
                )
            return
        await self.db.open(
            lambda: SQLiteStore(
                s.ADVISOR_DB, synchronous=s.ADVISOR_DB_SYNC, busy_timeout_ms=BUSY_TIMEOUT_MS
            )
        )
        # in WAL mode a locked database still opens for reading
        await self.db.call(self.db.store.check_writable, write=True)
        # A delivered mark lost in a power cut only repeats a message: no fsync for it.
        await self.outdb.open(
            lambda: SQLiteStore(s.ADVISOR_DB, synchronous="NORMAL", busy_timeout_ms=BUSY_TIMEOUT_MS)
        )

    async def close_stores(self) -> None:
        """Close the stores and the claims (PostgreSQL then releases this worker's claims)."""
        await self.db.close()
        await self.outdb.close()
        if self.claims is not None:
            await self.claims.close()

    async def run(self) -> int:
        """Open, connect, serve until SIGTERM/SIGINT or a refused token; the exit code."""
        s = self.settings
        try:
            await self.open_stores()
        except StoreError as exc:
            log.error("cannot open the database: %s", exc)
            await self.close_stores()
            return 1
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stopping.set)
        tasks: list[asyncio.Task[None]] = []
        runner: web.AppRunner | None = None
        try:
            try:
                await self.connect()
            except InvalidToken:
                self.fail("Telegram refused the bot token (401/404) at start-up")
                return EXIT_TOKEN
            web_app = web.Application(client_max_size=MAX_BODY)
            web_app.add_routes(self.routes())
            runner = await listen(web_app, s.WEBHOOK_LISTEN, s.WEBHOOK_PORT)
            done = self.receipts.read()  # delivered before a kill, perhaps not yet deleted
            if done:
                await self.outdb.call(self.outdb.store.delivered, *done, write=True)
            self.receipts.clear()
            for chat in await self.outdb.call(self.outdb.store.outbox_chats):
                self.sender.wake(chat)
            for chat in await self.db.call(self.db.store.inbox_chats):
                self.turns.wake(chat)
            if self.mode == "polling":
                tasks.append(
                    asyncio.create_task(
                        poll(
                            self.bot,
                            self.db,
                            self.health,
                            self.turns.wake,
                            self.fail,
                            POLL_TIMEOUT,
                            self.sender.ready.set,
                        )
                    )
                )
            tasks.append(asyncio.create_task(self.start_sending()))
            tasks += [asyncio.create_task(self.watchdog()), asyncio.create_task(self.scrubber())]
            if self.pg is not None:
                tasks.append(asyncio.create_task(self.sweep()))
            log.info(
                "advisor running (%s); health on %s:%s", self.mode, s.WEBHOOK_LISTEN, s.WEBHOOK_PORT
            )
            sd_notify("READY=1")
            await self.stopping.wait()
            log.info("stopping")
        finally:
            sd_notify("STOPPING=1")
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if runner is not None:
                await runner.cleanup()
            await self.turns.stop()
            await self.sender.stop()
            with contextlib.suppress(TelegramError):
                await self.bot.shutdown()
            await self.close_stores()
            self.receipts.close()
        return EXIT_TOKEN if self.fatal_reason else 0


def receipts_path(settings: Settings) -> Path:
    """This process's delivery receipts: beside the SQLite file (ADVISOR_DB's name either way)."""
    path = Path(f"{settings.ADVISOR_DB}.sent")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


async def serve(settings: Settings) -> int:
    """Hold the SQLite file's lock (one process per file), then run the service; the exit code.

    On PostgreSQL no lock file: several workers share the database by design.
    """
    lock: ProcessLock | None = None
    if settings.ADVISOR_DATABASE_URL is None:
        try:
            lock = ProcessLock(settings.ADVISOR_DB)
        except StoreError as exc:
            log.error("cannot start: %s", exc)
            return 1
    try:
        service = Service(settings)
        code = await service.run()
        if service.fatal_reason:
            log.critical(
                "%s: check TELEGRAM_BOT_TOKEN (from @BotFather); stopping", service.fatal_reason
            )
        return code
    finally:
        if lock is not None:
            lock.release()


def main(argv: list[str]) -> int:
    """Read settings (a bad one stops start-up with its name), set up logs, serve."""
    os.umask(0o077)  # every file this process creates is its owner's alone
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
    if settings.ADVISOR_DATABASE_URL:
        secrets += url_secrets(settings.ADVISOR_DATABASE_URL.get_secret_value())
    setup_logging(settings.LOG_LEVEL, secrets, settings.LOG_FORMAT)
    try:
        return asyncio.run(serve(settings))
    except Exception:  # logged through the redacting handler: one record, no token
        log.critical("stopped by an unexpected error", exc_info=True)
        return 1
