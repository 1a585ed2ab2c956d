"""Limits and fixed values of the fake Bot API (as documented by Telegram)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

JSON = dict[str, Any]

DEFAULT_TOKEN = "123456:TEST-TOKEN"
BOT_USERNAME = "advisor_test_bot"
BOT_FIRST_NAME = "Advisor Test"
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_PLACEHOLDER = 64  # ForceReply's input_field_placeholder, in characters
MAX_POLL_TIMEOUT = 50.0
ROOT = Path(__file__).resolve().parents[3]

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
