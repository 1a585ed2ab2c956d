"""evaluate(Profile) -> Report: runs every rule in order and gathers the trace."""

from __future__ import annotations

from decimal import localcontext
from typing import Any

from engine import parameters as P
from engine.money import MONEY_CONTEXT, forget_formats
from engine.profile import Profile
from engine.report import Report
from engine.rules.actions import actions
from engine.rules.contributions import contribution_limits, contributions
from engine.rules.exceptions_72t import with_public_safety_service
from engine.rules.job_change import job_change
from engine.rules.loan_default import loan_default
from engine.rules.loan_request import loan_request
from engine.rules.loans import loans
from engine.rules.rmd import rmd
from engine.rules.roth import roth
from engine.rules.sepp import sepp
from engine.rules.vesting import vesting
from engine.rules.withdrawal_request import withdrawal
from engine.rules.withdrawals import early_withdrawal
from engine.trace import Trace


def evaluate(profile: Profile) -> Report:
    """Every figure for one person, exact and traced; raises UnsupportedYear for other years."""
    p = profile
    P.check_year(p.year)
    forget_formats()
    with localcontext(MONEY_CONTEXT):
        return _evaluate(p)


def _evaluate(p: Profile) -> Report:
    """The rules in order, under the half-up money context."""
    t = Trace(p.year)
    notes: list[str] = []
    if p.birth_date is None:
        notes.append("ages_from_age_at_year_end")
    limits = contribution_limits(p, t)
    contrib = contributions(p, limits, t)
    vest = vesting(p, t)
    portable = vest["portable_balance"]
    early = early_withdrawal(p, portable + p.loan.outstanding, portable, t)
    early = with_public_safety_service(p, early, t)
    early["sepp"] = sepp(p, portable, t)
    ro = roth(p, t)
    if p.balances.roth > 0 and not ro["basis_known"] and not ro["qualified_now"]:
        notes.append("roth_basis_unknown_taken_as_zero")
    ln = loans(p, portable, early["penalty_applies"], t)
    ln["request"] = loan_request(p, ln["max_new_loan"], t)
    ln["default"] = loan_default(p, early["exception"], t)
    jc = job_change(
        p,
        portable,
        ro["taxable_if_distributed"],
        early["exception"],
        ro["roth_ira_clock_restarts"],
        t,
    )
    rm = rmd(p, vest["vested_employer"], t)
    if rm["start_age_unsettled"]:
        notes.append("rmd_age_unsettled_for_1959")
    sections: dict[str, Any] = {
        "tax_year": p.year,
        "as_of": p.as_of,
        "age": p.age_at_year_end,
        "filing_status": p.filing_status,
        "limits": limits,
        "contributions": contrib,
        "vesting": vest,
        "loan": ln,
        "early_withdrawal": early,
        "roth": ro,
        "job_change": jc,
        "rmd": rm,
        "withdrawal": withdrawal(p, portable, ro["qualified_now"], early["exception"], t),
    }
    sections["actions"] = actions(p, sections, t)
    sections["notes"] = notes
    sections["trace"] = t.entries
    return Report.model_validate(sections)
