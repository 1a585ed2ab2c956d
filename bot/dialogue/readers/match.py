"""An employer match formula as tiers of (match %, on % of pay)."""

from __future__ import annotations

import re
from decimal import Decimal

from bot.dialogue.readers.base import (
    Parsed,
    dec,
    fmt_num,
    is_unknown,
    msg,
    never_raise,
    prepare,
    squash,
    strip_end,
    tidy,
)
from engine import SUPPORTED_YEARS
from engine import parameters as params

Tiers = list[tuple[Decimal, Decimal]]
_MATCH_EXAMPLE = "dialogue.read.match.example"
_MOST = Decimal(500)  # a match above 500% of deferrals is taken for a typing slip


def latest_year() -> int:
    """The latest tax year the parameters cover (when the conversation has none yet)."""
    return max(SUPPORTED_YEARS)


def plan_tiers(name: str, year: int) -> Tiers:
    """A matching formula the law spells out (engine/parameters/plan_design.toml)."""
    return [(tidy(m), tidy(p)) for m, p in params.get(name, year)]


def _example(year: int) -> str:
    """An example formula: a plain one and the safe harbor basic match of the year."""
    (m1, p1), (m2, p2) = plan_tiers("safe_harbor_basic_match", year)
    return msg(_MATCH_EXAMPLE, m1=fmt_num(m1), p1=fmt_num(p1), m2=fmt_num(m2), p2=fmt_num(p2))


def _ask(year: int | None = None) -> str:
    """How to give a match formula."""
    return msg("dialogue.read.match.ask", example=_example(year or latest_year()))


_MATCH_NONE_RE = re.compile(
    r"none|no|nope|nothing|zero|0|0 ?%|n/?a|nil|no match(?:ing)?|no employer match"
    r"|no company match|not matched|0 ?% match|(?:they|it|my employer) (?:does not|doesn'?t"
    r"|don'?t|do not) match|there'?s no match|there is no match|they don'?t"
)
_MATCH_REWRITE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bdollar[\s-]+for[\s-]+dollar\b|\b1\s*(?::|for)\s*1\b"), "100%"),
    (
        re.compile(
            r"\b(\d+(?:\.\d+)?)\s*(?:cents?|¢|c)\s*(?:on|per|for every|for each|for|of)\s*"
            r"(?:the|every|each|a)?\s*dollar\b"
        ),
        r"\1%",
    ),
    (re.compile(r"\bhalf\b"), "50%"),
    (re.compile(r"\s*(?:\bpercent\b|\bper cent\b|\bpct\b)"), "%"),
    (
        re.compile(
            r"\bof (?:my |your |the |their |employee'?s? )?(?:eligible |base |gross )?"
            r"(?:pay|salary|compensation|comp|income|wages|earnings|paycheck)\b"
        ),
        " ",
    ),
    (
        re.compile(
            r"\b(?:of |on )?what (?:i|you|we|employees?) (?:contribute|put in|defer|save)\b"
        ),
        " ",
    ),
    (
        re.compile(
            r"\b(?:the|they|employer|company|my|your|our|their|it|its|it's|is|offers?|gives?"
            r"|does|will|plan|a|an|matches|match|matching|matched|contributes|contributions?"
            r"|deferrals?|employees?|employee's|i|you)\b"
        ),
        " ",
    ),
]
_MNUM = r"\d+(?:\.\d+)?|\.\d+"
_TIER_RE = re.compile(
    rf"(?P<m>{_MNUM})\s*%?\s*(?:(?P<o>of|on|for)\s+)?"
    r"(?:(?P<kw>(?:(?:up\s*)?to\s+)?(?:first|next)|up\s*to|to)\s+)?(?:(?:of|on)\s+)?"
    rf"(?P<p>{_MNUM})\s*%?"
)
_SEP_RE = re.compile(r"(?:\s*(?:,|;|\+|&|\band\b|\bplus\b|\bthen\b|\balso\b))*\s*")
_SINGLE_RE = re.compile(rf"(?:(?:up\s*to|upto)\s+)?(?P<p>{_MNUM})\s*%?")


def _describe_tiers(tiers: Tiers) -> str:
    """Say the tiers back in words."""
    first = "dialogue.read.match.tier_first"
    parts = [msg(first, match=fmt_num(m), pay=fmt_num(p)) for m, p in tiers[:1]]
    parts += [
        msg("dialogue.read.match.tier_next", match=fmt_num(m), pay=fmt_num(p)) for m, p in tiers[1:]
    ]
    return ", ".join(parts)


@never_raise("dialogue.read.match.example_short")
def parse_match(text: str, *, tax_year: int | None = None) -> Parsed[Tiers]:
    """Read an employer match formula into tiers of (match %, on % of pay)."""
    year = tax_year or latest_year()
    s, err = prepare(text, _example(year))
    if err is not None:
        return Parsed(error=err)
    if is_unknown(s):
        return Parsed(unknown=True)
    s = strip_end(s)
    if _MATCH_NONE_RE.fullmatch(s):
        return Parsed(value=[])
    if re.search(r"\bnon-?\s?elective\b", s):
        return Parsed(error=msg("dialogue.read.match.non_elective") + " " + _ask(year))
    if re.search(r"\benhanced\b.*\bsafe[\s-]*harbou?r\b", s):
        return Parsed(value=plan_tiers("safe_harbor_enhanced_match", year))
    if re.search(r"\bqaca\b", s):
        return Parsed(value=plan_tiers("qaca_safe_harbor_match", year))
    if re.search(r"\bsafe[\s-]*harbou?r\b", s):
        return Parsed(value=plan_tiers("safe_harbor_basic_match", year))
    for pattern, repl in _MATCH_REWRITE[:2]:
        s = pattern.sub(repl, s)
    if re.search(r"\$|\bdollars?\b|\busd\b|\d\s*k\b", s):
        return Parsed(error=msg("dialogue.read.match.dollars", example=_example(year)))
    for pattern, repl in _MATCH_REWRITE[2:]:
        s = pattern.sub(repl, s)
    s = squash(s)
    if m := _SINGLE_RE.fullmatch(s):
        p = dec(m.group("p"))
        if p is None:
            return Parsed(error=_ask(year))
        if p == 0:
            return Parsed(value=[])
        if p <= 10:
            return Parsed(
                value=[(Decimal(100), tidy(p))],
                confirm=msg("dialogue.read.match.dollar_for_dollar", pay=fmt_num(p)),
            )
        return Parsed(error=msg("dialogue.read.match.of_what", pay=fmt_num(p)) + " " + _ask(year))
    tiers: Tiers = []
    doubtful = False
    pos, total = 0, Decimal(0)
    while pos < len(s):
        m = _TIER_RE.match(s, pos)
        if m is None:
            return Parsed(error=msg("dialogue.read.match.unreadable") + " " + _ask(year))
        kw = m.group("kw") or ""
        if not kw and not m.group("o"):
            return Parsed(error=msg("dialogue.read.match.unreadable") + " " + _ask(year))
        match_pct, pay_pct = dec(m.group("m")), dec(m.group("p"))
        if match_pct is None or pay_pct is None:
            return Parsed(error=_ask(year))
        band = pay_pct
        if tiers and "next" not in kw:
            doubtful = True
            if pay_pct > total:
                band = pay_pct - total
        if match_pct > _MOST:
            return Parsed(
                error=msg("dialogue.read.match.too_high", most=fmt_num(_MOST)) + " " + _ask(year)
            )
        if match_pct <= 0 or band <= 0:
            return Parsed(error=msg("dialogue.read.match.zero_step") + " " + _ask(year))
        tiers.append((tidy(match_pct), tidy(band)))
        total += band
        if total > 100:
            return Parsed(error=msg("dialogue.read.match.over_all_pay") + " " + _ask(year))
        pos = m.end()
        sep = _SEP_RE.match(s, pos)
        if sep is not None:
            pos = sep.end()
    if not tiers:
        return Parsed(error=msg("dialogue.read.match.unreadable") + " " + _ask(year))
    question = msg("dialogue.read.match.right", tiers=_describe_tiers(tiers)) if doubtful else None
    return Parsed(value=tiers, confirm=question)
