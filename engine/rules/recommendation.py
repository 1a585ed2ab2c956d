"""The job-change recommendation: one option, and only what sets it apart from each other one.

Options that tie in dollars (what you keep now and the value at retirement, to the cent) are
told apart by what really differs between them: fees, the plan-only separation-age rules
(IRC 72(t)(2)(A)(v), 72(t)(10)), the still-working RMD delay of the new employer's plan
(IRC 401(a)(9)(C)), creditor protection (ERISA 206(d), 11 U.S.C. 522(n)), the backdoor Roth's
pro-rata rule (IRC 408(d)(2)), employer stock (IRC 402(e)(4)), after-tax money (Notice
2014-54) and the investment menu. A reason that is equally true of both is never given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from engine.money import ZERO, cents, num
from engine.profile import Profile
from engine.report import (
    Exception72t,
    JobChangeOut,
    Option,
    OptionId,
    Reason,
)
from engine.rules.at_stake import at_stake
from engine.rules.fees import fee_drag, fee_percent
from engine.rules.job_change import JobChangeOptions, Setting
from engine.rules.nua import nua
from engine.rules.rmd import rmd_start_age
from engine.trace import Trace

# The 72(t) exceptions that only a payout from this plan keeps (an IRA or another plan loses
# them), with the reason codes for keeping and for an IRA losing them.
PLAN_ONLY: dict[Exception72t, tuple[str, str]] = {
    "separation_age_55": ("keeps_age_55_exception", "ira_rollover_loses_age_55"),
    "public_safety_age_50": ("keeps_age_50_exception", "ira_rollover_loses_age_50"),
    "public_safety_25_years": ("keeps_public_safety_25_years", "ira_rollover_loses_25_years"),
}
EXCEPTION_SOURCE: dict[Exception72t, str] = {
    "separation_age_55": "separation_age",
    "public_safety_age_50": "public_safety_separation_age",
    "public_safety_25_years": "public_safety_service_years",
}
# Where each option leaves the money: an employer plan or an IRA.
PLANS: tuple[OptionId, ...] = ("leave_in_plan", "roll_to_new_plan")
IRAS: tuple[OptionId, ...] = ("direct_rollover_ira", "indirect_rollover")
# The options a recommendation picks from (never a cash-out or a 60-day rollover).
CANDIDATES: tuple[OptionId, ...] = ("leave_in_plan", "roll_to_new_plan", "direct_rollover_ira")


@dataclass(slots=True)
class Facts:
    """What the reasons weigh, computed once: the 10% a plan-only rule saves, fees, RMDs, NUA."""

    p: Profile
    setting: Setting
    plan_only: Exception72t | None
    saved_in_plan: Decimal
    fees: dict[OptionId, Decimal | None]
    rmd_delay: bool
    nua_saved: Decimal
    after_tax_basis: Decimal | None


@dataclass(slots=True)
class Recommendation:
    """The option to take, the options tied with it, and its reasons, most important first."""

    option: OptionId
    tied_with: list[OptionId]
    items: list[Reason]

    @property
    def reasons(self) -> list[str]:
        """The reason codes in order, each once."""
        return list(dict.fromkeys(r.code for r in self.items))


def dollars(o: Option) -> tuple[Decimal, Decimal]:
    """What an option is worth in dollars: at retirement, then now (to the cent)."""
    return (cents(o.value_at_retirement), cents(o.net_now))


def plan_only_exception(exception: Exception72t | None) -> Exception72t | None:
    """The 72(t) exception only this plan's payouts keep (IRC 72(t)(2)(A)(v), 72(t)(10))."""
    return exception if exception in PLAN_ONLY else None


def fees_to_retirement(p: Profile, o: Option) -> Decimal | None:
    """An option's fees until retirement from the fee the person gave, None when unknown."""
    if o.id == "cash_out":
        return ZERO
    fee = fee_percent(p, o.id)
    return None if fee is None else fee_drag(o.gross, fee, p)[0]


def rmd_delay_applies(p: Profile, setting: Setting) -> bool:
    """Working for the new employer past the RMD age: its plan may delay RMDs (401(a)(9)(C))."""
    birth = p.birth_date or date(p.birth_year, 12, 31)
    return Decimal(p.assumptions.retirement_age) > rmd_start_age(birth, setting.law)


def facts_of(p: Profile, choices: JobChangeOptions) -> Facts:
    """The facts the reasons and the amounts at stake need, for this person."""
    s = choices.setting
    plan_only = plan_only_exception(s.exception) if p.job_change.leaving else None
    rate = s.law.amount("early_withdrawal_rate")
    # Scratch trace: the NUA figures are traced once, where the Report's section is built.
    stock = nua(p, ZERO if s.exception else rate, s.law, Trace(s.law))
    at = p.job_change.after_tax
    return Facts(
        p=p,
        setting=s,
        plan_only=plan_only,
        saved_in_plan=rate * s.taxable if plan_only else ZERO,
        fees={o.id: fees_to_retirement(p, o) for o in choices.all()},
        rmd_delay=rmd_delay_applies(p, s),
        nua_saved=max(ZERO, stock.total_tax_ira_route - stock.total_tax_nua_route)
        if stock
        else ZERO,
        after_tax_basis=at.basis if p.job_change.leaving and at.amount and at.basis else None,
    )


def choose(p: Profile, tied: list[Option], f: Facts) -> Option:
    """Among options tied in dollars: keep a plan-only exception (unless the NUA saves more),
    then lower known fees, then the new plan, an IRA, the old plan (the old plan before an IRA
    for a backdoor Roth)."""
    ids = [o.id for o in tied]
    if f.plan_only and "leave_in_plan" in ids:
        if f.saved_in_plan >= f.nua_saved:
            return next(o for o in tied if o.id == "leave_in_plan")
        tied = [o for o in tied if o.id != "leave_in_plan"]
    order: tuple[OptionId, ...] = (
        ("roll_to_new_plan", "leave_in_plan", "direct_rollover_ira")
        if p.backdoor_roth
        else ("roll_to_new_plan", "direct_rollover_ira", "leave_in_plan")
    )
    ranked = sorted(tied, key=lambda o: order.index(o.id))
    known = [f.fees[o.id] for o in ranked]
    if None not in known and len(ranked) > 1:
        return min(ranked, key=lambda o: f.fees[o.id] or ZERO)
    return ranked[0]


def recommend(p: Profile, choices: JobChangeOptions, f: Facts) -> Recommendation:
    """The option with the most dollars; among ties, what sets them apart (see choose)."""
    if not p.job_change.leaving:
        return staying(choices)
    options = choices.all()
    candidates = [o for o in options if o.id in CANDIDATES and o.available]
    best = max(dollars(o) for o in candidates)
    pick = choose(p, [o for o in candidates if dollars(o) == best], f)
    tied = [o for o in options if o.available and o.id != pick.id and dollars(o) == best]
    items: list[Reason] = []
    direct_too = any(o.id == "direct_rollover_ira" for o in [pick, *tied])
    for other in tied:
        if other.id == "indirect_rollover" and direct_too:
            found = paid_to_you(other)  # the rest is as against a direct rollover to an IRA
        else:
            found = differences(pick, other, choices, f)
        items += found or [reason("no_difference_found", other)]
    for other in options:
        if other.available and other.id != pick.id and other not in tied:
            items += dollar_difference(pick, other)
    items += unavailable(pick, choices, f)
    if p.loan.outstanding > 0:
        items.append(reason("roll_over_loan_offset", None))  # whichever option is taken
    return Recommendation(pick.id, [o.id for o in tied], grouped(items))


def grouped(items: list[Reason]) -> list[Reason]:
    """The same reason against several options side by side, reasons against the same options
    together (in order of first appearance), dollars first, largest first, within a group."""
    against: dict[tuple[str, Decimal | None], list[OptionId | None]] = {}
    for r in items:
        against.setdefault((r.code, r.amount), []).append(r.versus)
    groups: dict[tuple[OptionId | None, ...], list[tuple[str, Decimal | None]]] = {}
    for key, versus in against.items():
        groups.setdefault(tuple(versus), []).append(key)
    out: list[Reason] = []
    for versus_all, keys in groups.items():
        keys.sort(key=lambda k: (k[1] is None, -(k[1] or ZERO)))
        out += [Reason(code=c, amount=a, versus=v) for c, a in keys for v in versus_all]
    return out


def reason(code: str, versus: Option | None, amount: Decimal | None = None) -> Reason:
    """One reason item, its amount in cents."""
    return Reason(
        code=code,
        amount=None if amount is None else cents(amount),
        versus=None if versus is None else versus.id,
    )


def differences(pick: Option, other: Option, choices: JobChangeOptions, f: Facts) -> list[Reason]:
    """What differs between the suggestion and an option tied with it in dollars."""
    p = f.p
    out: list[Reason] = []
    if f.plan_only and pick.id == "leave_in_plan":
        out.append(reason(PLAN_ONLY[f.plan_only][0], other, f.saved_in_plan))
    elif f.plan_only and other.id == "leave_in_plan":
        out.append(reason(PLAN_ONLY[f.plan_only][1], other, f.saved_in_plan))
    if f.nua_saved > 0 and "leave_in_plan" in (pick.id, other.id):
        code = "nua_needs_whole_balance_out" if other.id == "leave_in_plan" else "nua_lost_if_left"
        out.append(reason(code, other, f.nua_saved))
    out += fee_difference(pick, other, f)
    if other.id == "indirect_rollover":
        out += paid_to_you(other)
    if "roll_to_new_plan" in (pick.id, other.id) and f.rmd_delay:
        code = "rmd_delay_while_working" if pick.id == "roll_to_new_plan" else "no_rmd_delay_here"
        out.append(reason(code, other))
    one_is_ira = (pick.id in IRAS) != (other.id in IRAS)
    if one_is_ira:
        out += plan_against_ira(pick, other, f)
    if pick.id == "roll_to_new_plan" and other.id != "roll_to_new_plan":
        if p.balances.roth > 0 and other.id in IRAS:
            out.append(reason("roth_years_carry_over", other))
        out.append(reason("one_account", other))
    return out


def paid_to_you(indirect: Option) -> list[Reason]:
    """What a direct transfer spares against a check rolled over within the window."""
    out = [reason("no_withheld_tax_to_replace", indirect, indirect.make_up_needed)]
    return [
        *out[: 1 if indirect.make_up_needed else 0],
        reason("no_indirect_rollover_deadline", indirect),
    ]


def plan_against_ira(pick: Option, other: Option, f: Facts) -> list[Reason]:
    """What differs between an employer plan and an IRA, for this person."""
    p = f.p
    out: list[Reason] = []
    if p.backdoor_roth and f.setting.taxable > 0:
        code = "keeps_backdoor_roth_clean" if pick.id in PLANS else "ira_breaks_backdoor_roth"
        out.append(reason(code, other))
    if f.after_tax_basis:
        out.append(reason("after_tax_basis_to_roth_ira", other, f.after_tax_basis))
    if "roth_ira_clock_restarts" in pick.notes + other.notes:
        out.append(reason("roth_ira_clock_restarts", other))
    out.append(reason("creditor_protection_plan_vs_ira", other))
    out.append(reason("investment_menu_ira_vs_plan", other))
    return out


def fee_difference(pick: Option, other: Option, f: Facts) -> list[Reason]:
    """Fees to retirement, when the two options leave the money in different places."""
    if fee_percent(f.p, pick.id) is not None and fee_percent(f.p, pick.id) == fee_percent(
        f.p, other.id
    ):
        return []
    if (pick.id in IRAS) and (other.id in IRAS):
        return []
    mine, theirs = f.fees[pick.id], f.fees[other.id]
    if mine is None or theirs is None:
        return [reason("fees_not_compared", other)]
    if theirs > mine:
        return [reason("lower_fees", other, theirs - mine)]
    if mine > theirs:
        return [reason("higher_fees", other, mine - theirs)]
    return []


def dollar_difference(pick: Option, other: Option) -> list[Reason]:
    """An option that differs in dollars (only a cash-out does): the dollars, by how much."""
    if other.id != "cash_out":
        return []
    cost = other.federal_tax + other.state_tax + other.penalty
    return [reason("cash_out_costs", other, cost)] if cost > 0 else []


def unavailable(pick: Option, choices: JobChangeOptions, f: Facts) -> list[Reason]:
    """What the suggestion gives up because the old plan may not keep the money."""
    leave = choices.leave_in_plan
    out: list[Reason] = []
    if choices.rule != "consent_required":
        out.append(reason("small_balance_act_before_plan_does", leave))
    if f.plan_only and pick.id != "leave_in_plan" and not leave.available:
        out.append(reason(PLAN_ONLY[f.plan_only][1], leave, f.saved_in_plan))
    return out


def staying(choices: JobChangeOptions) -> Recommendation:
    """Still employed: the money stays in the plan."""
    items = [reason("still_employed", None)]
    if choices.cash_out.penalty > 0:
        items.append(reason("early_withdrawal_costly", None))
    return Recommendation("leave_in_plan", [], items)


def trace_reasons(rec: Recommendation, f: Facts, t: Trace) -> None:
    """One trace entry per reason: what differs, against which option, and the source."""
    for item in rec.items:
        formula, sources = REASON_TRACE.get(item.code, ("", ()))
        if item.code in PLAN_ONLY_CODES and f.plan_only:
            sources = (EXCEPTION_SOURCE[f.plan_only], "early_withdrawal_rate")
            rate = num(f.setting.law.amount("early_withdrawal_rate") * 100)
            formula = (
                f"{rate}% x taxable {t.usd(f.setting.taxable)}: the additional tax on all of it "
                "if taken out early from anywhere but this plan"
            )
        elif item.code in ("lower_fees", "higher_fees"):
            formula = fee_formula(rec.option, item.versus, f, t)
        against = PLACE_WORDS[rec.option] + (
            f" against {PLACE_WORDS[item.versus]}" if item.versus else ""
        )
        t.add(
            f"job_change.reasons.{item.code}",
            item.amount if item.amount is not None else True,
            f"{against}: {formula}",
            *sources,
        )


def fee_formula(pick: OptionId, other: OptionId | None, f: Facts, t: Trace) -> str:
    """The fees to retirement of the two options, as a subtraction."""
    mine = f.fees.get(pick) or ZERO
    theirs = (f.fees.get(other) if other else None) or ZERO
    first, second = (theirs, mine) if theirs > mine else (mine, theirs)
    return (
        f"fees to retirement {t.usd(first)} - {t.usd(second)} (the yearly fees you gave, over "
        "the years to retirement)"
    )


# The options as a trace formula names them.
PLACE_WORDS: dict[OptionId, str] = {
    "leave_in_plan": "the old plan",
    "roll_to_new_plan": "the new plan",
    "direct_rollover_ira": "an IRA",
    "indirect_rollover": "an indirect rollover",
    "cash_out": "a cash-out",
}


PLAN_ONLY_CODES = {code for pair in PLAN_ONLY.values() for code in pair}
REASON_TRACE: dict[str, tuple[str, tuple[str, ...]]] = {
    "lower_fees": ("", ("fees you gave", "assumed return (not law)")),
    "higher_fees": ("", ("fees you gave", "assumed return (not law)")),
    "fees_not_compared": (
        "a yearly fee is not known for both places, so fees cannot be compared",
        ("fees you gave",),
    ),
    "nua_needs_whole_balance_out": (
        "NUA needs a lump-sum distribution: the whole balance out within one tax year; tax "
        "saved = IRA route - NUA route (job_change.nua)",
        ("IRC 402(e)(4)(B)", "IRC 402(e)(4)(D)"),
    ),
    "nua_lost_if_left": (
        "leaving the balance in the plan past the year defeats the lump sum; tax saved = IRA "
        "route - NUA route (job_change.nua)",
        ("IRC 402(e)(4)(B)", "IRC 402(e)(4)(D)"),
    ),
    "no_withheld_tax_to_replace": (
        "a check is paid less the tax withheld, to be replaced from savings",
        ("mandatory_withholding_rate", "IRC 402(c)(3)"),
    ),
    "no_indirect_rollover_deadline": (
        "a direct transfer has no rollover deadline to meet",
        ("indirect_rollover_days", "IRC 402(c)(3)"),
    ),
    "rmd_delay_while_working": (
        "the assumed retirement age is past the RMD age: while working there, the new "
        "employer's plan may delay RMDs; an IRA or a former employer's plan may not",
        ("IRC 401(a)(9)(C)", "Treas. Reg. 1.401(a)(9)-2"),
    ),
    "no_rmd_delay_here": (
        "the assumed retirement age is past the RMD age: only the new employer's plan may "
        "delay RMDs while working there",
        ("IRC 401(a)(9)(C)", "Treas. Reg. 1.401(a)(9)-2"),
    ),
    "keeps_backdoor_roth_clean": (
        "pre-tax money rolled to an IRA would make backdoor Roth conversions partly taxable",
        ("IRC 408(d)(2)", "Form 8606"),
    ),
    "ira_breaks_backdoor_roth": (
        "pre-tax money in an IRA at Dec 31 makes backdoor Roth conversions partly taxable",
        ("IRC 408(d)(2)", "Form 8606"),
    ),
    "after_tax_basis_to_roth_ira": (
        "after-tax contributions can go to a Roth IRA when the money is paid out to IRAs",
        ("IRS Notice 2014-54",),
    ),
    "roth_ira_clock_restarts": (
        "a new Roth IRA starts its own five-year period",
        ("roth_five_year_period", "IRC 408A(d)(2)(B)"),
    ),
    "roth_years_carry_over": (
        "a direct rollover to the new plan's Roth account carries the Roth years over",
        ("roth_five_year_period", "IRC 402A(d)(2)(B)"),
    ),
    "creditor_protection_plan_vs_ira": (
        "an employer plan is shielded by federal law; an IRA's rolled-over money is exempt in "
        "bankruptcy without the cap (11 U.S.C. 522(n)), and outside bankruptcy state law decides",
        ("ERISA 206(d)(1)", "IRC 401(a)(13)", "11 U.S.C. 522(b)(3)(C), 522(n)"),
    ),
    "investment_menu_ira_vs_plan": (
        "an IRA can hold almost any fund; a plan has a set menu, often institutional shares",
        ("not law: how accounts usually differ",),
    ),
    "one_account": ("the old plan's money joins the new plan's account", ("IRC 402(c)",)),
    "no_difference_found": (
        "no difference in dollars, rules or fees known for these two options",
        ("IRC 402(c)",),
    ),
    "cash_out_costs": (
        "cash-out federal tax + state tax + additional tax",
        ("tax_brackets", "early_withdrawal_rate"),
    ),
    "small_balance_act_before_plan_does": (
        "the plan may move a small balance without consent",
        ("force_out_limit", "IRC 411(a)(11)"),
    ),
    "roll_over_loan_offset": (
        "an unpaid loan is offset at separation, whichever option is taken, and may be rolled "
        "over by the tax return's due date",
        ("IRC 402(c)(3)(C)", "IRC 72(p)"),
    ),
    "still_employed": ("no separation: the money stays in the plan", ("IRC 401(k)(2)(B)",)),
    "early_withdrawal_costly": (
        "income tax plus the additional tax on early payouts",
        ("IRC 72(t)",),
    ),
}


def job_change_section(p: Profile, choices: JobChangeOptions) -> JobChangeOut:
    """The job-change section of the Report: the options compared and one recommendation."""
    f = facts_of(p, choices)
    advice = recommend(p, choices, f)
    t = choices.setting.trace
    trace_reasons(advice, f, t)
    return JobChangeOut(
        leaving=p.job_change.leaving,
        separation_date=p.separation,
        small_balance_rule=choices.rule,
        recommended=advice.option,
        reasons=advice.reasons,
        options=choices.all(),
        payout_tax_year=choices.payout_tax_year,
        payout_year_supported=choices.payout_year_supported,
        tied_with=advice.tied_with,
        reason_items=advice.items,
        at_stake=at_stake(
            p,
            choices,
            f.fees,
            (f.saved_in_plan, EXCEPTION_SOURCE[f.plan_only] if f.plan_only else ""),
            f.nua_saved,
            t,
        ),
    )
