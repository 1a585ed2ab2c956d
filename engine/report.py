"""The Report: every figure the advisor shows, with its trace (docs/engine-interface.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, SkipValidation
from typing_extensions import TypedDict

from engine.money import cents

Money = Annotated[
    Decimal, PlainSerializer(lambda v: float(cents(v)), return_type=float, when_used="json")
]
Number = Annotated[
    Decimal, PlainSerializer(lambda v: float(v), return_type=float, when_used="json")
]

OptionId = Literal[
    "leave_in_plan", "roll_to_new_plan", "direct_rollover_ira", "indirect_rollover", "cash_out"
]
Exception72t = Literal[
    "age_59_half", "separation_age_55", "public_safety_age_50", "public_safety_25_years"
]
# A 72(t) exception that removes the 10% from a withdrawal (the age rules, then the others).
WithdrawalException = Literal[
    "age_59_half",
    "separation_age_55",
    "public_safety_age_50",
    "public_safety_25_years",
    "disability",
    "terminal_illness",
    "qdro",
    "levy",
    "reservist",
    "sepp",
    "birth_adoption",
    "emergency",
    "domestic_abuse",
    "disaster",
    "ltc_premiums",
    "medical",
]
WithholdingRule = Literal["mandatory_20", "elective_10", "none"]
SeparationException = Literal["separation_age_55", "public_safety_age_50"]
CatchUpKind = Literal["none", "age_50", "age_60_63"]
SmallBalanceRule = Literal["cash_out_allowed", "automatic_ira", "consent_required"]


class Out(BaseModel):
    """Base for output models."""

    model_config = ConfigDict(frozen=True)


class Limits(Out):
    """Contribution limits for the person's age and year."""

    deferral_402g: Money
    catch_up: Money
    catch_up_kind: CatchUpKind
    employee_total: Money
    annual_additions_415c: Money
    annual_additions_total: Money
    compensation_401a17: Money
    roth_catch_up_required: bool
    roth_catch_up_threshold: Money
    catch_up_blocked_no_roth: bool


class Contributions(Out):
    """What the person and the employer put in this year."""

    employee_annual: Money
    employee_requested: Money
    employer_match_annual: Money
    max_match_annual: Money
    match_left_on_table: Money
    percent_for_full_match: Number
    plan_compensation: Money
    over_limit: bool


class VestingStep(Out):
    """The next date on which more employer money vests."""

    date: date | None
    vested_percent: Number
    gain: Money


class VestingOut(Out):
    """Vesting of employer money at the separation date."""

    vested_percent: Number
    vested_employer: Money
    forfeited_if_leaving_now: Money
    portable_balance: Money
    next_step: VestingStep | None


class LoanOffset(Out):
    """An outstanding loan at separation, offset against the account."""

    amount: Money
    rollover_deadline: date | None
    rollover_deadline_extended: date | None
    federal_tax_if_not_rolled: Money
    state_tax_if_not_rolled: Money
    penalty_if_not_rolled: Money


class JobLostRow(Out):
    """A new loan if the person leaves the job some months after it starts (loan offset)."""

    after_months: int
    leave_date: date
    payments_made: int
    balance: Money
    rollover_deadline: date | None
    rollover_deadline_extended: date | None
    tax_year_used: int
    exception: Exception72t | None
    federal_tax: Money
    state_tax: Money
    penalty: Money


class LoanRequestOut(Out):
    """A new loan the person is considering: allowed or why not, its cost, and job-loss risk."""

    amount: Money
    allowed: bool
    why_not: str | None
    problems: list[str]
    max_new_loan: Money
    shortfall: Money
    purpose: Literal["general", "residence"]
    years: Number
    annual_rate_percent: Number | None
    rate_given: bool
    start_date: date
    payment: Money | None
    payments_per_year: int
    number_of_payments: int
    total_interest: Money | None
    payoff_date: date
    lost_growth: Money | None
    assumed_return_percent: Number
    if_job_lost: list[JobLostRow]
    notes: list[str]


class LoanDefault(Out):
    """A missed loan payment: the cure deadline and the deemed distribution if not cured."""

    missed_payment_due: date
    latest_cure_date: date
    treatment: Literal["deemed_distribution", "qualified_plan_loan_offset"]
    eligible_for_rollover: bool
    amount: Money
    federal_tax: Money
    state_tax: Money
    penalty: Money
    loan_still_owed: bool


class LoanOut(Out):
    """Plan loan figures."""

    max_new_loan: Money
    limit_dollar: Money
    limit_vested: Money
    outstanding: Money
    repayment_term_years: Number
    offset: LoanOffset | None
    request: LoanRequestOut | None = None
    default: LoanDefault | None = None


class PenaltyFree(Out):
    """Amounts that may be taken without the 10% additional tax."""

    emergency_expense: Money
    domestic_abuse: Money
    birth_or_adoption: Money


class Sepp(Out):
    """Substantially equal periodic payments on the vested pre-tax balance (72(t)(2)(A)(iv))."""

    balance: Money
    rate_percent: Number
    rate_within_safe_harbor: bool
    age_first_year: int
    life_expectancy: Number | None
    rmd_method: Money | None
    amortization: Money | None
    annuitization: Money | None
    first_payment_date: date
    fifth_anniversary: date
    no_modification_before: date
    must_start_after_separation: bool


class EarlyWithdrawal(Out):
    """Whether the 10% additional tax applies to a distribution from this plan now."""

    penalty_applies: bool
    penalty_percent: Number
    exception: Exception72t | None
    age_59_half_date: date | None
    penalty_free_amounts: PenaltyFree
    sepp: Sepp | None = None


class RothOut(Out):
    """The designated Roth account's 5-year rule."""

    balance: Money
    five_year_met: bool | None
    qualified_now: bool | None
    first_qualified_year: int | None
    roth_ira_clock_restarts: bool
    roth_ira_qualified_from: date | None
    taxable_if_distributed: Money
    basis_known: bool


class NotMadeUp(Out):
    """The cost of an indirect rollover whose withheld part is not replaced."""

    taxable: Money
    federal_tax: Money
    state_tax: Money
    penalty: Money


class Option(Out):
    """One thing the person can do with the old plan's money."""

    id: OptionId
    available: bool
    why_not: str | None
    gross: Money
    withholding: Money
    cash_at_payout: Money
    federal_tax: Money
    state_tax: Money
    penalty: Money
    net_now: Money
    value_at_retirement: Money
    deadline: date | None
    notes: list[str]
    make_up_needed: Money | None = None
    if_not_made_up: NotMadeUp | None = None
    fees_to_retirement: Money | None = None


class RmdFirst(Out):
    """The year's RMD, paid out first at a separation: it can never be rolled over."""

    amount: Money
    not_rollable: bool


class AfterTaxSplit(Out):
    """One distribution to two places (Notice 2014-54): basis to a Roth IRA, the rest pre-tax."""

    to_roth_ira: Money
    to_traditional_ira: Money


class Nua(Out):
    """Employer stock out in kind (net unrealized appreciation) against an IRA rollover."""

    ordinary_income_now: Money
    tax_now: Money
    penalty_now: Money
    nua_amount: Money
    ltcg_tax_if_sold: Money
    total_tax_nua_route: Money
    total_tax_ira_route: Money


class Reason(Out):
    """One reason for the suggestion: what differs from the option it names, in dollars if any."""

    code: str
    amount: Money | None
    versus: OptionId | None


class AtStake(Out):
    """One amount this person's choice decides, with the date that matters (if any)."""

    code: str
    amount: Money
    deadline: date | None


class JobChangeOut(Out):
    """The options at a job change, compared, and one recommendation."""

    leaving: bool
    separation_date: date
    small_balance_rule: SmallBalanceRule
    recommended: OptionId
    reasons: list[str]
    options: list[Option]
    rmd_first: RmdFirst | None = None
    after_tax_split: AfterTaxSplit | None = None
    roth_to_roth_ira: Money = Decimal(0)
    pro_rata_warning: bool = False
    fees_known: bool = False
    nua: Nua | None = None
    payout_tax_year: int
    payout_year_supported: bool
    tied_with: list[OptionId] = Field(default_factory=list)
    reason_items: list[Reason] = Field(default_factory=list)
    at_stake: list[AtStake] = Field(default_factory=list)


class RmdOut(Out):
    """Required minimum distributions from this plan."""

    start_age: Number
    start_age_unsettled: bool
    first_year: int
    required_beginning_date: date
    still_working_delay: bool
    required_now: bool
    factor: Number | None
    base: Money
    amount: Money
    due: date | None


class Hardship(Out):
    """A hardship (safe-harbor) withdrawal while still employed: never rollable."""

    reason: str
    allowed_by_rule: bool
    rollover_allowed: bool


class ExceptionAmount(Out):
    """One 72(t) exception used for a withdrawal: its limit this year and what it covers."""

    code: WithdrawalException
    limit: Money | None
    penalty_free: Money
    repay_within_years: int | None


class WithdrawalOut(Out):
    """Money taken out now: the gross, the taxes, the 10% and its exceptions, the cash in hand."""

    gross: Money
    net_needed: Money | None
    source: Literal["pretax", "roth", "pro_rata"]
    pretax_part: Money
    roth_part: Money
    taxable: Money
    withholding: Money
    withholding_rule: WithholdingRule
    eligible_rollover: bool
    cash_at_payout: Money
    federal_tax: Money
    state_tax: Money
    penalty: Money
    penalty_free: Money
    exceptions_applied: list[WithdrawalException]
    exception_amounts: list[ExceptionAmount]
    net: Money
    available: Money
    exceeds_balance: bool
    hardship: Hardship | None
    notes: list[str]


class SavingOut(Out):
    """Saving: the projection to retirement, the income it could support, room, Roth or not."""

    at_age: int
    years_to_go: int
    current_balance: Money
    yearly_contributions: Money
    match_left_on_table: Money
    assumed_return_percent: Number
    assumed_inflation_percent: Number
    projected_balance: Money
    projected_balance_today_dollars: Money
    income_stock_percent: Number
    income_years: int
    income_rate_percent: Number | None
    income_rate_worst_start_year: int | None
    yearly_income_estimate: Money | None
    room_left: Money
    catch_up_room: Money
    marginal_rate_now_percent: Number
    tax_saved_if_max: Money
    marginal_rate_retirement_percent: Number | None
    roth_ira_max_contribution: Money
    roth_or_traditional: Literal["roth", "traditional", "either"]
    reasons: list[str]
    assumptions: list[str]


class RebalanceExample(Out):
    """A portfolio that drifted from its target, put back with the person's balance."""

    balance: Money
    target_stock_percent: Number
    drifted_stock_percent: Number
    stocks_drifted: Money
    bonds_drifted: Money
    stocks_target: Money
    bonds_target: Money
    sell_stocks_buy_bonds: Money


class AllocationOut(Out):
    """How it is invested: the rules of thumb for the stock share, and a rebalancing example."""

    stock_percent_110: Number
    stock_percent_120: Number
    rebalance_example: RebalanceExample
    assumptions: list[str]


class HistoricalOut(Out):
    """The person's plan run through every start year with a full horizon in the data."""

    years: int
    stock_percent: Number
    first_year: int
    last_year: int
    cohorts: int
    lasted: int
    success_rate: Number
    failed_start_years: list[int]
    worst_start_year: int
    worst_shortfall_age: int | None
    median_end_real: Money
    need_real: list[Money]
    fixed_pension: Money


class SequenceOut(Out):
    """The worst start year's returns in two orders: good years first (a), bad years first (b)."""

    first_year: int
    last_year: int
    same_returns_order_a_end: Money
    same_returns_order_b_end: Money
    order_a_ran_out_age: int | None
    order_b_ran_out_age: int | None


class FullRetirementAge(Out):
    """Social Security's full retirement age for the birth year."""

    years: int
    months: int


class RetirementOut(Out):
    """The retiring path: income gap, every historical retirement, annuity, RMD, conversions."""

    age: int
    start_balance: Money
    start_balance_basis: Literal["today", "projected"]
    guaranteed_monthly: Money
    income_gap_monthly: Money | None
    income_gap_monthly_before_social_security: Money | None
    covered_by_guaranteed_percent: Number | None
    essential_gap_monthly: Money | None
    historical: HistoricalOut | None
    sequence: SequenceOut | None
    annuity_premium_for_gap: Money | None
    rmd_first_year: int
    rmd_first_year_amount: Money | None
    rmd_first_year_tax: Money | None
    roth_conversion_room: Money | None
    roth_conversion_tax_now: Money | None
    roth_conversion_bracket_percent: Number | None
    roth_conversion_years: int
    full_retirement_age: FullRetirementAge | None
    conventions: list[str]
    notes: list[str]


class Action(Out):
    """One dated step of the action plan."""

    date: date
    what: str
    amount: Money | None


class TraceEntry(TypedDict):
    """Where one figure comes from: rule, arithmetic with the person's numbers, source."""

    figure: str
    value: str
    formula: str
    source: str
    tax_year: int


class AssumptionsOut(Out):
    """The projection assumptions used (not law): stated with every value at retirement."""

    annual_return_percent: Number
    retirement_age: int


class Report(Out):
    """Everything the advisor computed for one Profile."""

    tax_year: int
    as_of: date
    age: int
    filing_status: str
    limits: Limits
    contributions: Contributions
    vesting: VestingOut
    loan: LoanOut
    early_withdrawal: EarlyWithdrawal
    roth: RothOut
    job_change: JobChangeOut
    rmd: RmdOut
    withdrawal: WithdrawalOut | None = None
    saving: SavingOut | None = None
    allocation: AllocationOut | None = None
    retirement: RetirementOut | None = None
    actions: list[Action]
    notes: list[str]
    assumptions: AssumptionsOut | None = None
    # Built only by engine.trace.Trace (typed, checked by mypy): not validated again.
    trace: Annotated[list[TraceEntry], SkipValidation]
