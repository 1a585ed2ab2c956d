"""The fake Bot API server: methods, updates, long polling and webhooks."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from tests.telegram.fake_api.constants import (
    _API_PATH,
    BOT_FIRST_NAME,
    BOT_USERNAME,
    CHAT_ACTIONS,
    DEFAULT_DESCRIPTIONS,
    DEFAULT_TOKEN,
    JSON,
    MAX_CAPTION,
    MAX_POLL_TIMEOUT,
    MAX_TEXT,
    NOT_MODIFIED,
)
from tests.telegram.fake_api.errors import (
    ApiError,
    _error_response,
)
from tests.telegram.fake_api.formatting import (
    format_text,
    u16len,
)
from tests.telegram.fake_api.markup import (
    check_reply_markup,
    inline_buttons,
)
from tests.telegram.fake_api.params import (
    Upload,
    _flag,
    _image_size,
    _int_param,
    read_params,
)


@dataclass
class _Pending:
    """An update waiting in the queue; delivered once it was returned by getUpdates."""

    update: JSON
    delivered: bool = False


@dataclass
class _Failure:
    """An injected error for the next `remaining` calls of a method."""

    remaining: int
    error: ApiError
    chat_id: int | None = None  # only calls sending to this chat fail
    drop: bool = False  # close the connection instead of answering


@dataclass
class _Webhook:
    """The webhook Telegram would push updates to."""

    url: str = ""
    secret_token: str = ""
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None
    allowed_updates: list[str] = field(default_factory=list)


Handler = Callable[[JSON, dict[str, Upload]], Awaitable[Any]]


class FakeBotAPI:
    """A fake Telegram Bot API: real HTTP on 127.0.0.1, scripted users, injectable faults."""

    def __init__(self, token: str = DEFAULT_TOKEN, *, latency: float = 0.0) -> None:
        """Set up empty state; nothing listens until start()."""
        self.token = token
        self.latency = latency
        self.host = "127.0.0.1"
        self.port = 0
        self.log: Callable[[str], None] | None = None
        prefix = token.split(":", 1)[0]
        self.bot_user: JSON = {
            "id": int(prefix) if prefix.isdigit() else 123456,
            "is_bot": True,
            "first_name": BOT_FIRST_NAME,
            "username": BOT_USERNAME,
        }
        # Observation
        self.sent: dict[int, list[JSON]] = {}  # new messages (sendMessage, sendPhoto)
        self.edits: dict[int, list[JSON]] = {}  # editMessageText, editMessageReplyMarkup
        self.actions: dict[int, list[JSON]] = {}  # sendChatAction
        self.calls: list[tuple[str, JSON]] = []
        self.commands: list[JSON] | None = None
        self.answered_callbacks: list[str] = []
        self.errors: list[tuple[str, int, str]] = []
        self.messages: dict[int, dict[int, JSON]] = {}  # current state of every message
        self.dropped: list[int] = []  # update ids excluded by the bot's allowed_updates
        self.delivered_count = 0  # updates returned by getUpdates at least once
        # Internal state
        self._chats: dict[int, JSON] = {}
        self._users: dict[int, JSON] = {}
        self._last_user: dict[int, int] = {}
        self._next_message_id: dict[int, int] = {}
        self._blocked: set[int] = set()
        self._failures: dict[str, _Failure] = {}
        self._queue: list[_Pending] = []
        self._history: dict[int, JSON] = {}
        self._update_ids = itertools.count(1)
        self._seq = itertools.count(1)  # one order over sent, edits and actions
        self._callback_ids = itertools.count(4_000_000_000_000_000_001)
        self._file_ids = itertools.count(1)
        self._callbacks: dict[str, bool] = {}  # id -> answered
        self._files: dict[str, JSON] = {}
        self._scoped_commands: dict[str, list[JSON]] = {}
        self._allowed_updates: list[str] = []
        self._webhook = _Webhook()
        self._poll_generation = 0
        self._closing = False
        self._changed = asyncio.Event()
        self._lock = threading.RLock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread = 0
        self._runner: web.AppRunner | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._handlers: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "deleteWebhook": self._delete_webhook,
                "setWebhook": self._set_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "sendMessage": self._send_message,
                "sendPhoto": self._send_photo,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "answerCallbackQuery": self._answer_callback_query,
                "sendChatAction": self._send_chat_action,
                "close": self._true,
                "logOut": self._true,
            }.items()
        }

    # ----------------------------------------------------------------- lifecycle

    @property
    def base_url(self) -> str:
        """The base_url for python-telegram-bot: http://127.0.0.1:PORT/bot."""
        return f"http://{self.host}:{self.port}/bot"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen on host:port (loopback only; 0 picks a free port) and return the bound port."""
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the fake Bot API binds loopback addresses only")
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._closing = False
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/_control/{action}", self._control_post)
        app.router.add_get("/_control/{action}", self._control_get)
        app.router.add_route("*", "/{tail:.*}", self._handle_api)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.host = host
        self.port = int(self._runner.addresses[0][1])
        self._webhook_task = asyncio.create_task(self._webhook_loop())
        return self.port

    async def stop(self) -> None:
        """Stop serving; pending long polls return at once."""
        self._closing = True
        self._wake()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotAPI:
        """Start on a free port."""
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Stop."""
        await self.stop()

    # ----------------------------------------------------------------- injection

    def user_sends(
        self,
        chat_id: int,
        text: str,
        *,
        chat_type: str = "private",
        user_id: int | None = None,
    ) -> int:
        """Queue an Update with a user's Message (bot_command entity for /commands); its id."""
        if not text:
            raise ValueError("users cannot send empty messages")
        with self._lock:
            user = self._ensure_user(chat_id, chat_type, user_id)
            self._ensure_chat(chat_id, chat_type, user)
            message: JSON = self._new_message(chat_id, user, text=text)
            command = re.match(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?(?=\s|$)", text)
            if command:
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": u16len(command.group(0))}
                ]
            return self._queue_update({"message": copy.deepcopy(message)})

    def user_taps(
        self,
        chat_id: int,
        data: str,
        *,
        message_id: int | None = None,
        user_id: int | None = None,
        check_button: bool = True,
    ) -> int:
        """Queue a callback_query Update for a button tap; its update_id.

        Without message_id the tap lands on the bot's latest message in the chat that has a
        button with this callback_data (or simply its latest message if check_button is False).
        With check_button (default) a tap on data no button carries raises ValueError.
        """
        with self._lock:
            if chat_id not in self._chats:
                raise ValueError(f"chat {chat_id} is unknown: a user must send something first")
            own = [m for m in self.messages.get(chat_id, {}).values() if self._is_bot(m)]
            if message_id is not None:
                own = [m for m in own if m["message_id"] == message_id]
                if not own:
                    raise ValueError(f"no bot message {message_id} in chat {chat_id}")
            offering = [
                m for m in own if any(b.get("callback_data") == data for b in inline_buttons(m))
            ]
            if offering:
                target = offering[-1]
            elif check_button or not own:
                available = [b.get("callback_data") for m in own[-3:] for b in inline_buttons(m)]
                raise ValueError(
                    f"no bot message in chat {chat_id} offers callback_data {data!r}; "
                    f"latest buttons: {available}"
                )
            else:
                target = own[-1]
            uid = user_id if user_id is not None else self._last_user.get(chat_id, chat_id)
            query_id = str(next(self._callback_ids))
            self._callbacks[query_id] = False
            query = {
                "id": query_id,
                "from": copy.deepcopy(self._users[uid]),
                "message": copy.deepcopy(target),
                "chat_instance": str((self.bot_user["id"] * 1_000_003 + chat_id) % 10**18),
                "data": data,
            }
            return self._queue_update({"callback_query": query})

    def redeliver(self, update_id: int) -> None:
        """Queue an already-sent update again with the same update_id (duplicate delivery)."""
        with self._lock:
            if update_id not in self._history:
                raise ValueError(f"no update {update_id} was ever queued")
            self._queue.append(_Pending(copy.deepcopy(self._history[update_id])))
        self._notify()

    def add_chat(self, chat_id: int, chat_type: str = "private") -> None:
        """Make a chat known (as if the user had started the bot) without sending an update."""
        with self._lock:
            self._ensure_chat(chat_id, chat_type, self._ensure_user(chat_id, chat_type, None))

    def user_sends_other(self, chat_id: int, kind: str = "sticker") -> int:
        """Queue a message without text (a sticker, photo, voice, document or location)."""
        bodies: dict[str, JSON] = {
            "sticker": {
                "sticker": {
                    "file_id": "CAACSticker1",
                    "file_unique_id": "s1",
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                }
            },
            "photo": {
                "photo": [
                    {"file_id": "AgACPhoto1", "file_unique_id": "p1", "width": 90, "height": 90}
                ]
            },
            "voice": {"voice": {"file_id": "AwACVoice1", "file_unique_id": "v1", "duration": 2}},
            "document": {"document": {"file_id": "BQACDoc1", "file_unique_id": "d1"}},
            "location": {"location": {"latitude": 48.85, "longitude": 2.35}},
        }
        with self._lock:
            user = self._ensure_user(chat_id, "private", None)
            self._ensure_chat(chat_id, "private", user)
            message: JSON = self._new_message(chat_id, user, **bodies[kind])
            return self._queue_update({"message": copy.deepcopy(message)})

    def user_edits(self, chat_id: int, text: str) -> int:
        """Queue an edited_message: the user's latest message in the chat, now saying text."""
        with self._lock:
            own = [m for m in self.messages.get(chat_id, {}).values() if not self._is_bot(m)]
            if not own:
                raise ValueError(f"no user message in chat {chat_id} to edit")
            message = copy.deepcopy(own[-1])
            message["text"] = text
            message["edit_date"] = int(time.time())
            return self._queue_update({"edited_message": message})

    def inject(self, body: JSON) -> int:
        """Queue an update with any body at all (malformed ones too); its update_id."""
        with self._lock:
            return self._queue_update(copy.deepcopy(body))

    # ----------------------------------------------------------------- faults

    def fail_next(
        self,
        method: str,
        n: int,
        *,
        code: int = 429,
        retry_after: int = 1,
        description: str | None = None,
        chat_id: int | None = None,
    ) -> None:
        """Make the next n calls of method (case-insensitive) fail with that error.

        With chat_id only calls for that chat fail (other chats are served); code 0 drops the
        connection without an answer, as a proxy or a network fault would.
        """
        if description is None:
            if code == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                description = DEFAULT_DESCRIPTIONS.get(code, "Internal Server Error")
        parameters = {"retry_after": retry_after} if code == 429 else None
        error = ApiError(code or 500, description, parameters)
        with self._lock:
            self._failures[method.lower()] = _Failure(n, error, chat_id, drop=code == 0)

    def block_chat(self, chat_id: int) -> None:
        """Every later call sending to this chat gets 403 (the user blocked the bot)."""
        self._blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        """Undo block_chat."""
        self._blocked.discard(chat_id)

    # ----------------------------------------------------------------- observation

    def texts(self, chat_id: int) -> list[str]:
        """What the bot sent to a chat as it sent it (raw HTML text/caption), "" if none."""
        return [e.get("text") or e.get("caption") or "" for e in self.sent.get(chat_id, [])]

    def plain_texts(self, chat_id: int) -> list[str]:
        """What the user sees in a chat: visible text/caption after entity parsing."""
        return [e.get("plain") or "" for e in self.sent.get(chat_id, [])]

    def latest(self, chat_id: int) -> JSON | None:
        """The current state of the bot's latest message in a chat."""
        own = [m for m in self.messages.get(chat_id, {}).values() if self._is_bot(m)]
        return own[-1] if own else None

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates queued and not yet confirmed by the bot."""
        with self._lock:
            return [p.update for p in self._queue]

    def update_ids(self, chat_id: int) -> list[int]:
        """Ids of every update ever queued for a chat (messages and taps), oldest first."""
        with self._lock:
            return [uid for uid, update in self._history.items() if _update_chat(update) == chat_id]

    def calls_of(self, method: str) -> list[JSON]:
        """Parameters of every call of one method."""
        return [params for name, params in self.calls if name.lower() == method.lower()]

    async def wait_for(
        self, predicate: Callable[[], bool], timeout: float = 10, interval: float = 0.01
    ) -> None:
        """Poll predicate until true (exceptions count as false) or raise TimeoutError."""
        deadline = time.monotonic() + timeout
        last_exc: BaseException | None = None
        while True:
            try:
                if predicate():
                    return
            except Exception as exc:
                last_exc = exc
            if time.monotonic() >= deadline:
                note = f" (predicate last raised {last_exc!r})" if last_exc else ""
                raise TimeoutError(f"condition not met within {timeout}s{note}\n{self.dump()}")
            await asyncio.sleep(interval)

    def dump(self) -> str:
        """A human-readable summary of the fake's state for failure messages."""
        lines = [f"fake Bot API at {self.base_url}"]
        with self._lock:
            pending = [p.update["update_id"] for p in self._queue]
        lines.append(f"pending update ids: {pending}; webhook: {self._webhook.url or '-'}")
        if self.dropped:
            lines.append(
                f"updates never queued (not in allowed_updates {self._allowed_updates}): "
                f"{self.dropped}"
            )
        lines.append(f"calls ({len(self.calls)}, last 30):")
        for name, params in self.calls[-30:]:
            lines.append(f"  {name} {_short(params)}")
        if self.errors:
            lines.append("error answers (last 10):")
            lines.extend(f"  {name}: {code} {desc}" for name, code, desc in self.errors[-10:])
        for chat_id, entries in self.sent.items():
            lines.append(f"sent to chat {chat_id}:")
            for e in entries:
                keyboard = [b.get("callback_data") or b.get("url") for b in inline_buttons(e)]
                lines.append(
                    f"  #{e['message_id']} {e['method']}: {_short(e.get('plain'))}"
                    + (f" buttons={keyboard}" if keyboard else "")
                )
        return "\n".join(lines)

    # ----------------------------------------------------------------- internals

    def _is_bot(self, message: JSON) -> bool:
        """Whether the bot sent this message."""
        return bool(message.get("from", {}).get("id") == self.bot_user["id"])

    def _ensure_user(self, chat_id: int, chat_type: str, user_id: int | None) -> JSON:
        """The User object of whoever writes in a chat, created on first use."""
        if chat_type == "private":
            if chat_id <= 0 or user_id not in (None, chat_id):
                raise ValueError("in a private chat chat_id is the user's (positive) id")
            uid = chat_id
        elif chat_type in ("group", "supergroup"):
            if chat_id >= 0:
                raise ValueError("group chat ids are negative")
            uid = user_id if user_id is not None else self._last_user.get(chat_id, 777_000_001)
        else:
            raise ValueError(f"unsupported chat_type {chat_type!r}")
        if uid not in self._users:
            self._users[uid] = {
                "id": uid,
                "is_bot": False,
                "first_name": "Test",
                "last_name": f"User{uid}",
                "username": f"user{uid}",
                "language_code": "en",
            }
        self._last_user[chat_id] = uid
        return self._users[uid]

    def _ensure_chat(self, chat_id: int, chat_type: str, user: JSON) -> JSON:
        """The Chat object of a chat, created on first use."""
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_type == "private":
                chat = {
                    "id": chat_id,
                    "type": "private",
                    "first_name": user["first_name"],
                    "last_name": user["last_name"],
                    "username": user["username"],
                }
            else:
                chat = {"id": chat_id, "type": chat_type, "title": f"Test group {-chat_id}"}
            self._chats[chat_id] = chat
        elif chat["type"] != chat_type:
            raise ValueError(f"chat {chat_id} is a {chat['type']} chat, not {chat_type}")
        return chat

    def _new_message(self, chat_id: int, sender: JSON, **fields: Any) -> JSON:
        """Store a new message with the chat's next message_id; returns the stored dict."""
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        message: JSON = {
            "message_id": message_id,
            "from": copy.deepcopy(sender),
            "chat": copy.deepcopy(self._chats[chat_id]),
            "date": int(time.time()),
        }
        message.update({k: v for k, v in fields.items() if v not in (None, [])})
        self.messages.setdefault(chat_id, {})[message_id] = message
        return message

    def _queue_update(self, body: JSON) -> int:
        """Queue a new Update and wake long pollers; its update_id."""
        update_id = next(self._update_ids)
        update = {"update_id": update_id, **body}
        self._history[update_id] = update
        if not self._allowed(update):  # like Telegram, which never creates excluded updates
            self.dropped.append(update_id)
            return update_id
        self._queue.append(_Pending(copy.deepcopy(update)))
        self._notify()
        return update_id

    def _notify(self) -> None:
        """Wake waiters, safely from any thread."""
        loop = self._loop
        if loop is not None and threading.get_ident() != self._loop_thread:
            if not loop.is_closed():
                loop.call_soon_threadsafe(self._wake)
            return
        self._wake()

    def _wake(self) -> None:
        """Set the current change event and arm a fresh one (no lost wake-ups)."""
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def _wait_change(self, event: asyncio.Event, timeout: float) -> None:
        """Wait until event is set or timeout seconds pass."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)

    def _record_call(self, method: str, params: JSON, uploads: dict[str, Upload]) -> None:
        """Remember a call (uploads summarised, never the token)."""
        snapshot = json.loads(json.dumps(params, default=str))
        for key, upload in uploads.items():
            snapshot[key] = {"upload": upload.filename, "bytes": len(upload.data)}
        self.calls.append((method, snapshot))
        if self.log is not None:
            self.log(f"{method} {_short(snapshot)}")

    def _take_failure(self, method: str, params: JSON) -> _Failure | None:
        """The injected failure for this call, if one is armed (and its chat matches)."""
        with self._lock:
            failure = self._failures.get(method.lower())
            if failure is None or failure.remaining <= 0:
                return None
            if failure.chat_id is not None and str(params.get("chat_id")) != str(failure.chat_id):
                return None
            failure.remaining -= 1
            if failure.remaining == 0:
                del self._failures[method.lower()]
            return failure

    def _target_chat(self, params: JSON) -> int:
        """The chat_id of a call, which must be a chat the bot knows."""
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        try:
            chat_id = int(raw)
        except (TypeError, ValueError) as exc:
            raise ApiError(400, "Bad Request: chat not found") from exc
        if chat_id not in self._chats:
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _check_blocked(self, chat_id: int) -> None:
        """403 if the user blocked the bot (or the bot was removed from the group)."""
        if chat_id in self._blocked:
            if self._chats[chat_id]["type"] == "private":
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            raise ApiError(403, "Forbidden: bot was kicked from the group chat")

    def _target_message(self, params: JSON) -> tuple[int, JSON]:
        """The (chat_id, message) an edit refers to."""
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")  # inline mode not faked
        chat_id = self._target_chat(params)
        message_id = _int_param(params, "message_id")
        if message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        message = self.messages.get(chat_id, {}).get(message_id)
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not self._is_bot(message):
            raise ApiError(400, "Bad Request: message can't be edited")
        self._check_blocked(chat_id)
        return chat_id, message

    def _record_sent(self, chat_id: int, entry: JSON) -> None:
        """Append to sent[chat_id]."""
        self._record(self.sent, chat_id, entry)

    def _record(self, table: dict[int, list[JSON]], chat_id: int, entry: JSON) -> None:
        """Append an entry to a chat's list, numbered in one order with every other record."""
        entry["seq"] = next(self._seq)
        table.setdefault(chat_id, []).append(entry)

    # ----------------------------------------------------------------- HTTP

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        """Serve /bot<token>/<method> like Telegram."""
        match = _API_PATH.match(request.path)
        if match is None:
            return _error_response(ApiError(404, "Not Found"))
        token, method = match.groups()
        if token != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        entry = self._handlers.get(method.lower())
        name = entry[0] if entry else method
        try:
            params, uploads = await read_params(request)
        except ApiError as exc:
            self.errors.append((name, exc.code, exc.description))
            return _error_response(exc)
        self._record_call(name, params, uploads)
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        try:
            if entry is None:
                raise ApiError(404, "Not Found")
            injected = self._take_failure(name, params)
            if injected is not None and injected.drop:
                self.errors.append((name, 0, "connection dropped"))
                if request.transport is not None:
                    request.transport.close()
                return web.Response(status=500)
            if injected is not None:
                raise injected.error
            result = await entry[1](params, uploads)
        except ApiError as exc:
            self.errors.append((name, exc.code, exc.description))
            if self.log is not None:
                self.log(f"  -> {exc.code} {exc.description}")
            return _error_response(exc)
        return web.json_response({"ok": True, "result": result})

    # ----------------------------------------------------------------- Bot API methods

    async def _true(self, params: JSON, uploads: dict[str, Upload]) -> bool:
        """Methods that just succeed (close, logOut)."""
        return True

    async def _get_me(self, params: JSON, uploads: dict[str, Upload]) -> JSON:
        """getMe: the bot's User with its capabilities."""
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSON, uploads: dict[str, Upload]) -> list[JSON]:
        """getUpdates: confirm by offset, then long-poll up to timeout seconds for updates."""
        if self._webhook.url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _int_param(params, "offset", 0) or 0
        limit = min(max(_int_param(params, "limit", 100) or 100, 1), 100)
        try:
            timeout = min(max(float(params.get("timeout") or 0), 0.0), MAX_POLL_TIMEOUT)
        except (TypeError, ValueError) as exc:
            raise ApiError(400, "Bad Request: invalid timeout specified") from exc
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()  # an older long poll still waiting now ends with 409, as on Telegram
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        with self._lock:
            self._confirm(offset)
        while True:
            event = self._changed
            if self._closing:
                return []
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            with self._lock:
                batch = self._take(limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0:
                return batch
            await self._wait_change(event, remaining)

    def _confirm(self, offset: int) -> None:
        """Forget delivered updates below offset (negative: keep only the last -offset)."""
        if offset > 0:
            self._queue = [
                p for p in self._queue if not (p.delivered and p.update["update_id"] < offset)
            ]
        elif offset < 0:
            keep = sorted(self._queue, key=lambda p: p.update["update_id"])[offset:]
            self._queue = [p for p in self._queue if any(p is k for k in keep)]

    def _allowed(self, update: JSON) -> bool:
        """Whether the allowed_updates of the bot's last getUpdates/setWebhook admit this update."""
        allowed = self._allowed_updates
        return not allowed or any(kind in update for kind in allowed)

    def _take(self, limit: int) -> list[JSON]:
        """Up to limit pending updates in update_id order, marked delivered."""
        ordered = sorted(self._queue, key=lambda p: p.update["update_id"])[:limit]
        for pending in ordered:
            self.delivered_count += 0 if pending.delivered else 1
            pending.delivered = True
        return [copy.deepcopy(p.update) for p in ordered]

    async def _delete_webhook(self, params: JSON, uploads: dict[str, Upload]) -> bool:
        """deleteWebhook (optionally dropping pending updates)."""
        self._webhook = _Webhook()
        if _flag(params.get("drop_pending_updates")):
            with self._lock:
                self._queue.clear()
        self._wake()
        return True

    async def _set_webhook(self, params: JSON, uploads: dict[str, Upload]) -> bool:
        """setWebhook; updates are then POSTed there, but only to loopback URLs (http ok there)."""
        url = str(params.get("url") or "")
        if not url:
            return await self._delete_webhook(params, uploads)
        scheme = urllib.parse.urlsplit(url).scheme
        if scheme != "https" and not (scheme == "http" and _is_loopback(url)):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = str(params.get("secret_token") or "")
        if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if _flag(params.get("drop_pending_updates")):
            with self._lock:
                self._queue.clear()
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        self._webhook = _Webhook(
            url=url,
            secret_token=secret,
            max_connections=_int_param(params, "max_connections", 40) or 40,
            allowed_updates=list(self._allowed_updates),
        )
        self._poll_generation += 1  # a waiting getUpdates ends with 409
        self._wake()
        return True

    async def _get_webhook_info(self, params: JSON, uploads: dict[str, Upload]) -> JSON:
        """getWebhookInfo."""
        hook = self._webhook
        info: JSON = {
            "url": hook.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        if hook.url:
            info["max_connections"] = hook.max_connections
            if hook.allowed_updates:
                info["allowed_updates"] = hook.allowed_updates
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        return info

    async def _webhook_loop(self) -> None:
        """Push queued updates to the webhook one at a time; retry on failure."""
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            while not self._closing:
                event = self._changed
                hook = self._webhook
                with self._lock:
                    head = min(self._queue, key=lambda p: p.update["update_id"], default=None)
                if not hook.url or head is None or not _is_loopback(hook.url):
                    await self._wait_change(event, 1.0)  # never connect beyond this machine
                    continue
                headers = {"X-Telegram-Bot-Api-Secret-Token": hook.secret_token}
                try:
                    async with session.post(
                        hook.url,
                        json=head.update,
                        headers=headers if hook.secret_token else None,
                    ) as response:
                        ok = 200 <= response.status < 300
                        problem = (
                            f"Wrong response from the webhook: {response.status} {response.reason}"
                        )
                except (aiohttp.ClientError, TimeoutError) as exc:
                    ok, problem = False, f"Connection failed: {exc}"
                if ok:
                    with self._lock:
                        self._queue = [p for p in self._queue if p is not head]
                    continue
                hook.last_error_date, hook.last_error_message = int(time.time()), problem
                await asyncio.sleep(0.2)

    async def _set_my_commands(self, params: JSON, uploads: dict[str, Upload]) -> bool:
        """setMyCommands: validated like Telegram and remembered per scope."""
        commands = params.get("commands")
        if isinstance(commands, str):
            try:
                commands = json.loads(commands)
            except ValueError:
                commands = None
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not re.fullmatch(
                r"[a-z0-9_]{1,32}", str(command.get("command", ""))
            ):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = _scope_key(params)
        self._scoped_commands[key] = commands
        self.commands = commands
        return True

    async def _get_my_commands(self, params: JSON, uploads: dict[str, Upload]) -> list[JSON]:
        """getMyCommands for a scope."""
        return self._scoped_commands.get(_scope_key(params), [])

    async def _delete_my_commands(self, params: JSON, uploads: dict[str, Upload]) -> bool:
        """deleteMyCommands for a scope."""
        key = _scope_key(params)
        self._scoped_commands.pop(key, None)
        if key == _scope_key({}):
            self.commands = None
        return True

    async def _send_message(self, params: JSON, uploads: dict[str, Upload]) -> JSON:
        """sendMessage: validated (visible length, HTML, keyboard) and recorded."""
        chat_id = self._target_chat(params)
        text = params.get("text")
        if text is None or text == "":
            raise ApiError(400, "Bad Request: message text is empty")
        text = str(text)
        parse_mode = params.get("parse_mode") or None
        plain, entities = format_text(text, parse_mode, params.get("entities"))
        if not plain:
            raise ApiError(400, "Bad Request: message text is empty")
        if u16len(plain) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        markup = check_reply_markup(params.get("reply_markup"))
        self._check_blocked(chat_id)
        inline = markup if markup and "inline_keyboard" in markup else None
        message = self._new_message(
            chat_id, self.bot_user, text=plain, entities=entities, reply_markup=inline
        )
        self._record_sent(
            chat_id,
            {
                "method": "sendMessage",
                "chat_id": chat_id,
                "message_id": message["message_id"],
                "text": text,
                "plain": plain,
                "parse_mode": parse_mode,
                "reply_markup": markup,
                "date": message["date"],
            },
        )
        return copy.deepcopy(message)

    async def _send_photo(self, params: JSON, uploads: dict[str, Upload]) -> JSON:
        """sendPhoto: a multipart upload, a known file_id or an http(s) URL; caption <= 1024."""
        chat_id = self._target_chat(params)
        upload = uploads.get("photo")
        ref = params.get("photo")
        if upload is not None:
            if not upload.data:
                raise ApiError(400, "Bad Request: file must be non-empty")
            size = _image_size(upload.data)
            if size is None:
                raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
            file_id = f"AgACAgFake{next(self._file_ids):08d}"
            info: JSON = {"bytes": len(upload.data), "width": size[0], "height": size[1]}
            self._files[file_id] = info
        elif isinstance(ref, str) and ref.startswith(("http://", "https://")):
            file_id = f"AgACAgFake{next(self._file_ids):08d}"
            info = {"bytes": None, "width": 0, "height": 0, "url": ref}
            self._files[file_id] = info
        elif isinstance(ref, str) and ref in self._files:
            file_id, info = ref, self._files[ref]
        elif ref:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        else:
            raise ApiError(400, "Bad Request: there is no photo in the request")
        caption = params.get("caption")
        caption = None if caption in (None, "") else str(caption)
        parse_mode = params.get("parse_mode") or None
        plain, entities = "", list[JSON]()
        if caption is not None:
            plain, entities = format_text(caption, parse_mode, params.get("caption_entities"))
            if u16len(plain) > MAX_CAPTION:
                raise ApiError(400, "Bad Request: message caption is too long")
        markup = check_reply_markup(params.get("reply_markup"))
        self._check_blocked(chat_id)
        photo = {
            "file_id": file_id,
            "file_unique_id": file_id[-12:],
            "width": info["width"],
            "height": info["height"],
        }
        if info["bytes"] is not None:
            photo["file_size"] = info["bytes"]
        message = self._new_message(
            chat_id,
            self.bot_user,
            photo=[photo],
            caption=plain or None,
            caption_entities=entities,
            reply_markup=markup if markup and "inline_keyboard" in markup else None,
        )
        self._record_sent(
            chat_id,
            {
                "method": "sendPhoto",
                "chat_id": chat_id,
                "message_id": message["message_id"],
                "caption": caption,
                "plain": plain,
                "parse_mode": parse_mode,
                "reply_markup": markup,
                "photo_bytes": info["bytes"],
                "file_id": file_id,
                "date": message["date"],
            },
        )
        return copy.deepcopy(message)

    async def _edit_message_text(self, params: JSON, uploads: dict[str, Upload]) -> JSON:
        """editMessageText: replaces text AND keyboard (no reply_markup removes it)."""
        chat_id, message = self._target_message(params)
        text = params.get("text")
        if text is None or text == "":
            raise ApiError(400, "Bad Request: message text is empty")
        text = str(text)
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        parse_mode = params.get("parse_mode") or None
        plain, entities = format_text(text, parse_mode, params.get("entities"))
        if not plain:
            raise ApiError(400, "Bad Request: message text is empty")
        if u16len(plain) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        markup = check_reply_markup(params.get("reply_markup"))
        if (
            plain == message["text"]
            and entities == message.get("entities", [])
            and markup == message.get("reply_markup")
        ):
            raise ApiError(400, NOT_MODIFIED)
        message["text"] = plain
        _set_or_drop(message, "entities", entities or None)
        _set_or_drop(message, "reply_markup", markup)
        message["edit_date"] = int(time.time())
        self._record(
            self.edits,
            chat_id,
            {
                "method": "editMessageText",
                "chat_id": chat_id,
                "message_id": message["message_id"],
                "text": text,
                "plain": plain,
                "parse_mode": parse_mode,
                "reply_markup": markup,
                "date": message["edit_date"],
            },
        )
        return copy.deepcopy(message)

    async def _edit_message_reply_markup(self, params: JSON, uploads: dict[str, Upload]) -> JSON:
        """editMessageReplyMarkup: set or (without reply_markup) remove the inline keyboard."""
        chat_id, message = self._target_message(params)
        markup = check_reply_markup(params.get("reply_markup"))
        if markup is not None and "inline_keyboard" not in markup:
            raise ApiError(400, "Bad Request: inline keyboard expected")
        if markup == message.get("reply_markup"):
            raise ApiError(400, NOT_MODIFIED)
        _set_or_drop(message, "reply_markup", markup)
        message["edit_date"] = int(time.time())
        self._record(
            self.edits,
            chat_id,
            {
                "method": "editMessageReplyMarkup",
                "chat_id": chat_id,
                "message_id": message["message_id"],
                "reply_markup": markup,
                "date": message["edit_date"],
            },
        )
        return copy.deepcopy(message)

    async def _answer_callback_query(self, params: JSON, uploads: dict[str, Upload]) -> bool:
        """answerCallbackQuery: each query id exactly once."""
        query_id = str(params.get("callback_query_id") or "")
        if self._callbacks.get(query_id, True):
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self._callbacks[query_id] = True
        self.answered_callbacks.append(query_id)
        return True

    async def _send_chat_action(self, params: JSON, uploads: dict[str, Upload]) -> bool:
        """sendChatAction: a known action in a known chat, recorded in order with the messages."""
        chat_id = self._target_chat(params)
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        self._check_blocked(chat_id)
        self._record(self.actions, chat_id, {"method": "sendChatAction", "action": action})
        return True

    # ----------------------------------------------------------------- control API

    async def _control_post(self, request: web.Request) -> web.Response:
        """POST /_control/<action> with a JSON body: drive users and faults."""
        try:
            body = await request.json() if request.body_exists else {}
            result = self._control(request.match_info["action"], body)
        except (ValueError, KeyError, TypeError) as exc:
            return web.json_response({"ok": False, "description": repr(exc)}, status=400)
        return web.json_response({"ok": True, "result": result})

    def _control(self, action: str, body: JSON) -> Any:
        """Dispatch one control action."""
        if action == "send":
            return self.user_sends(
                int(body["chat_id"]),
                str(body["text"]),
                chat_type=str(body.get("chat_type", "private")),
                user_id=body.get("user_id"),
            )
        if action == "tap":
            return self.user_taps(
                int(body["chat_id"]),
                str(body["data"]),
                message_id=body.get("message_id"),
                user_id=body.get("user_id"),
                check_button=bool(body.get("check_button", True)),
            )
        if action == "redeliver":
            return self.redeliver(int(body["update_id"]))
        if action == "send_other":
            return self.user_sends_other(int(body["chat_id"]), str(body.get("kind", "sticker")))
        if action == "edit":
            return self.user_edits(int(body["chat_id"]), str(body["text"]))
        if action == "inject":
            return self.inject(dict(body["body"]))
        if action == "fail":
            return self.fail_next(
                str(body["method"]),
                int(body["n"]),
                code=int(body.get("code", 429)),
                retry_after=int(body.get("retry_after", 1)),
                description=body.get("description"),
                chat_id=body.get("chat_id"),
            )
        if action == "block":
            return self.block_chat(int(body["chat_id"]))
        if action == "unblock":
            return self.unblock_chat(int(body["chat_id"]))
        if action == "add_chat":
            return self.add_chat(int(body["chat_id"]), str(body.get("chat_type", "private")))
        if action == "latency":
            self.latency = float(body["seconds"])
            return None
        raise ValueError(f"unknown control action {action!r}")

    async def _control_get(self, request: web.Request) -> web.Response:
        """GET /_control/{sent,calls,state,dump}: observe."""
        action = request.match_info["action"]
        if action == "sent":
            if "chat_id" in request.query:
                return web.json_response(self.sent.get(int(request.query["chat_id"]), []))
            return web.json_response({str(k): v for k, v in self.sent.items()})
        if action in ("edits", "actions"):
            table = self.edits if action == "edits" else self.actions
            return web.json_response(table.get(int(request.query["chat_id"]), []))
        if action == "calls":
            return web.json_response([[name, params] for name, params in self.calls])
        if action == "updates":
            return web.json_response(self.update_ids(int(request.query["chat_id"])))
        if action == "state":
            return web.json_response(
                {
                    "commands": self.commands,
                    "answered_callbacks": self.answered_callbacks,
                    "pending_updates": self.pending_updates,
                    "delivered_updates": self.delivered_count,
                    "errors": self.errors,
                    "webhook": self._webhook.url,
                    "latest": {str(c): self.latest(c) for c in self.messages},
                }
            )
        if action == "dump":
            return web.Response(text=self.dump())
        return web.json_response({"ok": False, "description": "unknown"}, status=404)


def _update_chat(update: JSON) -> int | None:
    """The chat an update belongs to (None for an injected update of another shape)."""
    try:
        message = (
            update.get("message")
            or update.get("edited_message")
            or (update.get("callback_query") or {}).get("message")
            or {}
        )
        chat_id = message.get("chat", {}).get("id")
        return int(chat_id) if chat_id is not None else None
    except (AttributeError, TypeError, ValueError):
        return None


def _scope_key(params: JSON) -> str:
    """Key for per-scope/language command lists."""
    scope = params.get("scope") or {"type": "default"}
    if isinstance(scope, str):
        with contextlib.suppress(ValueError):
            scope = json.loads(scope)
    return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)


def _is_loopback(url: str) -> bool:
    """Whether a URL points at this machine (the only place the fake pushes webhooks to)."""
    return urllib.parse.urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1")


def _set_or_drop(message: JSON, key: str, value: Any) -> None:
    """Set message[key], or remove it when value is None."""
    if value is None:
        message.pop(key, None)
    else:
        message[key] = value


def _short(value: Any, limit: int = 160) -> str:
    """A one-line, truncated repr for logs and dumps."""
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- out-of-process use
