"""The trace: for each figure, the rule, the arithmetic with the person's numbers, the source."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine import parameters


class Trace:
    """Collects trace entries while the rules run (one per figure of the Report)."""

    __slots__ = ("entries", "year")

    def __init__(self, year: int) -> None:
        self.year = year
        self.entries: list[dict[str, Any]] = []

    def add(self, figure: str, value: Any, formula: str, *sources: str) -> None:
        """Record one figure; a source is a parameter name or a literal citation."""
        cited = _CITATIONS.get(sources)
        if cited is None:
            cited = _CITATIONS[sources] = _cite(sources)
        self.entries.append(
            {
                "figure": figure,
                "value": f"{value:.2f}" if isinstance(value, Decimal) else str(value),
                "formula": formula,
                "source": cited,
                "tax_year": self.year,
            }
        )


_CITATIONS: dict[tuple[str, ...], str] = {}


def _cite(sources: tuple[str, ...]) -> str:
    """The citation text of parameter names or literal sources, without repeats."""
    table = parameters.load_all()
    cited = [table[s].reference if s in table else s for s in sources]
    return "; ".join(dict.fromkeys(cited)) or "arithmetic on the inputs"
