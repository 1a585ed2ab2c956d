"""The engine command: `python -m engine evaluate [FILE|-]` and `python -m engine years`."""

from __future__ import annotations

import json
import sys
from typing import Any

from engine import SUPPORTED_YEARS, evaluate, parse_profile
from engine.errors import EngineError

USAGE = "usage: python -m engine evaluate [FILE|-] | python -m engine years"


def _fail(payload: dict[str, Any]) -> int:
    """Print one JSON error object on stderr; exit code 2."""
    print(json.dumps(payload), file=sys.stderr)
    return 2


def main(argv: list[str]) -> int:
    """Run the command; 0 with the Report on stdout, 2 with a JSON error on stderr."""
    if not argv or argv[0] not in ("evaluate", "years"):
        print(USAGE, file=sys.stderr)
        return 2
    if argv[0] == "years":
        print("\n".join(str(y) for y in SUPPORTED_YEARS))
        return 0
    source = argv[1] if len(argv) > 1 else "-"
    try:
        if source == "-":
            text = sys.stdin.read()
        else:
            with open(source, encoding="utf-8") as fh:
                text = fh.read()
    except OSError as exc:
        return _fail({"error": "unreadable_input", "message": f"{source}: {exc.strerror}"})
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return _fail({"error": "invalid_json", "message": f"line {exc.lineno}: {exc.msg}"})
    try:
        report = evaluate(parse_profile(data))
    except EngineError as exc:
        return _fail(exc.to_json())
    print(report.model_dump_json())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
