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

Modules by concern: constants, errors, formatting (parse modes), markup (keyboards),
params (request bodies), server (FakeBotAPI), client (FakeClient), process (a child process).
"""

from __future__ import annotations

from tests.telegram.fake_api.client import (
    FakeClient,
)
from tests.telegram.fake_api.constants import (
    BOT_FIRST_NAME,
    BOT_USERNAME,
    CHAT_ACTIONS,
    DEFAULT_DESCRIPTIONS,
    DEFAULT_TOKEN,
    JSON,
    MAX_CALLBACK_DATA,
    MAX_CAPTION,
    MAX_POLL_TIMEOUT,
    MAX_TEXT,
    NOT_MODIFIED,
    ROOT,
    STRING_PARAMS,
)
from tests.telegram.fake_api.errors import (
    ApiError,
)
from tests.telegram.fake_api.formatting import (
    format_text,
    markdown_plain,
    parse_html,
    u16len,
)
from tests.telegram.fake_api.markup import (
    check_reply_markup,
    inline_buttons,
)
from tests.telegram.fake_api.params import (
    Upload,
    read_params,
)
from tests.telegram.fake_api.process import (
    FakeServerProcess,
    main,
    serve,
)
from tests.telegram.fake_api.server import (
    FakeBotAPI,
    Handler,
)

__all__ = [
    "BOT_FIRST_NAME",
    "BOT_USERNAME",
    "CHAT_ACTIONS",
    "DEFAULT_DESCRIPTIONS",
    "DEFAULT_TOKEN",
    "JSON",
    "MAX_CALLBACK_DATA",
    "MAX_CAPTION",
    "MAX_POLL_TIMEOUT",
    "MAX_TEXT",
    "NOT_MODIFIED",
    "ROOT",
    "STRING_PARAMS",
    "ApiError",
    "FakeBotAPI",
    "FakeClient",
    "FakeServerProcess",
    "Handler",
    "Upload",
    "check_reply_markup",
    "format_text",
    "inline_buttons",
    "main",
    "markdown_plain",
    "parse_html",
    "read_params",
    "serve",
    "u16len",
]
