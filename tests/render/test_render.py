"""bot.render and templates/: every section and code covered, valid Telegram HTML, figures."""

from __future__ import annotations

import ast
import copy
import re
from collections import defaultdict
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import engine.report as report_module
from bot import render
from bot.render import (
    LABELS,
    PATHS,
    SECTION_TEMPLATES,
    TEMPLATES,
    figure_label,
    label,
    money,
    render_answer,
    render_change,
    render_template,
    render_why,
    split_message,
    to_plain,
)
from engine import Report, evaluate, parameters, parse_profile
from engine.report import Exception72t, JobChangeOut, Limits, OptionId
from tests.benchmarks.engine_bench import FULL_JOB_CHANGE

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {"b", "i", "u", "s", "code", "pre", "a", "blockquote"}
DISCLAIMER = "This is general information, not financial, tax or legal advice"

# Contrasting people, as the dialogue would build them.
P1: dict[str, Any] = {**FULL_JOB_CHANGE}  # the benchmark's full job-change person
PROFILES: dict[str, dict[str, Any]] = {
    "p1-job-change-loan-roth": P1,
    "age55-new-plan-roth-mfj": {
        "as_of": "2026-06-30",
        "birth_date": "1971-03-10",
        "salary": 120000,
        "filing_status": "married_joint",
        "contribution_percent": 10,
        "match": [{"match_percent": 50, "on_pay_percent": 6}],
        "balances": {
            "pretax": 150000,
            "roth": 40000,
            "roth_basis": 30000,
            "roth_first_year": 2015,
            "employer": 30000,
        },
        "job_change": {
            "leaving": True,
            "separation_date": "2026-07-15",
            "new_plan_accepts_rollovers": True,
        },
    },
    "retiree-rmd-due": {
        "as_of": "2026-03-01",
        "age": 73,
        "salary": 0,
        "other_income": 40000,
        "balances": {"pretax": 400000, "roth": 5000},
        "prior_year_end_balance": 390000,
        "job_change": {"leaving": True, "separation_date": "2020-01-01"},
    },
    "staying-loan-cliff": {
        "as_of": "2026-03-01",
        "age": 38,
        "salary": 60000,
        "contribution_percent": 2,
        "match": [{"match_percent": 100, "on_pay_percent": 4}],
        "balances": {"pretax": 20000, "employer": 6000},
        "vesting": {"schedule": "cliff3", "years_of_service": 1},
        "loan": {"outstanding": 10000, "highest_last_12_months": 13000},
    },
    "small-balance": {
        "as_of": "2026-05-01",
        "age": 24,
        "salary": 38000,
        "balances": {"pretax": 900},
        "job_change": {"leaving": True},
    },
    "high-earner-61-no-roth-plan": {
        "as_of": "2026-02-01",
        "age": 61,
        "salary": 400000,
        "contribution_percent": 12,
        "prior_year_fica_wages": 390000,
        "plan": {"roth_available": False},
        "balances": {"pretax": 900000},
        "job_change": {"leaving": True, "new_plan_accepts_rollovers": False},
    },
    "roth-catch-up-required-52": {
        "as_of": "2026-02-01",
        "age": 52,
        "salary": 180000,
        "contribution_percent": 20,
        "balances": {"pretax": 300000, "roth": 20000},
    },
    "still-working-74": {
        "as_of": "2026-04-01",
        "age": 74,
        "salary": 90000,
        "balances": {"pretax": 500000},
        "prior_year_end_balance": 480000,
    },
    "born-1959-loan-custom-vesting": {
        "as_of": "2026-09-01",
        "birth_date": "1959-05-01",
        "salary": 70000,
        "balances": {"pretax": 200000, "employer": 10000},
        "loan": {"outstanding": 20000},
        "job_change": {"leaving": True, "separation_date": "2026-10-01"},
        "vesting": {"schedule": [0, 20, 40, 60, 80, 100], "years_of_service": 9},
    },
    "public-safety-51": {
        "as_of": "2026-09-01",
        "birth_date": "1975-02-11",
        "salary": 70000,
        "balances": {"pretax": 90000, "roth": 3000},
        "loan": {"outstanding": 5000},
        "job_change": {"leaving": True, "public_safety": True, "separation_date": "2026-10-01"},
    },
    "new-plan-with-roth": {
        "as_of": "2026-01-15",
        "age": 35,
        "salary": 95000,
        "contribution_percent": 6,
        "match": [{"match_percent": 100, "on_pay_percent": 4}],
        "balances": {"pretax": 30000, "roth": 15000, "roth_basis": 12000},
        "job_change": {"leaving": True, "new_plan_accepts_rollovers": True},
    },
    "loan-maxed-2025": {
        "as_of": "2025-08-01",
        "age": 33,
        "salary": 50000,
        "balances": {"pretax": 10000},
        "loan": {"outstanding": 10000},
        "state_tax_percent": 7.5,
    },
    "odd-cents-graded-no-date": {
        "as_of": "2026-07-01",
        "age": 29,
        "salary": 85555.55,
        "contribution_percent": 3,
        "match": [{"match_percent": 50, "on_pay_percent": 6}],
        "balances": {"pretax": 12345.67, "employer": 4321.09},
        "vesting": {"schedule": "graded6", "years_of_service": 2},
        "job_change": {"leaving": True},
    },
}


def report_of(profile: dict[str, Any]) -> Report:
    return evaluate(parse_profile(profile))


REPORTS = {name: report_of(p) for name, p in PROFILES.items()}


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge `over` into a copy of `base`."""
    out = dict(base)
    for k, v in over.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def case_reports() -> list[Report]:
    """Every YAML boundary case of the engine as a Report."""
    out = []
    for path in sorted((ROOT / "tests" / "engine" / "cases").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text())
        out += [report_of(merge(doc["base"], c["profile"])) for c in doc["cases"]]
    return out


CORPUS = case_reports() + list(REPORTS.values())


class TelegramHTML(HTMLParser):
    """Collects tag problems: tags Telegram refuses, unclosed or stray closing tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED:
            self.problems.append(f"tag <{tag}> is not allowed")
        if tag == "a" and [k for k, _ in attrs] != ["href"]:
            self.problems.append("<a> needs exactly href")
        if tag != "a" and attrs:
            self.problems.append(f"<{tag}> has attributes")
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.problems.append(f"self-closing <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> does not close the last open tag {self.stack[-1:]}")
        else:
            self.stack.pop()

    def handle_entityref(self, name: str) -> None:
        if name not in ("lt", "gt", "amp", "quot"):
            self.problems.append(f"entity &{name}; is not one Telegram knows")


ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


def check_html(part: str, limit: int = 4096) -> None:
    """One message is valid Telegram HTML with visible text under the limit."""
    parser = TelegramHTML()
    parser.feed(part)
    parser.close()
    assert not parser.problems, parser.problems
    assert not parser.stack, f"unclosed tags {parser.stack}"
    # every & starts a whole entity; no bare < or > outside tags
    assert all(ENTITY.match(part, m.start()) for m in re.finditer("&", part)), part
    outside = re.sub(r"<(/?)([a-z]+)(\s[^<>]*)?>", "", part)
    assert "<" not in outside and ">" not in outside
    plain = to_plain(part)
    assert plain.strip(), "an empty message"
    assert len(plain) < limit
    assert len(plain.encode("utf-16-le")) // 2 < limit  # as Telegram counts


# --- sections, templates and labels ----------------------------------------------------------


def test_every_report_section_has_a_template() -> None:
    scalars = {"tax_year", "as_of", "age", "filing_status"}
    sections = set(Report.model_fields) - scalars
    assert sections <= set(SECTION_TEMPLATES), sections - set(SECTION_TEMPLATES)
    for names in SECTION_TEMPLATES.values():
        for name in names:
            assert (TEMPLATES / name).is_file(), name
    for name in [
        "answer.j2",
        "options.j2",
        "recommendation.j2",
        "vesting.j2",
        "loan.j2",
        "early_withdrawal.j2",
        "indirect.j2",
        "contributions.j2",
        "limits.j2",
        "rmd.j2",
        "actions.j2",
        "checklist.j2",
        "roth.j2",
        "disclaimer.j2",
        "why.j2",
        "change.j2",
        "echo.j2",
    ]:
        assert (TEMPLATES / name).is_file(), name


def test_templates_dir_is_next_to_the_package() -> None:
    assert TEMPLATES == ROOT / "templates"


def literal_args(annotation: Any) -> set[str]:
    """The strings of a Literal type, also inside Optional."""
    out: set[str] = set()
    for arg in get_args(annotation):
        if isinstance(arg, str):
            out.add(arg)
        else:
            out |= literal_args(arg)
    return out


def all_labels() -> set[str]:
    return {code for kind in LABELS.values() for code in kind}


def test_literal_codes_have_labels() -> None:
    assert set(get_args(OptionId)) <= set(LABELS["option"])
    assert set(get_args(Exception72t)) <= set(LABELS["exception"])
    kinds = literal_args(Limits.model_fields["catch_up_kind"].annotation)
    assert kinds and kinds <= set(LABELS["catch_up_kind"])
    rules = literal_args(JobChangeOut.model_fields["small_balance_rule"].annotation)
    assert rules and rules <= set(LABELS["small_balance_rule"])


# Codes built from a prefix in the engine, and what the prefix is joined with.
PREFIXES = {
    "no_penalty_": set(get_args(Exception72t)),
    "request_": {"roll_to_new_plan", "direct_rollover_ira"},
}


def test_every_code_literal_in_the_rules_has_a_label() -> None:
    """String literals in the rules that are neither field nor parameter names are codes."""
    fields: set[str] = set(report_module.TraceEntry.__annotations__)
    for obj in vars(report_module).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel):
            fields |= set(obj.model_fields)
    params = set(parameters.load_all())
    codes: set[str] = set()
    for rel in (
        "engine/rules/job_change.py",
        "engine/rules/recommendation.py",
        "engine/rules/actions.py",
        "engine/evaluate.py",
    ):
        for node in ast.walk(ast.parse((ROOT / rel).read_text())):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and re.fullmatch(r"[a-z][a-z0-9_]*", node.value)
            ):
                codes.add(node.value)
    codes -= fields | params
    assert len(codes) > 30  # the scan found the codes
    for prefix in [c for c in codes if c.endswith("_")]:
        assert prefix in PREFIXES, f"new code prefix {prefix!r}: add it to PREFIXES"
        codes.remove(prefix)
        codes |= {prefix + rest for rest in PREFIXES[prefix]}
    missing = sorted(codes - all_labels())
    assert not missing, f"codes without a label: {missing}"


def test_every_code_seen_in_reports_has_a_label_of_its_kind() -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    for r in CORPUS:
        jc = r.job_change
        seen["option"].add(jc.recommended)
        seen["reason"] |= set(jc.reasons)
        seen["small_balance_rule"].add(jc.small_balance_rule)
        seen["catch_up_kind"].add(r.limits.catch_up_kind)
        seen["report_note"] |= set(r.notes)
        seen["action"] |= {a.what for a in r.actions}
        if r.early_withdrawal.exception:
            seen["exception"].add(r.early_withdrawal.exception)
        for o in jc.options:
            seen["option"].add(o.id)
            seen["option_note"] |= set(o.notes)
            if o.why_not:
                seen["why_not"].add(o.why_not)
    for kind, codes in seen.items():
        missing = codes - set(LABELS[kind])
        assert not missing, f"{kind} codes without a label: {sorted(missing)}"
    # the corpus exercises every kind of code, and all the reasons and actions
    assert len(seen["reason"]) >= 12 and len(seen["action"]) >= 7
    assert len(seen["why_not"]) >= 4 and len(seen["exception"]) == 4


def test_every_trace_figure_has_a_label() -> None:
    figures = {e["figure"] for r in CORPUS for e in r.trace}
    unlabeled = sorted(f for f in figures if figure_label(f) == f)
    assert not unlabeled


def test_labels_are_plain_sentences() -> None:
    for kind, table in LABELS.items():
        for code in table:
            text = label(code, kind)  # as a person reads it, limits filled in
            assert text.strip() == text and text, (kind, code)
            assert "<" not in text and "_" not in text, (kind, code)


# --- answers: every path, every profile ------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("name", list(REPORTS))
def test_answer_is_valid_telegram_html(name: str, path: str) -> None:
    r = REPORTS[name]
    parts = render_answer(r, path)
    assert parts
    for part in parts:
        check_html(part)
    plain = to_plain("\n\n".join(parts))
    assert DISCLAIMER in to_plain(parts[-1])
    assert parts[-1].rstrip().endswith("</i>")
    # no engine code or Python value leaks into the text
    assert not re.search(r"\b[a-z0-9]+_[a-z0-9_]+\b", plain), re.findall(r"\b\w+_\w+\b", plain)
    for bad in (r"\bNone\b", r"\bnan\b", "Decimal", r"\{\{", r"\{%", r"\$-", "unknown date"):
        assert not re.search(bad, plain), bad
    # sentences and lines are not run together
    assert not re.search(r"[a-z)][.!?:][A-Z]", plain), re.findall(
        r".{30}[a-z)][.!?:][A-Z].{9}", plain
    )
    assert all(ln.startswith("Source:") for ln in plain.splitlines() if "Source:" in ln)
    # every headed section says which tax year's rules it uses
    for para in "\n\n".join(parts).split("\n\n"):
        head = para.split("\n", 1)[0]
        if head.startswith("<b>") and "Questions to ask" not in head:
            assert f"({r.tax_year} " in head, head


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("name", list(REPORTS))
def test_every_section_cites_a_source(name: str, path: str) -> None:
    text = "\n\n".join(render_answer(REPORTS[name], path))
    sections = re.split(r"\n\n(?=<b>)", text)
    for section in sections:
        if section.startswith("<b>") and "Questions to ask" not in section:
            # the law's source, or a section that says it is not law (rules of thumb)
            assert "IRC" in section or "(not law)" in section, section[:80]


@pytest.mark.parametrize("path", PATHS)
def test_terms_are_defined_once(path: str) -> None:
    definitions = [f"<i>{t}</i>" for t in LABELS["term"].values()]
    for r in REPORTS.values():
        text = "\n\n".join(render_answer(r, path))
        for d in definitions:
            assert text.count(d) <= 1, d


def test_terms_are_defined_where_they_first_appear() -> None:
    text = to_plain("\n\n".join(render_answer(REPORTS["p1-job-change-loan-roth"], "job_change")))
    for word, definition in (
        ("rollover", "Rollover: moving"),
        ("unpaid loan", "Loan offset: when you leave"),
        ("10% additional tax", "10% additional tax: an extra federal tax"),
        ("Vesting", "Vesting: employer money"),
        ("Roth", "Roth money: you paid tax"),
    ):
        assert definition in text
        first_use = text.find(word)
        assert first_use <= text.find(definition)
        # defined in the same paragraph as its first use
        assert "\n\n" not in text[first_use : text.find(definition)], word
    saving = to_plain("\n\n".join(render_answer(REPORTS["roth-catch-up-required-52"], "saving")))
    assert "Catch-up: the extra amount" in saving
    rmd = to_plain("\n\n".join(render_answer(REPORTS["retiree-rmd-due"], "withdrawal")))
    assert "RMD (required minimum distribution):" in rmd


def test_p1_figures() -> None:
    r = REPORTS["p1-job-change-loan-roth"]
    text = to_plain("\n\n".join(render_answer(r, "job_change")))
    assert "Net if you cash out: $48,156" in text
    assert "Stay until March 1, 2027 to keep $4,000 more" in text
    assert "lose $12,000" in text
    assert "by April 15, 2027 (October 15, 2027 if you file a tax extension)" in text
    assert "it costs $2,960: $1,760 federal tax + $400 state tax + $800 10% additional tax" in text
    assert (
        "add $17,200 from savings by February 13, 2027, or owe $6,364 ($3,784 federal tax + "
        "$860 state tax + $1,720 10% additional tax); the $17,200 withheld comes back when you "
        "file your 2026 tax return" in text
    )
    assert "My suggestion: Move it to an IRA (direct rollover)" in text
    assert "$250,156.57" in text
    assert "(2026 rules)" in text and "IRC 72(t)" in text
    # the action plan, in date order
    dates = ["December 15, 2026", "February 13, 2027", "March 1, 2027", "April 15, 2027"]
    plan = text[text.index("What to do, by when") :]
    assert [plan.index(d) for d in dates] == sorted(plan.index(d) for d in dates)
    # the checklist
    assert "Do you accept rollovers" in text
    loan = to_plain("\n\n".join(render_answer(r, "loan")))
    assert "The most you can borrow now: $35,000" in loan
    assert "April 15, 2027" in loan
    withdrawal = to_plain("\n\n".join(render_answer(r, "withdrawal")))
    assert "$48,156" in withdrawal and "$10,500" in withdrawal
    saving = to_plain("\n\n".join(render_answer(r, "saving")))
    assert "You leave $425 of match on the table" in saving
    assert "at least 5% of your pay" in saving and "$24,500" in saving


def test_options_best_first_unavailable_last() -> None:
    r = REPORTS["p1-job-change-loan-roth"]
    text = to_plain("\n\n".join(render_answer(r, "job_change")))
    block = text[text.index("Your options, side by side") :]
    block = block[: block.index("\n\n")]
    lines = [ln for ln in block.splitlines() if re.match(r"\d\. |✗ ", ln)]
    assert lines[0].startswith("1. Move it to an IRA (direct rollover) (my suggestion)")
    assert lines[-2].startswith("4. Cash it out: $48,156 now, $0 at retirement")
    assert lines[-1].startswith("✗ Move it to your new employer's plan")
    assert "First ask your new plan whether it accepts rollovers." in lines[-1]
    values = [
        Decimal(m.group(1).replace(",", ""))
        for ln in lines[:-1]
        if (m := re.search(r"now, \$([\d,.]+) at retirement", ln))
    ]
    assert values == sorted(values, reverse=True)


def test_exceptions_and_special_cases() -> None:
    a55 = to_plain("\n\n".join(render_answer(REPORTS["age55-new-plan-roth-mfj"], "job_change")))
    assert "My suggestion: Leave it in the old plan" in a55
    assert "left this job in or after the year you turned 55" in a55
    rmd = to_plain("\n\n".join(render_answer(REPORTS["retiree-rmd-due"], "withdrawal")))
    assert "Take at least $14,716.98 from this plan for 2026, by April 1, 2027" in rmd
    working = to_plain("\n\n".join(render_answer(REPORTS["still-working-74"], "saving")))
    assert "RMDs from this plan wait until you retire" in working
    young = to_plain("\n\n".join(render_answer(REPORTS["staying-loan-cliff"], "saving")))
    assert "Required minimum distributions" not in young
    blocked = to_plain("\n\n".join(render_answer(REPORTS["high-earner-61-no-roth-plan"], "saving")))
    assert "you cannot make catch-up contributions this year" in blocked
    roth_cu = to_plain("\n\n".join(render_answer(REPORTS["roth-catch-up-required-52"], "saving")))
    assert "your catch-up must go in as Roth" in roth_cu
    assert "$24,500 + $8,000 catch-up" in roth_cu
    maxed = to_plain("\n\n".join(render_answer(REPORTS["loan-maxed-2025"], "loan")))
    assert "You cannot borrow more right now" in maxed and "(2025 rules)" in maxed
    public = to_plain("\n\n".join(render_answer(REPORTS["public-safety-51"], "job_change")))
    assert "public safety worker" in public
    born_1959 = REPORTS["born-1959-loan-custom-vesting"]
    assert "73 or 75" not in to_plain("\n\n".join(render_answer(born_1959, "saving")))  # 2032
    assert "73 or 75" in to_plain(render_template("rmd.j2", r=born_1959))
    small = to_plain("\n\n".join(render_answer(REPORTS["small-balance"], "job_change")))
    assert "the plan may pay it out to you without asking" in small
    no_date = to_plain(
        "\n\n".join(render_answer(REPORTS["odd-cents-graded-no-date"], "job_change"))
    )
    assert "One more year of service would keep" in no_date


def test_year_note_is_shown_escaped_first() -> None:
    parts = render_answer(
        REPORTS["p1-job-change-loan-roth"], "saving", year_note="Rules <2027> & co"
    )
    assert parts[0].startswith("<i>Rules &lt;2027&gt; &amp; co</i>")


def test_unknown_path_is_refused() -> None:
    with pytest.raises(ValueError):
        render_answer(REPORTS["p1-job-change-loan-roth"], "lottery")


# --- /why -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(REPORTS))
def test_why_shows_every_figure(name: str) -> None:
    r = REPORTS[name]
    parts = render_why(r)
    for part in parts:
        check_html(part)
    text = to_plain("\n\n".join(parts))
    assert text.count(f"(tax year {r.tax_year})") == len(r.trace)
    for e in r.trace:
        assert figure_label(e["figure"]) in text


def test_why_entry_format_and_sections() -> None:
    r = REPORTS["p1-job-change-loan-roth"]
    html_ = "\n\n".join(render_why(r))
    assert (
        "<b>Cash it out: what you keep now</b>: $48,156\n$78,000 - $18,144 - $3,900 - $7,800\n"
        "<i>arithmetic on the inputs</i> (tax year 2026)" in html_
    )
    assert "<b>First RMD due by</b>: April 1, 2057" in html_
    assert "<b>Vested percent of employer money</b>: 40%" in html_
    assert "<b>Age RMDs start</b>: age 75" in html_
    loan = to_plain("\n\n".join(render_why(r, section="loan")))
    assert "Your 401(k) loan" in loan and "Most you can borrow now: $35,000" in loan
    assert "Cash it out" not in loan
    unknown = render_why(r, section="<script>")
    assert len(unknown) == 1 and "&lt;script&gt;" in unknown[0]


# --- /edit: the change ------------------------------------------------------------------------

TAX_CASE = {"as_of": "2026-06-30", "age": 40, "salary": 75000, "balances": {"pretax": 60000}}


def test_change_in_dollars() -> None:
    before = report_of({**TAX_CASE, "job_change": {"leaving": True}})
    at_55 = report_of({**TAX_CASE, "age": 55, "job_change": {"leaving": True}})
    text = render_change(before, at_55, "job_change")
    assert "Net if you cash out: $40,536 → $46,536 (+$6,000)" in text
    assert "My suggestion is now: Leave it in the old plan" in text
    state = report_of({**TAX_CASE, "state_tax_percent": 5, "job_change": {"leaving": True}})
    back = render_change(before, state, "withdrawal")
    assert "Net if you cash out: $40,536 → $37,536 (-$3,000)" in back
    assert "State tax if you cash out: $0 → $3,000 (+$3,000)" in back
    assert "Federal tax" not in back  # only what changed
    check_html(text)
    check_html(back)


def test_change_of_recommendation_and_match() -> None:
    base = {**TAX_CASE, "job_change": {"leaving": True}}
    before = report_of(base)
    after = report_of(merge(base, {"job_change": {"new_plan_accepts_rollovers": True}}))
    text = to_plain(render_change(before, after, "job_change"))
    assert "My suggestion is now: Move it to your new employer's plan" in text
    s1 = report_of({**P1, "contribution_percent": 4})
    s2 = report_of({**P1, "contribution_percent": 5})
    assert "Match left on the table: $425 → $0 (-$425)" in render_change(s1, s2, "saving")


@pytest.mark.parametrize("path", PATHS)
def test_nothing_changed(path: str) -> None:
    r = REPORTS["p1-job-change-loan-roth"]
    assert render_change(r, r, path) == "Nothing in the result changed."


# --- filters and plain text -------------------------------------------------------------------


def test_money() -> None:
    assert money(Decimal("1234")) == "$1,234"
    assert money(Decimal("1234.5")) == "$1,234.50"
    assert money(Decimal("1234.567")) == "$1,234.57"
    assert money(1234.005) == "$1,234.01"
    assert money(-1234) == "-$1,234"
    assert money(Decimal("-0.001")) == "$0"
    assert money(0) == "$0"
    assert money(Decimal("100000000")) == "$100,000,000"


def test_filters_in_templates() -> None:
    out = render.ENV.from_string(
        "{{ a | pct }} {{ b | pct }} {{ c | pct }} {{ d | date }} {{ e | usd }} "
        "{{ 'cash_out' | label('option') }}"
    ).render(a=Decimal("6.00"), b=6.5, c=100, d=__import__("datetime").date(2027, 4, 15), e=-5)
    assert out == "6% 6.5% 100% April 15, 2027 -$5 Cash it out"


def test_to_plain() -> None:
    html_ = "<b>A &amp; B</b>\n<i>&lt;x&gt; &quot;q&quot; &#x27;s&#x27; &#39;t&#39;</i>\n\nend"
    assert to_plain(html_) == "A & B\n<x> \"q\" 's' 't'\n\nend"
    assert to_plain('<a href="https://x.org/?a=1&amp;b=2">link</a>') == "link"


# --- the person's own text is data ------------------------------------------------------------

EVIL = '<b>bold</b> & "quotes" \'single\' 😀 {{ 7*7 }} {% if 1 %}x{% endif %} &amp; <a href="x">'


def test_user_text_is_escaped_never_template_source() -> None:
    out = render_template("echo.j2", text=EVIL)
    assert "<b>bold" not in out and "&lt;b&gt;bold&lt;/b&gt;" in out
    assert "&amp;amp;" in out and "&#34;quotes&#34;" in out
    assert to_plain(out) == "You said: " + EVIL  # including the literal {{ 7*7 }}
    check_html(out)


def test_long_user_text_splits_cleanly() -> None:
    text = (EVIL + " ") * 120 + "x" * 10_000 + "😀" * 3000
    out = render_template("echo.j2", text=text)
    parts = split_message(out)
    assert len(parts) > 3
    for part in parts:
        check_html(part)
    joined = "".join(to_plain(p) for p in parts)
    assert re.sub(r"\s", "", joined) == re.sub(r"\s", "", "You said: " + text)


def test_user_text_inside_why_template() -> None:
    groups = [
        {
            "title": EVIL,
            "entries": [
                {"label": EVIL, "value": "$1", "formula": "y" * 9000, "source": EVIL, "tax_year": 1}
            ]
            * 3,
        }
    ]
    out = render_template("why.j2", groups=groups, unknown=None, sections={})
    parts = split_message(out)
    for part in parts:
        check_html(part)
    assert sum(to_plain(p).count(EVIL) for p in parts) >= 6


# --- splitting --------------------------------------------------------------------------------


def test_short_text_is_one_part() -> None:
    assert split_message("<b>hi</b>\n\nthere") == ["<b>hi</b>\n\nthere"]


def test_split_on_blank_lines_first() -> None:
    paras = [f"<b>Para {i}</b> " + "word " * 30 for i in range(40)]
    parts = split_message("\n\n".join(p.strip() for p in paras), limit=500)
    assert len(parts) > 5
    for part in parts:
        check_html(part, 500)
        assert part.startswith("<b>Para ")  # no paragraph was cut


def test_long_paragraph_is_split_on_lines_then_spaces() -> None:
    lines = "\n".join(f"line {i} " + "w" * 40 for i in range(30))
    parts = split_message(lines, limit=200)
    assert all(p.startswith("line ") for p in parts)
    words = "<i>" + " ".join(["word"] * 400) + "</i>"
    parts = split_message(words, limit=100)
    for part in parts:
        check_html(part, 100)
        assert part.startswith("<i>word") and part.endswith("word</i>")


def test_tags_reopened_and_entities_whole_on_hard_split() -> None:
    text = '<b>bold <a href="https://e.org/a b?x=1&amp;y=2">' + "&amp;" * 3000 + "</a></b> end"
    parts = split_message(text, limit=1000)
    assert len(parts) == 5 and parts[0] == "<b>bold</b>" and parts[-1].endswith("</b> end")
    for part in parts:
        check_html(part, 1000)
        assert part.startswith("<b>")
    assert parts[1].startswith('<b><a href="https://e.org/a b?x=1&amp;y=2">&amp;')
    assert "".join(to_plain(p) for p in parts).replace(" ", "") == to_plain(text).replace(" ", "")


def test_tag_spanning_paragraphs_is_closed_in_each_part() -> None:
    text = "<blockquote>" + "\n\n".join("q" * 50 for _ in range(10)) + "</blockquote>"
    parts = split_message(text, limit=120)
    assert len(parts) == 5
    for part in parts:
        check_html(part, 120)
        assert part.startswith("<blockquote>") and part.endswith("</blockquote>")


WORD = st.sampled_from(["a", "word", "&amp;", "&lt;x&gt;", "😀", "ü", "x" * 30, '"q"'])
SEP = st.sampled_from([" ", " ", "\n", "\n\n", ""])


@st.composite
def html_text(draw: st.DrawFn, depth: int = 0) -> str:
    """Balanced Telegram HTML from words, separators and nested tags."""
    out = ""
    for _ in range(draw(st.integers(0, 12))):
        if depth < 3 and draw(st.integers(0, 4)) == 0:
            tag = draw(st.sampled_from(sorted(ALLOWED - {"a"}) + ["a"]))
            opening = '<a href="https://e.org/x y?a=1&amp;b=2">' if tag == "a" else f"<{tag}>"
            out += opening + draw(html_text(depth + 1)) + f"</{tag}>"
        else:
            out += draw(WORD) + draw(SEP)
    return out


@settings(max_examples=300, deadline=None)
@given(html_text(), st.integers(3, 60))
def test_split_properties(text: str, limit: int) -> None:
    parts = split_message(text, limit=limit)
    for part in parts:
        check_html(part, limit)
    squash = re.compile(r"\s")
    assert squash.sub("", "".join(to_plain(p) for p in parts)) == squash.sub("", to_plain(text))


def test_render_answer_never_mutates_the_report() -> None:
    r = REPORTS["p1-job-change-loan-roth"]
    before = copy.deepcopy(r.model_dump())
    for path in PATHS:
        render_answer(r, path)
    render_why(r)
    assert r.model_dump() == before


# --- money out while working: the withdrawal and the new loan ---------------------------------


def _money_out_reports() -> dict[str, tuple[str, Report]]:
    from tests.render.test_snapshots import AS_OF, PEOPLE

    return {
        name: (path, report_of({"as_of": AS_OF, **profile}))
        for name, (path, profile) in PEOPLE.items()
        if name[0] in "wl" and name[1].isdigit()
    }


MONEY_OUT = _money_out_reports()


@pytest.mark.parametrize("name", sorted(MONEY_OUT))
def test_money_out_answers_are_clean_and_short(name: str) -> None:
    path, r = MONEY_OUT[name]
    parts = render_answer(r, path)
    for part in parts:
        check_html(part)
    text = "\n\n".join(parts)
    plain = to_plain(text)
    assert not re.search(r"\b[a-z0-9]+_[a-z0-9_]+\b", plain), re.findall(r"\b\w+_\w+\b", plain)
    head = "Your withdrawal" if path == "withdrawal" else "Your new loan"
    section = next(s for s in re.split(r"\n\n(?=<b>)", text) if s.startswith(f"<b>{head}"))
    # (a job-loss table of five rows, each with its dated deadline, runs to about 1,700)
    assert len(to_plain(section)) < 1800, len(to_plain(section))
    # the job-change cash-out block is not shown to someone asking about a withdrawal
    assert "If you cash it all out" not in plain
    why = to_plain("\n\n".join(render_why(r, section=path if path == "withdrawal" else "loan")))
    assert not re.search(r"\b(?:withdrawal|loan\.request)\.[a-z]", why)
    assert not re.search(r"\b[a-z0-9]+_[a-z0-9_]+\b", why), re.findall(r"\b\w+_\w+\b", why)


def test_money_out_figures() -> None:
    w38 = to_plain(
        "\n\n".join(render_answer(MONEY_OUT["w38-still-employed-medical"][1], "withdrawal"))
    )
    assert w38.index("To have $8,000 in hand, ask the plan for $10,579.92") < w38.index("It costs")
    assert "medical bills above 7.5% of your income" in w38
    assert "unless you pick another rate on Form W-4R" in w38 and "must withhold" not in w38
    assert "A loan of $8,000 has no tax" in w38
    w57 = to_plain("\n\n".join(render_answer(MONEY_OUT["w57-left-at-56"][1], "withdrawal")))
    assert "The plan must withhold 20% ($4,000)" in w57 and "get about $1,600 back" in w57
    w30 = to_plain("\n\n".join(render_answer(MONEY_OUT["w30-birth-of-twins"][1], "withdrawal")))
    assert "birth or adoption (limit for 2026: $10,000)" in w30 and "within 3 years" in w30
    l30 = to_plain("\n\n".join(render_answer(MONEY_OUT["l30-home-30k-biweekly"][1], "loan")))
    assert l30.index("$7,800 short") < l30.index("You repay $136.22 each payday")
    assert "After 48 months: $25,284.45 owed" in l30
    l58 = to_plain("\n\n".join(render_answer(MONEY_OUT["l58-second-loan"][1], "loan")))
    assert "no 10%: you left this job in or after the year you turned 55" in l58
    assert "plus the 10% additional tax" not in l58
    l40 = to_plain("\n\n".join(render_answer(MONEY_OUT["l40-rate-unknown"][1], "loan")))
    assert "loan interest rate" in l40 and "each payday" not in l40


def test_change_of_a_withdrawal_and_a_loan() -> None:
    from tests.render.test_snapshots import AS_OF, PEOPLE

    base = {"as_of": AS_OF, **PEOPLE["w38-still-employed-medical"][1]}
    before, after = report_of(base), report_of(merge(base, {"state_tax_percent": 5}))
    text = to_plain(render_change(before, after, "withdrawal"))
    assert "State tax on the withdrawal: $0 →" in text and "Amount to take out" in text
    loan = {"as_of": AS_OF, **PEOPLE["l45-general-10k-monthly"][1]}
    cheaper = merge(loan, {"loan": {"request": {"annual_rate_percent": 7}}})
    moved = to_plain(render_change(report_of(loan), report_of(cheaper), "loan"))
    assert "New loan: payment each payday: $205.17 →" in moved


def test_why_never_shows_a_figure_id() -> None:
    """Every formula and source in /why names figures in words, never `section.figure`."""
    figure_id = re.compile(
        r"\b(?:vesting|loan|job_change|assumptions|saving|retirement|rmd|roth|limits)\.[a-z_.]+\b"
    )
    for r in REPORTS.values():
        text = to_plain("\n\n".join(render_why(r)))
        assert not figure_id.search(text), figure_id.findall(text)[:5]
