"""Federal income tax: brackets, standard deduction (65+ and senior additions), stacking."""

from __future__ import annotations

from decimal import Decimal

from engine.money import ZERO
from engine.parameters import YearParameters


def standard_deduction(
    status: str,
    age: int,
    law: YearParameters,
    magi: Decimal,
    spouse_age: int | None = None,
) -> Decimal:
    """Standard deduction plus the 65+ addition and senior deduction of each spouse aged 65+.

    IRC 63(c), 63(f) (per qualifying spouse) and 151(d)(5)(C) (per person, each reduced alike).
    """
    total: Decimal = law.get("standard_deduction")[status]
    threshold = law.amount("additional_deduction_age")
    for who in (age, spouse_age):
        if who is not None and who >= threshold:
            total += law.get("additional_deduction_65")[status]
            total += senior_deduction(status, law, magi)
    return total


def senior_deduction(status: str, law: YearParameters, magi: Decimal) -> Decimal:
    """The senior amount less a rate of MAGI over the threshold, never below 0 (151(d)(5)(C)).

    A married person claims it only on a joint return: none when married filing separately.
    """
    s = law.get("senior_deduction")
    if status == "married_separate" and not s["married_separate_allowed"]:
        return ZERO
    threshold: Decimal = s["threshold_" + status]
    reduced: Decimal = s["amount"] - s["phase_out_rate"] * max(ZERO, magi - threshold)
    return max(ZERO, reduced)


def separate_return_note(status: str) -> str:
    """What a separate return leaves out of the deductions (IRC 63(f), 151(d)(5)(C)), or ''."""
    if status != "married_separate":
        return ""
    return (
        "; married filing separately: the spouse's own 65+ deductions are not applied (they "
        "need a spouse with no income whom no one else claims) and there is no senior deduction"
    )


def income_tax(taxable_income: Decimal, status: str, law: YearParameters) -> Decimal:
    """Tax on taxable income through the year's brackets, exact (IRC 1(j))."""
    brackets = law.get("tax_brackets")[status]
    tax = ZERO
    for i, (floor, rate) in enumerate(brackets):
        if taxable_income <= floor:
            break
        ceiling = brackets[i + 1][0] if i + 1 < len(brackets) else None
        top = taxable_income if ceiling is None else min(taxable_income, ceiling)
        tax += (top - floor) * rate
    return tax


def tax_on_income(
    income: Decimal, status: str, age: int, law: YearParameters, spouse_age: int | None = None
) -> Decimal:
    """Federal tax on a year's income after the standard deduction."""
    deduction = standard_deduction(status, age, law, income, spouse_age)
    return income_tax(max(ZERO, income - deduction), status, law)


def tax_on_distribution(
    income: Decimal,
    amount: Decimal,
    status: str,
    age: int,
    law: YearParameters,
    before: Decimal | None = None,
    spouse_age: int | None = None,
) -> Decimal:
    """The increase in federal tax from stacking a distribution on the year's income."""
    if amount <= 0:
        return ZERO
    if before is None:
        before = tax_on_income(income, status, age, law, spouse_age)
    return tax_on_income(income + amount, status, age, law, spouse_age) - before
