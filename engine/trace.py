"""The trace: for each figure, the rule, the arithmetic with the person's numbers, the source."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.money import ZERO, usd
from engine.parameters import YearParameters
from engine.report import TraceEntry


class Trace:
    """Collects trace entries while the rules run (one per figure of the Report)."""

    __slots__ = ("_citations", "_dollars", "entries", "law", "year")

    def __init__(self, law: YearParameters) -> None:
        self.law = law
        self.year = law.year
        self.entries: list[TraceEntry] = []
        self._citations = law.citations
        # Dollar texts by amount, formatted once per evaluation.
        self._dollars: dict[Decimal, str] = {}

    def add(self, figure: str, value: Any, formula: str, *sources: str) -> None:
        """Record one figure; a source is a parameter name (cited for the year) or a citation."""
        cited = self._citations.get(sources)
        if cited is None:
            cited = self.law.cite(sources)
        if value is ZERO:  # the rules' many exact zeros, not formatted one by one
            shown = "0.00"
        elif isinstance(value, Decimal):
            shown = f"{value:.2f}"
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
