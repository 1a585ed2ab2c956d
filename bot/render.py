"""Renders the Report through the jinja2 templates in templates/ into Telegram HTML.

Everything the person reads comes from a template; the person's own text is only ever data
(autoescaped), never template source. ``to_plain`` turns the HTML into console text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from engine import Report
from engine import parameters as params
from engine.report import Option

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PATHS = ("job_change", "loan", "withdrawal", "saving")
LIMIT = 4096
ALLOWED_TAGS = frozenset({"b", "i", "u", "s", "code", "pre", "a", "blockquote"})

# The template(s) that show each top-level section of the Report (checked by the tests).
SECTION_TEMPLATES: dict[str, tuple[str, ...]] = {
    "limits": ("limits.j2",),
    "contributions": ("contributions.j2",),
    "vesting": ("vesting.j2",),
    "loan": ("loan.j2",),
    "early_withdrawal": ("early_withdrawal.j2",),
    "roth": ("roth.j2",),
    "job_change": ("recommendation.j2", "options.j2", "cash_out.j2", "indirect.j2"),
    "rmd": ("rmd.j2",),
    "actions": ("actions.j2",),
    "notes": ("notes.j2",),
    "trace": ("why.j2",),
}

# Every code the engine emits, in plain English, by kind. The one place for this wording.
LABELS: dict[str, dict[str, str]] = {
    "option": {
        "leave_in_plan": "Leave it in the old plan",
        "roll_to_new_plan": "Move it to your new employer's plan (direct rollover)",
        "direct_rollover_ira": "Move it to an IRA (direct rollover)",
        "indirect_rollover": "Take a check, then deposit it in an IRA within 60 days",
        "cash_out": "Cash it out",
    },
    "why_not": {
        "still_employed": "You still work there, so the money stays in the plan for now.",
        "small_balance_force_out": "Your balance is {force_out_limit} or less, so the plan may "
        "move it out without asking you.",
        "new_plan_refuses_rollovers": "Your new plan does not accept rollovers.",
        "new_plan_rollovers_unknown": "First ask your new plan whether it accepts rollovers.",
    },
    "reason": {
        "still_employed": "You still work there: the money can stay where it is.",
        "early_withdrawal_costly": "Taking money out now costs income tax plus the 10% "
        "additional tax.",
        "keeps_age_55_exception": "You left in or after the year you turned 55, so money you "
        "take from this plan has no 10% additional tax.",
        "ira_rollover_loses_age_55": "In an IRA that age-55 rule does not apply: the 10% "
        "additional tax would apply until 59½.",
        "keeps_age_50_exception": "As a public safety worker you left in or after the year you "
        "turned 50, so money you take from this plan has no 10% additional tax.",
        "ira_rollover_loses_age_50": "In an IRA that public-safety rule does not apply: the 10% "
        "additional tax would apply until 59½.",
        "no_tax_now": "You pay no tax now: the money goes straight to the new account.",
        "one_account": "One account to keep track of.",
        "keeps_money_invested": "All of it stays invested and keeps growing.",
        "roth_years_carry_over": "Your Roth years carry over to the new plan, so its 5-year "
        "clock keeps running.",
        "roth_ira_clock_restarts": "Good to know: your Roth money starts a new 5-year clock "
        "in a new Roth IRA.",
        "small_balance_act_before_plan_does": "Your balance is small: choose before the plan "
        "moves it for you.",
        "roll_over_loan_offset": "Pay the unpaid loan into the new account by the deadline, "
        "and it is not taxed.",
        "cash_out_costs": "Cashing out costs tax and leaves nothing invested for retirement.",
    },
    "option_note": {
        "keeps_age_55_exception": "Keeps the age-55 rule: no 10% additional tax on money you "
        "take from this plan.",
        "loses_age_55_exception": "Loses the age-55 rule: the 10% additional tax applies until "
        "59½.",
        "keeps_age_50_exception": "Keeps the public-safety age-50 rule: no 10% additional tax "
        "on money you take from this plan.",
        "loses_age_50_exception": "Loses the public-safety age-50 rule: the 10% additional tax "
        "applies until 59½.",
        "roth_years_carry_over": "Your Roth years carry over.",
        "roth_ira_clock_restarts": "Roth money starts a new 5-year clock in a Roth IRA.",
        "withholding_refunded_at_filing": "The tax withheld comes back when you file your "
        "tax return.",
        "withholding_is_prepayment": "The 20% withheld is a prepayment of this tax, not an "
        "extra cost.",
        "loan_offset_taxed_separately": "Your unpaid loan is taxed on top of this unless you "
        "roll it over (see your loan).",
        "no_penalty_age_59_half": "No 10% additional tax: you are 59½ or older.",
        "no_penalty_separation_age_55": "No 10% additional tax: you left in or after the year "
        "you turned 55.",
        "no_penalty_public_safety_age_50": "No 10% additional tax: you are a public safety "
        "worker who left in or after the year you turned 50.",
    },
    "report_note": {
        "ages_from_age_at_year_end": "I used your age at the end of the year. A birth date "
        "makes the 59½ and RMD dates exact.",
        "roth_basis_unknown_taken_as_zero": "I don't know how much of your Roth money is your "
        "own contributions, so I counted all of it as taxable if taken out early.",
        "rmd_age_unsettled_for_1959": "For people born in 1959 the law is unclear about the RMD "
        "age (73 or 75). I used 73, as the IRS proposes.",
    },
    "action": {
        "stay_until_vesting_date": "If you can, stay until this date: more employer money "
        "becomes yours.",
        "request_direct_rollover_ira": "Open an IRA, then ask your old plan for a direct "
        "rollover to it.",
        "request_roll_to_new_plan": "Ask your old plan for a direct rollover to your new plan.",
        "indirect_rollover_deadline_if_paid_to_you": "Only if the plan paid you a check: last "
        "day to deposit all of it in an IRA, adding back the tax withheld.",
        "roll_over_loan_offset": "Last day to pay your unpaid loan into an IRA or new plan "
        "(your tax-return due date).",
        "roll_over_loan_offset_with_extension": "The same, if you file a tax extension.",
        "take_rmd": "Take your required minimum distribution from this plan.",
    },
    "exception": {
        "age_59_half": "you are 59½ or older",
        "separation_age_55": "you left this job in or after the year you turned 55 (this plan "
        "only, not an IRA)",
        "public_safety_age_50": "you are a public safety worker who left in or after the year "
        "you turned 50",
    },
    "catch_up_kind": {
        "none": "no catch-up",
        "age_50": "the catch-up from age 50",
        "age_60_63": "the larger catch-up for ages 60 to 63",
    },
    "small_balance_rule": {
        "cash_out_allowed": "Your balance is {cash_out_max} or less: the plan may pay it out "
        "to you without asking.",
        "automatic_ira": "Your balance is {force_out_limit} or less: the plan may move it to "
        "an IRA it picks, without asking.",
        "consent_required": "The plan needs your consent to move your money.",
    },
    "term": {
        "vesting": "Vesting: employer money becoming yours to keep. Your own savings are always "
        "yours.",
        "rollover": "Rollover: moving retirement money to another plan or IRA without tax. In a "
        "direct rollover the money goes straight there, not to you.",
        "ira": "IRA: an individual retirement account you open yourself at a bank or broker.",
        "indirect_rollover": "Indirect rollover: the plan pays you, and you have 60 days to put "
        "the money into an IRA.",
        "withholding": "Withholding: tax the plan sends to the IRS for you. It counts toward "
        "your tax bill.",
        "loan_offset": "Loan offset: when you leave, the plan takes the unpaid loan out of your "
        "account and counts it as paid out to you.",
        "additional_tax": "10% additional tax: an extra federal tax on money taken out before "
        "59½, on top of income tax.",
        "rmd": "RMD (required minimum distribution): the least you must take out each year "
        "from a certain age.",
        "catch_up": "Catch-up: the extra amount you may put in from age 50.",
        "match": "Match: money your employer adds when you save.",
        "roth": "Roth money: you paid tax when it went in; once qualified, it comes out tax-free.",
    },
    "section": {
        "limits": "Contribution limits",
        "contributions": "Your saving and the match",
        "vesting": "Vesting",
        "loan": "Your 401(k) loan",
        "early_withdrawal": "Taking money out early",
        "roth": "Your Roth money",
        "job_change": "Your options when you leave",
        "rmd": "Required minimum distributions",
        "actions": "Your action plan",
    },
    # Trace figures; "*" stands for an option id or an action code.
    "figure": {
        "limits.deferral_402g": "Most you can put in from your pay",
        "limits.catch_up": "Catch-up on top",
        "limits.employee_total": "Your total limit",
        "limits.annual_additions_415c": "Limit for you and your employer together",
        "limits.annual_additions_total": "Limit for you and your employer, with catch-up",
        "limits.compensation_401a17": "Most pay the plan can count",
        "limits.roth_catch_up_threshold": "Wage line for the Roth catch-up rule",
        "contributions.plan_compensation": "Pay the plan counts",
        "contributions.employee_requested": "What your percent asks for",
        "contributions.employee_annual": "What you put in a year",
        "contributions.employer_match_annual": "Employer match a year",
        "contributions.max_match_annual": "Most match you could get",
        "contributions.match_left_on_table": "Match left on the table",
        "contributions.percent_for_full_match": "Percent of pay for the full match",
        "vesting.vested_percent": "Vested percent of employer money",
        "vesting.vested_employer": "Employer money that is yours",
        "vesting.forfeited_if_leaving_now": "Employer money you would lose",
        "vesting.portable_balance": "What you can take with you",
        "vesting.next_step.vested_percent": "Vested percent at the next step",
        "vesting.next_step.gain": "Extra employer money at the next step",
        "loan.max_new_loan": "Most you can borrow now",
        "loan.limit_dollar": "Dollar limit on a loan",
        "loan.limit_vested": "Vested-balance limit on a loan",
        "loan.outstanding": "Loan you owe",
        "loan.repayment_term_years": "Time to repay",
        "loan.offset.amount": "Loan offset when you leave",
        "loan.offset.federal_tax_if_not_rolled": "Federal tax on the offset if not rolled over",
        "loan.offset.state_tax_if_not_rolled": "State tax on the offset if not rolled over",
        "loan.offset.penalty_if_not_rolled": "10% additional tax on the offset if not rolled over",
        "early_withdrawal.penalty_percent": "Additional tax on early withdrawals",
        "early_withdrawal.penalty_free_amounts.emergency_expense": "Emergency expense, no 10%",
        "early_withdrawal.penalty_free_amounts.domestic_abuse": "Domestic abuse victim, no 10%",
        "early_withdrawal.penalty_free_amounts.birth_or_adoption": "Birth or adoption, no 10%",
        "roth.balance": "Roth balance",
        "roth.first_qualified_year": "First year Roth money is tax-free",
        "roth.taxable_if_distributed": "Taxable part of the Roth if taken out now",
        "job_change.options.*.gross": "{option}: amount moved or paid",
        "job_change.options.*.withholding": "{option}: tax withheld",
        "job_change.options.*.cash_at_payout": "{option}: cash paid to you",
        "job_change.options.*.federal_tax": "{option}: federal tax",
        "job_change.options.*.state_tax": "{option}: state tax",
        "job_change.options.*.penalty": "{option}: 10% additional tax",
        "job_change.options.*.net_now": "{option}: what you keep now",
        "job_change.options.*.value_at_retirement": "{option}: value at retirement",
        "job_change.options.*.make_up_needed": "{option}: to add from savings",
        "job_change.options.*.if_not_made_up.taxable": "{option}: taxable if not added back",
        "job_change.options.*.if_not_made_up.federal_tax": "{option}: federal tax if not added "
        "back",
        "job_change.options.*.if_not_made_up.state_tax": "{option}: state tax if not added back",
        "job_change.options.*.if_not_made_up.penalty": "{option}: 10% additional tax if not "
        "added back",
        "rmd.start_age": "Age RMDs start",
        "rmd.first_year": "First RMD year",
        "rmd.required_beginning_date": "First RMD due by",
        "rmd.factor": "Life expectancy factor",
        "rmd.base": "Balance the RMD is based on",
        "rmd.amount": "RMD for this year",
        "actions.*.amount": "Action plan amount: {action}",
    },
}

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_FIGURE_ID = re.compile(r"^(job_change\.options|actions)\.([a-z0-9_]+)\.(.+)$")


def money(value: Decimal | float | int) -> str:
    """$1,234 when whole, $1,234.56 otherwise, -$1,234 when negative."""
    d = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{abs(d):,.2f}"
    if text.endswith(".00"):
        text = text[:-3]
    return ("-$" if d < 0 else "$") + text


def percent(value: Decimal | float | int) -> str:
    """6 -> 6%, 6.5 -> 6.5%."""
    return _number(value) + "%"


def long_date(value: date | None) -> str:
    """2027-04-15 -> April 15, 2027."""
    if value is None:
        return "an unknown date"
    return f"{value:%B} {value.day}, {value.year}"


def label(code: str | None, kind: str, year: int | None = None) -> str:
    """The plain-English wording of an engine code; dollar limits come from the year's data."""
    if code is None:
        return ""
    text = LABELS[kind].get(code, code.replace("_", " "))
    if "{" in text:
        y = year if year is not None else max(params.SUPPORTED_YEARS)
        limits = _KeepOthers(
            force_out_limit=money(params.amount("force_out_limit", y)),
            cash_out_max=money(params.amount("small_balance_cash_out_max", y)),
        )
        text = text.format_map(limits)
    return text


class _KeepOthers(dict[str, str]):
    """Fills the placeholders it knows and leaves the others ({option}) for their caller."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@pass_context
def _label_filter(ctx: Context, code: str | None, kind: str) -> str:
    """The `label` filter: the report in the template context gives the tax year."""
    report = ctx.get("r")
    return label(code, kind, getattr(report, "tax_year", None))


def _number(value: Decimal | float | int) -> str:
    """A number without trailing zeros: 75.00 -> 75, 70.50 -> 70.5."""
    d = Decimal(str(value)).normalize()
    return f"{d:f}" if d != 0 else "0"


# How each term of art shows up in a sentence (for Glossary.for_text).
TERM_WORDS: dict[str, re.Pattern[str]] = {
    "vesting": re.compile(r"\bvest", re.IGNORECASE),
    "rollover": re.compile(r"\brollover", re.IGNORECASE),
    "indirect_rollover": re.compile(r"indirect rollover|within 60 days", re.IGNORECASE),
    "ira": re.compile(r"\bIRA\b"),
    "withholding": re.compile(r"\bwithh(?:eld|old)", re.IGNORECASE),
    "loan_offset": re.compile(r"loan offset|unpaid loan", re.IGNORECASE),
    "additional_tax": re.compile(r"additional tax", re.IGNORECASE),
    "rmd": re.compile(r"\bRMD|required minimum distribution", re.IGNORECASE),
    "catch_up": re.compile(r"catch-up", re.IGNORECASE),
    "match": re.compile(r"\bmatch\b", re.IGNORECASE),
    "roth": re.compile(r"\bRoth\b"),
}


class Glossary:
    """Defines each term of art once per rendered answer, the first time it is used."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, *terms: str) -> Markup:
        """New lines with the terms' one-line definitions, leaving out those already given."""
        out = Markup("")
        for term in terms:
            if term not in self.seen:
                self.seen.add(term)
                out += Markup("\n<i>{}</i>").format(LABELS["term"][term])
        return out

    def for_text(self, text: str) -> Markup:
        """Definitions of the terms a sentence uses that have not been defined yet."""
        return self(*(term for term, words in TERM_WORDS.items() if words.search(text)))


def _option(report: Report, oid: str) -> Option:
    """One job-change option by id."""
    return next(o for o in report.job_change.options if o.id == oid)


def _ranked(report: Report) -> list[Option]:
    """The options best first: value at retirement, then net now, then the recommended one."""
    rec = report.job_change.recommended
    return sorted(
        report.job_change.options,
        key=lambda o: (o.value_at_retirement, o.net_now, o.id == rec),
        reverse=True,
    )


def _rmd_relevant(report: Report) -> bool:
    """Whether RMDs matter now: due this year, delayed by work, or at most 2 years away."""
    m = report.rmd
    return m.required_now or m.still_working_delay or m.first_year - report.tax_year <= 2


ENV = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
)
ENV.filters.update(usd=money, pct=percent, date=long_date, label=_label_filter, number=_number)
ENV.globals.update(option=_option, ranked=_ranked, rmd_relevant=_rmd_relevant)


def render_template(name: str, **context: Any) -> str:
    """Render one template of templates/ with the given data (autoescaped)."""
    context.setdefault("define", Glossary())
    return ENV.get_template(name).render(**context)


def _tidy(text: str) -> str:
    """Trailing spaces removed, runs of blank lines collapsed to one, ends stripped."""
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def render_answer(report: Report, path: str, *, year_note: str | None = None) -> list[str]:
    """The full answer for the chosen path, as Telegram-HTML messages under the size limit."""
    if path not in PATHS:
        raise ValueError(f"unknown path {path!r}; expected one of {', '.join(PATHS)}")
    text = render_template("answer.j2", r=report, path=path, year_note=year_note)
    return split_message(_tidy(text))


def _why_value(figure: str, value: str) -> str:
    """A trace value as the person reads it: dollars, percent, date, year or age."""
    if _ISO_DATE.fullmatch(value):
        return long_date(date.fromisoformat(value))
    try:
        d = Decimal(value)
    except InvalidOperation:
        return value
    if figure.endswith("percent") or figure.endswith("percent_for_full_match"):
        return percent(d)
    if figure.endswith("_year"):
        return str(int(d))
    if figure == "rmd.start_age":
        return "age " + _number(d)
    if figure == "rmd.factor":
        return _number(d)
    if figure == "loan.repayment_term_years":
        return _number(d) + " years"
    return money(d)


def figure_label(figure: str) -> str:
    """The plain-English name of a trace figure."""
    m = _FIGURE_ID.match(figure)
    key, code = figure, ""
    if m:
        key, code = f"{m.group(1)}.*.{m.group(3)}", m.group(2)
    text = LABELS["figure"].get(key, figure)
    return text.format(option=label(code, "option"), action=label(code, "action"))


def render_why(report: Report, *, section: str | None = None) -> list[str]:
    """The trace, grouped by section: each figure with its formula, source and tax year."""
    sections = LABELS["section"]
    if section is not None and section not in sections:
        text = render_template("why.j2", r=report, groups=[], unknown=section, sections=sections)
        return split_message(_tidy(text))
    groups: dict[str, list[dict[str, Any]]] = {}
    for e in report.trace:
        top = e["figure"].split(".", 1)[0]
        if section is not None and top != section:
            continue
        groups.setdefault(top, []).append(
            {
                "label": figure_label(e["figure"]),
                "value": _why_value(e["figure"], e["value"]),
                "formula": e["formula"],
                "source": e["source"],
                "tax_year": e["tax_year"],
            }
        )
    ordered = [
        {"title": sections.get(top, top), "entries": entries} for top, entries in groups.items()
    ]
    text = render_template("why.j2", r=report, groups=ordered, unknown=None, sections=sections)
    return split_message(_tidy(text))


def _key_figures(r: Report, path: str) -> dict[str, Decimal]:
    """The dollar figures that matter most for a path, by their plain-English name."""
    rec = _option(r, r.job_change.recommended)
    cash = _option(r, "cash_out")
    offset = r.loan.offset
    offset_cost = (
        offset.federal_tax_if_not_rolled + offset.state_tax_if_not_rolled
        if offset is not None
        else Decimal(0)
    )
    if offset is not None:
        offset_cost += offset.penalty_if_not_rolled
    figures: dict[str, Decimal] = {}
    if path == "job_change":
        figures["Suggested option, what you keep now"] = rec.net_now
        figures["Suggested option, value at retirement"] = rec.value_at_retirement
        figures["Net if you cash out"] = cash.net_now
        figures["Employer money you would lose"] = r.vesting.forfeited_if_leaving_now
        figures["Cost if the loan offset is not rolled over"] = offset_cost
        figures["Match left on the table"] = r.contributions.match_left_on_table
    elif path == "loan":
        figures["Most you can borrow now"] = r.loan.max_new_loan
        figures["Cost if the loan offset is not rolled over"] = offset_cost
        figures["Employer money you would lose"] = r.vesting.forfeited_if_leaving_now
    elif path == "withdrawal":
        figures["Net if you cash out"] = cash.net_now
        figures["Federal tax if you cash out"] = cash.federal_tax
        figures["State tax if you cash out"] = cash.state_tax
        figures["10% additional tax if you cash out"] = cash.penalty
        figures["Cost if the loan offset is not rolled over"] = offset_cost
    else:
        figures["What you put in a year"] = r.contributions.employee_annual
        figures["Employer match a year"] = r.contributions.employer_match_annual
        figures["Match left on the table"] = r.contributions.match_left_on_table
        figures["Your total limit"] = r.limits.employee_total
        figures["RMD for this year"] = r.rmd.amount
    return figures


def render_change(before: Report, after: Report, path: str) -> str:
    """After an edit: the change in dollars of the path's key figures (only those that moved)."""
    if path not in PATHS:
        raise ValueError(f"unknown path {path!r}; expected one of {', '.join(PATHS)}")
    old, new = _key_figures(before, path), _key_figures(after, path)
    changes = [
        {"name": name, "old": old[name], "new": value, "diff": value - old[name]}
        for name, value in new.items()
        if name in old and money(old[name]) != money(value)
    ]
    recommended = None
    if path == "job_change" and before.job_change.recommended != after.job_change.recommended:
        recommended = after.job_change.recommended
    return _tidy(
        render_template("change.j2", r=after, path=path, changes=changes, recommended=recommended)
    )


# --- Telegram HTML: plain text and splitting ------------------------------------------------

_TOKEN = re.compile(r"(<[^>]*>|&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)")
_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9]*)[^>]*>")


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


_SEPARATORS = ("\n\n", "\n", " ")


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
    empty = re.compile(r"<([A-Za-z][A-Za-z0-9]*)(?:\s[^>]*)?>(\s*)</\1>")
    previous = None
    while previous != text:
        previous = text
        text = empty.sub(r"\2", text)
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


__all__ = [
    "LABELS",
    "PATHS",
    "SECTION_TEMPLATES",
    "figure_label",
    "label",
    "long_date",
    "money",
    "percent",
    "render_answer",
    "render_change",
    "render_template",
    "render_why",
    "split_message",
    "to_plain",
]
