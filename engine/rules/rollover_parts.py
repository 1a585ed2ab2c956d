"""Parts of a job-change rollover that go elsewhere: the RMD first, Roth money, after-tax money.

Treas. Reg. 1.402(c)-2 Q&A-7 (an RMD is paid first and is never rollable); IRC 402(c)(8)(B) and
402A(c)(3) (designated Roth money rolls only to a Roth IRA or Roth account); Notice 2014-54
(after-tax basis to a Roth IRA, pre-tax parts to a traditional IRA); IRC 408(d)(2) (pro rata).
"""

from __future__ import annotations

from decimal import Decimal

from engine.money import ZERO
from engine.profile import Profile
from engine.report import AfterTaxSplit, JobChangeOut, RmdFirst, RmdOut
from engine.trace import Trace

IRA_ROUTES = ("direct_rollover_ira", "indirect_rollover")


def rmd_first(p: Profile, rm: RmdOut, t: Trace) -> RmdFirst | None:
    """The year's RMD at a separation once RMDs are required: paid first, not rollable."""
    if not p.job_change.leaving or not rm.required_now or rm.amount <= 0:
        return None
    t.add(
        "job_change.rmd_first.amount",
        rm.amount,
        f"this year's RMD ({t.usd(rm.amount)}) comes out first and cannot be rolled over; "
        + (
            "based on the Dec 31 balance you gave"
            if p.prior_year_end_balance is not None
            else "estimated from today's balance: last Dec 31's balance is needed"
        ),
        "Treas. Reg. 1.402(c)-2 Q&A-7",
        "IRC 402(c)(4)(B)",
    )
    return RmdFirst(amount=rm.amount, not_rollable=True)


def roth_to_roth_ira(p: Profile, t: Trace) -> Decimal:
    """The designated Roth part of a rollover, which can go only to a Roth IRA or Roth account."""
    roth = p.balances.roth if p.job_change.leaving else ZERO
    t.add(
        "job_change.roth_to_roth_ira",
        roth,
        f"Roth balance {t.usd(roth)}: to a Roth IRA (or a Roth account in the new plan), never "
        "to a traditional IRA"
        if p.job_change.leaving
        else "not leaving: nothing is rolled over",
        "IRC 402(c)(8)(B)",
        "IRC 402A(c)(3)",
    )
    return roth


def after_tax_split(p: Profile, vested_employer: Decimal, t: Trace) -> AfterTaxSplit | None:
    """Basis to a Roth IRA; pre-tax, vested employer money and after-tax earnings pre-tax."""
    at = p.job_change.after_tax
    if not p.job_change.leaving or not at.amount or at.basis is None:
        return None
    earnings = at.amount - at.basis
    pretax = p.balances.pretax + vested_employer + earnings
    t.add(
        "job_change.after_tax_split.to_roth_ira",
        at.basis,
        f"after-tax contributions {t.usd(at.basis)} (not taxed again)",
        "IRS Notice 2014-54",
    )
    t.add(
        "job_change.after_tax_split.to_traditional_ira",
        pretax,
        f"pre-tax {t.usd(p.balances.pretax)} + vested employer {t.usd(vested_employer)} + "
        f"after-tax earnings {t.usd(earnings)} (taxed only when taken out)",
        "IRS Notice 2014-54",
    )
    return AfterTaxSplit(to_roth_ira=at.basis, to_traditional_ira=pretax)


def pro_rata_warning(p: Profile, jc: JobChangeOut, vested_employer: Decimal, t: Trace) -> bool:
    """A backdoor Roth with pre-tax IRA money at Dec 31: conversions become partly taxable."""
    if not p.backdoor_roth:
        return False
    rolled = ZERO
    if p.job_change.leaving and jc.recommended in IRA_ROUTES:
        rolled = p.balances.pretax + vested_employer
    warn = p.other_ira_pretax > 0 or rolled > 0
    t.add(
        "job_change.pro_rata_warning",
        warn,
        f"backdoor Roth with pre-tax IRA money at Dec 31: other IRAs {t.usd(p.other_ira_pretax)}"
        f" + rolled to an IRA now {t.usd(rolled)}",
        "IRC 408(d)(2)",
        "Form 8606",
    )
    return warn
