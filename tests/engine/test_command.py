"""The engine command's contract: exit codes, stdout, stderr (docs/engine-interface.md)."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

from engine import SUPPORTED_YEARS, Profile, evaluate

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    """python -m engine ... as a real subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "engine", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


GOOD = {"as_of": "2026-11-23", "age": 45, "salary": 85000, "balances": {"pretax": 50000}}


def test_years() -> None:
    proc = run(["years"])
    assert proc.returncode == 0
    coverage = tomllib.loads((ROOT / "engine" / "parameters" / "coverage.toml").read_text())
    assert proc.stdout.split() == sorted(coverage["years"])


def test_evaluate_stdin_and_file(tmp_path: Path) -> None:
    proc = run(["evaluate", "-"], json.dumps(GOOD))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["tax_year"] == 2026
    f = tmp_path / "p.json"
    f.write_text(json.dumps(GOOD))
    again = run(["evaluate", str(f)])
    assert json.loads(again.stdout) == out
    # The Python API prints exactly the same thing.
    assert evaluate(Profile.model_validate(GOOD)).model_dump(mode="json") == out


def bad(profile: Any) -> dict[str, Any]:
    proc = run(["evaluate", "-"], json.dumps(profile))
    assert proc.returncode == 2
    assert proc.stdout == ""
    err: dict[str, Any] = json.loads(proc.stderr)
    return err


def test_every_bad_field_is_named() -> None:
    err = bad(
        {
            "as_of": "2026-11-23",
            "age": 200,
            "salary": -5,
            "contribution_percent": 140,
            "vesting": {"schedule": "weekly"},
        }
    )
    assert err["error"] == "invalid_profile"
    named = {f["field"] for f in err["fields"]}
    assert {"age", "salary", "contribution_percent", "vesting.schedule"} <= named
    assert all(f["message"] for f in err["fields"])


def test_cross_field_rules() -> None:
    err = bad(
        {
            "as_of": "2026-11-23",
            "age": 40,
            "salary": 50000,
            "balances": {"pretax": 1000},
            "loan": {"outstanding": 5000},
            "job_change": {"leaving": True, "separation_date": "2031-01-01"},
        }
    )
    named = {f["field"] for f in err["fields"]}
    assert named == {"loan.outstanding", "job_change.separation_date"}


def test_missing_age_and_unknown_key() -> None:
    err = bad({"as_of": "2026-11-23", "salary": 1, "shoe_size": 9})
    named = {f["field"] for f in err["fields"]}
    assert {"shoe_size"} <= named
    err = bad({"as_of": "2026-11-23", "salary": 1})
    assert err["fields"] == [{"field": "age", "message": "is required unless birth_date is given"}]


def test_unsupported_year() -> None:
    after, before = max(SUPPORTED_YEARS) + 1, min(SUPPORTED_YEARS) - 1
    err = bad({**GOOD, "as_of": f"{after}-01-05"})
    assert err["error"] == "unsupported_year"
    assert err["supported"] == list(SUPPORTED_YEARS)
    err = bad({**GOOD, "tax_year": before})
    assert err["error"] == "unsupported_year"


def test_not_json() -> None:
    proc = run(["evaluate", "-"], "{not json")
    assert proc.returncode == 2 and proc.stdout == ""
    assert json.loads(proc.stderr)["error"] == "invalid_json"
