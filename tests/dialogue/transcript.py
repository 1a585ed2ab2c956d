"""The README's transcripts: replayed through the real console, or written anew.

`python -m tests.dialogue.transcript` rewrites every block in README.md from the current program
(run it when wording changes on purpose); the test replays each and compares every line.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from tests.dialogue.console_driver import run_piped

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
HEADING = "## A real conversation"
# Every heading whose first ``` block is a console transcript.
HEADINGS = (HEADING, "### A withdrawal", "### A loan", "### Retiring")
AS_OF = "2026-11-23"
CHART = re.compile(r"\(Chart: .*/((?:options|retirement)-[\w-]+\.png)\)")


def _block(readme: str, heading: str = HEADING) -> tuple[int, int]:
    """Start and end offsets of a heading's transcript block (between its ``` fences)."""
    start = readme.index("```\n", readme.index(heading + "\n")) + 4
    return start, readme.index("\n```", start)


def shown(readme: str | None = None, heading: str = HEADING) -> str:
    """A transcript as the README shows it."""
    text = readme if readme is not None else README.read_text(encoding="utf-8")
    start, end = _block(text, heading)
    return text[start:end]


def typed(transcript: str) -> list[str]:
    """What the person typed: the text after each prompt."""
    return [line[2:] for line in transcript.splitlines() if line.startswith("> ") and line[2:]]


def produce(answers: list[str]) -> str:
    """The console's output for these answers, each echoed after its prompt, as in a terminal."""
    with tempfile.TemporaryDirectory() as tmp:
        out = run_piped(Path(tmp) / "t.db", answers, as_of=AS_OF)
    lines, pending = [], iter(answers)
    for line in out.splitlines():
        if line.startswith("> "):
            lines.append("> " + next(pending, ""))
            rest = line[2:]
            if rest:
                lines.append(rest)
        else:
            lines.append(line)
    text = "\n".join(x.rstrip() for x in lines).rstrip()
    return CHART.sub(r"(Chart: data/charts/\1)", text)


def main() -> int:
    """Rewrite the README's transcripts from the current program."""
    readme = README.read_text(encoding="utf-8")
    for heading in HEADINGS:
        start, end = _block(readme, heading)
        readme = readme[:start] + produce(typed(shown(readme, heading))) + readme[end:]
    README.write_text(readme, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
