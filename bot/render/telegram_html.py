"""Telegram HTML: its plain text, and splitting it into messages under the size limit.

Telegram counts a message's visible text in UTF-16 code units (4096 at most) and refuses
HTML with a tag left open or an entity cut in two; the splitter never does either.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from telegram.constants import MessageLimit

LIMIT = int(MessageLimit.MAX_TEXT_LENGTH)
ALLOWED_TAGS = frozenset({"b", "i", "u", "s", "code", "pre", "a", "blockquote"})

_TOKEN = re.compile(r"(<[^>]*>|&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)")
_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9]*)[^>]*>")
_EMPTY = re.compile(r"<([A-Za-z][A-Za-z0-9]*)(?:\s[^>]*)?>(\s*)</\1>")
_SEPARATORS = ("\n\n", "\n", " ")


def to_plain(html_text: str) -> str:
    """Telegram HTML as plain text: tags stripped, entities unescaped, newlines kept."""
    return html.unescape(re.sub(r"<[^>]*>", "", html_text))


def _vlen(text: str) -> int:
    """Visible length as Telegram counts it (UTF-16 code units) of an HTML fragment."""
    return len(to_plain(text).encode("utf-16-le")) // 2


def _tokens(text: str) -> list[str]:
    """Tags, entities and single characters: the places where HTML may be cut."""
    out: list[str] = []
    for part in _TOKEN.split(text):
        if not part:
            continue
        if _TOKEN.fullmatch(part):
            out.append(part)
        else:
            out.extend(part)
    return out


def _split_text(text: str, sep: str) -> list[str]:
    """Split on a separator outside tags (an attribute value may hold spaces or newlines)."""
    units: list[str] = []
    current = ""
    for part in _TOKEN.split(text):
        if part.startswith("<") and _TOKEN.fullmatch(part):
            current += part
            continue
        pieces = part.split(sep)
        current += pieces[0]
        for piece in pieces[1:]:
            units.append(current)
            current = piece
    units.append(current)
    return units


def _hard_split(text: str, limit: int) -> list[str]:
    """Cut anywhere between characters, never inside a tag or an entity."""
    parts: list[str] = []
    current, size = "", 0
    for tok in _tokens(text):
        width = 0 if tok.startswith("<") else _vlen(tok)
        if size + width >= limit and size > 0:
            parts.append(current)
            current, size = "", 0
        current += tok
        size += width
    parts.append(current)
    return parts


def _pieces(text: str, limit: int, level: int = 0) -> list[str]:
    """Greedy packing on the coarsest separator; units too long are cut on the next one."""
    if _vlen(text) < limit:
        return [text]
    if level == len(_SEPARATORS):
        return _hard_split(text, limit)
    sep = _SEPARATORS[level]
    gap = _vlen(sep)
    parts: list[str] = []
    current: str | None = None
    size = 0
    for unit in _split_text(text, sep):
        width = _vlen(unit)  # separators lie outside tags and entities: widths add up
        if width >= limit:
            sub = _pieces(unit, limit, level + 1)
            first = _vlen(sub[0])
            if current is not None and size + gap + first < limit:
                sub[0] = current + sep + sub[0]
            elif current is not None:
                parts.append(current)
            parts.extend(sub[:-1])
            current, size = sub[-1], _vlen(sub[-1])
        elif current is None:
            current, size = unit, width
        elif size + gap + width < limit:
            current += sep + unit
            size += gap + width
        else:
            parts.append(current)
            current, size = unit, width
    if current is not None:
        parts.append(current)
    return parts


def _balance(parts: Iterable[str]) -> list[str]:
    """Close the tags still open at the end of a part and reopen them in the next one."""
    out: list[str] = []
    stack: list[tuple[str, str]] = []  # (name, the opening tag as written)
    for part in parts:
        prefix = "".join(raw for _, raw in stack)
        for m in _TAG.finditer(part):
            closing, name = m.group(1) == "/", m.group(2).lower()
            if not closing:
                stack.append((name, m.group(0)))
            else:
                for i in range(len(stack) - 1, -1, -1):
                    if stack[i][0] == name:
                        del stack[i]
                        break
        suffix = "".join(f"</{name}>" for name, _ in reversed(stack))
        out.append(_drop_empty(prefix + part + suffix))
    return out


def _drop_empty(text: str) -> str:
    """Remove elements left with nothing inside (e.g. a tag reopened just before its close)."""
    previous = None
    while previous != text:
        previous = text
        text = _EMPTY.sub(r"\2", text)
    return text.strip()


def split_message(html_text: str, limit: int = LIMIT) -> list[str]:
    """Split Telegram HTML on blank lines so each part's visible text is under `limit`.

    A paragraph longer than the limit is cut on line breaks, then on spaces, then anywhere
    between characters; tags and entities are never cut, and tags open at a cut are closed
    at the end of the part and reopened at the start of the next one.
    """
    if limit < 3:
        raise ValueError("limit must be at least 3 (room for one character of any width)")
    parts = _balance(_pieces(html_text.strip(), limit))
    return [p for p in parts if to_plain(p).strip()]


__all__ = ["ALLOWED_TAGS", "LIMIT", "split_message", "to_plain"]
