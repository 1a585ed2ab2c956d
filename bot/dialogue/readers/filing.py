"""A tax filing status: single, married filing jointly or separately, head of household."""

from __future__ import annotations

import difflib
import re

from bot.dialogue.readers.base import (
    Parsed,
    is_unknown,
    msg,
    never_raise,
    prepare,
    squash,
    strip_end,
)

_SINGLE = frozenset(
    {
        "single",
        "s",
        "unmarried",
        "not married",
        "divorced",
        "single filer",
        "filing single",
    }
)
_HEAD = frozenset(
    {
        "head of household",
        "head of house",
        "head of the household",
        "hoh",
        "h",
        "single parent",
        "single with kids",
        "single with children",
    }
)
_JOINT = frozenset(
    {
        "married",
        "m",
        "joint",
        "jointly",
        "mfj",
        "married filing jointly",
        "married filing joint",
        "married jointly",
        "married joint",
        "filing jointly",
        "joint return",
        "married and filing jointly",
        "qualifying widow",
        "qualifying widower",
        "qualifying widow(er)",
        "qualifying surviving spouse",
    }
)


@never_raise("dialogue.read.filing.example")
def parse_filing_status(text: str) -> Parsed[str]:
    """Read a filing status: single, married_joint, married_separate or head_of_household."""
    s, err = prepare(text, msg("dialogue.read.filing.example"))
    if err is not None:
        return Parsed(error=err)
    if is_unknown(s):
        return Parsed(unknown=True)
    key = strip_end(s)
    key = re.sub(r"^(?:(?:i'?m|i am|im|we'?re|we are|we file|i file|status:?)\s+)+", "", key)
    key = squash(re.sub(r"\b(?:filing )?status\b", " ", key))
    if re.search(r"\bseparate(?:ly)?\b|\bmfs\b", key):
        return Parsed(value="married_separate")
    if key in _HEAD:
        return Parsed(value="head_of_household")
    if key in _SINGLE:
        return Parsed(value="single")
    if key in _JOINT:
        return Parsed(value="married_joint")
    near = _near(key)
    if near is not None:
        return Parsed(value=near, confirm=msg("dialogue.read.filing.near", status=_SAID[near]))
    return Parsed(error=msg("dialogue.read.filing.ask"))


_SAID = {
    "single": "single",
    "married_joint": "married filing jointly",
    "married_separate": "married filing separately",
    "head_of_household": "head of household",
}


def _near(key: str) -> str | None:
    """A status a misspelling is close to ("marreid", "singel", "head of houshold"), or None."""
    table = {w: "single" for w in _SINGLE if len(w) > 3}
    table |= {w: "married_joint" for w in _JOINT if len(w) > 3}
    table |= {w: "head_of_household" for w in _HEAD if len(w) > 3}
    table["married filing separately"] = "married_separate"
    close = difflib.get_close_matches(key, list(table), n=1, cutoff=0.8)
    return table[close[0]] if close else None
