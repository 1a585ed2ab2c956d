"""One of a list of options, by number, label, key or an unambiguous part of a label."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.dialogue.readers.base import (
    Parsed,
    clean,
    is_unknown,
    msg,
    never_raise,
    prepare,
    strip_end,
)

_ORDINALS = {
    "first": 1,
    "1st": 1,
    "one": 1,
    "second": 2,
    "2nd": 2,
    "two": 2,
    "third": 3,
    "3rd": 3,
    "three": 3,
    "fourth": 4,
    "4th": 4,
    "four": 4,
    "fifth": 5,
    "5th": 5,
    "five": 5,
    "sixth": 6,
    "6th": 6,
    "six": 6,
    "seventh": 7,
    "7th": 7,
    "seven": 7,
    "eighth": 8,
    "8th": 8,
    "eight": 8,
    "ninth": 9,
    "9th": 9,
    "nine": 9,
}
_ORDINAL_RE = re.compile(
    rf"(?:the\s+)?(?P<w>last|{'|'.join(_ORDINALS)})(?:\s+(?:one|option|choice))?"
)
_NUMBER_RE = re.compile(r"(?:option|number|choice|no\.?|#)?\s*#?\s*(\d{1,3})\s*[.)]?")


@never_raise("dialogue.read.choice.example")
def parse_choice(text: str, options: Sequence[tuple[str, str]]) -> Parsed[str]:
    """Pick one of (key, label) options by number, label, key or an unambiguous part of a label."""
    opts = list(options)
    if not opts:
        return Parsed(error=msg("dialogue.read.choice.nothing"))
    listing = "; ".join(f"{i}. {label}" for i, (_, label) in enumerate(opts, 1))
    listing += "" if listing.endswith((".", "?", "!")) else "."
    ask = msg("dialogue.read.choice.ask", listing=listing)
    s, err = prepare(text, msg("dialogue.read.choice.example_first", label=opts[0][1]))
    if err is not None:
        return Parsed(error=err)
    key = strip_end(s).strip(" '\"")
    labels = [clean(label) for _, label in opts]
    keys = [clean(k) for k, _ in opts]

    def pick(found: list[int]) -> Parsed[str] | None:
        """One hit wins; several are ambiguous; none moves on."""
        if len(set(found)) == 1:
            return Parsed(value=opts[found[0]][0])
        if len(found) > 1:
            which = "; ".join(f"{i + 1}. {opts[i][1]}" for i in dict.fromkeys(found))
            which += "" if which.endswith((".", "?", "!")) else "."
            return Parsed(error=msg("dialogue.read.choice.ambiguous", which=which) + " " + ask)
        return None

    exact = pick([i for i, label in enumerate(labels) if label == key])
    if exact is not None:
        return exact
    by_key = pick([i for i, k in enumerate(keys) if key in (k, k.replace("_", " "))])
    if by_key is not None:
        return by_key
    number = _NUMBER_RE.fullmatch(key)
    if number and 1 <= int(number.group(1)) <= len(opts):
        return Parsed(value=opts[int(number.group(1)) - 1][0])
    if is_unknown(s):
        return Parsed(unknown=True)
    stages = [[i for i, label in enumerate(labels) if key and label.startswith(key)]]
    if len(key) >= 3:
        stages.append([i for i, label in enumerate(labels) if key in label])
        stages.append([i for i, label in enumerate(labels) if len(label) >= 3 and label in key])
    for found in stages:
        hit = pick(found)
        if hit is not None:
            return hit
    if m := _ORDINAL_RE.fullmatch(key):
        n = len(opts) if m.group("w") == "last" else _ORDINALS[m.group("w")]
        if 1 <= n <= len(opts):
            return Parsed(value=opts[n - 1][0])
    if number:
        return Parsed(
            error=msg("dialogue.read.choice.out_of_range", count=len(opts), listing=listing)
        )
    return Parsed(error=msg("dialogue.read.choice.unclear") + " " + ask)
