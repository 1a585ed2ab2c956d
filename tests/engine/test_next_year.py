"""A tax year added by data alone: an invented next year runs the engine, the dialogue and
the templates through ADVISOR_PARAMETERS_DIR, with no change to any Python file."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from engine import parameters as P
from engine.rules.due_dates import extended_due_date, return_due_date
from tests.dialogue.test_console import JOB_CHANGE, TODAY
from tests.engine.data_health import problems

ROOT = Path(__file__).resolve().parents[2]
LAST = max(P.SUPPORTED_YEARS)
NEXT = LAST + 1
INVENTED = "invented for the test"
# Dates of the law are set from their definition for the new year; every other value is
# the last year's, copied.
DATES = {"return_due_date": return_due_date, "return_due_date_extended": extended_due_date}
ROW = re.compile(rf"^{LAST} = \{{ value = (?P<value>.*), reference = \"(?P<ref>.*)\" \}}$")


def add_year(text: str) -> str:
    """A parameter file with a row for NEXT after every row for LAST."""
    out: list[str] = []
    lines = text.splitlines()
    entry = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        header = re.match(r"^\[([a-z0-9_]+)\.values(?:\.(\d{4}))?\]$", line)
        if header:
            entry = header.group(1)
        row = ROW.match(line)
        if row:
            value = row.group("value")
            if entry in DATES:
                value = DATES[entry](NEXT).isoformat()
            out.append(f'{NEXT} = {{ value = {value}, reference = "{INVENTED}" }}')
        if header and header.group(2) == str(LAST):  # a table: copy the block under a new one
            block = []
            while i + 1 < len(lines) and lines[i + 1].strip() and not lines[i + 1].startswith("["):
                i += 1
                out.append(lines[i])
                block.append(lines[i])
            out += ["", f"[{entry}.values.{NEXT}]"]
            out += [f'reference = "{INVENTED}"' if b.startswith("reference") else b for b in block]
        i += 1
    return "\n".join(out) + "\n"


@pytest.fixture(scope="module")
def invented(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of engine/parameters with the next year added to the coverage and every entry."""
    where = tmp_path_factory.mktemp("next-year") / "parameters"
    shutil.copytree(P.HERE, where, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    for path in where.glob("*.toml"):
        if path.name == "coverage.toml":
            path.write_text(path.read_text() + f'\n[years.{NEXT}]\npublished = "{INVENTED}"\n')
        else:
            path.write_text(add_year(path.read_text()))
    return where


def env_for(where: Path, tmp: Path) -> dict[str, str]:
    """The environment of a process that reads the invented parameter set."""
    return {
        **os.environ,
        "ADVISOR_PARAMETERS_DIR": str(where),
        "ADVISOR_CHARTS": str(tmp / "charts"),
        "PYTHONUNBUFFERED": "1",
    }


def run(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    """A real subprocess of this project."""
    return subprocess.run(
        [sys.executable, "-m", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )


def test_the_invented_set_is_complete_and_healthy(invented: Path) -> None:
    law = P.ParameterSet.load(invented)
    assert law.years == (*P.SUPPORTED_YEARS, NEXT)
    for name, param in law.entries.items():
        assert param.references[NEXT] == INVENTED, name
    assert problems(invented) == []
    assert NEXT not in P.SUPPORTED_YEARS  # the engine's own set is untouched


def test_the_engine_command_lists_and_evaluates_the_new_year(
    invented: Path, tmp_path: Path
) -> None:
    env = env_for(invented, tmp_path)
    years = run(["engine", "years"], env)
    assert years.returncode == 0, years.stderr
    assert years.stdout.split() == [str(y) for y in (*P.SUPPORTED_YEARS, NEXT)]
    profile: dict[str, Any] = {
        "as_of": f"{NEXT}-03-01",
        "age": 45,
        "salary": 85000,
        "balances": {"pretax": 60000, "employer": 12000},
        "loan": {"outstanding": 8000},
        "job_change": {"leaving": True, "separation_date": f"{NEXT}-06-15"},
    }
    proc = run(["engine", "evaluate", "-"], env, json.dumps(profile))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["tax_year"] == NEXT
    deferral = next(e for e in report["trace"] if e["figure"] == "limits.deferral_402g")
    assert deferral["source"] == INVENTED
    assert deferral["value"] == f"{P.amount('deferral_402g', LAST):.2f}"
    assert report["loan"]["offset"]["rollover_deadline"] == return_due_date(NEXT).isoformat()
    # Without the variable the same profile is refused: the year exists only in the data.
    plain = run(["engine", "evaluate", "-"], {**os.environ}, json.dumps(profile))
    assert plain.returncode == 2
    assert json.loads(plain.stderr)["error"] == "unsupported_year"


def shifted(answer: str) -> str:
    """A date answer of the console tests moved to the same day in the invented year's time."""
    if re.fullmatch(r"\d{4}-\d\d-\d\d", answer):
        return f"{int(answer[:4]) + NEXT - TODAY.year}{answer[4:]}"
    return answer


def test_the_console_answers_with_the_new_years_rules(invented: Path, tmp_path: Path) -> None:
    answers = [shifted(a) for a in JOB_CHANGE]  # the job-change path of the console tests
    assert any(a.startswith(f"{NEXT}-") for a in answers)
    db = tmp_path / "x.db"
    proc = run(
        ["bot", "console", "--db", str(db), "--as-of", f"{NEXT}-03-01"],
        env_for(invented, tmp_path),
        "\n".join(answers) + "\n",
    )
    assert proc.returncode == 0, proc.stderr
    assert f"{NEXT} rules" in proc.stdout
    assert f"{LAST} rules" not in proc.stdout
    due = return_due_date(NEXT)
    assert f"{due:%B} {due.day}, {due.year}" in proc.stdout  # the loan offset deadline
