"""What the answer assumed instead of asking, said in words (templates/messages.toml [assumed]).

A question left unanswered ("not sure", Skip) never becomes a hidden fact: each assumption the
answer rests on is stated, with its effect in dollars where there is one, and /edit changes it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from bot.formats import long_date, money, percent
from bot.wording import text as say
from engine import Profile, Report
from engine.profile import Fees
from engine.rules.fees import fee_drag

# A typical all-in yearly cost of a 401(k) or an IRA, from index funds at a large broker to a
# small plan with managed funds (a stated range for people who do not know theirs; not law).
TYPICAL_FEES_PERCENT = (Decimal("0.05"), Decimal("1"))

Evaluate = Callable[[Profile], Report]


def _skipped(answers: dict[str, Any], key: str) -> bool:
    """The question was asked and left unanswered (not sure, skip)."""
    return answers.get(key) in ("skip", "unknown")


def _cost(report: Report) -> Decimal:
    """What cashing out costs: federal and state tax and the 10%."""
    cash = next(o for o in report.job_change.options if o.id == "cash_out")
    return cash.federal_tax + cash.state_tax + cash.penalty


def stated(
    answers: dict[str, Any], profile: Profile, report: Report, evaluate: Evaluate
) -> list[str]:
    """Each assumption the answer rests on, as a sentence (empty when nothing was assumed)."""
    out: list[str] = []
    year = report.tax_year
    path = answers.get("path")
    if answers.get("schedule") == "unknown" and profile.balances.employer > 0:
        v = report.vesting
        if answers.get("start_date"):
            out.append(
                say(
                    "assumed.vesting_least",
                    tax_year=year,
                    pct=percent(v.vested_percent),
                    amount=money(v.vested_employer),
                )
            )
        else:
            out.append(say("assumed.vesting_all", tax_year=year))
    b = profile.balances
    if path == "job_change" and b.roth > 0 and b.roth_basis is None and report.job_change.leaving:
        alt = evaluate(
            profile.model_copy(update={"balances": b.model_copy(update={"roth_basis": b.roth})})
        )
        out.append(
            say(
                "assumed.roth_basis_range",
                tax_year=year,
                roth=money(b.roth),
                low=money(_cost(alt)),
                high=money(_cost(report)),
            )
        )
    sep = report.job_change.separation_date
    if report.job_change.leaving and sep.year > report.as_of.year:
        out.append(
            say(
                "assumed.pay_in_payout_year",
                tax_year=year,
                year=str(sep.year),
                pay=money(profile.income),
                last_day=long_date(sep),
            )
        )
    jc = report.job_change
    if jc.leaving and jc.payout_year_supported is False and jc.payout_tax_year is not None:
        out.append(
            say(
                "assumed.payout_rules",
                tax_year=year,
                year=str(sep.year),
                rules=str(jc.payout_tax_year),
            )
        )
    if answers.get("filing") == "married_joint" and _skipped(answers, "spouse_age"):
        out.append(say("assumed.spouse_under", tax_year=year))
    if _skipped(answers, "five_percent_owner"):
        out.append(say("assumed.owner_5", tax_year=year))
    if _skipped(answers, "public_safety"):
        out.append(say("assumed.public_safety", tax_year=year))
    if path == "job_change" and report.job_change.leaving and not report.job_change.fees_known:
        out.extend(_fees(answers, profile, report))
    return out


def _fees(answers: dict[str, Any], profile: Profile, report: Report) -> list[str]:
    """Fees not given: what a typical range would cost by retirement on the money kept invested."""
    fees: Fees = profile.fees
    if fees.old_plan_percent is not None and fees.ira_percent is not None:
        return []
    kept = next(o for o in report.job_change.options if o.id == report.job_change.recommended)
    if kept.gross <= 0 or kept.value_at_retirement <= 0:
        return []
    low, high = TYPICAL_FEES_PERCENT
    lost_low, years = fee_drag(kept.gross, low, profile)
    lost_high, _ = fee_drag(kept.gross, high, profile)
    if years <= 0:
        return []
    return [
        say(
            "assumed.fees_unknown",
            tax_year=report.tax_year,
            low=percent(low),
            high=percent(high),
            amount=money(kept.gross),
            lost_low=money(lost_low),
            lost_high=money(lost_high),
            age=str(profile.assumptions.retirement_age),
        )
    ]


__all__ = ["TYPICAL_FEES_PERCENT", "stated"]
