"""python -m bot console | telegram."""

from __future__ import annotations

import sys

USAGE = "usage: python -m bot console [--db PATH] [--chat-id ID] [--as-of YYYY-MM-DD] | telegram"


def main(argv: list[str]) -> int:
    """Dispatch to an adapter."""
    if not argv or argv[0] not in ("console", "telegram"):
        print(USAGE, file=sys.stderr)
        return 2
    if argv[0] == "console":
        from bot.console import main as console

        return console(argv[1:])
    from bot.telegram import main as telegram

    return telegram(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
