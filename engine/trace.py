"""The trace: for each figure, the rule, the arithmetic with the person's numbers, the source."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.money import usd
from engine.parameters import YearParameters
from engine.report import LoanOut, TraceEntry, VestingOut


@dataclass
class Computed:
    """Sections already computed in this evaluation, by their inputs: reused, not recomputed.

    One per Trace: a payout-year trace (another year's rules) starts empty.
    """

    vesting: VestingOut | None = None
    # loans(p, portable, penalty, tax_now, ...) by (portable, penalty, tax_now)
    loans: dict[tuple[Decimal, bool, Decimal], LoanOut] = field(default_factory=dict)


class Trace:
    """Collects trace entries while the rules run (one per figure of the Report)."""

    __slots__ = ("_citations", "_dollars", "_shown", "computed", "entries", "law", "year")

    def __init__(self, law: YearParameters) -> None:
        self.law = law
        self.year = law.year
        self.entries: list[TraceEntry] = []
        self._citations = law.citations
        # Dollar texts by amount, formatted once per evaluation.
        self._dollars: dict[Decimal, str] = {}
        # Shown values by amount (to cents), formatted once per evaluation.
        self._shown: dict[Decimal, str] = {}
        self.computed = Computed()

    def add(self, figure: str, value: Any, formula: str, *sources: str) -> None:
        """Record one figure; a source is a parameter name (cited for the year) or a citation."""
        cited = self._citations.get(sources)
        if cited is None:
            cited = self.law.cite(sources)
        if value.__class__ is Decimal:
            shown = self._shown.get(value)
            if shown is None:
                shown = f"{value:.2f}"
                if value:  # never remembered: 0 and -0 are equal keys but read differently
                    self._shown[value] = shown
        else:
            shown = str(value)
        self.entries.append(
            {
                "figure": figure,
                "value": shown,
                "formula": formula,
                "source": cited,
                "tax_year": self.year,
            }
        )

    def usd(self, amount: Decimal) -> str:
        """Dollars for a formula (money.usd); each amount is formatted once per evaluation."""
        text = self._dollars.get(amount)
        if text is None:
            if not amount:  # never remembered: 0 and -0 are equal keys but read differently
                return "-$0" if amount.is_signed() else "$0"
            text = self._dollars[amount] = usd(amount)
        return text
