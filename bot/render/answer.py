"""The answer for a path, and the change after an edit, rendered from the templates in templates/.

Everything the person reads comes from a template or templates/messages.toml; the person's
own text is only ever data (autoescaped), never template source.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bot.formats import money
from bot.render.labels import Glossary
from bot.render.telegram_html import split_message
from bot.wording import ENV, text
from engine import Report
from engine.report import Option

PATHS = ("job_change", "loan", "withdrawal", "saving", "retiring")

# The template(s) that show each top-level section of the Report (checked by the tests).
SECTION_TEMPLATES: dict[str, tuple[str, ...]] = {
    "limits": ("limits.j2",),
    "contributions": ("contributions.j2",),
    "vesting": ("vesting.j2",),
    "loan": ("loan.j2", "loan_request.j2", "loan_job_lost.j2"),
    "early_withdrawal": ("early_withdrawal.j2",),
    "roth": ("roth.j2",),
    "job_change": ("recommendation.j2", "options.j2", "moving.j2", "cash_out.j2", "indirect.j2"),
    "rmd": ("rmd.j2",),
    "withdrawal": ("withdrawal.j2",),
    "actions": ("actions.j2",),
    "notes": ("notes.j2",),
    "assumptions": ("options.j2", "recommendation.j2"),
    "saving": ("saving.j2",),
    "allocation": ("allocation.j2",),
    "retirement": ("retirement.j2", "retirement_later.j2"),
    "trace": ("why.j2",),
}


# Sections named after an edit when their text changed (a new part, a new fee, ...), and the
# section of the answer (bot.render.sections) whose button opens each.
CHANGE_SECTIONS: dict[str, tuple[str, ...]] = {
    "job_change": ("moving.j2", "roth.j2", "rmd.j2", "actions.j2"),
    "withdrawal": ("roth.j2",),
}
_CHANGE_PART = {"moving.j2": "parts", "roth.j2": "roth", "rmd.j2": "rmd", "actions.j2": "plan"}


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


def rmd_relevant(report: Report) -> bool:
    """Whether RMDs matter now: due this year, delayed by work, or at most 2 years away."""
    m = report.rmd
    return m.required_now or m.still_working_delay or m.first_year - report.tax_year <= 2


@dataclass(frozen=True)
class Payout:
    """The year a job-change payout is made and whose tax rules gave its figures."""

    year: int
    rules_year: int
    rules_published: bool


def _payout(report: Report) -> Payout:
    """The payout's calendar year (the separation, or today if later) and its rules' year."""
    jc = report.job_change
    year = max(jc.separation_date, report.as_of).year if jc.leaving else report.tax_year
    rules = jc.payout_tax_year if jc.payout_tax_year is not None else report.tax_year
    return Payout(year, rules, jc.payout_year_supported is not False)


ENV.globals.update(option=_option, ranked=_ranked, rmd_relevant=rmd_relevant, payout=_payout)


def render_template(name: str, **context: Any) -> str:
    """Render one template of templates/ with the given data (autoescaped)."""
    context.setdefault("define", Glossary(getattr(context.get("r"), "tax_year", None)))
    return ENV.get_template(name).render(**context)


def tidy(text: str) -> str:
    """Trailing spaces removed, runs of blank lines collapsed to one, ends stripped."""
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _check_path(path: str) -> None:
    """Refuse a path the answer does not know."""
    if path not in PATHS:
        raise ValueError(f"unknown path {path!r}; expected one of {', '.join(PATHS)}")


def render_answer(
    report: Report, path: str, *, year_note: str | None = None, assumed: Sequence[str] = ()
) -> list[str]:
    """The full answer for the chosen path, as Telegram-HTML messages under the size limit."""
    _check_path(path)
    text = render_template(
        "answer.j2", r=report, path=path, year_note=year_note, assumed=list(assumed)
    )
    return split_message(tidy(text))


def _key_figures(r: Report, path: str) -> dict[str, Decimal]:
    """The dollar figures that matter most for a path, by their [label.key_figure] code."""
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
    if path == "job_change":
        return {
            "suggested_net_now": rec.net_now,
            "suggested_value_at_retirement": rec.value_at_retirement,
            "cash_out_net": cash.net_now,
            "forfeited_if_leaving_now": r.vesting.forfeited_if_leaving_now,
            "loan_offset_cost": offset_cost,
            "match_left_on_table": r.contributions.match_left_on_table,
            "suggested_fees_to_retirement": rec.fees_to_retirement or Decimal(0),
        }
    if path == "loan":
        out = {
            "max_new_loan": r.loan.max_new_loan,
            "loan_offset_cost": offset_cost,
            "forfeited_if_leaving_now": r.vesting.forfeited_if_leaving_now,
        }
        q = r.loan.request
        if q is not None and q.payment is not None and q.total_interest is not None:
            out |= {"loan_payment": q.payment, "loan_total_interest": q.total_interest}
        return out
    if path == "withdrawal" and r.withdrawal is not None:
        w = r.withdrawal
        return {
            "withdrawal_gross": w.gross,
            "withdrawal_net": w.net,
            "withdrawal_federal_tax": w.federal_tax,
            "withdrawal_state_tax": w.state_tax,
            "withdrawal_penalty": w.penalty,
            "loan_offset_cost": offset_cost,
        }
    if path == "withdrawal":
        return {
            "cash_out_net": cash.net_now,
            "cash_out_federal_tax": cash.federal_tax,
            "cash_out_state_tax": cash.state_tax,
            "cash_out_penalty": cash.penalty,
            "loan_offset_cost": offset_cost,
        }
    if path == "retiring" and r.retirement is not None:
        t = r.retirement
        out = {"income_gap_monthly": t.income_gap_monthly or Decimal(0)}
        if t.historical is not None:
            out["median_end_real"] = t.historical.median_end_real
        return out
    if path == "saving" and r.saving is not None:
        return {
            "employee_annual": r.contributions.employee_annual,
            "employer_match_annual": r.contributions.employer_match_annual,
            "match_left_on_table": r.contributions.match_left_on_table,
            "projected_balance": r.saving.projected_balance,
            "yearly_income_estimate": r.saving.yearly_income_estimate or Decimal(0),
            "tax_saved_if_max": r.saving.tax_saved_if_max,
        }
    return {
        "employee_annual": r.contributions.employee_annual,
        "employer_match_annual": r.contributions.employer_match_annual,
        "match_left_on_table": r.contributions.match_left_on_table,
        "employee_total": r.limits.employee_total,
        "rmd_amount": r.rmd.amount,
    }


def render_change(
    before: Report,
    after: Report,
    path: str,
    *,
    quiet: bool = False,
    assumed: Sequence[str] = (),
) -> str:
    """After an edit: the change in dollars of the path's key figures (only those that moved),
    and the names of the sections whose text changed (their buttons open them).

    quiet: say nothing (an empty text) rather than "nothing changed"; assumed: what the answer
    now assumes that it did not before (sentences).
    """
    _check_path(path)
    old, new = _key_figures(before, path), _key_figures(after, path)
    changes = [
        {"name": name, "old": old[name], "new": value, "diff": value - old[name]}
        for name, value in new.items()
        if name in old and money(old[name]) != money(value)
    ]
    recommended = None
    if path == "job_change" and before.job_change.recommended != after.job_change.recommended:
        recommended = after.job_change.recommended
    updated = [
        text(f"answer.button.{_CHANGE_PART[name]}")
        for name in CHANGE_SECTIONS.get(path, ())
        if (name != "actions.j2" or before.actions != after.actions)
        and (shown := tidy(render_template(name, r=after, path=path)))
        != tidy(render_template(name, r=before, path=path))
        and shown
    ]
    if quiet and not (changes or recommended or updated or assumed):
        return ""
    return tidy(
        render_template(
            "change.j2",
            r=after,
            path=path,
            changes=changes,
            recommended=recommended,
            updated=updated,
            assumed=list(assumed),
        )
    )


__all__ = [
    "PATHS",
    "SECTION_TEMPLATES",
    "render_answer",
    "render_change",
    "render_template",
    "rmd_relevant",
    "tidy",
]
