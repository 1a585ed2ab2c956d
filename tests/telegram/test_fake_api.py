"""The fake Bot API answers the real python-telegram-bot stack like Telegram does."""

from __future__ import annotations

import asyncio
import html
import json
import struct
import zlib
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import (
    Bot,
    BotCommand,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

from tests.telegram.fake_api import (
    BOT_USERNAME,
    FakeBotAPI,
    FakeClient,
    FakeServerProcess,
    format_text,
    parse_html,
)

TOKEN = "123456:TEST-TOKEN"
Body = Callable[[FakeBotAPI, Bot], Awaitable[None]]


def with_fake(body: Body) -> Callable[[], None]:
    """Turn `async def test_x(fake, bot)` into a sync test with a fresh fake and a real Bot."""

    async def run() -> None:
        async with FakeBotAPI(TOKEN) as fake, Bot(TOKEN, base_url=fake.base_url) as bot:
            await body(fake, bot)

    def test() -> None:
        asyncio.run(asyncio.wait_for(run(), 20))

    test.__name__ = body.__name__
    test.__doc__ = body.__doc__
    return test


def tiny_png(width: int = 3, height: int = 2) -> bytes:
    """A valid RGB PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def keyboard(*datas: str) -> InlineKeyboardMarkup:
    """One callback button per row."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d)] for d in datas])


# --------------------------------------------------------------------------- through telegram.Bot


@with_fake
async def test_get_me_through_a_real_bot(fake: FakeBotAPI, bot: Bot) -> None:
    """Bot.initialize() calls getMe; the bot user comes from the token."""
    me = await bot.get_me()
    assert me.is_bot and me.username == BOT_USERNAME and me.id == 123456
    assert bot.username == BOT_USERNAME
    assert [name for name, _ in fake.calls] == ["getMe", "getMe"]
    assert TOKEN not in json.dumps(fake.calls)


@with_fake
async def test_send_message_with_html_and_inline_keyboard(fake: FakeBotAPI, bot: Bot) -> None:
    """The message is recorded raw and parsed; the reply is a proper Message."""
    fake.user_sends(42, "/start")
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Yes ✅", callback_data="a:yes")],
            [InlineKeyboardButton("Docs", url="https://example.com/")],
        ]
    )
    text = "<b>Hi</b> &amp; <i>welcome</i> 😀 <a href='https://x.org/?a=1&amp;b=2'>link</a>\n"
    msg = await bot.send_message(42, text, parse_mode=ParseMode.HTML, reply_markup=markup)
    assert msg.text == "Hi & welcome 😀 link"
    assert msg.message_id == 2  # the user's /start was 1: ids are per chat
    assert msg.from_user is not None and msg.from_user.username == BOT_USERNAME
    assert [(e.type, e.offset, e.length) for e in msg.entities] == [
        ("bold", 0, 2),
        ("italic", 5, 7),
        ("text_link", 16, 4),  # the emoji is two UTF-16 units
    ]
    assert msg.entities[2].url == "https://x.org/?a=1&b=2"
    assert msg.reply_markup == markup
    (entry,) = fake.sent[42]
    assert entry["method"] == "sendMessage" and entry["message_id"] == 2
    assert entry["text"] == text and entry["plain"] == msg.text
    assert entry["parse_mode"] == "HTML"
    assert entry["reply_markup"] == markup.to_dict()
    assert fake.texts(42) == [text] and fake.plain_texts(42) == [msg.text]


@with_fake
async def test_long_polling_returns_queued_updates_and_honours_offset(
    fake: FakeBotAPI, bot: Bot
) -> None:
    """Unconfirmed updates come back; offset confirms; a waiting poll wakes on a new update."""
    first = fake.user_sends(7, "/start now")
    (update,) = await bot.get_updates(timeout=5)
    assert update.update_id == first and update.message is not None
    assert update.message.text == "/start now" and update.message.chat.type == "private"
    assert [(e.type, e.offset, e.length) for e in update.message.entities] == [
        ("bot_command", 0, 6)
    ]
    assert [u.update_id for u in await bot.get_updates(timeout=0)] == [first]  # not confirmed
    assert await bot.get_updates(offset=first + 1, timeout=0) == ()

    loop = asyncio.get_running_loop()
    started = loop.time()
    waiting = asyncio.create_task(bot.get_updates(offset=first + 1, timeout=5))
    await asyncio.sleep(0.2)
    second = fake.user_sends(7, "hello")
    got = await asyncio.wait_for(waiting, 3)
    assert [u.update_id for u in got] == [second] and loop.time() - started < 2

    started = loop.time()
    assert await bot.get_updates(offset=second + 1, timeout=1) == ()
    assert 0.9 <= loop.time() - started < 3
    assert fake.calls_of("getUpdates")[-1]["timeout"] == 1


@with_fake
async def test_limit_and_duplicate_delivery(fake: FakeBotAPI, bot: Bot) -> None:
    """limit caps a batch; redeliver sends an already-confirmed update again, once."""
    ids = [fake.user_sends(3, f"m{i}") for i in range(3)]
    assert [u.update_id for u in await bot.get_updates(limit=2, timeout=0)] == ids[:2]
    assert [u.update_id for u in await bot.get_updates(offset=ids[2] + 1, timeout=0)] == ids[2:]
    assert await bot.get_updates(offset=ids[2] + 1, timeout=0) == ()
    fake.redeliver(ids[0])
    again = await bot.get_updates(offset=ids[2] + 1, timeout=1)
    assert [u.update_id for u in again] == [ids[0]]
    assert again[0].message is not None and again[0].message.text == "m0"
    assert await bot.get_updates(offset=ids[0] + 1, timeout=0) == ()
    assert fake.update_ids(3) == ids


@with_fake
async def test_allowed_updates_exclude_kinds(fake: FakeBotAPI, bot: Bot) -> None:
    """After getUpdates(allowed_updates=["message"]) taps are never created, as on Telegram."""
    fake.user_sends(4, "hi")
    await bot.send_message(4, "Pick", reply_markup=keyboard("p"))
    (first,) = await bot.get_updates(allowed_updates=["message"], timeout=0)
    tap = fake.user_taps(4, "p")
    assert await bot.get_updates(offset=first.update_id + 1, timeout=0) == ()
    assert fake.dropped == [tap]
    await bot.get_updates(offset=first.update_id + 1, timeout=0, allowed_updates=[])
    later = fake.user_taps(4, "p")
    (update,) = await bot.get_updates(offset=first.update_id + 1, timeout=0)
    assert update.update_id == later and update.callback_query is not None


@with_fake
async def test_concurrent_get_updates_conflict(fake: FakeBotAPI, bot: Bot) -> None:
    """A second getUpdates terminates the waiting one with 409, as on Telegram."""
    older = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    async with Bot(TOKEN, base_url=fake.base_url) as other:  # PTB's getUpdates pool is 1 wide
        assert await other.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await asyncio.wait_for(older, 3)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # int retry_after
@with_fake
async def test_429_is_retry_after(fake: FakeBotAPI, bot: Bot) -> None:
    """fail_next answers 429 with parameters.retry_after, which PTB raises as RetryAfter."""
    fake.user_sends(5, "hi")
    fake.fail_next("sendMessage", 2, retry_after=3)
    for _ in range(2):
        with pytest.raises(RetryAfter, match="Retry in 3"):
            await bot.send_message(5, "x")
    await bot.send_message(5, "y")
    assert fake.texts(5) == ["y"]
    assert [name for name, _ in fake.calls].count("sendMessage") == 3
    assert fake.errors[0] == ("sendMessage", 429, "Too Many Requests: retry after 3")
    fake.fail_next("getMe", 1, code=500)
    with pytest.raises(Exception, match="Internal Server Error"):
        await bot.get_me()


@with_fake
async def test_blocked_chat_is_forbidden(fake: FakeBotAPI, bot: Bot) -> None:
    """block_chat: every send to the chat is 403 'bot was blocked by the user'."""
    fake.user_sends(6, "hi")
    fake.block_chat(6)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(6, "x")
    with pytest.raises(Forbidden):
        await bot.send_photo(6, tiny_png())
    with pytest.raises(Forbidden):
        await bot.send_chat_action(6, "typing")
    assert 6 not in fake.sent
    fake.unblock_chat(6)
    await bot.send_message(6, "back")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "never wrote to the bot")


@with_fake
async def test_text_limits_count_visible_text(fake: FakeBotAPI, bot: Bot) -> None:
    """4096 is counted after entity parsing; malformed HTML and empty text are 400."""
    fake.user_sends(8, "hi")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(8, "x" * 4097)
    await bot.send_message(8, "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    await bot.send_message(8, "&lt;" * 4096, parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(8, "😀" * 2049)  # 4098 UTF-16 units
    bad = {
        "line<br>break": 'unsupported start tag "br" at byte offset 4',
        "a < b": 'unsupported start tag "" at byte offset 2',
        "<b>open": 'can\'t find end tag corresponding to start tag "b"',
        "<b><i>x</b></i>": 'unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
        "<span>x</span>": 'tag "span" must have class "tg-spoiler" at byte offset 0',
    }
    for text, message in bad.items():
        with pytest.raises(BadRequest) as err:
            await bot.send_message(8, text, parse_mode=ParseMode.HTML)
        assert err.value.message == "Can't parse entities: " + message
    for empty in ("   ", "<b> </b>"):
        with pytest.raises(BadRequest, match="Message text is empty"):
            await bot.send_message(8, empty, parse_mode=ParseMode.HTML)
    await bot.send_message(8, "AT&T &nbsp; 5 > 3", parse_mode=ParseMode.HTML)
    assert fake.plain_texts(8)[-1] == "AT&T &nbsp; 5 > 3"  # unknown entities stay literal


@with_fake
async def test_callback_data_over_64_bytes_is_rejected(fake: FakeBotAPI, bot: Bot) -> None:
    """callback_data is limited in UTF-8 bytes, not characters."""
    fake.user_sends(9, "hi")
    await bot.send_message(9, "ok", reply_markup=keyboard("x" * 64))
    for data in ("x" * 65, "é" * 33):
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await bot.send_message(9, "too long", reply_markup=keyboard(data))
    with pytest.raises(BadRequest, match="Text buttons are unallowed"):
        await bot.send_message(
            9, "no action", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("x")]])
        )
    assert len(fake.sent[9]) == 1


@with_fake
async def test_send_photo_multipart_upload_is_recorded(fake: FakeBotAPI, bot: Bot) -> None:
    """A multipart upload, then the same photo again by file_id."""
    fake.user_sends(10, "chart please")
    png = tiny_png(3, 2)
    msg = await bot.send_photo(10, png, caption="<b>Your</b> options", parse_mode="HTML")
    assert msg.caption == "Your options" and msg.photo[-1].width == 3
    entry = fake.sent[10][0]
    assert entry["method"] == "sendPhoto" and entry["photo_bytes"] == len(png)
    assert entry["caption"] == "<b>Your</b> options"
    assert fake.calls_of("sendPhoto")[0]["photo"]["bytes"] == len(png)
    await bot.send_photo(10, msg.photo[-1].file_id)
    assert fake.sent[10][1]["photo_bytes"] == len(png) and fake.texts(10) == [
        "<b>Your</b> options",
        "",
    ]
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(10, b"not an image at all")
    with pytest.raises(BadRequest, match="caption is too long"):
        await bot.send_photo(10, png, caption="c" * 1025)
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_photo(10, "AgACnope")


@with_fake
async def test_taps_answers_and_edits(fake: FakeBotAPI, bot: Bot) -> None:
    """A tap carries the current message; edits replace the keyboard; answers happen once."""
    fake.user_sends(11, "/start")
    first = await bot.send_message(11, "Pick", reply_markup=keyboard("pick:a", "pick:b"))
    await bot.send_message(11, "Meanwhile, a plain message")
    fake.user_taps(11, "pick:b")  # lands on the latest message offering that button
    with pytest.raises(ValueError, match="offers callback_data"):
        fake.user_taps(11, "pick:zzz")
    updates = await bot.get_updates(timeout=1)
    query = updates[-1].callback_query
    assert query is not None and query.data == "pick:b" and query.from_user.id == 11
    assert isinstance(query.message, Message) and query.message.message_id == first.message_id
    assert query.message.reply_markup == keyboard("pick:a", "pick:b")
    assert await bot.answer_callback_query(query.id, text="Noted")
    assert fake.answered_callbacks == [query.id]
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query.id)

    edited = await bot.edit_message_text("Picked B", chat_id=11, message_id=first.message_id)
    assert not isinstance(edited, bool) and edited.reply_markup is None  # keyboard removed
    assert fake.edits[11][-1]["method"] == "editMessageText"
    assert fake.edits[11][-1]["text"] == "Picked B" and fake.edits[11][-1]["reply_markup"] is None
    assert fake.messages[11][first.message_id]["text"] == "Picked B"
    assert [e["method"] for e in fake.sent[11]] == ["sendMessage", "sendMessage"]  # no new one
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Picked B", chat_id=11, message_id=first.message_id)
    await bot.edit_message_reply_markup(11, first.message_id, reply_markup=keyboard("undo"))
    assert fake.messages[11][first.message_id]["reply_markup"] == keyboard("undo").to_dict()
    await bot.edit_message_reply_markup(11, first.message_id)  # no markup: the keyboard goes
    assert "reply_markup" not in fake.messages[11][first.message_id]
    assert fake.edits[11][-1]["method"] == "editMessageReplyMarkup"
    assert fake.edits[11][-1]["reply_markup"] is None
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(11, first.message_id)
    fake.user_sends(12, "hi")
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_reply_markup(12, first.message_id)  # that id is in chat 11
    with pytest.raises(BadRequest, match="too long"):
        await bot.edit_message_text("x" * 4097, chat_id=11, message_id=first.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=11, message_id=999)
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", chat_id=11, message_id=1)  # the user's message


@with_fake
async def test_force_reply_and_chat_actions_are_recorded_in_order(
    fake: FakeBotAPI, bot: Bot
) -> None:
    """ForceReply's placeholder is checked (<= 64); chat actions are recorded with the messages."""
    fake.user_sends(13, "/start")
    await bot.send_chat_action(13, "typing")
    asked = ForceReply(input_field_placeholder="e.g. $85,000")
    await bot.send_message(13, "How much?", reply_markup=asked)
    assert fake.sent[13][-1]["reply_markup"] == {
        "force_reply": True,
        "input_field_placeholder": "e.g. $85,000",
    }
    with pytest.raises(BadRequest, match="Reply_markup_invalid"):
        await bot.send_message(13, "x", reply_markup=ForceReply(input_field_placeholder="p" * 65))
    await bot.send_chat_action(13, "upload_photo")
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(13, "dancing")
    assert [a["action"] for a in fake.actions[13]] == ["typing", "upload_photo"]
    typing, upload = fake.actions[13]
    assert typing["seq"] < fake.sent[13][-1]["seq"] < upload["seq"]


@with_fake
async def test_commands_webhook_and_misc_methods(fake: FakeBotAPI, bot: Bot) -> None:
    """setMyCommands/getMyCommands, webhook bookkeeping, chat actions, close/logOut."""
    await bot.set_my_commands([BotCommand("start", "Begin"), BotCommand("forget", "Erase me")])
    assert fake.commands == [
        {"command": "start", "description": "Begin"},
        {"command": "forget", "description": "Erase me"},
    ]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "forget"]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])
    assert await bot.set_webhook("https://advisor.example/tg", secret_token="s3cret")
    fake.user_sends(12, "queued while the webhook is set (never pushed off this machine)")
    info = await bot.get_webhook_info()
    assert info.url == "https://advisor.example/tg" and info.pending_update_count == 1
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert (await bot.get_webhook_info()).pending_update_count == 0
    with pytest.raises(BadRequest, match="an https url must be provided"):
        await bot.set_webhook("http://advisor.example/tg")
    assert await bot.send_chat_action(12, "typing")
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(12, "dancing")
    assert await bot.close() and await bot.log_out()


def test_webhook_push_to_loopback() -> None:
    """With a loopback webhook the fake POSTs updates there, with the secret header."""

    async def run() -> None:
        received: list[tuple[str | None, dict[str, Any]]] = []
        hook = aiohttp.web.Application()

        async def receive(request: aiohttp.web.Request) -> aiohttp.web.Response:
            body = await request.json()
            received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), body))
            return aiohttp.web.Response(status=500 if len(received) == 1 else 200)

        hook.router.add_post("/tg", receive)
        runner = aiohttp.web.AppRunner(hook)
        await runner.setup()
        site = aiohttp.web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        try:
            async with FakeBotAPI(TOKEN) as fake, Bot(TOKEN, base_url=fake.base_url) as bot:
                await bot.set_webhook(f"http://127.0.0.1:{port}/tg", secret_token="s3")
                uid = fake.user_sends(13, "/start")
                await fake.wait_for(lambda: len(received) == 2, timeout=5)  # 500, then retried
                assert [(s, b["update_id"]) for s, b in received] == [("s3", uid), ("s3", uid)]
                await fake.wait_for(lambda: not fake.pending_updates, timeout=2)
                info = await bot.get_webhook_info()
                assert info.last_error_message and "500" in info.last_error_message
        finally:
            await runner.cleanup()

    asyncio.run(asyncio.wait_for(run(), 20))


def test_raw_http_json_form_wrong_token_and_unknown_method() -> None:
    """Plain HTTP clients: JSON and form bodies, 401 for a wrong token, 404 for a bad method."""

    async def run() -> None:
        async with FakeBotAPI(TOKEN) as fake, aiohttp.ClientSession() as http:
            fake.user_sends(14, "hi")
            url = f"{fake.base_url}{TOKEN}"
            markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
            async with http.post(
                f"{url}/sendMessage", json={"chat_id": 14, "text": "j", "reply_markup": markup}
            ) as r:
                body = await r.json()
                assert r.status == 200 and body["ok"] is True
                assert body["result"]["reply_markup"] == markup
                assert isinstance(body["result"]["date"], int)
            form = {"chat_id": "14", "text": "f", "reply_markup": json.dumps(markup)}
            async with http.post(f"{url}/sendmessage", data=form) as r:  # names ignore case
                assert (await r.json())["result"]["message_id"] == 3
            assert [e["reply_markup"] for e in fake.sent[14]] == [markup, markup]
            async with http.post(f"{fake.base_url}999:WRONG/getMe") as r:
                assert r.status == 401
                assert await r.json() == {
                    "ok": False,
                    "error_code": 401,
                    "description": "Unauthorized",
                }
            async with http.post(f"{url}/sendSticker", data={"chat_id": "14"}) as r:
                assert r.status == 404
                assert await r.json() == {
                    "ok": False,
                    "error_code": 404,
                    "description": "Not Found",
                }
            async with http.get(f"{url}/getMe") as r:
                assert (await r.json())["result"]["username"] == BOT_USERNAME
            with pytest.raises(InvalidToken, match="rejected by the server"):
                await Bot("999:WRONG", base_url=fake.base_url).initialize()

    asyncio.run(asyncio.wait_for(run(), 20))


def test_ptb_application_polls_and_answers() -> None:
    """A whole PTB Application (run like `python -m bot telegram`) against the fake."""

    async def run() -> None:
        async with FakeBotAPI(TOKEN) as fake:
            app = ApplicationBuilder().token(TOKEN).base_url(fake.base_url).build()

            async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
                assert update.message is not None
                await update.message.reply_text(
                    "<b>Hello</b>", parse_mode=ParseMode.HTML, reply_markup=keyboard("go")
                )

            async def tapped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
                assert update.callback_query is not None
                await update.callback_query.answer()
                await update.callback_query.edit_message_text("Done")

            app.add_handler(CommandHandler("start", start))
            app.add_handler(CallbackQueryHandler(tapped))
            async with app:
                assert app.updater is not None
                await app.updater.start_polling(
                    timeout=1, allowed_updates=["message", "callback_query"]
                )
                await app.start()
                fake.user_sends(77, "/start")
                await fake.wait_for(lambda: fake.texts(77) == ["<b>Hello</b>"], timeout=5)
                fake.user_taps(77, "go")
                await fake.wait_for(lambda: fake.edits[77][-1]["plain"] == "Done", timeout=5)
                assert fake.plain_texts(77) == ["Hello"]  # the same message, edited
                assert len(fake.answered_callbacks) == 1
                await app.updater.stop()
                await app.stop()
            names = [name for name, _ in fake.calls]
            assert names[:3] == ["getMe", "deleteWebhook", "getUpdates"]
            assert fake.calls_of("getUpdates")[0]["allowed_updates"] == [
                "message",
                "callback_query",
            ]
            assert fake.calls_of("sendMessage")[0]["reply_markup"] == keyboard("go").to_dict()
            assert not fake.pending_updates  # the stop-time getUpdates confirmed everything

    asyncio.run(asyncio.wait_for(run(), 20))


def test_wait_for_times_out_with_a_dump() -> None:
    """The TimeoutError says what the fake saw."""

    async def run() -> None:
        async with FakeBotAPI(TOKEN) as fake, Bot(TOKEN, base_url=fake.base_url) as bot:
            fake.user_sends(15, "hi")
            await bot.send_message(15, "hello there", reply_markup=keyboard("k"))
            with pytest.raises(TimeoutError) as err:
                await fake.wait_for(lambda: fake.texts(15)[5] == "never", timeout=0.1)
            text = str(err.value)
            assert "IndexError" in text and "hello there" in text and "buttons=['k']" in text
            assert "sendMessage" in text

    asyncio.run(asyncio.wait_for(run(), 20))


# --------------------------------------------------------------------------- separate process


def test_cli_process_serves_controls_and_stops_on_sigterm() -> None:
    """`python -m tests.telegram.fake_api` prints PORT, serves, and exits 0 on SIGTERM."""
    server = FakeServerProcess(TOKEN)
    client = server.start()
    try:
        me = client.call("getMe")
        assert me["ok"] and me["result"]["username"] == BOT_USERNAME

        async def via_ptb() -> str | None:
            async with Bot(TOKEN, base_url=client.base_url) as bot:
                return (await bot.get_me()).username

        assert asyncio.run(via_ptb()) == BOT_USERNAME
        by_url = FakeClient(f"http://127.0.0.1:{client.port}", token=TOKEN)
        uid = by_url.send(21, "/start")
        assert by_url.update_ids(21) == [uid]
        updates = client.call("getUpdates", timeout=0)["result"]
        assert [u["update_id"] for u in updates] == [uid]
        client.fail_next("sendMessage", 1, retry_after=2)
        limited = client.call("sendMessage", chat_id=21, text="x")
        assert limited["error_code"] == 429 and limited["parameters"] == {"retry_after": 2}
        sent = client.call("sendMessage", chat_id=21, text="<b>hi</b>", parse_mode="HTML")
        assert sent["result"]["text"] == "hi"
        assert client.wait_for_texts(21, 1, timeout=2) == ["<b>hi</b>"]
        client.block(21)
        assert client.call("sendMessage", chat_id=21, text="x")["error_code"] == 403
        assert [name for name, _ in client.calls()][:2] == ["getMe", "getMe"]
        with pytest.raises(RuntimeError, match="offers callback_data"):
            client.tap(21, "nothing")
    finally:
        assert server.stop() == 0


# --------------------------------------------------------------------------- the HTML parser


def test_parse_html_entities_and_trimming() -> None:
    """pre/code language, expandable blockquote, spoilers, numeric entities, trimming."""
    text = (
        "\n <pre><code class='language-python'>x = 1</code></pre>"
        "<blockquote expandable>q</blockquote><tg-spoiler>s</tg-spoiler>&#x27;&#65; "
    )
    plain, entities = format_text(text, "HTML")
    assert plain == "x = 1qs'A"
    assert entities == [
        {"type": "pre", "offset": 0, "length": 5, "language": "python"},
        {"type": "expandable_blockquote", "offset": 5, "length": 1},
        {"type": "spoiler", "offset": 6, "length": 1},
    ]
    assert format_text("*bold* \\. _it_", "MarkdownV2")[0] == "bold . it"
    assert parse_html('<A HREF="https://a.b">x</A>')[1][0]["url"] == "https://a.b"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_escaped_text_parses_back_to_itself(text: str) -> None:
    """html.escape output is always valid Telegram HTML with the original visible text."""
    assert parse_html(html.escape(text)) == (text, [])
