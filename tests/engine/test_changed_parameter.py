"""A legal number changed in a temporary copy of the data reaches what a person reads."""

from __future__ import annotations

import shutil
from pathlib import Path

from engine import parameters as P
from tests.dialogue.test_console import JOB_CHANGE, TODAY
from tests.engine.test_next_year import env_for, run

# name -> (today's value, the changed one), for the tax year of the console tests.
CHANGES = {"mandatory_withholding_rate": ("0.20", "0.25"), "indirect_rollover_days": ("60", "61")}


def changed_copy(where: Path) -> Path:
    """engine/parameters copied, with each CHANGES entry's value for TODAY's year replaced."""
    shutil.copytree(P.HERE, where, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    for name, (old, new) in CHANGES.items():
        path = where / f"{P.load_all()[name].file}.toml"
        lines = path.read_text(encoding="utf-8").splitlines()
        start = lines.index(f"[{name}.values]")
        row = next(i for i in range(start, len(lines)) if lines[i].startswith(f"{TODAY.year} ="))
        want = f"{TODAY.year} = {{ value = {old}, reference = "
        assert lines[row].startswith(want), lines[row]
        lines[row] = f'{TODAY.year} = {{ value = {new}, reference = "changed for the test" }}'
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return where


def test_a_changed_copy_of_the_law_changes_the_answer(tmp_path: Path) -> None:
    data = changed_copy(tmp_path / "parameters")
    proc = run(
        ["bot", "console", "--db", str(tmp_path / "x.db"), "--as-of", TODAY.isoformat()],
        env_for(data, tmp_path),
        "\n".join(JOB_CHANGE) + "\n",
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "The 25% withheld" in out and "within 61 days" in out
    assert "The 20% withheld" not in out and "within 60 days" not in out
