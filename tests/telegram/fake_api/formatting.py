"""Message text: HTML and Markdown parse modes into plain text and entities, checked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tests.telegram.fake_api.constants import (
    JSON,
)
from tests.telegram.fake_api.errors import (
    ApiError,
)


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
