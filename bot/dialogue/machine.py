"""The conversation as a pure state machine: (state, input, today) -> (new state, replies).

It knows the questions and commands, reads human answers forgivingly, and never raises:
anything it cannot take gets a clear re-ask. It does not know Telegram or the console.
The state is a typed ChatState (bot/dialogue/state.py); ``None`` means "forget this chat".
Everything about one question is in the question table (bot/dialogue/questions.py); every
sentence is in templates/messages.toml under [dialogue].

    start ──goal──▶ asking (one question at a time, Question N of M)
                      │ answer ok ──▶ next question ... ──▶ answered (the verdict, one screen,
                      │                                     its sections as buttons)
                      │ doubtful  ──▶ confirming (yes/no) ──▶ asking
    answered ──follow-up questions (optional, each recomputes and shows the change)
    answered ──a section's button, /why, a typed topic──▶ that section (with the buttons again)
    any ──/back──▶ previous question (old answer offered) ; /edit ──▶ pick ──▶ re-ask
    any ──/forget──▶ confirm_forget ──yes──▶ None (every row deleted) ; /restart ──▶ start
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from typing import Any

from markupsafe import Markup
from pydantic import JsonValue

from bot import render
from bot.dialogue import readers as rd
from bot.dialogue.assumed import stated
from bot.dialogue.commands import COMMANDS, read_command
from bot.dialogue.goals import goal_of
from bot.dialogue.profile import build_profile, tax_year_for
from bot.dialogue.progress import progress
from bot.dialogue.questions import (
    BY_KEY,
    GOALS,
    MAIN,
    QUESTIONS,
    TODAY,
    Asking,
    Question,
)
from bot.dialogue.replies import Button, Choice, Reply, plain
from bot.dialogue.state import VERSION, ChatState, Mode, OldAnswer, Pending
from bot.dialogue.topics import topic_of
from bot.render import sections as parts
from bot.wording import has, say
from engine import EngineError, Report, evaluate

KEEP = "keep"
SKIP = "skip"
Result = tuple[ChatState | None, list[Reply]]

__all__ = ["VERSION", "Button", "ChatState", "Choice", "Reply", "handle", "new_state"]


def new_state() -> ChatState:
    """An empty chat."""
    return ChatState()


def _say(key: str, /, **values: Any) -> str:
    """A message of templates/messages.toml [dialogue]."""
    return say(f"dialogue.{key}", **values)


def handle(
    state: ChatState | None,
    text: str,
    *,
    today: date,
    button: Button | tuple[str, str] | None = None,
) -> Result:
    """Apply one input (typed text, or a pressed button) to the chat; the caller's state stays."""
    st = state.model_copy(deep=True) if state is not None else new_state()
    try:
        return _handle(st, text.strip()[:2000], today, Button(*button) if button else None)
    except EngineError:
        return st, [Reply(_say("engine_failed"))]


def _year(st: ChatState, today: date) -> int:
    """The tax year of the conversation."""
    year = st.answers.get("tax_year")
    return year if isinstance(year, int) else tax_year_for(today)


def _asking(st: ChatState, today: date) -> Asking:
    """What a question's reader and check may know."""
    return Asking(today=today, tax_year=_year(st, today), answers=dict(st.answers))


def expected_button(st: ChatState) -> str | None:
    """The question a button pressed now would answer."""
    if st.mode in ("start", "goal"):
        return "goal"
    if st.mode == "asking":
        return st.current
    return st.mode


def button_is_current(st: ChatState, button: Button) -> bool:
    """Whether a press answers what the chat waits for (a section, any time after an answer)."""
    if button.question == parts.SECTION:
        return st.answered_once
    return button.question == expected_button(st)


def _handle(st: ChatState, text: str, today: date, button: Button | None) -> Result:
    """Dispatch one input by what the chat waits for."""
    if button is not None and button.question == parts.SECTION and st.answered_once:
        return st, _section(st, button.choice, today) + _pending(st, today)
    if button is not None:
        if button.question != expected_button(st):
            return st, [Reply(_say("stale_button"))] + _prompt(st, today)
        text = button.choice
    typed = read_command(text)
    if typed is not None:
        return _command(st, typed.name, typed.argument, today)
    if st.mode == "start":
        st.mode = "goal"
        if not text:
            return st, _greeting(today)
        return _answer_goal(st, text, today)
    if st.mode == "goal":
        return _answer_goal(st, text, today)
    if st.mode == "confirm_forget":
        yn = rd.parse_yes_no(text)
        if yn.ok and yn.value:
            return None, [Reply(_say("forget.done"))]
        st.mode = st.resume_mode or "asking"
        st.resume_mode = None
        return st, [Reply(_say("forget.kept"))] + _prompt(st, today)
    if st.mode == "confirming":
        return _answer_confirm(st, text, today)
    if st.mode == "edit_pick":
        return _answer_edit_pick(st, text, today)
    if st.mode == "asking":
        return _answer(st, text, today)
    if st.answered_once:
        found = _sections(st, today)
        shown = _after_answer(st, text, today, found)
        return st, shown or _section(st, "", today, say("answer.not_placed"), found)
    return st, [Reply(_say("answered"))]


Found = tuple[Report, parts.Sections, list[str]] | None  # what _sections works out


def _after_answer(st: ChatState, text: str, today: date, found: Found) -> list[Reply]:
    """A typed sentence after the answer: a section's name, or a topic, opens that section
    (a topic with no section for this person: one short line and the buttons); nothing when
    the sentence names neither."""
    if found is None:
        return [Reply(_say("engine_failed_short"))]
    key = parts.section_named(text, found[1].keys)
    if key is not None:
        return _section(st, key, today, "", found)
    topic = topic_of(text)
    if topic is None:
        return []
    key = parts.section_for_topic(topic, found[1].keys)
    if key is None:
        return _section(st, "", today, say("answer.not_placed"), found)
    now = f"dialogue.topic.{topic}.now"
    return _section(st, key, today, say(now) if has(now) else "", found)


def _sections(st: ChatState, today: date) -> Found:
    """The report, the sections of the answer that apply, and what it assumed."""
    report = _report(st, today)
    if report is None:
        return None
    assumed = _assumed(st, report, today)
    return report, parts.sections_of(report, _path(st), assumed=assumed), assumed


def _path(st: ChatState) -> str:
    """The goal's path."""
    return str(st.answers.get("path", "job_change"))


def _section_choices(found: parts.Sections, shown: str | None = None) -> tuple[Choice, ...]:
    """The buttons of a finished answer: every section that applies (the short answer first
    when a section is shown, the shown one left out)."""
    keys = [k for k in found.keys if k != shown]
    if shown is not None:
        keys = [parts.VERDICT, *keys]
    return tuple(Choice(k, parts.button_label(k)) for k in keys)


def _why_choices(found: parts.Sections, shown: str | None = None) -> tuple[Choice, ...]:
    """The buttons under /why: each section with figures, then the short answer."""
    keys = [k for k in found.why_keys if k != shown]
    return tuple(Choice(parts.WHY + k, parts.button_label(k)) for k in keys) + (
        Choice(parts.VERDICT, parts.button_label(parts.VERDICT)),
    )


def _verdict(st: ChatState, report: Report, today: date, assumed: list[str]) -> str:
    """The first message of the answer."""
    year_note = None
    if today.year != report.tax_year:
        year_note = _say("year_note", latest=report.tax_year, this_year=today.year)
    return render.render_verdict(report, _path(st), year_note=year_note, assumed=assumed)


def _section(
    st: ChatState, key: str, today: date, intro: str = "", found: Found = None
) -> list[Reply]:
    """One section of the answer (or the verdict, the chart, /why), with the section buttons.

    A key that does not apply to this person gets one short line and the buttons. found: the
    sections already worked out for this turn (else they are)."""
    found = found or _sections(st, today)
    if found is None:
        return [Reply(_say("engine_failed_short"))]
    report, applicable, assumed = found
    path = _path(st)
    if key == parts.SOURCES:
        return _why_list(applicable)
    if key.startswith(parts.WHY):
        return _why_part(report, applicable, key[len(parts.WHY) :])
    chart = None
    if key == parts.VERDICT:
        body = _verdict(st, report, today, assumed)
        choices = _section_choices(applicable)
    elif key not in applicable.keys:
        body = intro or say("answer.not_yours")
        intro = ""
        choices = _section_choices(applicable)
    elif key == parts.CHART:
        body, chart = say("answer.chart"), report
        choices = _section_choices(applicable, key)
    else:
        body = render.render_part(report, path, key, assumed=assumed)
        chart = report if parts.has_chart(path, key, report) else None
        choices = _section_choices(applicable, key)
    text = f"{intro}\n\n{body}" if intro else body
    return [Reply(text, choices=choices, question=parts.SECTION, report=chart)]


def _why_list(found: parts.Sections) -> list[Reply]:
    """/why alone: the sections with figures, to pick from."""
    return [Reply(render.render_why_list(), choices=_why_choices(found), question=parts.SECTION)]


def _why_part(report: Report, found: parts.Sections, key: str) -> list[Reply]:
    """/why <section>: that section's figures, in words, with their sources."""
    if key not in found.why_keys:
        text = say("answer.why.none", part=key)
        return [Reply(text, choices=_why_choices(found), question=parts.SECTION)]
    texts = render.render_why_part(report, parts.button_label(key), found.why[key])
    choices = _why_choices(found, key)
    return [Reply(t, choices=choices, question=parts.SECTION) for t in texts]


def _pending(st: ChatState, today: date) -> list[Reply]:
    """The question still waiting for an answer, asked again after a section."""
    if st.mode in ("asking", "confirming"):
        return _prompt(st, today)
    return []


def _greeting(today: date) -> list[Reply]:
    """The greeting and the goal buttons."""
    return [
        Reply(
            say("dialogue.greeting"),
            choices=GOALS(tax_year_for(today)),
            question="goal",
        )
    ]


def _answer_goal(st: ChatState, text: str, today: date) -> Result:
    """Read the goal; a goal starts its questions."""
    choices = GOALS(tax_year_for(today))
    picked = rd.parse_choice(text, choices)
    if picked.ok and picked.value is not None:
        return _start_path(st, picked.value, today)
    path = goal_of(text)
    if path is not None:
        return _start_path(st, path, today)
    return st, [Reply(_say("pick_one"), choices=choices, question="goal")]


def _start_path(st: ChatState, path: str, today: date) -> Result:
    """Take a goal and ask its first question."""
    st.answers["path"] = path
    st.mode = "asking"
    st.current = None
    return st, _advance(st, today, [])


def _next_question(st: ChatState) -> Question | None:
    """The first unanswered question that applies (follow-ups once answered)."""
    for q in MAIN:
        if q.asked_when(st.answers) and q.key not in st.answers:
            return q
    if st.answered_once:
        for q in QUESTIONS:
            if q.follow_up and q.asked_when(st.answers) and q.key not in st.answers:
                return q
    return None


def _advance(
    st: ChatState,
    today: date,
    replies: list[Reply],
    before: Report | None = None,
    quiet: bool = False,
    assumed_before: tuple[str, ...] = (),
) -> list[Reply]:
    """Ask the next main question, or answer (in full, or as a change) and ask a follow-up."""
    q = _next_question(st)
    if q is not None and not q.follow_up:
        st.current = q.key
        st.mode = "asking"
        return replies + _ask(st, q, today)
    st.current = None
    st.mode = "answered"
    report = _report(st, today)
    if report is None:
        return replies + [Reply(_say("does_not_fit"))]
    path = str(st.answers["path"])
    assumed = _assumed(st, report, today)
    found = parts.sections_of(report, path, assumed=assumed)
    choices = _section_choices(found)
    if before is not None:
        added = [a for a in assumed if a not in assumed_before]
        change = render.render_change(before, report, path, quiet=quiet, assumed=added)
        if change:
            replies.append(Reply(change, choices, parts.SECTION))
    else:
        replies.append(Reply(_verdict(st, report, today, assumed), choices, parts.SECTION))
    st.answered_once = True
    follow = _next_question(st)
    if follow is not None:
        st.current = follow.key
        st.mode = "asking"
        replies += _ask(st, follow, today)
    return replies


def _assumed(st: ChatState, report: Report, today: date) -> list[str]:
    """What the answer assumed instead of asking, in words."""
    profile = build_profile(dict(st.answers), today)
    return stated(dict(st.answers), profile, report, evaluate)


def _report(st: ChatState, today: date) -> Report | None:
    """The engine's report on the answers, or None when they do not fit."""
    try:
        return evaluate(build_profile(dict(st.answers), today))
    except EngineError:
        return None


def _progress(st: ChatState, q: Question) -> str:
    """Question N of M: N moves one at a time; M counts every branch still open, so it shrinks."""
    counted = progress(st.answers, q)
    if counted is None:
        return ""
    return say("dialogue.progress", n=counted[0], total=counted[1]) + "\n"


def _ask(st: ChatState, q: Question, today: date, note: str = "") -> list[Reply]:
    """The question with its progress, buttons, and the old answer to keep."""
    year = _year(st, today)
    choices = list(q.choices(year))
    text = _progress(st, q) + q.text(year)
    old = st.old
    if old is not None and old.key == q.key:
        shown = q.show(old.value)
        text += "\n" + say("dialogue.ask.your_answer_was", value=shown)
        choices = [Choice(KEEP, plain("dialogue.ask.keep_button", value=shown[:40])), *choices]
    if q.skip_button:
        choices = [*choices, Choice(SKIP, plain("dialogue.ask.skip_button"))]
    hint = None if q.choices(year) else html.unescape(q.example(year))
    body = (note + "\n" if note else "") + text
    return [Reply(body, choices=tuple(choices), question=q.key, placeholder=hint)]


def _yes_no() -> tuple[Choice, ...]:
    """Yes and No buttons."""
    return (Choice("yes", plain("dialogue.choice.yes")), Choice("no", plain("dialogue.choice.no")))


def _prompt(st: ChatState, today: date) -> list[Reply]:
    """Repeat what the chat is waiting for."""
    if st.mode in ("start", "goal"):
        st.mode = "goal"
        return _greeting(today)
    if st.mode == "asking" and st.current:
        return _ask(st, BY_KEY[st.current], today)
    if st.mode == "confirming" and st.pending is not None:
        return [Reply(st.pending.question, choices=_yes_no(), question="confirming")]
    if st.answered_once:
        return _section(st, "", today, _say("answered"))
    return [Reply(_say("answered"))]


def _answer(st: ChatState, text: str, today: date) -> Result:
    """One typed answer to the current question: store, confirm, or re-ask."""
    assert st.current is not None
    q = BY_KEY[st.current]
    old = st.old
    if old is not None and old.key == q.key and text.lower() in (KEEP, "same"):
        return _store(st, q, old.value, today, note=_say("kept"))
    if q.follow_up and text.lower() == SKIP:
        return _store(st, q, q.unknown_default, today, note=_say("skipped"))
    parsed = q.take(text, _asking(st, today))
    if parsed.unknown:
        if q.unknown_default is None:
            needed = _say("needed", example=Markup(q.example(_year(st, today))))
            return st, [Reply(needed)] + _ask(st, q, today)
        value = today.isoformat() if q.unknown_default == TODAY else q.unknown_default
        return _store(st, q, value, today, note=q.unknown_note(_year(st, today)))
    if parsed.error is not None or parsed.value is None:
        if st.answered_once:  # the answer is out: a section's name or a topic shows it
            shown = _after_answer(st, text, today, _sections(st, today))
            if shown:
                return st, shown + _ask(st, q, today)
        topic = topic_of(text)
        if topic is not None and has(f"dialogue.topic.{topic}.later"):  # say where it is answered
            return st, [Reply(_say(f"topic.{topic}.later"))] + _ask(st, q, today)
        problem = parsed.error or _say("unreadable", example=Markup(q.example(_year(st, today))))
        return st, [Reply(problem)] + _ask(st, q, today)
    if parsed.confirm:
        st.mode = "confirming"
        st.pending = Pending(key=q.key, value=parsed.value, question=parsed.confirm)
        return st, [Reply(parsed.confirm, choices=_yes_no(), question="confirming")]
    return _store(st, q, parsed.value, today)


def _answer_confirm(st: ChatState, text: str, today: date) -> Result:
    """Yes stores the doubtful answer, no re-asks, anything else is a new answer."""
    pending = st.pending
    assert pending is not None
    yn = rd.parse_yes_no(text)
    q = BY_KEY[pending.key]
    st.pending = None
    st.mode = "asking"
    if yn.ok and yn.value:
        return _store(st, q, pending.value, today)
    if yn.ok and not yn.value:
        return st, [Reply(_say("try_again"))] + _ask(st, q, today)
    return _answer(st, text, today)  # not a yes/no: a fresh answer to the question


def _store(st: ChatState, q: Question, value: JsonValue, today: date, note: str = "") -> Result:
    """Keep an answer (and what follows from it) and move on."""
    before = None
    editing = st.old is not None and st.old.key == q.key
    assumed_before: tuple[str, ...] = ()
    if st.answered_once and (editing or q.follow_up):
        before = _report(st, today)
        if before is not None:
            assumed_before = tuple(_assumed(st, before, today))
    ask = _asking(st, today)
    waiting = {f.key for f in QUESTIONS if f.follow_up and f.asked_when(st.answers)}
    st.answers[q.key] = value
    st.answers.update(q.derive(value, ask))
    if q.key in st.asked:
        st.asked.remove(q.key)
    st.asked.append(q.key)
    st.old = None
    ack = [Reply(note)] if note else []
    follow = _next_question(st)
    # A lead question ("Employer stock?" yes) whose own follow-up comes next: no "nothing changed".
    lead = follow is not None and follow.follow_up and follow.key not in waiting
    return st, _advance(st, today, ack, before=before, quiet=lead, assumed_before=assumed_before)


Handler = Callable[[ChatState, str, date], Result]


def _command(st: ChatState, name: str, argument: str, today: date) -> Result:
    """A slash command, from the one command list."""
    handlers: dict[str, Handler] = {
        "start": _start,
        "help": lambda s, a, t: (s, [Reply(help_text())]),
        "privacy": lambda s, a, t: (s, [Reply(_say("privacy"))]),
        "restart": _restart,
        "forget": _forget,
        "summary": lambda s, a, t: (s, [Reply(_summary(s, t))] + _prompt(s, t)),
        "back": lambda s, a, t: _back(s, t),
        "edit": lambda s, a, t: _edit(s, t),
        "why": _why,
    }
    handler = handlers.get(name)
    if handler is None:
        return st, [Reply(_say("unknown_command") + "\n\n" + help_text())]
    return handler(st, argument, today)


def help_text() -> str:
    """/help: what the bot does and every command (from the one command list)."""
    lines = [say("dialogue.help")]
    lines += [say("dialogue.help_line", name=c.name, description=c.description()) for c in COMMANDS]
    return lines[0] + "\n\n" + "\n".join(lines[1:])


def _start(st: ChatState, argument: str, today: date) -> Result:
    """/start, or /start <goal> from a deep link (t.me/<bot>?start=job_change)."""
    if argument and not st.answers.get("path"):
        goals = {c.key for c in GOALS(tax_year_for(today))}
        if argument in goals:
            return _start_path(st, argument, today)
    if st.mode == "start" or not st.answers.get("path"):
        st.mode = "goal"
        return st, _greeting(today)
    return st, [Reply(_say("welcome_back"))] + _prompt(st, today)


def _restart(st: ChatState, argument: str, today: date) -> Result:
    """/restart: a fresh chat at the greeting."""
    fresh = new_state()
    fresh.mode = "goal"
    return fresh, [Reply(_say("starting_over"))] + _greeting(today)


def _forget(st: ChatState, argument: str, today: date) -> Result:
    """/forget: ask before deleting everything."""
    if st.mode != "confirm_forget":
        st.resume_mode = st.mode
    st.mode = "confirm_forget"
    choices = (
        Choice("yes", plain("dialogue.forget.yes_button")),
        Choice("no", plain("dialogue.choice.no")),
    )
    return st, [Reply(_say("forget.ask"), choices=choices, question="confirm_forget")]


def _why(st: ChatState, argument: str, today: date) -> Result:
    """/why lists the sections to pick from; /why <section> shows that section's figures."""
    if not st.answered_once:
        return st, [Reply(_say("why.first"))]
    found = _sections(st, today)
    if found is None:
        return st, [Reply(_say("engine_failed_short"))]
    if not argument:
        return st, _why_list(found[1]) + _pending(st, today)
    return st, _why_part(found[0], found[1], _why_key(argument, found[1])) + _pending(st, today)


def _why_key(typed: str, found: parts.Sections) -> str:
    """The section a typed /why argument names: its key, its button, or a figure group in it."""
    t = " ".join(typed.lower().replace("-", " ").split())
    for key in found.why_keys:
        if t in (key, key.replace("_", " "), parts.button_label(key).lower().replace("-", " ")):
            return key
    group = t.replace(" ", "_") + "."
    for key in found.why_keys:
        if any(f.startswith(group) for f in found.why[key]):
            return key
    return typed


def _label(q: Question, year: int) -> str:
    """A question's short label: its text up to the question mark."""
    return q.text(year).split("?")[0]


def _summary(st: ChatState, today: date) -> str:
    """/summary: the goal and every answer so far."""
    a = st.answers
    path = a.get("path")
    if not path:
        return _say("summary.empty")
    year = _year(st, today)
    goals = {c.key: c.label for c in GOALS(year)}
    lines = [_say("summary.title"), _say("summary.goal", goal=goals[str(path)])]
    for q in QUESTIONS:
        if q.key in a:
            lines.append(
                _say("summary.line", question=Markup(_label(q, year)), answer=q.show(a[q.key]))
            )
    return "\n".join(lines)


def _back(st: ChatState, today: date) -> Result:
    """/back: the previous question, its answer offered to keep."""
    asked = st.asked
    current = st.current
    if st.mode == "confirming":
        st.pending = None
        st.mode = "asking"
        assert current is not None
        return st, _ask(st, BY_KEY[current], today)
    prev = None
    if current in asked:
        i = asked.index(current)
        prev = asked[i - 1] if i > 0 else None
    elif asked:
        prev = asked[-1]
    if prev is None:
        if not asked:
            st.mode = "goal"
            return st, [Reply(_say("first_question"))] + _greeting(today)
        return st, [Reply(_say("first_question"))] + _prompt(st, today)
    st.old = OldAnswer(key=prev, value=st.answers[prev])
    st.current = prev
    st.mode = "asking"
    return st, _ask(st, BY_KEY[prev], today)


def _editable(st: ChatState, q: Question) -> bool:
    """Answered, or an assumption the answer uses."""
    return q.key in st.answers or q.assumed_when(st.answers)


def _answered_choices(st: ChatState, today: date) -> tuple[Choice, ...]:
    """Every answered question and stated assumption as an /edit choice (key, short label)."""
    year = _year(st, today)
    answered = [q for q in QUESTIONS if q.key in st.answers]
    assumed = [q for q in QUESTIONS if q.key not in st.answers and _editable(st, q)]
    return tuple(Choice(q.key, html.unescape(_label(q, year))[:40]) for q in answered + assumed)


def _edit(st: ChatState, today: date) -> Result:
    """/edit: which answer to change."""
    answered = _answered_choices(st, today)
    if not answered:
        return st, [Reply(_say("edit.nothing"))]
    st.resume_mode = st.mode
    st.mode = "edit_pick"
    return st, [Reply(_say("edit.which"), choices=answered, question="edit_pick")]


def _answer_edit_pick(st: ChatState, text: str, today: date) -> Result:
    """The answer picked for /edit is asked again."""
    picked = rd.parse_choice(text, _answered_choices(st, today))
    if not picked.ok or picked.value is None:
        resume: Mode = st.resume_mode or "asking"
        st.mode = resume
        st.resume_mode = None
        return st, [Reply(_say("edit.none"))] + _prompt(st, today)
    st.resume_mode = None
    key = picked.value
    st.old = OldAnswer(key=key, value=st.answers.get(key, BY_KEY[key].unknown_default))
    st.current = key
    st.mode = "asking"
    return st, _ask(st, BY_KEY[key], today)
