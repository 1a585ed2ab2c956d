"""Federal income tax: brackets, standard deduction (65+ and senior additions), stacking."""

from __future__ import annotations

from decimal import Decimal

from engine import parameters as P
from engine.money import ZERO


def standard_deduction(status: str, age: int, year: int, magi: Decimal) -> Decimal:
    """Standard deduction plus the 65+ addition and the senior deduction (IRC 63, 151(d)(5)(C))."""
    total: Decimal = P.get("standard_deduction", year)[status]
    if age >= P.amount("additional_deduction_age", year):
        total += P.get("additional_deduction_65", year)[status]
        total += senior_deduction(status, year, magi)
    return total


def senior_deduction(status: str, year: int, magi: Decimal) -> Decimal:
    """$6,000 less 6% of MAGI over the threshold, never below 0 (IRC 151(d)(5)(C))."""
    s = P.get("senior_deduction", year)
    threshold: Decimal = s["threshold_" + status]
    reduced: Decimal = s["amount"] - s["phase_out_rate"] * max(ZERO, magi - threshold)
    return max(ZERO, reduced)


def income_tax(taxable_income: Decimal, status: str, year: int) -> Decimal:
    """Tax on taxable income through the year's brackets, exact (IRC 1(j))."""
    brackets = P.get("tax_brackets", year)[status]
    tax = ZERO
    for i, (floor, rate) in enumerate(brackets):
        if taxable_income <= floor:
            break
        ceiling = brackets[i + 1][0] if i + 1 < len(brackets) else None
        top = taxable_income if ceiling is None else min(taxable_income, ceiling)
        tax += (top - floor) * rate
    return tax


def tax_on_income(income: Decimal, status: str, age: int, year: int) -> Decimal:
    """Federal tax on a year's income after the standard deduction."""
    deduction = standard_deduction(status, age, year, income)
    return income_tax(max(ZERO, income - deduction), status, year)


def tax_on_distribution(
    income: Decimal, amount: Decimal, status: str, age: int, year: int
) -> Decimal:
    """The increase in federal tax from stacking a distribution on the year's income."""
    if amount <= 0:
        return ZERO
    return tax_on_income(income + amount, status, age, year) - tax_on_income(
        income, status, age, year
    )
