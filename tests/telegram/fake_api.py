"""A fake Telegram Bot API server speaking the real HTTP protocol on 127.0.0.1, for tests.

In-process (async)::

    fake = FakeBotAPI()
    port = await fake.start()
    async with telegram.Bot(fake.token, base_url=fake.base_url) as bot: ...
    fake.user_sends(42, "/start")
    await fake.wait_for(lambda: len(fake.texts(42)) >= 1)
    await fake.stop()

As a separate process (sync tests, the bot in yet another process)::

    with FakeServerProcess() as client:        # python -m tests.telegram.fake_api --port 0
        client.user_sends(42, "/start")
        client.wait_for(lambda: client.texts(42))

Deliberate simplifications: lengths are counted in UTF-16 code units (Telegram's entity unit;
never laxer than counting code points); Markdown parse modes become plain text approximately and
are not validated; inline messages, file downloads, media groups and most other methods are
absent (404, like an unknown method); a webhook may be plain http on a loopback address (real
Telegram demands HTTPS) and updates are pushed to loopback webhooks only, never elsewhere; a
chat must be known (a user wrote, or add_chat) before the bot can send to it, as on Telegram.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import itertools
import json
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

JSON = dict[str, Any]

DEFAULT_TOKEN = "123456:TEST-TOKEN"
BOT_USERNAME = "advisor_test_bot"
BOT_FIRST_NAME = "Advisor Test"
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_POLL_TIMEOUT = 50.0
ROOT = Path(__file__).resolve().parents[2]

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Parameters Telegram reads as strings; every other form value is decoded as JSON when it can be.
STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "action",
        "url",
        "photo",
        "inline_message_id",
        "secret_token",
        "ip_address",
        "language_code",
        "business_connection_id",
        "message_effect_id",
    }
)
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
_API_PATH = re.compile(r"^/bot([^/]+)/([^/]*)$")


class ApiError(Exception):
    """A Bot API error answer: HTTP status = error_code, plus description and parameters."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        """Keep the answer's fields."""
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.parameters = parameters


def _error_body(code: int, description: str, parameters: JSON | None = None) -> JSON:
    """The JSON of a Telegram error answer."""
    body: JSON = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


def _error_response(exc: ApiError) -> web.Response:
    """An aiohttp response carrying a Telegram error answer."""
    return web.json_response(
        _error_body(exc.code, exc.description, exc.parameters), status=exc.code
    )


# --------------------------------------------------------------------------- text formatting


def u16len(text: str) -> int:
    """Length of text in UTF-16 code units, the unit Telegram uses for entities."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _byte_offset(text: str, index: int) -> int:
    """UTF-8 byte offset of text[index], as Telegram reports parse errors."""
    return len(text[:index].encode("utf-8", "surrogatepass"))


def _parse_error(detail: str) -> ApiError:
    """The 400 Telegram answers for malformed formatted text."""
    return ApiError(400, f"Bad Request: can't parse entities: {detail}")


_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
_SIMPLE_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7}|[a-zA-Z]{1,10});")
_SPACES = " \t\r\n\v\f"


def _decode_entity(body: str) -> str | None:
    """Decode an HTML entity body (no & and ;) the way Telegram does, None if unsupported."""
    if not body.startswith("#"):
        return _NAMED_ENTITIES.get(body)  # only these four named entities are supported
    code = int(body[2:], 16) if body[1:2] in ("x", "X") else int(body[1:])
    if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
        return chr(code)
    return None


def _unescape(text: str) -> str:
    """Decode supported entities in an attribute value, leaving others literal."""

    def sub(m: re.Match[str]) -> str:
        decoded = _decode_entity(m.group(1))
        return m.group(0) if decoded is None else decoded

    return _ENTITY_RE.sub(sub, text)


@dataclass
class _OpenTag:
    """A start tag waiting for its end tag."""

    name: str
    attrs: dict[str, str]
    start: int  # visible offset in UTF-16 units


def _close_entity(tag: _OpenTag, end: int, stack: list[_OpenTag]) -> JSON | None:
    """The MessageEntity an HTML element produces, or None."""
    length = end - tag.start
    if tag.name in _SIMPLE_ENTITY:
        kind = _SIMPLE_ENTITY[tag.name]
    elif tag.name == "a":
        href = tag.attrs.get("href", "")
        if not href:
            return None
        if length > 0:
            return {"type": "text_link", "offset": tag.start, "length": length, "url": href}
        return None
    elif tag.name == "code":
        language = tag.attrs.get("class", "")
        if stack and stack[-1].name == "pre":  # <pre><code class="language-x"> is one pre entity
            if language.startswith("language-"):
                stack[-1].attrs["language"] = language.removeprefix("language-")
            return None
        kind = "code"
    elif tag.name == "pre":
        if length <= 0:
            return None
        entity: JSON = {"type": "pre", "offset": tag.start, "length": length}
        if tag.attrs.get("language"):
            entity["language"] = tag.attrs["language"]
        return entity
    elif tag.name == "blockquote":
        kind = "expandable_blockquote" if "expandable" in tag.attrs else "blockquote"
    else:  # tg-emoji
        emoji_id = tag.attrs.get("emoji-id", "")
        if not emoji_id or length <= 0:
            return None
        return {
            "type": "custom_emoji",
            "offset": tag.start,
            "length": length,
            "custom_emoji_id": emoji_id,
        }
    if length <= 0:
        return None
    return {"type": kind, "offset": tag.start, "length": length}


def parse_html(text: str) -> tuple[str, list[JSON]]:
    """Parse Telegram HTML like the Bot API: visible text and entities, or ApiError 400.

    Follows Telegram's parser: only the documented tags; only &lt; &gt; &amp; &quot; and numeric
    entities are decoded (other '&' stay literal); any other '<' is a start tag, so "a < b" fails
    with 'Unsupported start tag ""' and "<br>" with 'Unsupported start tag "br"'.
    """
    out: list[str] = []
    pos = 0
    stack: list[_OpenTag] = []
    entities: list[JSON] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "&":
            m = _ENTITY_RE.match(text, i)
            decoded = _decode_entity(m.group(1)) if m else None
            if m and decoded is not None:
                out.append(decoded)
                pos += u16len(decoded)
                i = m.end()
                continue
        if ch != "<":
            out.append(ch)
            pos += u16len(ch)
            i += 1
            continue
        begin = _byte_offset(text, i)
        if text.startswith("</", i):
            if not stack:
                raise _parse_error(f"Unexpected end tag at byte offset {begin}")
            j = i + 2
            while j < n and text[j] not in _SPACES and text[j] != ">":
                j += 1
            end_name = text[i + 2 : j].lower()
            while j < n and text[j] in _SPACES:
                j += 1
            if j >= n or text[j] != ">":
                raise _parse_error(f"Unclosed end tag at byte offset {begin}")
            tag = stack.pop()
            if end_name and end_name != tag.name:
                raise _parse_error(
                    f'Unmatched end tag at byte offset {begin}, expected "</{tag.name}>", '
                    f'found "</{end_name}>"'
                )
            entity = _close_entity(tag, pos, stack)
            if entity is not None:
                entities.append(entity)
            i = j + 1
            continue
        j = i + 1
        while j < n and text[j] not in _SPACES and text[j] != ">":
            j += 1
        if j >= n:
            raise _parse_error(f"Unclosed start tag at byte offset {begin}")
        name = text[i + 1 : j].lower()
        if name not in _HTML_TAGS:
            raise _parse_error(f'Unsupported start tag "{name}" at byte offset {begin}')
        attrs: dict[str, str] = {}
        while True:
            while j < n and text[j] in _SPACES:
                j += 1
            if j >= n:
                raise _parse_error(f"Unclosed start tag at byte offset {begin}")
            if text[j] == ">":
                break
            k = j
            while j < n and text[j] not in _SPACES and text[j] not in "=>":
                j += 1
            attr = text[k:j].lower()
            if not attr:
                raise _parse_error(
                    f'Empty attribute name in the tag "{name}" at byte offset {begin}'
                )
            while j < n and text[j] in _SPACES:
                j += 1
            if j >= n:
                raise _parse_error(f"Unclosed start tag at byte offset {begin}")
            if text[j] != "=":
                if name == "blockquote" and attr == "expandable":
                    attrs[attr] = ""
                    continue
                raise _parse_error(
                    f'Expected equal sign in declaration of an attribute of the tag "{name}" '
                    f"at byte offset {begin}"
                )
            j += 1
            while j < n and text[j] in _SPACES:
                j += 1
            if j >= n:
                raise _parse_error(f"Unclosed start tag at byte offset {begin}")
            if text[j] in "'\"":
                quote = text[j]
                k = j + 1
                j = text.find(quote, k)
                if j < 0:
                    raise _parse_error(f"Unclosed start tag at byte offset {begin}")
                value = _unescape(text[k:j])
                j += 1
            else:
                k = j
                while j < n and ((text[j].isascii() and text[j].isalnum()) or text[j] in ".-"):
                    j += 1
                value = text[k:j].lower()
                if j < n and text[j] not in _SPACES and text[j] != ">":
                    raise _parse_error(
                        f"Unexpected end of name token at byte offset {_byte_offset(text, j)}"
                    )
            attrs[attr] = value
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise _parse_error(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
        stack.append(_OpenTag(name, attrs, pos))
        i = j + 1
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def markdown_plain(text: str, *, v2: bool) -> str:
    """Approximate visible text of Markdown/MarkdownV2 (NOT validated; the bot uses HTML)."""
    text = _MD_LINK.sub(r"\1", text)
    markup = "*_`~|" if v2 else "*_`"
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if v2 and ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if ch not in markup:
            out.append(ch)
        i += 1
    return "".join(out)


def _trim(plain: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Strip leading/trailing whitespace as Telegram does, shifting entities to match."""
    start, end = 0, len(plain)
    while start < end and plain[start] <= " ":
        start += 1
    while end > start and plain[end - 1] <= " ":
        end -= 1
    if start == 0 and end == len(plain):
        return plain, entities
    shift, limit = u16len(plain[:start]), u16len(plain[:end])
    kept: list[JSON] = []
    for entity in entities:
        lo = max(entity["offset"], shift)
        hi = min(entity["offset"] + entity["length"], limit)
        if hi > lo:
            kept.append({**entity, "offset": lo - shift, "length": hi - lo})
    return plain[start:end], kept


def format_text(text: str, parse_mode: str | None, entities: Any = None) -> tuple[str, list[JSON]]:
    """Visible text and entities of a text/caption as Telegram stores it (trimmed)."""
    mode = (parse_mode or "").lower()
    if not mode:
        given = entities if isinstance(entities, list) else []
        plain, found = text, [e for e in given if isinstance(e, dict)]
    elif mode == "html":
        plain, found = parse_html(text)
    elif mode in ("markdown", "markdownv2"):
        plain, found = markdown_plain(text, v2=mode == "markdownv2"), []
    else:
        raise ApiError(400, "Bad Request: unsupported parse_mode")
    return _trim(plain, found)


def check_reply_markup(raw: Any) -> JSON | None:
    """Parse and validate reply_markup (a JSON string in form data) like Telegram, or ApiError."""
    if raw is None or raw == "":
        return None
    markup = raw
    if isinstance(raw, str):
        try:
            markup = json.loads(raw)
        except ValueError:
            markup = None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return markup
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError(400, "Bad Request: can't parse inline keyboard button: Array expected")
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise ApiError(400, "Bad Request: can't parse inline keyboard button")
            if not set(button) - {"text"}:
                raise ApiError(
                    400, "Bad Request: text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


def inline_buttons(message: JSON) -> list[JSON]:
    """All inline keyboard buttons attached to a message."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [button for row in rows for button in row]


# --------------------------------------------------------------------------- request parsing


@dataclass
class Upload:
    """One file uploaded in a multipart request."""

    filename: str
    data: bytes
    content_type: str


def _coerce(name: str, value: str) -> Any:
    """Decode a form value the way Telegram types it: JSON unless it is a string parameter."""
    if name in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


async def read_params(request: web.Request) -> tuple[JSON, dict[str, Upload]]:
    """Parameters of a Bot API request: query string, JSON, urlencoded or multipart body."""
    params: JSON = {key: _coerce(key, value) for key, value in request.query.items()}
    uploads: dict[str, Upload] = {}
    if not request.body_exists:
        return params, uploads
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError as exc:
            raise ApiError(400, "Bad Request: can't parse JSON object") from exc
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: can't parse JSON object")
        params.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                uploads[key] = Upload(value.filename, value.file.read(), value.content_type)
            else:
                params[key] = _coerce(key, value if isinstance(value, str) else value.decode())
    for key, value in list(params.items()):  # attach://name refers to an uploaded part
        if isinstance(value, str) and value.startswith("attach://"):
            part = uploads.pop(value.removeprefix("attach://"), None)
            if part is not None:
                uploads[key] = part
                del params[key]
    return params, uploads


def _flag(value: Any) -> bool:
    """A Bot API Boolean parameter."""
    return value is True or value in ("true", "True", "1", 1)


def _int_param(params: JSON, name: str, default: int | None = None) -> int | None:
    """An Integer parameter, default when absent, ApiError when malformed."""
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ApiError(400, f"Bad Request: invalid {name} specified") from exc


_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")


def _image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG/JPEG/GIF/WEBP/BMP, (0, 0) when unknown, None if not an image."""
    is_webp = data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    if not (is_webp or data.startswith(_IMAGE_MAGIC)):
        return None
    if data.startswith(b"\x89PNG") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data.startswith(b"GIF") and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    return 0, 0


# --------------------------------------------------------------------------- the fake server


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
        self.sent: dict[int, list[JSON]] = {}
        self.calls: list[tuple[str, JSON]] = []
        self.commands: list[JSON] | None = None
        self.answered_callbacks: list[str] = []
        self.errors: list[tuple[str, int, str]] = []
        self.messages: dict[int, dict[int, JSON]] = {}  # current state of every message
        self.dropped: list[int] = []  # update ids excluded by the bot's allowed_updates
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

    # ----------------------------------------------------------------- faults

    def fail_next(
        self,
        method: str,
        n: int,
        *,
        code: int = 429,
        retry_after: int = 1,
        description: str | None = None,
    ) -> None:
        """Make the next n calls of method (case-insensitive) fail with that error."""
        if description is None:
            if code == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                description = DEFAULT_DESCRIPTIONS.get(code, "Internal Server Error")
        parameters = {"retry_after": retry_after} if code == 429 else None
        with self._lock:
            self._failures[method.lower()] = _Failure(n, ApiError(code, description, parameters))

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

    def _take_failure(self, method: str) -> ApiError | None:
        """The injected error for this call, if one is armed."""
        with self._lock:
            failure = self._failures.get(method.lower())
            if failure is None or failure.remaining <= 0:
                return None
            failure.remaining -= 1
            if failure.remaining == 0:
                del self._failures[method.lower()]
            return failure.error

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
        self.sent.setdefault(chat_id, []).append(entry)

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
            injected = self._take_failure(name)
            if injected is not None:
                raise injected
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
        self._record_sent(
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
        _, message = self._target_message(params)
        markup = check_reply_markup(params.get("reply_markup"))
        if markup == message.get("reply_markup"):
            raise ApiError(400, NOT_MODIFIED)
        _set_or_drop(message, "reply_markup", markup)
        message["edit_date"] = int(time.time())
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
        """sendChatAction."""
        chat_id = self._target_chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        self._check_blocked(chat_id)
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
        if action == "fail":
            return self.fail_next(
                str(body["method"]),
                int(body["n"]),
                code=int(body.get("code", 429)),
                retry_after=int(body.get("retry_after", 1)),
                description=body.get("description"),
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
                    "errors": self.errors,
                    "webhook": self._webhook.url,
                    "latest": {str(c): self.latest(c) for c in self.messages},
                }
            )
        if action == "dump":
            return web.Response(text=self.dump())
        return web.json_response({"ok": False, "description": "unknown"}, status=404)


def _update_chat(update: JSON) -> int | None:
    """The chat an update belongs to."""
    message = update.get("message") or (update.get("callback_query") or {}).get("message") or {}
    chat_id = message.get("chat", {}).get("id")
    return int(chat_id) if chat_id is not None else None


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


class FakeClient:
    """Sync (urllib) client for a fake running in another process: control API + raw calls."""

    def __init__(
        self, server: int | str, *, host: str = "127.0.0.1", token: str = DEFAULT_TOKEN
    ) -> None:
        """Point at a port on host, or at a URL like http://127.0.0.1:PORT (a /bot suffix is ok)."""
        if isinstance(server, str):
            parts = urllib.parse.urlsplit(server)
            if parts.hostname is None or parts.port is None:
                raise ValueError(f"expected http://HOST:PORT, got {server!r}")
            host, server = parts.hostname, parts.port
        self.host = host
        self.port = server
        self.token = token  # only for call(); the control API needs none
        self.timeout = 5.0

    @property
    def base_url(self) -> str:
        """The base_url to give the bot (TELEGRAM_API_BASE_URL)."""
        return f"http://{self.host}:{self.port}/bot"

    def _request(self, path: str, body: JSON | None = None) -> Any:
        """GET (body None) or JSON POST to the server; the decoded JSON answer."""
        url = f"http://{self.host}:{self.port}{path}"
        data = None if body is None else json.dumps(body).encode()
        headers = {} if body is None else {"Content-Type": "application/json"}
        request = urllib.request.Request(url, data=data, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raw = exc.read()
        content = json.loads(raw) if raw[:1] in (b"{", b"[") else raw.decode()
        if (
            isinstance(content, dict)
            and content.get("ok") is False
            and path.startswith("/_control")
        ):
            raise RuntimeError(f"control call {path} failed: {content.get('description')}")
        return content

    def _control(self, action: str, **body: Any) -> Any:
        """POST /_control/<action>; its result."""
        return self._request(f"/_control/{action}", body)["result"]

    def call(self, method: str, **params: Any) -> JSON:
        """Call a Bot API method with a JSON body, as the bot would; the raw envelope."""
        result: JSON = self._request(f"/bot{self.token}/{method}", params)
        return result

    def user_sends(
        self, chat_id: int, text: str, *, chat_type: str = "private", user_id: int | None = None
    ) -> int:
        """See FakeBotAPI.user_sends."""
        return int(
            self._control("send", chat_id=chat_id, text=text, chat_type=chat_type, user_id=user_id)
        )

    def user_taps(
        self, chat_id: int, data: str, *, message_id: int | None = None, check_button: bool = True
    ) -> int:
        """See FakeBotAPI.user_taps."""
        return int(
            self._control(
                "tap", chat_id=chat_id, data=data, message_id=message_id, check_button=check_button
            )
        )

    def redeliver(self, update_id: int) -> None:
        """See FakeBotAPI.redeliver."""
        self._control("redeliver", update_id=update_id)

    def fail_next(
        self,
        method: str,
        n: int,
        *,
        code: int = 429,
        retry_after: int = 1,
        description: str | None = None,
    ) -> None:
        """See FakeBotAPI.fail_next."""
        self._control(
            "fail", method=method, n=n, code=code, retry_after=retry_after, description=description
        )

    def block_chat(self, chat_id: int) -> None:
        """See FakeBotAPI.block_chat."""
        self._control("block", chat_id=chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        """See FakeBotAPI.unblock_chat."""
        self._control("unblock", chat_id=chat_id)

    def add_chat(self, chat_id: int, chat_type: str = "private") -> None:
        """See FakeBotAPI.add_chat."""
        self._control("add_chat", chat_id=chat_id, chat_type=chat_type)

    def set_latency(self, seconds: float) -> None:
        """Seconds added to every Bot API response."""
        self._control("latency", seconds=seconds)

    def sent(self, chat_id: int) -> list[JSON]:
        """See FakeBotAPI.sent."""
        result: list[JSON] = self._request(f"/_control/sent?chat_id={chat_id}")
        return result

    def texts(self, chat_id: int) -> list[str]:
        """See FakeBotAPI.texts."""
        return [e.get("text") or e.get("caption") or "" for e in self.sent(chat_id)]

    def plain_texts(self, chat_id: int) -> list[str]:
        """See FakeBotAPI.plain_texts."""
        return [e.get("plain") or "" for e in self.sent(chat_id)]

    def calls(self) -> list[tuple[str, JSON]]:
        """See FakeBotAPI.calls."""
        return [(name, params) for name, params in self._request("/_control/calls")]

    def state(self) -> JSON:
        """commands, answered_callbacks, pending_updates, errors, webhook, latest message."""
        result: JSON = self._request("/_control/state")
        return result

    def dump(self) -> str:
        """See FakeBotAPI.dump."""
        return str(self._request("/_control/dump"))

    def wait_for(
        self, predicate: Callable[[], bool], timeout: float = 10, interval: float = 0.05
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
                try:
                    dump = self.dump()
                except OSError as exc:
                    dump = f"(fake unreachable: {exc!r})"
                raise TimeoutError(f"condition not met within {timeout}s{note}\n{dump}")
            time.sleep(interval)

    def wait_for_texts(self, chat_id: int, count: int, timeout: float = 10) -> list[str]:
        """Wait until the bot sent at least count messages to chat_id; their texts."""
        self.wait_for(lambda: len(self.texts(chat_id)) >= count, timeout)
        return self.texts(chat_id)

    def update_ids(self, chat_id: int) -> list[int]:
        """See FakeBotAPI.update_ids."""
        return [int(u) for u in self._request(f"/_control/updates?chat_id={chat_id}")]

    # Short aliases.
    send = user_sends
    tap = user_taps
    block = block_chat
    unblock = unblock_chat
    fail = fail_next


class FakeServerProcess:
    """Runs `python -m tests.telegram.fake_api` as a child process; a context manager."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        latency: float = 0.0,
        log: bool = False,
        startup_timeout: float = 15.0,
    ) -> None:
        """Configure; nothing runs until start()."""
        self.token = token
        self.latency = latency
        self.log = log
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    def start(self) -> FakeClient:
        """Spawn the server, wait (bounded) for its PORT line, return a client."""
        argv = [sys.executable, "-m", "tests.telegram.fake_api", "--port", "0"]
        argv += ["--token", self.token, "--latency", str(self.latency)]
        if self.log:
            argv.append("--log")
        self.proc = subprocess.Popen(
            argv, cwd=ROOT, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL
        )
        assert self.proc.stdout is not None
        deadline = time.monotonic() + self.startup_timeout
        line = b""
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"fake Bot API did not start (got {line!r})")
            ready, _, _ = select.select([self.proc.stdout], [], [], remaining)
            if ready:
                line += os.read(self.proc.stdout.fileno(), 256)
        match = re.match(rb"PORT (\d+)", line)
        if match is None:
            self.stop()
            raise RuntimeError(f"unexpected first line from the fake: {line!r}")
        self.port = int(match.group(1))
        return FakeClient(self.port, token=self.token)

    def stop(self, timeout: float = 5.0) -> int | None:
        """SIGTERM the server, wait (bounded, then SIGKILL); its return code."""
        proc = self.proc
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout)
        if proc.stdout is not None:
            proc.stdout.close()
        return proc.returncode

    def __enter__(self) -> FakeClient:
        """Start and return the client."""
        return self.start()

    def __exit__(self, *exc: object) -> None:
        """Stop."""
        self.stop()


# --------------------------------------------------------------------------- CLI


async def serve(host: str, port: int, token: str, latency: float, log: bool) -> int:
    """Run the fake until SIGTERM/SIGINT, printing 'PORT <n>' once listening."""
    fake = FakeBotAPI(token, latency=latency)
    if log:
        fake.log = lambda line: print(line, file=sys.stderr, flush=True)
    bound = await fake.start(host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print(f"PORT {bound}", flush=True)
    await stop.wait()
    await fake.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: python -m tests.telegram.fake_api --port 0 --token T."""
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API server for tests.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--log", action="store_true", help="log every call to stderr")
    args = parser.parse_args(argv)
    return asyncio.run(serve(args.host, args.port, args.token, args.latency, args.log))


if __name__ == "__main__":
    sys.exit(main())
