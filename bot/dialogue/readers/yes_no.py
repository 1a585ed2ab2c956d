"""Yes or no, including "yep", "nope", thumbs up and down."""

from __future__ import annotations

import re

from bot.dialogue.readers.base import Parsed, is_unknown, msg, never_raise, prepare

_YES_EXAMPLE = "dialogue.read.yes_no.example"
_YES = frozenset(
    {
        "yes",
        "y",
        "yeah",
        "yea",
        "ya",
        "yah",
        "yep",
        "yup",
        "yess",
        "sure",
        "ok",
        "okay",
        "k",
        "kk",
        "correct",
        "right",
        "true",
        "1",
        "👍",
        "👌",
        "✅",
        "✔",
        "☑",
        "affirmative",
        "absolutely",
        "definitely",
        "certainly",
        "indeed",
        "exactly",
        "yes please",
        "of course",
        "that's right",
        "thats right",
        "that is right",
        "that's correct",
        "thats correct",
        "that is correct",
        "sounds good",
        "go ahead",
        "please do",
        "confirm",
        "confirmed",
        "si",
        "sí",
        "aye",
    }
)
_NO = frozenset(
    {
        "no",
        "n",
        "nope",
        "nah",
        "false",
        "0",
        "👎",
        "❌",
        "✖",
        "✗",
        "negative",
        "wrong",
        "incorrect",
        "nay",
        "never",
        "not really",
        "no thanks",
        "no thank you",
        "not at all",
        "that's wrong",
        "thats wrong",
        "not right",
        "not correct",
        "cancel",
    }
)
_NO_TOKENS = frozenset({*(w for w in _NO if " " not in w), "not", "isn't", "isnt", "don't"})
_YES_TOKENS = frozenset(w for w in _YES if " " not in w)


@never_raise(_YES_EXAMPLE)
def parse_yes_no(text: str) -> Parsed[bool]:
    """Read yes or no, including "yep", "nope", 👍 and 👎."""
    s, err = prepare(text, msg(_YES_EXAMPLE))
    if err is not None:
        return Parsed(error=err)
    if is_unknown(s):
        return Parsed(unknown=True)
    key = s.strip(" .!,")
    if key in _YES:
        return Parsed(value=True)
    if key in _NO:
        return Parsed(value=False)
    tokens = re.findall(r"[\w']+|[^\w\s]", key)
    tokens = [t for t in tokens if t not in (",", ".", "!")]
    if tokens and tokens[0] in _YES_TOKENS and not _NO_TOKENS.intersection(tokens):
        return Parsed(value=True)
    if tokens and tokens[0] in _NO_TOKENS and not _YES_TOKENS.intersection(tokens[1:]):
        return Parsed(value=False)
    return Parsed(error=msg("dialogue.read.yes_no.ask"))
