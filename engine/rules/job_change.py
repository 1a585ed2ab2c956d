"""The job change: the five options side by side, each from one small function (IRC 402(c))."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from engine.money import ONE, ZERO, num, pct
from engine.parameters import YearParameters
from engine.profile import Profile
from engine.report import (
    Exception72t,
    NotMadeUp,
    Option,
    OptionId,
    SeparationException,
    SmallBalanceRule,
)
from engine.rules.tax import separate_return_note, tax_on_distribution, tax_on_income
from engine.rules.withdrawals import distribution_date
from engine.trace import Trace

# The separation-age exception (IRC 72(t)(2)(A)(v), (10)) an option keeps or loses.
KEEPS: dict[SeparationException, str] = {
    "separation_age_55": "keeps_age_55_exception",
    "public_safety_age_50": "keeps_age_50_exception",
}
LOSES: dict[SeparationException, str] = {
    "separation_age_55": "loses_age_55_exception",
    "public_safety_age_50": "loses_age_50_exception",
}

OPTION_IDS: tuple[OptionId, ...] = (
    "leave_in_plan",
    "roll_to_new_plan",
    "direct_rollover_ira",
    "indirect_rollover",
    "cash_out",
)


@dataclass(frozen=True, slots=True)
class PayoutYear:
    """The calendar year a payout is made and the tax year whose rules give its figures."""

    paid: int
    law: YearParameters

    @property
    def supported(self) -> bool:
        """The rules used are the payout year's own (not the nearest supported year's)."""
        return self.law.year == self.paid


@dataclass(slots=True)
class Payout:
    """What every option shares: the money that can move, its taxable part, the withholding."""

    year: int
    leaving: bool
    portable: Decimal
    taxable: Decimal
    offset: Decimal
    withholding: Decimal
    grown: Decimal
    when: date
    penalty_rate: Decimal
    state_rate: Decimal
    kept: SeparationException | None
    tax_now: Decimal


@dataclass(slots=True)
class Setting:
    """What the recommendation weighs besides the options: the year's law and this payout."""

    law: YearParameters
    exception: Exception72t | None
    taxable: Decimal
    tax_now: Decimal
    trace: Trace


@dataclass(slots=True)
class JobChangeOptions:
    """The five options side by side and the small-balance rule, before any recommendation."""

    rule: SmallBalanceRule
    kept: SeparationException | None
    payout_tax_year: int
    payout_year_supported: bool
    leave_in_plan: Option
    roll_to_new_plan: Option
    direct_rollover_ira: Option
    indirect_rollover: Option
    cash_out: Option
    setting: Setting

    def all(self) -> list[Option]:
        """The options in the Report's order."""
        return [
            self.leave_in_plan,
            self.roll_to_new_plan,
            self.direct_rollover_ira,
            self.indirect_rollover,
            self.cash_out,
        ]


def small_balance_rule(vested: Decimal, law: YearParameters) -> SmallBalanceRule:
    """What the plan may do without consent: cash out, or an IRA (IRC 411(a)(11), 401(a)(31))."""
    if vested <= law.amount("small_balance_cash_out_max"):
        return "cash_out_allowed"
    if vested <= law.amount("force_out_limit"):
        return "automatic_ira"
    return "consent_required"


def mandatory_withholding(
    taxable: Decimal, offset: Decimal, cash: Decimal, law: YearParameters
) -> Decimal:
    """Withholding on the taxable payout and any loan offset, at most the cash (IRC 3405(c))."""
    return min(law.amount("mandatory_withholding_rate") * (taxable + offset), cash)


def value_at_retirement(amount: Decimal, p: Profile) -> Decimal:
    """What stays invested, grown at the assumed return until retirement age."""
    years = max(0, p.assumptions.retirement_age - p.age_at_year_end)
    return amount * (ONE + pct(p.assumptions.annual_return_percent)) ** years


def kept_exception(exception: Exception72t | None) -> SeparationException | None:
    """The separation-age exception that leaving the money in this plan keeps, if any."""
    if exception == "separation_age_55" or exception == "public_safety_age_50":
        return exception
    return None


def payout_year(p: Profile, law: YearParameters) -> PayoutYear:
    """Money paid at or after the separation is taxed in the year it is paid (IRC 402(a)).

    Leaving: the year of the payout date (the separation, or as_of if later), under that year's
    rules, or the nearest supported year's when it is not covered yet. Staying: the tax year.
    """
    if not p.job_change.leaving:
        return PayoutYear(law.year, law)
    paid = distribution_date(p).year
    years = law.parameters.years
    used = min(max(paid, years[0]), years[-1])
    return PayoutYear(paid, law if used == law.year else law.parameters.of_year(used))


def payout(
    p: Profile,
    portable: Decimal,
    roth_taxable: Decimal,
    exception: Exception72t | None,
    tax_now: Decimal,
    law: YearParameters,
    year: int | None = None,
) -> Payout:
    """The shared figures of a payout of the whole portable balance, paid in `year`."""
    leaving = p.job_change.leaving
    offset = p.loan.outstanding if leaving else ZERO
    taxable = portable - p.balances.roth + roth_taxable
    return Payout(
        year=law.year if year is None else year,
        leaving=leaving,
        portable=portable,
        taxable=taxable,
        offset=offset,
        withholding=mandatory_withholding(taxable, offset, portable, law),
        grown=value_at_retirement(portable, p),
        when=distribution_date(p),
        penalty_rate=ZERO if exception else law.amount("early_withdrawal_rate"),
        state_rate=pct(p.state_tax_percent),
        kept=kept_exception(exception),
        tax_now=tax_now,
    )


def _option(
    c: Payout,
    oid: OptionId,
    notes: list[str],
    *,
    why_not: str | None = None,
    paid_to_you: bool = False,
    withholding: Decimal = ZERO,
    federal_tax: Decimal = ZERO,
    state_tax: Decimal = ZERO,
    penalty: Decimal = ZERO,
    stays_invested: bool = True,
    deadline: date | None = None,
    make_up_needed: Decimal | None = None,
    if_not_made_up: NotMadeUp | None = None,
) -> Option:
    """One option; every option but leaving the money needs a separation."""
    if not c.leaving and oid != "leave_in_plan":
        why_not = "still_employed"
    untaxed = federal_tax is ZERO and state_tax is ZERO and penalty is ZERO
    return Option(
        id=oid,
        available=why_not is None,
        why_not=why_not,
        gross=c.portable,
        withholding=withholding,
        cash_at_payout=c.portable - withholding if paid_to_you else ZERO,
        federal_tax=federal_tax,
        state_tax=state_tax,
        penalty=penalty,
        net_now=c.portable if untaxed else c.portable - federal_tax - state_tax - penalty,
        value_at_retirement=c.grown if stays_invested else ZERO,
        deadline=deadline,
        notes=notes,
        make_up_needed=make_up_needed,
        if_not_made_up=if_not_made_up,
    )


def leave_in_plan(c: Payout, rule: SmallBalanceRule) -> Option:
    """Leave the money in the old plan: nothing taxed; not when the plan may force it out."""
    notes = [KEEPS[c.kept]] if c.kept else []
    forced = c.leaving and rule != "consent_required"
    return _option(c, "leave_in_plan", notes, why_not="small_balance_force_out" if forced else None)


def roll_to_new_plan(c: Payout, accepts: bool | None, has_roth: bool) -> Option:
    """A direct rollover into the new employer's plan, if it takes roll-ins."""
    notes = [LOSES[c.kept]] if c.kept else []
    if has_roth:
        notes.append("roth_years_carry_over")
    why_not = None
    if c.leaving and accepts is not True:
        why_not = "new_plan_refuses_rollovers" if accepts is False else "new_plan_rollovers_unknown"
    return _option(c, "roll_to_new_plan", notes, why_not=why_not, deadline=c.when)


def _ira_notes(c: Payout, roth_restarts: bool) -> list[str]:
    """What moving the money to an IRA changes."""
    notes = [LOSES[c.kept]] if c.kept else []
    if roth_restarts:
        notes.append("roth_ira_clock_restarts")
    return notes


def direct_rollover_ira(c: Payout, roth_restarts: bool) -> Option:
    """A direct rollover to an IRA: nothing withheld, nothing taxed (IRC 402(c), 401(a)(31))."""
    return _option(c, "direct_rollover_ira", _ira_notes(c, roth_restarts), deadline=c.when)


def indirect_rollover(c: Payout, p: Profile, roth_restarts: bool, law: YearParameters) -> Option:
    """Paid to the person less withholding, rolled over within the window (IRC 402(c)(3))."""
    days = int(law.amount("indirect_rollover_days"))
    short = c.withholding * c.taxable / c.portable if c.portable > 0 else ZERO
    return _option(
        c,
        "indirect_rollover",
        ["withholding_refunded_at_filing", *_ira_notes(c, roth_restarts)],
        paid_to_you=True,
        withholding=c.withholding,
        deadline=c.when + timedelta(days=days),
        make_up_needed=c.withholding,
        if_not_made_up=NotMadeUp(
            taxable=short,
            federal_tax=tax_on_distribution(
                p.income,
                short,
                p.filing_status,
                p.deduction_age(c.year),
                law,
                c.tax_now,
                p.spouse_deduction_age(c.year),
            ),
            state_tax=c.state_rate * short,
            penalty=c.penalty_rate * short,
        ),
    )


def cash_out(c: Payout, p: Profile, exception: Exception72t | None, law: YearParameters) -> Option:
    """Take it all in cash: taxed now, stacked on this year's income, plus any 72(t) tax.

    An unpaid loan offset lands in the same year's income (IRC 402(c)(3)(C), 72(p)): the cash
    is stacked on top of it, so this tax and the offset's own tax add up to the year's total.
    """
    notes = ["withholding_is_prepayment"]
    if c.offset > 0:
        notes += ["loan_offset_taxed_separately", "tax_stacked_on_loan_offset"]
    if exception:
        notes.append("no_penalty_" + exception)
    fed = tax_on_distribution(
        p.income + c.offset,
        c.taxable,
        p.filing_status,
        p.deduction_age(c.year),
        law,
        c.tax_now if c.offset == 0 else None,
        p.spouse_deduction_age(c.year),
    )
    return _option(
        c,
        "cash_out",
        notes,
        paid_to_you=True,
        withholding=c.withholding,
        federal_tax=fed,
        state_tax=c.state_rate * c.taxable,
        penalty=c.penalty_rate * c.taxable,
        stays_invested=False,
    )


def job_change_options(
    p: Profile,
    portable: Decimal,
    roth_taxable: Decimal,
    exception: Exception72t | None,
    roth_restarts: bool,
    tax_now: Decimal,
    law: YearParameters,
    t: Trace,
) -> JobChangeOptions:
    """Every option's gross, withholding, taxes, penalty, net now and value at retirement.

    The payout figures use the rules of the year the money is paid out (payout_year); `tax_now`
    is the tax year's and is worked again when that year or its rules differ.
    """
    when = payout_year(p, law)
    if when.paid != law.year:
        law = when.law
        tax_now = tax_on_income(
            p.income,
            p.filing_status,
            p.deduction_age(when.paid),
            law,
            p.spouse_deduction_age(when.paid),
        )
        t = payout_trace(law, t)
    trace_payout_year(p, when, t)
    c = payout(p, portable, roth_taxable, exception, tax_now, law, when.paid)
    rule = small_balance_rule(portable + p.loan.outstanding, law)
    choices = JobChangeOptions(
        rule=rule,
        kept=c.kept,
        payout_tax_year=when.law.year,
        payout_year_supported=when.supported,
        leave_in_plan=leave_in_plan(c, rule),
        roll_to_new_plan=roll_to_new_plan(
            c, p.job_change.new_plan_accepts_rollovers, p.balances.roth > 0
        ),
        direct_rollover_ira=direct_rollover_ira(c, roth_restarts),
        indirect_rollover=indirect_rollover(c, p, roth_restarts, law),
        cash_out=cash_out(c, p, exception, law),
        setting=Setting(law, exception, c.taxable, tax_now, t),
    )
    note = payout_year_note(p, when, t)
    trace_options(c, choices.all(), p, law, t, note)
    trace_indirect_make_up(c, choices.indirect_rollover, p, law, t, note)
    return choices


def payout_trace(law: YearParameters, t: Trace) -> Trace:
    """A trace that adds to the same entries, dated and cited for the payout year's rules."""
    out = Trace(law)
    out.entries = t.entries
    return out


def trace_payout_year(p: Profile, when: PayoutYear, t: Trace) -> None:
    """Trace the year whose rules give the payout figures, and whether it is in the data."""
    used = when.law.year
    if not p.job_change.leaving:
        why = f"still employed: a payout now is taxed in the tax year {used}"
    else:
        why = f"paid out on {distribution_date(p)}: taxed in {when.paid}" + (
            f", under the {used} rules"
            if when.supported
            else f", whose rules are not in the data yet: the {used} rules are used"
        )
    t.add(
        "job_change.payout_tax_year",
        used,
        f"{why}; stacked on income of {t.usd(p.income)} that year, as you gave it",
        "IRC 402(a)",
    )
    t.add(
        "job_change.payout_year_supported",
        when.supported,
        f"the {when.paid} rules are in the data"
        if when.supported
        else f"the {when.paid} rules are not in the data yet",
    )


def payout_year_note(p: Profile, when: PayoutYear, t: Trace) -> str:
    """The payout year and rules used, said in the tax formulas when not the tax year's ('')."""
    if when.paid == p.year:
        return ""
    used = when.law.year
    rules = (
        f"under the {used} rules"
        if when.supported
        else f"whose rules are not in the data yet: the {used} rules are used"
    )
    return (
        f"; paid out on {distribution_date(p)}, taxed in {when.paid} {rules}, stacked on "
        f"income of {t.usd(p.income)} that year as you gave it"
    )


def trace_options(
    c: Payout, options: list[Option], p: Profile, law: YearParameters, t: Trace, note: str = ""
) -> None:
    """Trace every option figure; the shared texts are formatted once."""
    income, taxable, portable = p.income, c.taxable, c.portable
    w_pct = num(law.amount("mandatory_withholding_rate") * 100)
    e_pct = num(law.amount("early_withdrawal_rate") * 100)
    years = max(0, p.assumptions.retirement_age - p.age_at_year_end)
    growth_txt = (
        f"{t.usd(portable)} x (1 + {num(p.assumptions.annual_return_percent)}%)^{years} "
        f"(to age {p.assumptions.retirement_age})"
    )
    gross_txt = "vested balance: " + _portable_txt(p, portable, t)
    withheld_txt = (
        f"{w_pct}% x (taxable {t.usd(taxable)} + loan offset {t.usd(c.offset)}), at most the cash "
        f"{t.usd(portable)}"
    )
    fed_txt = (
        f"tax on income {t.usd(income)} + taxable {t.usd(taxable)} minus tax on {t.usd(income)} "
        f"({p.filing_status}, {law.year} brackets and standard deduction"
        f"{separate_return_note(p.filing_status)}{note})"
    )
    stacked_txt = (
        f"tax on income {t.usd(income)} + loan offset {t.usd(c.offset)} + taxable "
        f"{t.usd(taxable)} minus tax on {t.usd(income)} + loan offset {t.usd(c.offset)} "
        f"({p.filing_status}, {law.year} brackets and standard deduction"
        f"{separate_return_note(p.filing_status)}; the offset's own tax is with the loan"
        f"{note})"
    )
    state_txt = f"{num(p.state_tax_percent)}% x taxable"
    pen_txt = f"{e_pct}% x {t.usd(taxable)}"
    untaxed_net = f"{t.usd(portable)} - $0 - $0 - $0"
    for o in options:
        f = f"job_change.options.{o.id}"
        paid = bool(o.withholding)
        taxed = bool(o.federal_tax or o.state_tax or o.penalty)
        t.add(f + ".gross", o.gross, gross_txt, "IRC 411(a)")
        t.add(
            f + ".withholding",
            o.withholding,
            withheld_txt if paid else "no withholding: nothing is paid to you",
            "mandatory_withholding_rate",
            "Treas. Reg. 1.402(c)-2 Q&A-9",
        )
        t.add(
            f + ".cash_at_payout",
            o.cash_at_payout,
            f"{t.usd(o.gross)} - {t.usd(o.withholding)}" if paid else "$0",
        )
        t.add(
            f + ".federal_tax",
            o.federal_tax,
            (stacked_txt if o.id == "cash_out" and c.offset > 0 else fed_txt)
            if o.federal_tax
            else "no tax now: the money stays tax-deferred",
            "tax_brackets",
            "standard_deduction",
        )
        t.add(f + ".state_tax", o.state_tax, state_txt)
        t.add(
            f + ".penalty",
            o.penalty,
            pen_txt if o.penalty else "no additional tax on early distributions",
            "early_withdrawal_rate",
        )
        t.add(
            f + ".net_now",
            o.net_now,
            f"{t.usd(o.gross)} - {t.usd(o.federal_tax)} - {t.usd(o.state_tax)} - {t.usd(o.penalty)}"
            if taxed
            else untaxed_net,
        )
        t.add(
            f + ".value_at_retirement",
            o.value_at_retirement,
            growth_txt if o.value_at_retirement else "nothing stays invested",
            "assumed return (not law)",
        )


def trace_indirect_make_up(
    c: Payout, indirect: Option, p: Profile, law: YearParameters, t: Trace, note: str = ""
) -> None:
    """Trace what an indirect rollover needs from savings, and the cost if it is not found."""
    days = int(law.amount("indirect_rollover_days"))
    e_pct = num(law.amount("early_withdrawal_rate") * 100)
    short = indirect.if_not_made_up
    assert short is not None
    income = p.income
    t.add(
        "job_change.options.indirect_rollover.make_up_needed",
        c.withholding,
        f"add the {t.usd(c.withholding)} withheld from savings within {days} days to roll over "
        f"all {t.usd(c.portable)}",
        "indirect_rollover_days",
        "IRC 402(c)(3)",
    )
    sub = "job_change.options.indirect_rollover.if_not_made_up"
    t.add(sub + ".taxable", short.taxable, f"the unreplaced {t.usd(c.withholding)}, taxable part")
    t.add(
        sub + ".federal_tax",
        short.federal_tax,
        f"tax on income {t.usd(income)} + {t.usd(short.taxable)} minus tax on {t.usd(income)}"
        f"{note}",
        "tax_brackets",
        "standard_deduction",
    )
    t.add(
        sub + ".state_tax",
        short.state_tax,
        f"{num(p.state_tax_percent)}% x {t.usd(short.taxable)}",
    )
    t.add(
        sub + ".penalty",
        short.penalty,
        f"{e_pct}% x {t.usd(short.taxable)}"
        if short.penalty
        else "no additional tax on early distributions",
        "early_withdrawal_rate",
    )


def _portable_txt(p: Profile, portable: Decimal, t: Trace) -> str:
    """The vested balance as a sum."""
    b = p.balances
    vested_employer = portable - b.pretax - b.roth
    return (
        f"pretax {t.usd(b.pretax)} + Roth {t.usd(b.roth)} + vested employer "
        f"{t.usd(vested_employer)} = {t.usd(portable)}"
    )
