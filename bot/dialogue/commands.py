"""The one command list: it feeds /help, the Telegram menu and the README's list."""

from __future__ import annotations

from dataclasses import dataclass

from bot.dialogue.replies import plain


@dataclass(frozen=True)
class Command:
    """A slash command: its name and its one-line description (a messages.toml key)."""

    name: str

    @property
    def description_key(self) -> str:
        """Where its description is worded."""
        return f"dialogue.command.{self.name}"

    def description(self) -> str:
        """What it does, in a few words (plain text: the Telegram menu is not HTML)."""
        return plain(self.description_key)


COMMANDS: tuple[Command, ...] = tuple(
    Command(name)
    for name in ("start", "back", "edit", "summary", "why", "restart", "forget", "privacy", "help")
)
NAMES = frozenset(c.name for c in COMMANDS)


def menu() -> list[tuple[str, str]]:
    """(name, description) of every command, in order, for the Telegram menu."""
    return [(c.name, c.description()) for c in COMMANDS]


def readme_lines() -> list[str]:
    """The README's command list, one Markdown line per command."""
    return [f"- `/{name}`: {text}" for name, text in menu()]


@dataclass(frozen=True)
class Typed:
    """A typed command: its name (no slash, no @bot) and what follows it."""

    name: str
    argument: str


def read_command(text: str) -> Typed | None:
    """`/start job_change` -> Typed("start", "job_change"); None when the text is no command."""
    if not text.startswith("/"):
        return None
    parts = text.split(maxsplit=1)
    name = parts[0][1:].split("@")[0].lower()
    return Typed(name, parts[1].strip() if len(parts) > 1 else "")
