"""Reply markup: inline keyboards checked as Telegram does."""

from __future__ import annotations

import json
from typing import Any

from tests.telegram.fake_api.constants import (
    JSON,
    MAX_CALLBACK_DATA,
    MAX_PLACEHOLDER,
)
from tests.telegram.fake_api.errors import (
    ApiError,
)
from tests.telegram.fake_api.formatting import u16len


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
    if "force_reply" in markup:
        if markup.get("force_reply") is not True:
            raise ApiError(400, "Bad Request: force_reply must be true")
        placeholder = markup.get("input_field_placeholder")
        if placeholder is not None and not (
            isinstance(placeholder, str) and 1 <= u16len(placeholder) <= MAX_PLACEHOLDER
        ):
            raise ApiError(400, "Bad Request: REPLY_MARKUP_INVALID")
        return markup
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
