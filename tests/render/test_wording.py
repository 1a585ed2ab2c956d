"""One home for words: no legal number typed into the words, every key used and defined.

A dollar amount, a legal percent, a day count or a legal age typed into a template, into
templates/messages.toml or into a string of bot/ fails here: legal numbers reach the text only
through param("name"), from the dated data in engine/parameters.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot import wording
from bot.render import PATHS, render_answer, render_template, to_plain
from bot.render.answer import _key_figures
from bot.wording import has, label, label_codes, label_kinds, messages, param_text, say
from engine import parameters
from tests.render.test_render import CORPUS, REPORTS

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"

# Numbers that look legal but are not, by file and exact text, each with its reason.
NOT_LEGAL: dict[tuple[str, str], str] = {
    ("bot/dialogue/readers/match.py", "50%"): "the word 'half' in a typed match, read as 50%",
    ("bot/dialogue/readers/match.py", "1%"): "a regex replacement ('\\1%': N cents per dollar)",
}
# Legal numbers still typed in because engine/parameters has no entry for them yet.
AWAITING_PARAMETER: dict[tuple[str, str], str] = {
    ("templates/rmd.j2", "5%"): "5-percent owner, IRC 401(a)(9)(C)(ii)(I) and 416(i)(1)(B)(i): "
    "needs a parameter (e.g. rmd_five_percent_owner_share) in engine/parameters/rmd.toml",
}
ALLOWED = {**NOT_LEGAL, **AWAITING_PARAMETER}


def _leaves(value: Any) -> Iterator[Any]:
    """The numbers inside a parameter value (lists and tables opened)."""
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    elif isinstance(value, Decimal):
        yield value


def _legal_numbers() -> tuple[set[Decimal], set[Decimal]]:
    """The ages and the percents of the law, as the parameter data holds them."""
    ages: set[Decimal] = set()
    percents: set[Decimal] = set()
    for p in parameters.load_all().values():
        for value in p.values.values():
            if re.search(r"(?:^|_)ages?(?:$|_)", p.name) and p.unit in ("years", "years_months"):
                if p.unit == "years_months":
                    ages.add(value["years"] + value["months"] / 12)
                elif isinstance(value, list) and value and isinstance(value[0], dict):
                    ages |= {row["age"] for row in value}  # rmd_start_age: rows by birth date
                else:
                    ages |= set(_leaves(value))
            elif p.unit in ("rate", "usd_rate"):
                percents |= {v * 100 for v in _leaves(value) if v < 1}
            elif p.unit == "percent":
                percents |= set(_leaves(value))
    percents -= {Decimal(0), Decimal(100)}  # none and all: not legal numbers on their own
    # Legal percents the data does not hold (yet): the 5-percent owner of the RMD rules, and
    # the 7.5% floor of medical expenses (IRC 72(t)(2)(B)).
    percents |= {Decimal(5), Decimal("7.5")}
    return {a.normalize() for a in ages}, {p.normalize() for p in percents}


LEGAL_AGES, LEGAL_PERCENTS = _legal_numbers()
NUMBER = r"\d+(?:\.\d+)?"
LITERALS: dict[str, re.Pattern[str]] = {
    "dollar amount": re.compile(r"\$\s?\d[\d,.]*"),
    "percent": re.compile(rf"(?<![\w.])({NUMBER})\s?%(?!\}})"),
    "day count": re.compile(r"(?<![\w.])\d+[- ]?days?\b", re.IGNORECASE),
    # 59½, 70.5, age 55, age-55, < 50; not IRC 72(t), nor a code such as age_55
    "legal age": re.compile(r"(?<![\w.,$/])(\d+(?:½|\.5)?)(?![\w(,%/]|\.\d)"),
}


def _is_legal(kind: str, match: re.Match[str]) -> bool:
    """Whether a number found is one of the law's (any dollar amount or day count is)."""
    if kind == "percent":
        return Decimal(match.group(1)).normalize() in LEGAL_PERCENTS
    if kind == "legal age":
        text = match.group(1).replace("½", ".5")
        return Decimal(text).normalize() in LEGAL_AGES
    return True


def find_literals(texts: list[str]) -> list[tuple[str, str]]:
    """(kind, text) of every legal-looking number in some texts."""
    return [
        (kind, m.group(0))
        for text in texts
        for kind, pattern in LITERALS.items()
        for m in pattern.finditer(text)
        if _is_legal(kind, m)
    ]


def scanned_files() -> list[str]:
    """Every file of words: the templates, the messages file, and bot/'s Python."""
    files = sorted(TEMPLATES.glob("*.j2")) + [TEMPLATES / "messages.toml"]
    files += sorted((ROOT / "bot").rglob("*.py"))
    return [str(f.relative_to(ROOT)) for f in files]


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring nodes (read by programmers, not by the person)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def _names(node: ast.AST) -> Iterator[str]:
    """The variable, attribute and function names inside an expression."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            yield sub.id
        elif isinstance(sub, ast.Attribute):
            yield sub.attr


def _about_age(node: ast.AST) -> bool:
    return any(re.search(r"(?:^|_)ages?(?:$|_)", name) for name in _names(node))


def _numbers(nodes: list[ast.expr]) -> list[int | float]:
    return [
        n.value
        for n in nodes
        if isinstance(n, ast.Constant)
        and isinstance(n.value, int | float)
        and not isinstance(n.value, bool)
        and Decimal(str(n.value)).normalize() in LEGAL_AGES
    ]


def python_texts(source: str) -> Iterator[str]:
    """The string constants a person may read, and the ages compared or passed in code."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.value
        elif isinstance(node, ast.Compare) and _about_age(node):
            yield from (f"age < {n}" for n in _numbers([node.left, *node.comparators]))
        elif isinstance(node, ast.Call) and _about_age(node.func):
            yield from (f"age({n})" for n in _numbers(node.args))


# Messages whose numbers are not law: what a person might type (examples of an answer) and
# the common match formulas a plan chooses (plan design, not a legal number).
NOT_LAW_KEYS = re.compile(r"(^|\.)example[a-z_]*$|^dialogue\.choice\.match\.")


def message_texts() -> list[str]:
    """Every message of messages.toml except examples of answers and plan match formulas."""
    return [text for key, text in messages().items() if not NOT_LAW_KEYS.search(key)]


def literals_in(rel: str) -> list[tuple[str, str]]:
    """(kind, text) of every legal-looking number typed into one file."""
    source = (ROOT / rel).read_text(encoding="utf-8")
    if rel.endswith(".py"):
        texts = list(python_texts(source))
    elif rel == "templates/messages.toml":
        texts = message_texts()
    else:
        texts = [source]
    return find_literals(texts)


def test_only_examples_and_plan_formulas_are_exempt() -> None:
    exempt = [k for k in messages() if NOT_LAW_KEYS.search(k)]
    assert exempt and all(
        k.rsplit(".", 1)[-1].startswith("example") or k.startswith("dialogue.choice.match.")
        for k in exempt
    )
    assert find_literals(message_texts()) == find_literals(
        [t for k, t in messages().items() if k not in exempt]
    )


@pytest.mark.parametrize("rel", scanned_files())
def test_no_legal_number_typed_in(rel: str) -> None:
    found = [(kind, lit) for kind, lit in literals_in(rel) if (rel, lit.strip()) not in ALLOWED]
    assert not found, f"{rel}: use param('name') for {found}"


def test_the_scan_finds_what_it_looks_for() -> None:
    sample = (
        'x = "the $50,000 cap (20%) within 60 days, 7.5% at 59½ or age-55"\n'
        "if r.age < 50 or _age_at_least(a, 73):\n    pass\n"
        'y = "IRC 72(t), 401(a)(9), age_55_exception, 2027-04-15, in 120 days"\n'
        "z = len(message) > 60\n"
    )
    found = set(find_literals(list(python_texts(sample))))
    assert found == {
        ("dollar amount", "$50,000"),
        ("percent", "20%"),
        ("percent", "7.5%"),
        ("day count", "60 days"),
        ("legal age", "60"),
        ("legal age", "59½"),
        ("legal age", "55"),
        ("day count", "120 days"),
        ("legal age", "50"),
        ("legal age", "73"),
    }


def test_allow_lists_are_short_current_and_explained() -> None:
    assert len(ALLOWED) <= 5
    for (rel, lit), reason in ALLOWED.items():
        assert reason.strip(), (rel, lit)
        assert lit in {found for _, found in literals_in(rel)}, f"{rel}: {lit} is gone; drop it"


# --- keys: every one used is defined, every one defined is used --------------------------------


def template_sources() -> dict[str, str]:
    """Every template, and every message, by name."""
    out = {p.name: p.read_text(encoding="utf-8") for p in sorted(TEMPLATES.glob("*.j2"))}
    return out | {f"messages.toml:{k}": v for k, v in messages().items()}


def bot_trees() -> dict[str, ast.Module]:
    """Every Python file of bot/, parsed."""
    return {
        str(p.relative_to(ROOT)): ast.parse(p.read_text(encoding="utf-8"))
        for p in sorted((ROOT / "bot").rglob("*.py"))
    }


def _call_name(node: ast.Call) -> str:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _constants(node: ast.Call) -> list[Any]:
    return [a.value if isinstance(a, ast.Constant) else None for a in node.args]


SAY_IN_TEMPLATE = re.compile(r"\b(?:say|text)\(\s*[\"']([^\"']+)[\"']")
LABEL_IN_TEMPLATE = re.compile(r"[\"']([\w.]+)[\"']\s*\|\s*label\(\s*[\"'](\w+)[\"']\s*\)")
DEFINE_IN_TEMPLATE = re.compile(r"\bdefine\(\s*[\"'](\w+)[\"']")
PARAM_IN_TEMPLATE = re.compile(r"\bparam\(\s*[\"'](\w+)[\"']")


def test_every_key_and_code_used_is_defined() -> None:
    keys: set[str] = set()
    for tree in bot_trees().values():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name, args = _call_name(node), _constants(node)
                if name in ("say", "text") and isinstance(args[0], str):
                    keys.add(args[0])
                if name == "label" and len(args) >= 2 and all(isinstance(a, str) for a in args[:2]):
                    keys.add(f"label.{args[1]}.{args[0]}")
    for source in template_sources().values():
        keys |= set(SAY_IN_TEMPLATE.findall(source))
        keys |= {f"label.{kind}.{code}" for code, kind in LABEL_IN_TEMPLATE.findall(source)}
        keys |= {f"label.term.{term}" for term in DEFINE_IN_TEMPLATE.findall(source)}
    # the scan found the uses, in Python and in templates
    assert {"label.phrase.unknown_date", "label.key_figure.x", "label.term.withholding"} - keys == {
        "label.key_figure.x"
    }
    missing = sorted(k for k in keys if not has(k))
    assert not missing, f"used but not in messages.toml: {missing}"


@pytest.mark.parametrize("path", PATHS)
def test_every_key_figure_has_a_label(path: str) -> None:
    for r in REPORTS.values():
        for code in _key_figures(r, path):
            assert has(f"label.key_figure.{code}"), code


def test_every_param_named_exists_and_reads_for_every_year() -> None:
    names: set[str] = set()
    for source in template_sources().values():
        names |= set(PARAM_IN_TEMPLATE.findall(source))
    assert {"loan_dollar_cap", "mandatory_withholding_rate", "catch_up_age"} <= names
    assert names <= set(parameters.load_all()), names - set(parameters.load_all())
    for year in parameters.SUPPORTED_YEARS:
        for kind in label_kinds():
            for code in label_codes(kind):
                text = label(code, kind, year)
                assert text and "{" not in text, (year, kind, code)


def used_strings() -> set[str]:
    """Every string constant of bot/ and engine/, and every quoted string of the templates."""
    out: set[str] = set()
    files = list((ROOT / "bot").rglob("*.py")) + list((ROOT / "engine").rglob("*.py"))
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                out.add(node.value)
    for source in template_sources().values():
        out |= set(re.findall(r"[\"']([^\"'\n]*)[\"']", source))
    return out


FIGURE_KINDS = {
    "figure": "",
    "option_figure": "job_change.options.",
    "action_figure": "actions.",
    "job_lost_figure": "loan.request.if_job_lost.",
    "exception_figure": "withdrawal.exception_amounts.",
}


def _code_is_used(kind: str, code: str, used: set[str], figures: set[str]) -> bool:
    """A figure is used when a report traces it; another code when the code names it."""
    if kind in FIGURE_KINDS:
        prefix = FIGURE_KINDS[kind]
        return any(
            f == code if not prefix else f.startswith(prefix) and f.endswith("." + code)
            for f in figures
        )
    if code in used:
        return True
    # codes the engine builds from a prefix and another code: no_penalty_ + an exception
    return any(code.startswith(p) and code[len(p) :] in used for p in used if p.endswith("_"))


def _key_is_used(key: str, used: set[str]) -> bool:
    """Named whole, or built as f"{prefix}{name}": a prefix and the next part both in the code."""
    if key in used:
        return True
    parts = key.split(".")
    return any(
        ".".join(parts[j:i]) + "." in used and parts[i] in used
        for i in range(1, len(parts))
        for j in range(i)
    )


def test_every_key_defined_is_used() -> None:
    used = used_strings()
    figures = {e["figure"] for r in CORPUS for e in r.trace}
    dead = []
    for key in messages():
        parts = key.split(".", 2)
        if parts[0] == "label" and parts[1] in label_kinds():
            kind, code = parts[1], parts[2]
            if kind not in used or not _code_is_used(kind, code, used, figures):
                dead.append(key)
        elif not _key_is_used(key, used):
            dead.append(key)
    assert not dead, f"in messages.toml but never used: {dead}"


# --- the numbers come from the data -------------------------------------------------------------

CHANGED: dict[str, Any] = {
    "loan_dollar_cap": Decimal(61000),
    "mandatory_withholding_rate": Decimal("0.25"),
    "indirect_rollover_days": Decimal(61),
    "early_withdrawal_rate": Decimal("0.11"),
    "penalty_free_age": {"years": Decimal(58), "months": Decimal(6)},
    "catch_up_age": Decimal(49),
}


def test_a_changed_parameter_reaches_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same report, worded with other legal numbers: the new numbers show, the old do not."""
    r = REPORTS["p1-job-change-loan-roth"]
    young = REPORTS["staying-loan-cliff"]
    before = to_plain("\n\n".join(render_answer(r, "job_change") + render_answer(r, "loan")))
    assert "$50,000 cap" in before and "(20%)" in before and "within 60 days" in before
    real = wording.param_value

    def changed(name: str, year: int, index: Any = None, field: Any = None) -> Any:
        if name in CHANGED and index is None:
            return CHANGED[name]
        return real(name, year, index, field)

    monkeypatch.setattr(wording, "param_value", changed)
    after = to_plain("\n\n".join(render_answer(r, "job_change") + render_answer(r, "loan")))
    for new in ("$61,000 cap", "(25%)", "within 61 days", "11% additional tax: an", "before 58½"):
        assert new in after, new
    # (the report's own figures, such as its penalty percent, stay those it was computed with)
    for old in ("$50,000", "(20%)", "60 days", "10% additional tax:", "59½"):
        assert old not in after, old
    saving = to_plain(render_template("limits.j2", r=young))
    assert "From the year you turn 49" in saving and "turn 50" not in saving
    assert param_text("loan_dollar_cap", r.tax_year) == "$61,000"
    assert say("label.option.indirect_rollover", tax_year=r.tax_year).endswith("within 61 days")
    assert label("cash_out_penalty", "key_figure", r.tax_year).startswith("11% additional tax")


def test_param_text_reads_each_unit() -> None:
    assert param_text("loan_dollar_cap", 2026) == "$50,000"
    assert param_text("mandatory_withholding_rate", 2026) == "20%"
    assert param_text("indirect_rollover_days", 2026) == "60"
    assert param_text("penalty_free_age", 2026) == "59½"
    assert param_text("rmd_required_beginning_month_day", 2026) == "April 1"
    assert param_text("return_due_date", 2026) == "April 15, 2027"
    assert param_text("catch_up_60_63_ages", 2026, 1) == "63"
    assert param_text("emergency_expense_cap", 2026, "cap") == "$1,000"
    assert param_text("rmd_start_age", 2026, 0, "age") == "70.5"
    with pytest.raises(wording.WordingError):
        param_text("roth_catch_up_in_effect", 2026)
    with pytest.raises(wording.WordingError):
        say("label.option.cash_out_nowhere")


def test_odd_years_and_months_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    real = wording.param_value

    def changed(name: str, year: int, index: Any = None, field: Any = None) -> Any:
        if name == "penalty_free_age":
            return {"years": Decimal(59), "months": Decimal(3)}
        return real(name, year, index, field)

    monkeypatch.setattr(wording, "param_value", changed)
    assert param_text("penalty_free_age", 2026) == "59 years and 3 months"
    assert label("age_59_half", "exception", 2026) == "you are 59 years and 3 months or older"
