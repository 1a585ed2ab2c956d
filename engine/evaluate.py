"""evaluate(Profile) -> Report: runs every rule in order and gathers the trace."""

from __future__ import annotations

from decimal import localcontext

from engine.money import MONEY_CONTEXT, ZERO
from engine.parameters import DEFAULT, ParameterSet, YearParameters
from engine.profile import Profile
from engine.report import (
    AssumptionsOut,
    LoanDefault,
    LoanRequestOut,
    Report,
    Sepp,
    WithdrawalOut,
)
from engine.rules.actions import actions
from engine.rules.allocation import allocation
from engine.rules.contributions import contribution_limits, contributions
from engine.rules.exceptions_72t import with_public_safety_service
from engine.rules.fees import fees_known, with_fees
from engine.rules.job_change import job_change_options
from engine.rules.loan_default import loan_default
from engine.rules.loan_request import loan_request
from engine.rules.loans import loans
from engine.rules.nua import nua
from engine.rules.recommendation import job_change_section
from engine.rules.retirement import retirement
from engine.rules.rmd import rmd
from engine.rules.rollover_parts import (
    after_tax_split,
    pro_rata_warning,
    rmd_first,
    roth_to_roth_ira,
)
from engine.rules.roth import roth
from engine.rules.saving import saving
from engine.rules.sepp import sepp
from engine.rules.tax import tax_on_income
from engine.rules.vesting import vesting
from engine.rules.withdrawal_request import withdrawal
from engine.rules.withdrawals import early_withdrawal
from engine.trace import Trace


def evaluate(profile: Profile, parameters: ParameterSet | None = None) -> Report:
    """Every figure for one person under a parameter set (default: the engine's), traced."""
    year_law = (parameters or DEFAULT).of_year(profile.year)
    with localcontext(MONEY_CONTEXT):
        return _evaluate(profile, year_law)


def _evaluate(p: Profile, law: YearParameters) -> Report:
    """The rules in order, under the half-up money context."""
    t = Trace(law)
    notes: list[str] = []
    if p.birth_date is None:
        notes.append("ages_from_age_at_year_end")
    limits = contribution_limits(p, law, t)
    contrib = contributions(p, limits, t)
    vest = t.computed.vesting = vesting(p, law, t)
    portable = vest.portable_balance
    early = early_withdrawal(p, portable + p.loan.outstanding, portable, law, t)
    early = with_public_safety_service(p, early, t)
    plan_sepp = sepp(p, portable, t)
    if plan_sepp is not None:
        early = early.model_copy(update={"sepp": Sepp.model_validate(plan_sepp)})
    ro = roth(p, law, t)
    if p.balances.roth > 0 and not ro.basis_known and not ro.qualified_now:
        notes.append("roth_basis_unknown_taken_as_zero")
    # Federal tax on this year's income alone: the base every payout is stacked on.
    tax_now = tax_on_income(
        p.income, p.filing_status, p.deduction_age(law.year), law, p.spouse_deduction_age(law.year)
    )
    ln = loans(p, portable, early.penalty_applies, tax_now, law, t)
    t.computed.loans[(portable, early.penalty_applies, tax_now)] = ln
    request = loan_request(p, ln.max_new_loan, t)
    default = loan_default(p, early.exception, t)
    if request is not None or default is not None:
        ln = ln.model_copy(
            update={
                "request": None if request is None else LoanRequestOut.model_validate(request),
                "default": None if default is None else LoanDefault.model_validate(default),
            }
        )
    choices = job_change_options(
        p,
        portable,
        ro.taxable_if_distributed,
        early.exception,
        ro.roth_ira_clock_restarts,
        tax_now,
        law,
        t,
    )
    jc = job_change_section(p, choices)
    rm = rmd(p, vest.vested_employer, law, t)
    if rm.start_age_unsettled:
        notes.append("rmd_age_unsettled_for_1959")
    first = rmd_first(p, rm, t)
    if first is not None and p.prior_year_end_balance is None:
        notes.append("rmd_base_estimated")
    jc = jc.model_copy(
        update={
            "rmd_first": first,
            "roth_to_roth_ira": roth_to_roth_ira(p, t),
            "after_tax_split": after_tax_split(p, vest.vested_employer, t),
            "pro_rata_warning": pro_rata_warning(p, jc, vest.vested_employer, t),
            "fees_known": fees_known(p),
            "nua": nua(
                p, law.amount("early_withdrawal_rate") if early.penalty_applies else ZERO, law, t
            ),
            "options": with_fees(p, jc.options, t),
        }
    )
    plan = actions(p, vest, jc, ln, rm, t)
    a = p.assumptions
    t.add(
        "assumptions.annual_return_percent",
        a.annual_return_percent,
        "as given, or the default",
        "assumed (not law)",
    )
    t.add(
        "assumptions.retirement_age",
        a.retirement_age,
        "as given, or the default",
        "assumed (not law)",
    )
    money_out = withdrawal(p, portable, ro.qualified_now, early.exception, t)
    sv = saving(p, limits, contrib, vest.vested_employer, law, t)
    mix = allocation(p, sv.current_balance, t)
    retiring = retirement(p, sv, vest.vested_employer, rm, law, t)
    return Report(
        tax_year=p.year,
        as_of=p.as_of,
        age=p.age_at_year_end,
        filing_status=p.filing_status,
        limits=limits,
        contributions=contrib,
        vesting=vest,
        loan=ln,
        early_withdrawal=early,
        roth=ro,
        job_change=jc,
        rmd=rm,
        actions=plan,
        notes=notes,
        assumptions=AssumptionsOut(
            annual_return_percent=p.assumptions.annual_return_percent,
            retirement_age=p.assumptions.retirement_age,
        ),
        withdrawal=None if money_out is None else WithdrawalOut.model_validate(money_out),
        saving=sv,
        allocation=mix,
        retirement=retiring,
        trace=t.entries,
    )
