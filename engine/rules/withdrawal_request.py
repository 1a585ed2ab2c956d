"""A withdrawal now: gross or net needed, taxable part, withholding, 72(t) exceptions, hardship."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine import parameters as P
from engine.money import CENT, ZERO, cents, num, pct, usd
from engine.profile import Profile
from engine.rules import exceptions_72t as X
from engine.rules.tax import tax_on_distribution
from engine.rules.withdrawals import distribution_date
from engine.trace import Trace

# Order in which exceptions cover the taxable amount: unlimited ones first, then by limit.
CLAIM_ORDER = (
    *X.UNLIMITED,
    "birth_adoption",
    "emergency",
    "domestic_abuse",
    "disaster",
    "ltc_premiums",
)
MAX_GROSS_STEPS = 64
# Each figure is rounded to cents, so the net can dip by a cent or two as the gross rises: after
# the bisection, this many cents below are searched for a smaller gross that also suffices.
ROUNDING_WINDOW_CENTS = 100


@dataclass(frozen=True)
class Split:
    """Where a gross amount comes from, and its taxable part (72(e)(8), 402A(d))."""

    pretax: Decimal
    roth: Decimal
    roth_taxable: Decimal

    @property
    def taxable(self) -> Decimal:
        """Pre-tax money is all taxable; Roth money only its earnings share unless qualified."""
        return self.pretax + self.roth_taxable


@dataclass(frozen=True)
class Covered:
    """One exception and the part of the taxable amount it frees from the 10%."""

    code: str
    limit: Decimal | None
    free: Decimal


@dataclass(frozen=True)
class Outcome:
    """Every figure of one gross amount, each rounded to cents (so the net adds up)."""

    gross: Decimal
    split: Split
    covered: tuple[Covered, ...]
    free: Decimal
    federal: Decimal
    state: Decimal
    penalty: Decimal

    @property
    def net(self) -> Decimal:
        """Gross less federal tax, state tax and the 10%."""
        return self.gross - self.federal - self.state - self.penalty


@dataclass(frozen=True)
class Context:
    """What does not change with the gross: balances, the age rule, the claims allowed."""

    p: Profile
    pretax_available: Decimal
    vested: Decimal
    roth_qualified: bool
    age_code: str | None
    claims: tuple[str, ...]
    notes: tuple[str, ...]


def split_gross(gross: Decimal, c: Context) -> Split:
    """Pre-tax, Roth, or pro rata across both; Roth earnings pro rata to basis (72(e)(8)(B))."""
    b = c.p.balances
    source = c.p.withdrawal.source
    if source == "pretax":
        roth = ZERO
    elif source == "roth":
        roth = gross
    else:
        total = c.pretax_available + b.roth
        roth = gross * b.roth / total if total > 0 else ZERO
    pretax = gross - roth
    if c.roth_qualified or roth == 0:
        return Split(pretax, roth, ZERO)
    basis = b.roth_basis if b.roth_basis is not None else ZERO
    share = (b.roth - basis) / b.roth if b.roth > 0 else Decimal(1)
    return Split(pretax, roth, roth * share)


def covered_parts(taxable: Decimal, c: Context) -> tuple[Covered, ...]:
    """Each exception's penalty-free part, never more in all than the taxable amount."""
    if c.age_code is not None:
        return (Covered(c.age_code, None, taxable),)
    p, y = c.p, c.p.year
    w = p.withdrawal
    out: list[Covered] = []
    left = taxable
    limits: list[tuple[str, Decimal | None]] = []
    for code in c.claims:
        if code in X.UNLIMITED:
            limits.append((code, None))
        elif code == "birth_adoption":
            limits.append((code, X.birth_adoption_limit(w.children, y)))
        elif code == "emergency":
            limits.append((code, X.emergency_limit(c.vested, y)))
        elif code == "domestic_abuse":
            limits.append((code, X.domestic_abuse_limit(c.vested, y)))
        elif code == "disaster":
            limits.append((code, X.disaster_limit(y)))
        elif code == "ltc_premiums":
            limits.append((code, X.ltc_limit(w.ltc_premiums, c.vested, distribution_date(p), y)))
    if w.medical_expenses > 0:
        limits.append(("medical", X.medical_limit(w.medical_expenses, p.income, taxable, y)))
    for code, limit in limits:
        free = left if limit is None else min(left, cents(limit))
        out.append(Covered(code, limit, free))
        left -= free
    return tuple(out)


def outcome(gross: Decimal, c: Context) -> Outcome:
    """The taxes, the 10% and the net of one gross amount."""
    p, y = c.p, c.p.year
    s = split_gross(gross, c)
    taxable = s.taxable
    covered = covered_parts(taxable, c)
    free = sum((k.free for k in covered), ZERO)
    federal = cents(
        tax_on_distribution(
            p.income,
            taxable,
            p.filing_status,
            p.deduction_age(y),
            X.law_of(y),
            None,
            p.spouse_deduction_age(y),
        )
    )
    state = cents(pct(p.state_tax_percent) * taxable)
    penalty = cents(P.amount("early_withdrawal_rate", y) * (taxable - free))
    return Outcome(gross, s, covered, free, federal, state, penalty)


def gross_for_net(need: Decimal, c: Context) -> Outcome:
    """The smallest gross, to the cent, whose net is at least the need (bisection on cents)."""
    first = outcome(need, c)
    if first.net >= need:
        return first
    lo, hi = need, need * 2 + 1
    high = outcome(hi, c)
    for _ in range(MAX_GROSS_STEPS):
        if high.net >= need:
            break
        lo, hi = hi, hi * 2
        high = outcome(hi, c)
    # net(lo) < need <= net(hi); the net grows with the gross (every marginal rate is below 1).
    low_c, high_c = int(lo / CENT), int(hi / CENT)
    while high_c - low_c > 1:
        mid_c = (low_c + high_c) // 2
        mid = outcome(Decimal(mid_c) * CENT, c)
        if mid.net >= need:
            high_c, high = mid_c, mid
        else:
            low_c = mid_c
    best = high
    for below_c in range(high_c - 1, max(high_c - ROUNDING_WINDOW_CENTS, 0) - 1, -1):
        below = outcome(Decimal(below_c) * CENT, c)
        if below.net >= need:
            best = below
    return best


def context(
    p: Profile, portable: Decimal, roth_qualified: bool | None, age_code: str | None
) -> Context:
    """Balances and the claims that can apply to this person now, with notes on the others."""
    w = p.withdrawal
    notes: list[str] = []
    claims: list[str] = []
    for code in CLAIM_ORDER:
        if code not in w.exceptions:
            continue
        if code == "sepp" and not p.job_change.leaving:
            notes.append("sepp_requires_separation")
            continue
        if code == "emergency":
            check = X.emergency_allowed(p)
            if not check.allowed:
                assert check.why_not is not None
                notes.append(check.why_not)
                continue
        if code == "ltc_premiums":
            ltc = P.get("ltc_distribution_cap", p.year)
            if ltc["cap"] <= 0 or distribution_date(p) <= ltc["after"]:
                notes.append("ltc_not_in_force")
                continue
        claims.append(code)
    if age_code is not None and (claims or w.medical_expenses > 0):
        notes.append("age_rule_covers_everything")
    if w.reason in X.IRA_ONLY_FOR_REASON:
        notes.append(X.IRA_ONLY_FOR_REASON[w.reason])
    if p.balances.roth > 0 and roth_qualified is None and w.source != "pretax":
        notes.append("roth_qualification_unknown_taken_as_nonqualified")
    unknown_basis = p.balances.roth_basis is None and not roth_qualified
    if p.balances.roth > 0 and unknown_basis and w.source != "pretax":
        notes.append("roth_basis_unknown_taken_as_zero")
    return Context(
        p=p,
        pretax_available=max(ZERO, portable - p.balances.roth),
        vested=portable + p.loan.outstanding,
        roth_qualified=bool(roth_qualified),
        age_code=age_code,
        claims=tuple(claims),
        notes=tuple(notes),
    )


# Events on which a plan may pay out elective deferrals to someone still working under 59 1/2
# (besides a hardship): IRC 401(k)(2)(B), 72(t)(2)(G)-(I), (K)-(M), 401(a)(39).
IN_SERVICE_EVENTS = (
    "disability",
    "terminal_illness",
    "qdro",
    "levy",
    "reservist",
    "birth_adoption",
    "emergency",
    "domestic_abuse",
    "disaster",
    "ltc_premiums",
)


def in_service_without_event(p: Profile, o: Outcome, hardship: bool) -> bool:
    """Still working, under 59 1/2, no hardship reason and no payout event claimed."""
    if p.job_change.leaving or hardship or X.reached_59_half_on(p, distribution_date(p)):
        return False
    used = {k.code for k in o.covered}
    return not used & set(IN_SERVICE_EVENTS)


def withholding_rule(p: Profile, o: Outcome, hardship: bool) -> str:
    """20% on an eligible rollover distribution (3405(c)); else the 10% default (3405(b))."""
    if o.split.taxable <= 0:
        return "none"
    used = {k.code for k in o.covered if k.free > 0}
    not_rollover = bool(used & set(X.NOT_ROLLOVER)) or "sepp" in used
    if p.job_change.leaving:
        return "elective_10" if not_rollover else "mandatory_20"
    if hardship or not_rollover:
        return "elective_10"
    # An in-service payout at 59 1/2 that is not a hardship is an eligible rollover distribution.
    if X.reached_59_half_on(p, distribution_date(p)):
        return "mandatory_20"
    return "elective_10"


def withdrawal(
    p: Profile,
    portable: Decimal,
    roth_qualified: bool | None,
    age_code: str | None,
    t: Trace,
) -> dict[str, Any] | None:
    """The withdrawal section (null without withdrawal.amount or withdrawal.net_needed)."""
    w = p.withdrawal
    if w.amount is None and w.net_needed is None:
        return None
    y = p.year
    c = context(p, portable, roth_qualified, age_code)
    o = outcome(w.amount, c) if w.amount is not None else gross_for_net(w.net_needed or ZERO, c)
    hardship_now = w.reason != "none" and not p.job_change.leaving
    rule = withholding_rule(p, o, hardship_now)
    rate = {
        "mandatory_20": P.amount("mandatory_withholding_rate", y),
        "elective_10": P.amount("elective_withholding_rate", y),
        "none": ZERO,
    }[rule]
    withholding = cents(rate * o.split.taxable)
    notes = list(c.notes)
    if w.reason != "none" and p.job_change.leaving:
        notes.append("hardship_not_needed_after_separation")
    if w.reason != "none" and o.penalty > 0:
        notes.append("hardship_is_not_an_exception")
    if in_service_without_event(p, o, hardship_now):
        notes.append("in_service_payout_needs_a_plan_reason")
    if rule == "elective_10":
        notes.append("withholding_may_be_changed_w4r")
    if "sepp" in c.claims:
        notes.append("sepp_periodic_withholding")
    if any(k.code == "disaster" and k.free > 0 for k in o.covered):
        notes.append("disaster_income_all_this_year")
    available = portable
    hardship = None
    if hardship_now:
        reasons = P.get("hardship_safe_harbor_reasons", y)
        hardship = {
            "reason": w.reason,
            "allowed_by_rule": w.reason in reasons,
            "rollover_allowed": False,
        }
    applied = [k.code for k in o.covered if k.free > 0]
    amounts = [
        {
            "code": k.code,
            "limit": k.limit,
            "penalty_free": k.free,
            "repay_within_years": X.repay_within_years(k.code, y),
        }
        for k in o.covered
    ]
    _trace(p, c, o, rule, rate, withholding, t)
    return {
        "gross": o.gross,
        "net_needed": w.net_needed,
        "source": w.source,
        "pretax_part": o.split.pretax,
        "roth_part": o.split.roth,
        "taxable": o.split.taxable,
        "withholding": withholding,
        "withholding_rule": rule,
        "eligible_rollover": rule == "mandatory_20",
        "cash_at_payout": o.gross - withholding,
        "federal_tax": o.federal,
        "state_tax": o.state,
        "penalty": o.penalty,
        "penalty_free": o.free,
        "exceptions_applied": applied,
        "exception_amounts": amounts,
        "net": o.net,
        "available": available,
        "exceeds_balance": o.gross > available,
        "hardship": hardship,
        "notes": notes,
    }


def _trace(
    p: Profile,
    c: Context,
    o: Outcome,
    rule: str,
    rate: Decimal,
    withholding: Decimal,
    t: Trace,
) -> None:
    """A trace entry for every withdrawal figure."""
    y = p.year
    w = p.withdrawal
    f = "withdrawal."
    t.add(f + "available", c.vested - p.loan.outstanding, "the portable balance")
    if w.net_needed is not None:
        t.add(f + "net_needed", w.net_needed, "the cash you need in hand")
        below = outcome(o.gross - CENT, c).net if o.gross >= CENT else ZERO
        t.add(
            f + "gross",
            o.gross,
            f"smallest gross, to the cent, whose net (gross - federal tax - state tax - 10%) is "
            f"at least the {usd(w.net_needed)} needed: net {usd(o.net)}; one cent less nets "
            f"{usd(below)}",
            "Treas. Reg. 1.401(k)-1(d)(3) (a hardship may include the taxes it causes)",
            "tax_brackets",
            "early_withdrawal_rate",
        )
    else:
        t.add(f + "gross", o.gross, "the amount you asked to take out")
    s = o.split
    b = p.balances
    if w.source == "pro_rata" and s.roth > 0:
        where = (
            f"pro rata: Roth {usd(b.roth)} of {usd(c.pretax_available + b.roth)} -> Roth part "
            f"{usd(cents(s.roth))}, pre-tax part {usd(cents(s.pretax))}"
        )
    else:
        where = f"pre-tax part {usd(cents(s.pretax))}, Roth part {usd(cents(s.roth))}"
    t.add(f + "pretax_part", s.pretax, where, "IRC 72(e)(8); IRC 402A(d)(4)")
    t.add(f + "roth_part", s.roth, where, "IRC 72(e)(8); IRC 402A(d)(4)")
    if s.roth == 0:
        roth_txt = "no Roth money"
    elif c.roth_qualified:
        roth_txt = "the Roth part is a qualified distribution: tax-free"
    else:
        basis = b.roth_basis if b.roth_basis is not None else ZERO
        roth_txt = (
            f"Roth earnings share ({usd(b.roth)} - basis {usd(basis)}) / {usd(b.roth)} x "
            f"{usd(cents(s.roth))} = {usd(cents(s.roth_taxable))}"
        )
    t.add(
        f + "taxable",
        s.taxable,
        f"pre-tax part {usd(cents(s.pretax))} + {roth_txt}",
        "IRC 402A(d)(2); IRC 72(e)(8)(B)",
    )
    names = {
        "mandatory_20": "an eligible rollover distribution paid to you: 20% is withheld and "
        "cannot be waived",
        "elective_10": "not an eligible rollover distribution (or an in-service payout): 10% is "
        "withheld unless you choose another rate on Form W-4R",
        "none": "nothing taxable: nothing is withheld",
    }
    t.add(
        f + "withholding",
        withholding,
        f"{num(rate * 100)}% x taxable {usd(cents(s.taxable))}: {names[rule]}",
        "mandatory_withholding_rate",
        "elective_withholding_rate",
    )
    t.add(f + "cash_at_payout", o.gross - withholding, f"{usd(o.gross)} - {usd(withholding)}")
    t.add(
        f + "federal_tax",
        o.federal,
        f"tax on income {usd(p.income)} + taxable {usd(cents(s.taxable))} minus tax on "
        f"{usd(p.income)} ({p.filing_status}, {y} brackets and standard deduction)",
        "tax_brackets",
        "standard_deduction",
    )
    t.add(
        f + "state_tax",
        o.state,
        f"{num(p.state_tax_percent)}% x {usd(cents(s.taxable))}",
        "state income tax rate you gave",
    )
    for k in o.covered:
        t.add(
            f"{f}exception_amounts.{k.code}.penalty_free",
            k.free,
            _limit_text(p, c, k, s.taxable),
            *_sources(k.code),
        )
    t.add(
        f + "penalty_free",
        o.free,
        " + ".join(f"{k.code} {usd(k.free)}" for k in o.covered) or "no exception applies",
        "IRC 72(t)(2)",
    )
    rate_10 = P.amount("early_withdrawal_rate", y)
    t.add(
        f + "penalty",
        o.penalty,
        f"{num(rate_10 * 100)}% x (taxable {usd(cents(s.taxable))} - penalty-free {usd(o.free)})",
        "early_withdrawal_rate",
    )
    t.add(
        f + "net",
        o.net,
        f"{usd(o.gross)} - {usd(o.federal)} - {usd(o.state)} - {usd(o.penalty)}",
    )


def _limit_text(p: Profile, c: Context, k: Covered, taxable: Decimal) -> str:
    """How an exception's limit was found, with the person's numbers."""
    y = p.year
    w = p.withdrawal
    if k.limit is None:
        return f"{k.code}: no dollar limit, covers the taxable {usd(cents(taxable))}"
    if k.code == "birth_adoption":
        how = f"{usd(P.amount('birth_adoption_cap', y))} x {w.children} child(ren)"
    elif k.code == "emergency":
        e = P.get("emergency_expense_cap", y)
        how = f"lesser of {usd(e['cap'])} and vested {usd(c.vested)} - {usd(e['floor'])}"
    elif k.code == "domestic_abuse":
        d = P.get("domestic_abuse_cap", y)
        how = f"lesser of {usd(d['cap'])} and {num(d['share'] * 100)}% x vested {usd(c.vested)}"
    elif k.code == "disaster":
        how = f"{usd(P.amount('disaster_distribution_cap', y))} per disaster"
    elif k.code == "ltc_premiums":
        ltc = P.get("ltc_distribution_cap", y)
        how = (
            f"least of premiums {usd(w.ltc_premiums)}, {num(ltc['vested_share'] * 100)}% x "
            f"vested {usd(c.vested)}, {usd(ltc['cap'])}"
        )
    else:
        rate = P.amount("medical_expense_floor_rate", y)
        how = (
            f"medical expenses {usd(w.medical_expenses)} - {num(rate * 100)}% x AGI "
            f"({usd(p.income)} + {usd(cents(taxable))})"
        )
    return f"{k.code}: limit {how} = {usd(cents(k.limit))}; covers {usd(k.free)}"


SOURCES: dict[str, tuple[str, ...]] = {
    "age_59_half": ("penalty_free_age",),
    "separation_age_55": ("separation_age",),
    "public_safety_age_50": ("public_safety_separation_age",),
    "public_safety_25_years": ("public_safety_service_years",),
    "disability": ("IRC 72(t)(2)(A)(iii), 72(m)(7)",),
    "terminal_illness": ("IRC 72(t)(2)(L) (SECURE 2.0 s.326)", "exception_repayment_years"),
    "qdro": ("IRC 72(t)(2)(C)",),
    "levy": ("IRC 72(t)(2)(A)(vii) (the levied amount)",),
    "reservist": ("IRC 72(t)(2)(G)", "exception_repayment_years"),
    "sepp": ("IRC 72(t)(2)(A)(iv), 72(t)(3)(B)",),
    "birth_adoption": ("birth_adoption_cap", "exception_repayment_years"),
    "emergency": (
        "emergency_expense_cap",
        "emergency_expense_no_repeat_years",
        "exception_repayment_years",
    ),
    "domestic_abuse": ("domestic_abuse_cap", "exception_repayment_years"),
    "disaster": ("disaster_distribution_cap", "exception_repayment_years"),
    "ltc_premiums": ("ltc_distribution_cap",),
    "medical": ("medical_expense_floor_rate",),
}


def _sources(code: str) -> tuple[str, ...]:
    """The citations of one exception."""
    return SOURCES[code]
