"""The conversation as a pure state machine: (state, input, today) -> (new state, replies).

It knows the questions and commands, reads human answers forgivingly, and never raises:
anything it cannot take gets a clear re-ask. It does not know Telegram or the console.
State is a JSON-serialisable dict; ``None`` as the new state means "forget this chat".

    start ──goal──▶ asking (one question at a time, Question N of M)
                      │ answer ok ──▶ next question ... ──▶ answered (the Report rendered)
                      │ doubtful  ──▶ confirming (yes/no) ──▶ asking
    answered ──follow-up questions (optional, each recomputes and shows the change)
    any ──/back──▶ previous question (old answer offered) ; /edit ──▶ pick ──▶ re-ask
    any ──/forget──▶ confirm_forget ──yes──▶ None (every row deleted) ; /restart ──▶ start
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from bot.dialogue import parsing as pr
from bot.dialogue.profile import build_profile, tax_year_for
from bot.dialogue.questions import (
    BY_KEY,
    FOLLOW_UPS,
    GOALS,
    QUESTIONS,
    Question,
)
from engine import EngineError, Report, evaluate

VERSION = 1
KEEP = "keep"


@dataclass
class Reply:
    """One message to the person: Telegram HTML text and optional choice buttons."""

    text: str
    choices: list[tuple[str, str]] = field(default_factory=list)
    question: str | None = None  # the question key the choices answer (for stale buttons)
    report: Report | None = None  # set on the answer, for the chart


def new_state() -> dict[str, Any]:
    """An empty chat."""
    return {"v": VERSION, "mode": "start", "answers": {}, "asked": [], "current": None}


def esc(text: str) -> str:
    """Escape the person's own text for Telegram HTML."""
    return html.escape(text, quote=False)


HELP = (
    "I compare what you can do with a 401(k) when you change jobs, borrow or withdraw, in "
    "dollars, with the rule and the IRS source behind every figure.\n\n"
    "/start begin or continue\n/back the previous question\n/edit change an answer\n"
    "/summary your answers so far\n/why where each figure comes from\n/restart start over\n"
    "/forget delete everything about you\n/privacy what I keep\n/help this message"
)
PRIVACY = (
    "I keep your answers (no name, no account numbers) in this bot's own database so a chat "
    "can continue where it stopped. Nothing is shared or sold. /forget deletes all of it at "
    "once."
)


def handle(
    state: dict[str, Any] | None,
    text: str,
    *,
    today: date,
    button: tuple[str, str] | None = None,
) -> tuple[dict[str, Any] | None, list[Reply]]:
    """Apply one input (typed text, or a button as (question, choice)) to the chat."""
    st = _copy(state) if state else new_state()
    try:
        return _handle(st, text.strip()[:2000], today, button)
    except EngineError:
        return st, [
            Reply("Sorry, I could not work that out. Please check your answers with /summary.")
        ]


def _copy(state: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of a JSON state, so the caller's copy is never changed."""
    out = dict(state)
    out["answers"] = dict(state.get("answers", {}))
    out["asked"] = list(state.get("asked", []))
    return out


def _handle(
    st: dict[str, Any], text: str, today: date, button: tuple[str, str] | None
) -> tuple[dict[str, Any] | None, list[Reply]]:
    if button is not None:
        qkey, choice = button
        mode = st["mode"]
        expected = "goal" if mode in ("start", "goal") else mode
        if mode == "asking":
            expected = st.get("current")
        if qkey != expected:
            return st, [Reply("That button belongs to an earlier question.")] + _prompt(st, today)
        text = choice
    if text.startswith("/"):
        return _command(st, text.split()[0].lower().split("@")[0], today)
    mode = st["mode"]
    if mode == "start":
        st["mode"] = "goal"
        if not text:
            return st, _greeting()
        return _answer_goal(st, text, today)
    if mode == "goal":
        return _answer_goal(st, text, today)
    if mode == "confirm_forget":
        yn = pr.parse_yes_no(text)
        if yn.ok and yn.value:
            return None, [Reply("Done: everything about you is deleted. /start to begin again.")]
        st["mode"] = st.pop("resume_mode", "asking")
        return st, [Reply("Nothing was deleted.")] + _prompt(st, today)
    if mode == "confirming":
        return _answer_confirm(st, text, today)
    if mode == "edit_pick":
        return _answer_edit_pick(st, text, today)
    if mode == "asking":
        return _answer(st, text, today)
    # answered: free text with no question pending
    return st, [Reply("You have your answer. /edit changes an answer, /why shows the sources.")]


def _greeting() -> list[Reply]:
    return [
        Reply(
            "Hi! I help you decide what to do with a 401(k): the dollars of each option, the "
            "traps that apply to you, and the dates that matter.\n\nWhat brings you here?",
            choices=GOALS,
            question="goal",
        )
    ]


def _answer_goal(st: dict[str, Any], text: str, today: date) -> tuple[dict[str, Any], list[Reply]]:
    picked = pr.parse_choice(text, GOALS)
    if not picked.ok:
        return st, [Reply("Please pick one of these (tap or type the number).")] + _greeting()
    st["answers"]["path"] = picked.value
    st["mode"] = "asking"
    st["current"] = None
    return st, _advance(st, today, [])


def _main_questions(answers: dict[str, Any]) -> list[Question]:
    return [q for q in QUESTIONS if q.applies(answers)]


def _next_question(st: dict[str, Any]) -> Question | None:
    a = st["answers"]
    for q in _main_questions(a):
        if q.key not in a:
            return q
    if st.get("answered_once"):
        for q in FOLLOW_UPS:
            if q.applies(a) and q.key not in a:
                return q
    return None


def _advance(
    st: dict[str, Any], today: date, replies: list[Reply], before: Report | None = None
) -> list[Reply]:
    """Ask the next main question, or answer (in full, or as a change) and ask a follow-up."""
    q = _next_question(st)
    if q is not None and q in QUESTIONS:
        st["current"] = q.key
        st["mode"] = "asking"
        return replies + _ask(st, q)
    st["current"] = None
    st["mode"] = "answered"
    report = _report(st, today)
    if report is None:
        return replies + [Reply("Sorry, something in your answers does not fit. /edit fixes it.")]
    from bot import render

    path = st["answers"]["path"]
    if before is not None:
        replies.append(Reply(render.render_change(before, report, path)))
    else:
        year_note = None
        if today.year != report.tax_year:
            year_note = (
                f"My tax figures go up to {report.tax_year}; {today.year} figures are not in "
                f"my data yet, so this uses {report.tax_year} rules."
            )
        texts = render.render_answer(report, path, year_note=year_note)
        replies += [Reply(t, report=report if i == 0 else None) for i, t in enumerate(texts)]
    st["answered_once"] = True
    follow = _next_question(st)
    if follow is not None:
        st["current"] = follow.key
        st["mode"] = "asking"
        replies += _ask(st, follow)
    return replies


def _report(st: dict[str, Any], today: date) -> Report | None:
    try:
        return evaluate(build_profile(st["answers"], today))
    except EngineError:
        return None


def _progress(st: dict[str, Any], q: Question) -> str:
    # Unanswered branches count as if they will be asked, so the total only ever shrinks.
    hypo = {"employer": "1", "schedule": "graded6", "employment": "leaving", **st["answers"]}
    main = _main_questions(hypo)
    if q not in main:
        return ""
    return f"<i>Question {main.index(q) + 1} of {len(main)}</i>\n"


def _ask(st: dict[str, Any], q: Question, note: str = "") -> list[Reply]:
    old = st.get("old")
    choices = list(q.choices)
    text = _progress(st, q) + q.text
    if old is not None and old.get("key") == q.key:
        text += f"\n(Your answer was {esc(q.show(old['value']))}. Send 'keep' to keep it.)"
        choices = [(KEEP, "Keep " + q.show(old["value"])[:40]), *choices]
    if q in FOLLOW_UPS:
        choices = [*choices, ("skip", "Skip")] if q.key != "new_plan" else choices
    return [Reply((note + "\n" if note else "") + text, choices=choices, question=q.key)]


def _prompt(st: dict[str, Any], today: date) -> list[Reply]:
    """Repeat what the chat is waiting for."""
    mode = st["mode"]
    if mode in ("start", "goal"):
        st["mode"] = "goal"
        return _greeting()
    if mode == "asking" and st.get("current"):
        return _ask(st, BY_KEY[st["current"]])
    if mode == "confirming":
        return [Reply(st["pending"]["question"], choices=[("yes", "Yes"), ("no", "No")])]
    return [Reply("You have your answer. /edit changes an answer, /why shows the sources.")]


def _answer(st: dict[str, Any], text: str, today: date) -> tuple[dict[str, Any], list[Reply]]:
    q = BY_KEY[st["current"]]
    old = st.get("old")
    if old is not None and old.get("key") == q.key and text.lower() in (KEEP, "same"):
        return _store(st, q, old["value"], today, note="Kept.")
    if q in FOLLOW_UPS and text.lower() == "skip":
        return _store(st, q, q.unknown_default, today, note="Skipped.")
    parsed = q.read(text, today)
    if parsed.unknown:
        if q.unknown_default is None:
            return st, [
                Reply(f"I need this one to work out your numbers. For example: {q.example}.")
            ] + _ask(st, q)
        value = today.isoformat() if q.unknown_default == "today" else q.unknown_default
        return _store(st, q, value, today, note=q.unknown_note or "")
    if parsed.error or parsed.value is None:
        msg = parsed.error or f"Sorry, I could not read that. For example: {q.example}."
        return st, [Reply(esc(msg))] + _ask(st, q)
    value = _jsonable(parsed.value)
    problem = _check(st, q, value, today)
    if problem:
        return st, [Reply(problem)] + _ask(st, q)
    if parsed.confirm:
        st["mode"] = "confirming"
        st["pending"] = {"key": q.key, "value": value, "question": esc(parsed.confirm)}
        return st, [
            Reply(
                esc(parsed.confirm), choices=[("yes", "Yes"), ("no", "No")], question="confirming"
            )
        ]
    return _store(st, q, value, today)


def _answer_confirm(
    st: dict[str, Any], text: str, today: date
) -> tuple[dict[str, Any], list[Reply]]:
    pending = st["pending"]
    yn = pr.parse_yes_no(text)
    q = BY_KEY[pending["key"]]
    if yn.ok and yn.value:
        st.pop("pending", None)
        st["mode"] = "asking"
        return _store(st, q, pending["value"], today)
    if yn.ok and not yn.value:
        st.pop("pending", None)
        st["mode"] = "asking"
        return st, [Reply("OK, let's try again.")] + _ask(st, q)
    # Not a yes/no: treat it as a fresh answer to the question.
    st.pop("pending", None)
    st["mode"] = "asking"
    return _answer(st, text, today)


def _store(
    st: dict[str, Any], q: Question, value: Any, today: date, note: str = ""
) -> tuple[dict[str, Any], list[Reply]]:
    before = None
    editing = st.get("old") is not None and st["old"].get("key") == q.key
    if st.get("answered_once") and (editing or q in FOLLOW_UPS):
        before = _report(st, today)
    st["answers"][q.key] = value
    if q.key == "age":  # the age the rules use: attained by Dec 31 of the tax year
        age, birth = value
        year = tax_year_for(today)
        st["answers"]["tax_year"] = year
        st["answers"]["age_at_year_end"] = (
            year - date.fromisoformat(birth).year if birth else age + year - today.year
        )
    if q.key in st["asked"]:
        st["asked"].remove(q.key)
    st["asked"].append(q.key)
    st.pop("old", None)
    ack = [Reply(esc(note))] if note else []
    if before is not None:
        return st, _advance(st, today, ack, before=before)
    return st, _advance(st, today, ack)


def _check(st: dict[str, Any], q: Question, value: Any, today: date) -> str | None:
    """Answers the parser accepts but that contradict another answer or the rules."""
    a = st["answers"]
    if q.key == "employer" and "balance" in a and Decimal(value) > Decimal(a["balance"]):
        return "That is more than your whole balance. How much of it came from your employer?"
    if q.key == "loan" and "balance" in a and Decimal(value) > Decimal(a["balance"]):
        return "A loan larger than the balance does not look right. How much do you owe?"
    if q.key == "leaving_date" and date.fromisoformat(value) > today + timedelta(days=366):
        return "That is more than a year away; I can plan only within the next year."
    if q.key == "start_date" and date.fromisoformat(value) > today:
        return "That date is in the future. When did you start?"
    if q.key == "age":
        _, birth = value
        if birth is not None and date.fromisoformat(birth) >= today:
            return "That birth date is not in the past."
    return None


def _jsonable(value: Any) -> Any:
    """Decimals and dates as strings; tuples as lists."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _command(
    st: dict[str, Any], cmd: str, today: date
) -> tuple[dict[str, Any] | None, list[Reply]]:
    if cmd == "/start":
        if st["mode"] == "start" or not st["answers"].get("path"):
            st["mode"] = "goal"
            return st, _greeting()
        return st, [Reply("Welcome back; your answers are kept.")] + _prompt(st, today)
    if cmd == "/help":
        return st, [Reply(HELP)]
    if cmd == "/privacy":
        return st, [Reply(PRIVACY)]
    if cmd == "/restart":
        fresh = new_state()
        fresh["mode"] = "goal"
        return fresh, [Reply("Starting over.")] + _greeting()
    if cmd == "/forget":
        if st["mode"] != "confirm_forget":
            st["resume_mode"] = st["mode"]
        st["mode"] = "confirm_forget"
        return st, [
            Reply(
                "Delete everything I know about you? This cannot be undone.",
                choices=[("yes", "Yes, delete"), ("no", "No")],
                question="confirm_forget",
            )
        ]
    if cmd == "/summary":
        return st, [Reply(_summary(st))] + _prompt(st, today)
    if cmd == "/back":
        return _back(st, today)
    if cmd == "/edit":
        return _edit(st)
    if cmd == "/why":
        if not st.get("answered_once"):
            return st, [Reply("Answer the questions first; then /why shows every figure's source.")]
        report = _report(st, today)
        if report is None:
            return st, [Reply("Sorry, I could not work that out.")]
        from bot import render

        return st, [Reply(t) for t in render.render_why(report)]
    return st, [Reply("I don't know that command.\n\n" + HELP)]


def _summary(st: dict[str, Any]) -> str:
    a = st["answers"]
    if not a.get("path"):
        return "No answers yet."
    lines = ["<b>Your answers</b>", "Goal: " + dict(GOALS)[a["path"]]]
    for q in QUESTIONS + FOLLOW_UPS:
        if q.key in a:
            lines.append(f"{esc(q.text.split('?')[0])}?  <b>{esc(q.show(a[q.key]))}</b>")
    return "\n".join(lines)


def _back(st: dict[str, Any], today: date) -> tuple[dict[str, Any], list[Reply]]:
    asked = st["asked"]
    current = st.get("current")
    if st["mode"] == "confirming":
        st.pop("pending", None)
        st["mode"] = "asking"
        return st, _ask(st, BY_KEY[st["current"]])
    prev = None
    if current in asked:
        i = asked.index(current)
        prev = asked[i - 1] if i > 0 else None
    elif asked:
        prev = asked[-1]
    if prev is None:
        if not asked:
            st["mode"] = "goal"
            return st, [Reply("This is the first question.")] + _greeting()
        return st, [Reply("This is the first question.")] + _prompt(st, today)
    q = BY_KEY[prev]
    st["old"] = {"key": prev, "value": st["answers"][prev]}
    st["current"] = prev
    st["mode"] = "asking"
    return st, _ask(st, q)


def _answered_choices(st: dict[str, Any]) -> list[tuple[str, str]]:
    """Every answered question as an /edit choice (key, short label)."""
    return [
        (q.key, q.text.split("?")[0][:40]) for q in QUESTIONS + FOLLOW_UPS if q.key in st["answers"]
    ]


def _edit(st: dict[str, Any]) -> tuple[dict[str, Any], list[Reply]]:
    answered = _answered_choices(st)
    if not answered:
        return st, [Reply("Nothing to edit yet.")]
    st["resume_mode"] = st["mode"]
    st["mode"] = "edit_pick"
    return st, [
        Reply("Which answer do you want to change?", choices=answered, question="edit_pick")
    ]


def _answer_edit_pick(
    st: dict[str, Any], text: str, today: date
) -> tuple[dict[str, Any], list[Reply]]:
    picked = pr.parse_choice(text, _answered_choices(st))
    if not picked.ok or picked.value is None:
        st["mode"] = st.pop("resume_mode", "asking")
        return st, [Reply("No change made.")] + _prompt(st, today)
    st.pop("resume_mode", None)
    key = picked.value
    st["old"] = {"key": key, "value": st["answers"][key]}
    st["current"] = key
    st["mode"] = "asking"
    return st, _ask(st, BY_KEY[key])
