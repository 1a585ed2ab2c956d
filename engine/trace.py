"""The trace: for each figure, the rule, the arithmetic with the person's numbers, the source."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.money import usd
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
        # Dollar texts by amount, formatted once per evaluation (zero is never remembered:
        # 0 and -0 are equal but read differently).
        self._dollars: dict[Decimal, str] = {}

    def add(self, figure: str, value: Any, formula: str, *sources: str) -> None:
        """Record one figure; a source is a parameter name (cited for the year) or a citation."""
        cited = self._citations.get(sources)
        if cited is None:
            cited = self.law.cite(sources)
        self.entries.append(
            {
                "figure": figure,
                "value": f"{value:.2f}" if isinstance(value, Decimal) else str(value),
                "formula": formula,
                "source": cited,
                "tax_year": self.year,
            }
        )

    def usd(self, amount: Decimal) -> str:
        """Dollars for a formula (money.usd); each amount is formatted once per evaluation."""
        if not amount:
            return usd(amount)
        text = self._dollars.get(amount)
        if text is None:
            text = self._dollars[amount] = usd(amount)
        return text
