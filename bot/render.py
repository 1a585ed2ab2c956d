"""Renders the Report through jinja2 templates into Telegram HTML (plain text for the console)."""

from __future__ import annotations

import html
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from engine import Report

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PATHS = ("job_change", "loan", "withdrawal", "saving")
LIMIT = 4096

LABELS: dict[str, str] = {
    "leave_in_plan": "Leave it in the old plan",
    "roll_to_new_plan": "Roll it into your new employer's plan",
    "direct_rollover_ira": "Direct rollover to an IRA",
    "indirect_rollover": "Take a check and roll it over within 60 days",
    "cash_out": "Cash it out",
    "still_employed": "you still work there",
    "small_balance_force_out": "with $7,000 or less the plan may move it out without asking you",
    "new_plan_refuses_rollovers": "your new plan does not accept rollovers",
    "new_plan_rollovers_unknown": "ask your new plan whether it accepts rollovers",
    "keeps_age_55_exception": "it keeps the age-55 rule: withdrawals from this plan have no 10% "
    "additional tax",
    "ira_rollover_loses_age_55": "moving it to an IRA would lose the age-55 rule until 59 1/2",
    "no_tax_now": "no tax now",
    "one_account": "one account to watch",
    "keeps_money_invested": "the money stays invested",
    "roth_years_carry_over": "your Roth years carry over in a direct plan-to-plan rollover",
    "roth_ira_clock_restarts": "Roth money in a new Roth IRA starts a new 5-year clock",
    "small_balance_act_before_plan_does": "a small balance: choose before the plan chooses for you",
    "roll_over_loan_offset": "pay the loan offset into the new account in time to avoid tax",
    "cash_out_costs": "cashing out costs tax and usually a 10% additional tax",
    "early_withdrawal_costly": "an early withdrawal costs tax and usually 10% more",
    "age_59_half": "you are 59 1/2 or older",
    "separation_age_55": "you left this job in or after the year you turned 55 (this plan only)",
    "public_safety_age_50": "public safety worker who left in or after the year you turned 50",
    "request_direct_rollover_ira": "Ask the old plan for a direct rollover to your IRA",
    "request_roll_to_new_plan": "Ask the old plan for a direct rollover to your new plan",
    "indirect_rollover_deadline_if_paid_to_you": "If you took a check: last day to deposit it "
    "(add back the amount withheld)",
    "stay_until_vesting_date": "Stay until this date to keep more employer money",
    "roll_over_loan_offset_with_extension": "Same, if you file an extension",
    "take_rmd": "Take your required minimum distribution",
}
LABELS["roll_over_loan_offset"] = "pay the loan offset into the new account in time to avoid tax"
ACTION_LABELS = {
    "roll_over_loan_offset": "Last day to roll over the loan offset (tax-return due date)",
}


def money(value: Decimal | float | int) -> str:
    """$1,234 when whole, $1,234.56 otherwise, -$1,234 when negative."""
    d = Decimal(str(value)).quantize(Decimal("0.01"))
    text = f"{abs(d):,.2f}"
    if text.endswith(".00"):
        text = text[:-3]
    return ("-$" if d < 0 else "$") + text


def _pct(value: Any) -> str:
    return f"{Decimal(str(value)).normalize():f}%"


def _date(value: date | None) -> str:
    return "" if value is None else f"{value:%B} {value.day}, {value.year}"


def _label(code: str, kind: str = "") -> str:
    if kind == "action" and code in ACTION_LABELS:
        return ACTION_LABELS[code]
    return LABELS.get(code, code.replace("_", " "))


ENV = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.filters.update(usd=money, pct=_pct, date=_date, label=_label)


def render_template(name: str, **context: Any) -> str:
    """Render one template file."""
    return ENV.get_template(name).render(**context)


def render_answer(report: Report, path: str, *, year_note: str | None = None) -> list[str]:
    """The full answer for the chosen path, split into Telegram-sized messages."""
    text = render_template("answer.j2", r=report, path=path, year_note=year_note)
    return split_message(text.strip())


def render_why(report: Report, *, section: str | None = None) -> list[str]:
    """The trace: every figure with its formula, source and tax year."""
    entries = [e for e in report.trace if section is None or e["figure"].startswith(section)]
    return split_message(render_template("why.j2", entries=entries).strip())


def _key_figures(r: Report, path: str) -> dict[str, Decimal]:
    opts = {o.id: o for o in r.job_change.options}
    if path == "saving":
        return {
            "Employer match per year": r.contributions.employer_match_annual,
            "Match left on the table": r.contributions.match_left_on_table,
        }
    if path == "loan":
        return {"Most you can borrow now": r.loan.max_new_loan}
    rec = opts[r.job_change.recommended]
    return {
        "Net if you cash out": opts["cash_out"].net_now,
        f"{_label(rec.id)}: value at retirement": rec.value_at_retirement,
        "Forfeited if you leave now": r.vesting.forfeited_if_leaving_now,
    }


def render_change(before: Report, after: Report, path: str) -> str:
    """What an edited answer changed, in dollars."""
    a, b = _key_figures(before, path), _key_figures(after, path)
    lines = []
    for name, new in b.items():
        old = a.get(name)
        if old is not None and old != new:
            diff = new - old
            sign = "+" if diff > 0 else "-"
            lines.append(
                f"{html.escape(name)}: {money(old)} → {money(new)} ({sign}{money(abs(diff))})"
            )
    if before.job_change.recommended != after.job_change.recommended and path == "job_change":
        lines.append("Recommendation now: " + html.escape(_label(after.job_change.recommended)))
    return "\n".join(lines) if lines else "Nothing in the result changed."


TAG = re.compile(r"<[^>]+>")


def to_plain(text: str) -> str:
    """Telegram HTML as plain text: tags stripped, entities unescaped."""
    return html.unescape(TAG.sub("", text))


def split_message(text: str, limit: int = LIMIT) -> list[str]:
    """Split on blank lines so each part's visible text is under the limit."""
    parts: list[str] = []
    current = ""
    for para in text.split("\n\n"):
        for piece in _fit(para, limit):
            candidate = f"{current}\n\n{piece}" if current else piece
            if len(to_plain(candidate)) < limit:
                current = candidate
            else:
                if current:
                    parts.append(current)
                current = piece
    if current:
        parts.append(current)
    return parts


def _fit(para: str, limit: int) -> list[str]:
    """A paragraph cut into pieces under the limit: on lines, then on spaces (tags kept whole)."""
    if len(to_plain(para)) < limit:
        return [para]
    out: list[str] = []
    current = ""
    for token in re.split(r"(\s+)", TAG.sub(lambda m: m.group(0).replace(" ", "\x00"), para)):
        token = token.replace("\x00", " ")
        if len(to_plain(current + token)) >= limit - 1:
            out.append(current)
            current = token.lstrip()
        else:
            current += token
    if current:
        out.append(current)
    return out
