"""The Profile: what a person tells the advisor, validated (interfaces.md section 1)."""

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
FilingStatus = Literal["single", "married_joint"]
ScheduleName = Literal["immediate", "cliff3", "graded6"]


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


class Loan(Strict):
    """An outstanding plan loan."""

    outstanding: Money = Decimal(0)
    highest_last_12_months: Money | None = None


class Plan(Strict):
    """Plan features that vary from plan to plan."""

    roth_available: bool = True
    catch_up_allowed: bool = True
    age_60_63_catch_up: bool = True
    loan_floor_10k: bool = False


class JobChange(Strict):
    """Whether and when the person leaves this employer."""

    leaving: bool = False
    separation_date: date | None = None
    public_safety: bool = False
    new_plan_accepts_rollovers: bool | None = None


class Assumptions(Strict):
    """Assumptions for projections, not law."""

    retirement_age: Annotated[int, Field(ge=30, le=100)] = 65
    annual_return_percent: Annotated[Decimal, Field(ge=-20, le=30, allow_inf_nan=False)] = Decimal(
        6
    )


class Profile(Strict):
    """Everything the engine needs about one person; defaults as in interfaces.md."""

    as_of: date
    tax_year: Annotated[int, Field(ge=1900, le=2200)] | None = None
    age: Annotated[int, Field(ge=14, le=120)] | None = None
    birth_date: date | None = None
    filing_status: FilingStatus = "single"
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
        if problems:
            raise PydanticCustomError(
                "profile_rules",
                "{summary}",
                {"summary": "; ".join(f"{f}: {m}" for f, m in problems), "problems": problems},
            )
        return self

    # Resolved values (the defaults of interfaces.md applied).

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
