"""Outbox entries: button rows, ForceReply, the edit of a pressed question, Telegram's limits."""

from __future__ import annotations

from telegram import ForceReply, InlineKeyboardMarkup
from telegram.constants import MessageLimit, ReplyLimit

from bot.telegram.outgoing import attempts, chosen, chunks, markup, pressed, rows, u16len


def labels(keyboard: list[list[str]]) -> list[list[str]]:
    return [[label for label, _ in row] for row in rows(keyboard)]


def test_short_choices_share_a_row_long_ones_stand_alone() -> None:
    yes_no = [["Yes", "a:q:yes"], ["No", "a:q:no"], ["Not sure", "a:q:unknown"]]
    assert labels(yes_no) == [["Yes", "No", "Not sure"]]
    match = [
        ["50% of 3% + 50% of next 2%", "a:m:s"],
        ["50% up to 6%", "a:m:1"],
        ["100% up to 4%", "a:m:2"],
        ["100% up to 6%", "a:m:3"],
        ["No match", "a:m:none"],
    ]
    assert labels(match) == [
        ["50% of 3% + 50% of next 2%"],
        ["50% up to 6%", "100% up to 4%"],
        ["100% up to 6%", "No match"],
    ]
    four = [[w, f"a:q:{w}"] for w in ("Weekly", "Monthly", "Twice a month", "Every two weeks!")]
    assert labels(four) == [["Weekly", "Monthly"], ["Twice a month"], ["Every two weeks!"]]
    assert labels([]) == []


def test_a_typed_question_asks_with_force_reply_cut_to_the_limit() -> None:
    long = "x" * 100
    asked = markup([], long)
    assert isinstance(asked, ForceReply)
    assert asked.input_field_placeholder == long[: ReplyLimit.MAX_INPUT_FIELD_PLACEHOLDER]
    assert isinstance(markup([["Skip", "a:q:skip"]], "5%"), InlineKeyboardMarkup)
    assert markup([], None) is None
    first = attempts({"kind": "text", "html": "Rate?", "keyboard": [], "placeholder": "5%"}, None)
    assert first[0].placeholder == "5%"
    assert all(form.placeholder is None for form in first[1:])  # plainer forms: no ForceReply


def test_a_pressed_question_is_edited_and_a_stale_one_unbuttoned() -> None:
    (edit,) = pressed(7, "<i>Question 1 of 9</i>\nHow?", "Yes & no", stale=False)
    assert edit.body == {
        "kind": "edit",
        "message_id": 7,
        "html": "<i>Question 1 of 9</i>\nHow?\n✓ Yes &amp; no",
    }
    forms = attempts(edit.body, None)
    assert [f.method for f in forms] == ["edit", "unbutton"]
    assert all(f.message_id == 7 for f in forms)
    (stale,) = pressed(8, "Old?", "No", stale=True)
    assert stale.body == {"kind": "unbutton", "message_id": 8}
    assert [f.method for f in attempts(stale.body, None)] == ["unbutton"]
    assert pressed(None, "x", "y", stale=False) == []
    too_long = "é" * MessageLimit.MAX_TEXT_LENGTH
    assert chosen(9, too_long, "Yes").body["kind"] == "unbutton"  # would not fit: keyboard only
    assert chosen(9, "Text?", "").body["kind"] == "unbutton"  # label unknown


def test_pieces_fit_telegram_counting_utf16() -> None:
    text = ("😀" * 3000 + "\n") * 2
    pieces = chunks(text)
    assert "".join(pieces) == text
    assert all(u16len(p) <= MessageLimit.MAX_TEXT_LENGTH for p in pieces)
    caption = attempts({"kind": "photo", "caption": "c" * 2000}, b"png")[0].texts[0]
    assert u16len(caption) <= MessageLimit.CAPTION_LENGTH
