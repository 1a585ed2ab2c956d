"""Request parameters: JSON, form or multipart bodies, uploads, coercion."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.telegram.fake_api.constants import (
    JSON,
    STRING_PARAMS,
)
from tests.telegram.fake_api.errors import (
    ApiError,
)


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
