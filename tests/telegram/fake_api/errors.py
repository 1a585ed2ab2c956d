"""API errors as Telegram reports them: ok=false, error_code, description."""

from __future__ import annotations

from aiohttp import web

from tests.telegram.fake_api.constants import (
    JSON,
)


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
