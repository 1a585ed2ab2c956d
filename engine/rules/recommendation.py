"""The job-change recommendation: one option and its reasons, never a cash-out or 60-day one."""

from __future__ import annotations

from dataclasses import dataclass

from engine.profile import Profile
from engine.report import JobChangeOut, OptionId, SeparationException
from engine.rules.job_change import KEEPS, JobChangeOptions

# What a rollover to an IRA gives up: the separation-age exception applies to this plan only.
IRA_LOSES: dict[SeparationException, str] = {
    "separation_age_55": "ira_rollover_loses_age_55",
    "public_safety_age_50": "ira_rollover_loses_age_50",
}


@dataclass(slots=True)
class Recommendation:
    """The option to take and its reason codes, most important first."""

    option: OptionId
    reasons: list[str]


def recommend(p: Profile, choices: JobChangeOptions) -> Recommendation:
    """Keep a separation-age exception, else the new plan, else a direct IRA rollover."""
    if not p.job_change.leaving:
        return staying(choices)
    kept = choices.kept
    choice: OptionId
    if kept and choices.leave_in_plan.available:
        choice = "leave_in_plan"
        reasons = [KEEPS[kept], IRA_LOSES[kept]]
    elif choices.roll_to_new_plan.available:
        choice = "roll_to_new_plan"
        reasons = ["no_tax_now", "one_account"]
        if p.balances.roth > 0:
            reasons.append("roth_years_carry_over")
    else:
        choice = "direct_rollover_ira"
        reasons = ["no_tax_now", "keeps_money_invested"]
        if p.balances.roth > 0:
            reasons.append("roth_ira_clock_restarts")
        if kept:
            reasons.append(IRA_LOSES[kept])
    if choices.rule != "consent_required":
        reasons.append("small_balance_act_before_plan_does")
    if p.loan.outstanding > 0:
        reasons.append("roll_over_loan_offset")
    cash = choices.cash_out
    if cash.federal_tax + cash.state_tax + cash.penalty > 0:
        reasons.append("cash_out_costs")
    return Recommendation(choice, reasons)


def staying(choices: JobChangeOptions) -> Recommendation:
    """Still employed: the money stays in the plan."""
    reasons = ["still_employed"]
    if choices.cash_out.penalty > 0:
        reasons.append("early_withdrawal_costly")
    return Recommendation("leave_in_plan", reasons)


def job_change_section(p: Profile, choices: JobChangeOptions) -> JobChangeOut:
    """The job-change section of the Report: the options compared and one recommendation."""
    advice = recommend(p, choices)
    return JobChangeOut(
        leaving=p.job_change.leaving,
        separation_date=p.separation,
        small_balance_rule=choices.rule,
        recommended=advice.option,
        reasons=advice.reasons,
        options=choices.all(),
    )
