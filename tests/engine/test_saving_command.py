"""The engine command, as a real subprocess, for one saver and one retiree."""

from __future__ import annotations

import json

from engine import Profile, evaluate
from tests.engine.test_command import run

SAVER = {
    "as_of": "2026-06-30",
    "age": 40,
    "salary": 100000,
    "contribution_percent": 6,
    "match": [{"match_percent": 50, "on_pay_percent": 6}],
    "balances": {"pretax": 80000},
}
RETIREE = {
    "as_of": "2026-06-30",
    "age": 65,
    "salary": 0,
    "balances": {"pretax": 1200000},
    "retirement": {"age": 65, "spending_monthly": 4000, "stock_percent": 75, "plan_to_age": 95},
}


def test_a_saver_through_the_command() -> None:
    proc = run(["evaluate", "-"], json.dumps(SAVER))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    out = json.loads(proc.stdout)
    s = out["saving"]
    assert s["room_left"] == 24500 - 6000
    assert s["yearly_contributions"] == 6000 + 3000
    assert s["roth_or_traditional"] in ("roth", "traditional", "either")
    assert out["allocation"]["stock_percent_110"] == 70
    assert out["retirement"] is None
    assert evaluate(Profile.model_validate(SAVER)).model_dump(mode="json") == out


def test_a_retiree_through_the_command() -> None:
    proc = run(["evaluate", "-"], json.dumps(RETIREE))
    assert proc.returncode == 0, proc.stderr
    h = json.loads(proc.stdout)["retirement"]["historical"]
    assert (h["cohorts"], h["lasted"], h["success_rate"]) == (68, 64, 0.941176)


def test_a_bad_retirement_is_refused_with_its_field() -> None:
    bad = {**RETIREE, "retirement": {"age": 65, "plan_to_age": 60}}
    proc = run(["evaluate", "-"], json.dumps(bad))
    assert proc.returncode == 2 and proc.stdout == ""
    fields = [f["field"] for f in json.loads(proc.stderr)["fields"]]
    assert fields == ["retirement.plan_to_age"]
