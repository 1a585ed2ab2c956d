"""The Profile: what a person tells the advisor, validated (docs/engine-interface.md)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from engine.errors import InvalidProfile

MAX_MONEY = Decimal("100000000")

Money = Annotated[Decimal, Field(ge=0, le=MAX_MONEY, allow_inf_nan=False)]
Percent = Annotated[Decimal, Field(ge=0, le=100, allow_inf_nan=False)]
FilingStatus = Literal["single", "married_joint", "married_separate", "head_of_household"]
ScheduleName = Literal["immediate", "cliff3", "graded6"]
LoanPurpose = Literal["general", "residence"]
WithdrawalSource = Literal["pretax", "roth", "pro_rata"]
HardshipReason = Literal[
    "none", "medical", "home_purchase", "tuition", "eviction", "funeral", "home_repair", "disaster"
]
ExceptionClaim = Literal[
    "disability",
    "terminal_illness",
    "birth_adoption",
    "emergency",
    "domestic_abuse",
    "disaster",
    "qdro",
    "levy",
    "reservist",
    "ltc_premiums",
    "sepp",
]


class Strict(BaseModel):
    """Base for input models: unknown keys are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class MatchTier(Strict):
    """One tier of an employer match: match_percent of the next on_pay_percent of pay."""

    match_percent: Annotated[Decimal, Field(ge=0, le=500, allow_inf_nan=False)]
    on_pay_percent: Percent


class Balances(Strict):
    """What is in the account today (the loan is not part of these)."""

    pretax: Money = Decimal(0)
    roth: Money = Decimal(0)
    roth_basis: Money | None = None
    roth_first_year: Annotated[int, Field(ge=2006, le=2200)] | None = None
    employer: Money = Decimal(0)


class Vesting(Strict):
    """The plan's vesting schedule for employer money and the service so far."""

    schedule: ScheduleName | Annotated[list[Percent], Field(min_length=1, max_length=40)] = (
        "immediate"
    )
    years_of_service: Annotated[Decimal, Field(ge=0, le=70, allow_inf_nan=False)] = Decimal(0)
    next_year_date: date | None = None


class LoanRequest(Strict):
    """A new plan loan the person is considering (IRC 72(p)(2)(B)-(C))."""

    amount: Money | None = None
    annual_rate_percent: Annotated[Decimal, Field(ge=0, le=30, allow_inf_nan=False)] | None = None
    years: Annotated[Decimal, Field(gt=0, le=30, allow_inf_nan=False)] = Decimal(5)
    payments_per_year: Annotated[int, Field(ge=1, le=52)] = 26
    purpose: LoanPurpose = "general"
    start_date: date | None = None


class Loan(Strict):
    """An outstanding plan loan."""

    outstanding: Money = Decimal(0)
    highest_last_12_months: Money | None = None
    request: LoanRequest = LoanRequest()
    missed_payment_due: date | None = None


class Plan(Strict):
    """Plan features that vary from plan to plan."""

    roth_available: bool = True
    catch_up_allowed: bool = True
    age_60_63_catch_up: bool = True
    loan_floor_10k: bool = False


class AfterTax(Strict):
    """After-tax (non-Roth) money in the plan, in addition to `balances`, and its basis."""

    amount: Money | None = None
    basis: Money | None = None


class EmployerStock(Strict):
    """Employer shares in the plan, in addition to `balances`: value and the plan's cost basis."""

    market_value: Money | None = None
    cost_basis: Money | None = None


class JobChange(Strict):
    """Whether and when the person leaves this employer."""

    leaving: bool = False
    separation_date: date | None = None
    public_safety: bool = False
    new_plan_accepts_rollovers: bool | None = None
    public_safety_years: Annotated[Decimal, Field(ge=0, le=70, allow_inf_nan=False)] | None = None
    after_tax: AfterTax = AfterTax()
    employer_stock: EmployerStock = EmployerStock()


class Withdrawal(Strict):
    """Money the person wants out of the plan now: a gross amount, or the cash needed in hand."""

    amount: Money | None = None
    net_needed: Money | None = None
    source: WithdrawalSource = "pro_rata"
    reason: HardshipReason = "none"
    exceptions: Annotated[list[ExceptionClaim], Field(max_length=11)] = []
    medical_expenses: Money = Decimal(0)
    children: Annotated[int, Field(ge=1, le=20)] = 1
    ltc_premiums: Money = Decimal(0)
    prior_emergency_year: Annotated[int, Field(ge=1900, le=2200)] | None = None
    prior_emergency_repaid: Money = Decimal(0)
    prior_emergency_amount: Money | None = None


class Fees(Strict):
    """All-in yearly cost of each place the money can be (unknown when not given)."""

    old_plan_percent: Annotated[Decimal, Field(ge=0, le=10, allow_inf_nan=False)] | None = None
    new_plan_percent: Annotated[Decimal, Field(ge=0, le=10, allow_inf_nan=False)] | None = None
    ira_percent: Annotated[Decimal, Field(ge=0, le=10, allow_inf_nan=False)] | None = None


class Assumptions(Strict):
    """Assumptions for projections, not law."""

    retirement_age: Annotated[int, Field(ge=30, le=100)] = 65
    annual_return_percent: Annotated[Decimal, Field(ge=-20, le=30, allow_inf_nan=False)] = Decimal(
        6
    )
    sepp_rate_percent: Annotated[Decimal, Field(ge=0, le=30, allow_inf_nan=False)] = Decimal(5)


class Saving(Strict):
    """The saving path's own inputs."""

    retirement_age: Annotated[int, Field(ge=30, le=100)] | None = None


class Retirement(Strict):
    """The retiring path: when work stops, what is spent, and the income that is guaranteed."""

    age: Annotated[int, Field(ge=30, le=100)] | None = None
    spending_monthly: Money | None = None
    essential_monthly: Money | None = None
    social_security_monthly: Money | None = None
    social_security_age: Annotated[int, Field(ge=50, le=100)] = 67
    pension_monthly: Money = Decimal(0)
    pension_indexed: bool = False
    stock_percent: Percent | None = None
    plan_to_age: Annotated[int, Field(ge=31, le=120)] = 95
    annuity_payout_percent: Annotated[Decimal, Field(gt=0, le=100, allow_inf_nan=False)] | None = (
        None
    )


class Profile(Strict):
    """Everything the engine needs about one person; defaults as in docs/engine-interface.md."""

    as_of: date
    tax_year: Annotated[int, Field(ge=1900, le=2200)] | None = None
    age: Annotated[int, Field(ge=14, le=120)] | None = None
    birth_date: date | None = None
    filing_status: FilingStatus = "single"
    spouse_age: Annotated[int, Field(ge=14, le=120)] | None = None
    spouse_birth_date: date | None = None
    salary: Money
    income_this_year: Money | None = None
    other_income: Money = Decimal(0)
    prior_year_fica_wages: Money | None = None
    state_tax_percent: Annotated[Decimal, Field(ge=0, le=20, allow_inf_nan=False)] = Decimal(0)
    contribution_percent: Percent = Decimal(0)
    match: Annotated[list[MatchTier], Field(max_length=10)] = []
    balances: Balances = Balances()
    vesting: Vesting = Vesting()
    loan: Loan = Loan()
    plan: Plan = Plan()
    job_change: JobChange = JobChange()
    five_percent_owner: bool = False
    prior_year_end_balance: Money | None = None
    assumptions: Assumptions = Assumptions()
    withdrawal: Withdrawal = Withdrawal()
    other_ira_pretax: Money = Decimal(0)
    fees: Fees = Fees()
    backdoor_roth: bool = False
    saving: Saving = Saving()
    retirement: Retirement = Retirement()

    @model_validator(mode="after")
    def _consistent(self) -> Profile:
        """Cross-field rules; every problem is reported, each under its own field."""
        problems: list[tuple[str, str]] = []
        year = self.tax_year if self.tax_year is not None else self.as_of.year
        if self.birth_date is not None:
            if self.birth_date >= self.as_of:
                problems.append(("birth_date", "must be before as_of"))
            derived = year - self.birth_date.year
            if not 14 <= derived <= 120:
                problems.append(("birth_date", f"gives an age of {derived}; expected 14 to 120"))
            elif self.age is not None and self.age != derived:
                problems.append(
                    ("age", f"is {self.age} but birth_date gives {derived} at Dec 31 of {year}")
                )
        elif self.age is None:
            problems.append(("age", "is required unless birth_date is given"))
        if self.spouse_birth_date is not None:
            derived = year - self.spouse_birth_date.year
            if not 14 <= derived <= 120:
                problems.append(
                    ("spouse_birth_date", f"gives an age of {derived}; expected 14 to 120")
                )
            elif self.spouse_age is not None and self.spouse_age != derived:
                problems.append(
                    (
                        "spouse_age",
                        f"is {self.spouse_age} but spouse_birth_date gives {derived} "
                        f"at Dec 31 of {year}",
                    )
                )
        b = self.balances
        if b.roth_basis is not None and b.roth_basis > b.roth:
            problems.append(("balances.roth_basis", "cannot be more than balances.roth"))
        if b.roth_first_year is not None and b.roth_first_year > year:
            problems.append(("balances.roth_first_year", f"cannot be after the tax year {year}"))
        total = b.pretax + b.roth + b.employer
        if self.loan.outstanding > total:
            problems.append(
                ("loan.outstanding", "is larger than the balance (pretax + roth + employer)")
            )
        if (
            self.loan.highest_last_12_months is not None
            and self.loan.highest_last_12_months < self.loan.outstanding
        ):
            problems.append(("loan.highest_last_12_months", "cannot be less than loan.outstanding"))
        at = self.job_change.after_tax
        if at.basis is not None and at.amount is not None and at.basis > at.amount:
            problems.append(("job_change.after_tax.basis", "cannot be more than the amount"))
        sched = self.vesting.schedule
        if isinstance(sched, list) and any(a > b for a, b in pairwise(sched)):
            problems.append(("vesting.schedule", "vested percents must not decrease"))
        sep = self.job_change.separation_date
        if sep is not None:
            if sep > self.as_of + timedelta(days=366):
                problems.append(("job_change.separation_date", "is more than a year after as_of"))
            if sep.year < 1980:
                problems.append(("job_change.separation_date", "is before 1980"))
        on_pay = sum((t.on_pay_percent for t in self.match), Decimal(0))
        if on_pay > 100:
            problems.append(("match", "the tiers cover more than 100% of pay"))
        problems += _withdrawal_problems(self.withdrawal, year)
        problems += _loan_request_problems(self.loan.request)
        problems += _retirement_problems(self.retirement)
        if problems:
            raise PydanticCustomError(
                "profile_rules",
                "{summary}",
                {"summary": "; ".join(f"{f}: {m}" for f, m in problems), "problems": problems},
            )
        return self

    # Resolved values (the defaults of docs/engine-interface.md applied).

    @property
    def year(self) -> int:
        """The tax year: given, or the year of as_of."""
        return self.tax_year if self.tax_year is not None else self.as_of.year

    @property
    def age_at_year_end(self) -> int:
        """Age attained by Dec 31 of the tax year."""
        if self.birth_date is not None:
            return self.year - self.birth_date.year
        assert self.age is not None
        return self.age

    def deduction_age(self, year: int) -> int:
        """Age for the 65+ deductions at Dec 31 of `year`: born Jan 1 counts a year older.

        IRC 63(f) and 151(d)(5)(C) with Treas. Reg. 1.63-1 / IRS Pub 501: a person is 65 on the
        day before the 65th birthday, so one born on January 1 is 65 at the end of the year before.
        """
        if self.birth_date is not None:
            return _age_for_deductions(self.birth_date, year)
        return self.age_at_year_end + year - self.year

    def spouse_deduction_age(self, year: int) -> int | None:
        """The spouse's age for the 65+ deductions at Dec 31 of `year` (married filing jointly)."""
        if self.filing_status != "married_joint":
            return None
        if self.spouse_birth_date is not None:
            return _age_for_deductions(self.spouse_birth_date, year)
        if self.spouse_age is None:
            return None
        return self.spouse_age + year - self.year

    @property
    def birth_year(self) -> int:
        """Year of birth, exact or from the age at Dec 31."""
        return self.year - self.age_at_year_end

    @property
    def income(self) -> Decimal:
        """Taxable income this year before any 401(k) distribution."""
        if self.income_this_year is not None:
            return self.income_this_year
        return self.salary + self.other_income

    @property
    def fica_wages_prior_year(self) -> Decimal:
        """Prior-year FICA wages from this employer (for the Roth catch-up rule)."""
        if self.prior_year_fica_wages is not None:
            return self.prior_year_fica_wages
        return self.salary

    @property
    def separation(self) -> date:
        """The separation date (as_of when not given)."""
        return self.job_change.separation_date or self.as_of


def _age_for_deductions(born: date, year: int) -> int:
    """Age at Dec 31 of `year`, one more when born on January 1 ("born before January 2")."""
    return year - born.year + (1 if (born.month, born.day) == (1, 1) else 0)


def _withdrawal_problems(w: Withdrawal, year: int) -> list[tuple[str, str]]:
    """A withdrawal is a gross amount or a net need, not both; dates not after the tax year."""
    problems: list[tuple[str, str]] = []
    if w.amount is not None and w.net_needed is not None:
        problems.append(("withdrawal.net_needed", "give withdrawal.amount or this, not both"))
    if w.prior_emergency_year is not None and w.prior_emergency_year > year:
        problems.append(("withdrawal.prior_emergency_year", f"cannot be after the tax year {year}"))
    if len(set(w.exceptions)) != len(w.exceptions):
        problems.append(("withdrawal.exceptions", "lists an exception twice"))
    return problems


def _loan_request_problems(r: LoanRequest) -> list[tuple[str, str]]:
    """The term must be whole months and a whole number of payments."""
    problems: list[tuple[str, str]] = []
    if r.years * 12 != (r.years * 12).to_integral_value():
        problems.append(("loan.request.years", "must be a whole number of months (years x 12)"))
    elif r.years * r.payments_per_year != (r.years * r.payments_per_year).to_integral_value():
        problems.append(
            ("loan.request.years", "times loan.request.payments_per_year must be whole payments")
        )
    return problems


def _retirement_problems(r: Retirement) -> list[tuple[str, str]]:
    """The plan runs past the retirement age; essentials are part of spending."""
    problems: list[tuple[str, str]] = []
    if r.age is not None and r.plan_to_age <= r.age:
        problems.append(("retirement.plan_to_age", "must be after retirement.age"))
    if (
        r.essential_monthly is not None
        and r.spending_monthly is not None
        and r.essential_monthly > r.spending_monthly
    ):
        problems.append(("retirement.essential_monthly", "cannot be more than spending_monthly"))
    return problems


def field_name(loc: tuple[int | str, ...]) -> str:
    """A pydantic location as a dotted field name: match[0].on_pay_percent."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out or "profile"


def profile_errors(exc: ValidationError) -> list[dict[str, str]]:
    """Every bad field of a validation error, as {field, message}."""
    fields: list[dict[str, str]] = []
    for err in exc.errors(include_url=False):
        ctx = err.get("ctx") or {}
        if err["type"] == "profile_rules":
            fields.extend({"field": f, "message": m} for f, m in ctx["problems"])
            continue
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("literal[")))
        # Drop pydantic's union branch labels (e.g. 'list[...]', 'function-after[...]').
        loc = tuple(p for p in loc if not (isinstance(p, str) and ("[" in p and "]" in p)))
        name = field_name(loc)
        same = next((f for f in fields if f["field"] == name), None)
        if same is None:
            fields.append({"field": name, "message": err["msg"]})
        else:  # a union: say every accepted form once
            same["message"] += f"; or: {err['msg']}"
    return fields


def parse_profile(data: Any) -> Profile:
    """Validate a JSON-like object as a Profile, or raise InvalidProfile naming each field."""
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise InvalidProfile(profile_errors(exc)) from None
