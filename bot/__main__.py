"""python -m bot console | telegram | backup PATH | purge [--inactive-days N] | check."""

from __future__ import annotations

import sys

USAGE = """usage:
  python -m bot console [--db PATH] [--chat-id ID] [--as-of YYYY-MM-DD]
  python -m bot telegram                    # long polling; webhook mode when WEBHOOK_URL is set
  python -m bot backup PATH                 # online backup of ADVISOR_DB to a new file
  python -m bot purge [--inactive-days N]   # delete chats inactive for N days (default: settings)
  python -m bot check                       # validate settings and open the database"""


def main(argv: list[str]) -> int:
    """Dispatch to an adapter or an operator command."""
    if not argv or argv[0] not in ("console", "telegram", "backup", "purge", "check"):
        print(USAGE, file=sys.stderr)
        return 2
    cmd, rest = argv[0], argv[1:]
    if cmd == "console":
        from bot.console import main as console

        return console(rest)
    if cmd == "telegram":
        from bot.telegram import main as telegram

        return telegram(rest)
    from bot.operate import main as operate

    return operate(cmd, rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
