"""Logging that never shows the bot token, a salary or a balance."""

from __future__ import annotations

import json
import logging
import sys
import time
from urllib.parse import unquote, urlsplit

# These loggers dump request parameters and update contents (the person's answers) at DEBUG,
# and httpx logs request URLs, which contain the token: keep them above that.
NOISY = {
    "telegram.Bot": logging.INFO,
    "telegram.ext.ExtBot": logging.INFO,
    "telegram.ext._extbot": logging.INFO,
    "telegram._bot": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "telegram.ext.Updater": logging.INFO,
    "telegram.ext._updater": logging.INFO,
    "telegram.ext.Application": logging.INFO,
    "telegram.ext._application": logging.INFO,
    "aiohttp.access": logging.WARNING,
    # logs a Bot API answer that is not JSON verbatim (at ERROR): never wanted
    "telegram.request": logging.CRITICAL + 10,
}


def url_secrets(url: str | None) -> list[str]:
    """What of a database URL must never be logged: the URL itself and its password."""
    if not url:
        return []
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    found = [url]
    if password:
        found += [password, unquote(password)]
    return found


class Redact(logging.Filter):
    """Replaces secrets in every record's final message."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        # longest first: a URL is redacted whole before its password is looked for
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message, scrub it, and freeze it."""
        try:
            msg = record.getMessage()
        except Exception:  # a bad format string must not break logging
            msg = str(record.msg)
        for s in self.secrets:
            msg = msg.replace(s, "[redacted]")
        record.msg, record.args = msg, None
        if record.exc_info and record.exc_text is None:
            text = logging.Formatter().formatException(record.exc_info)
            for s in self.secrets:
                text = text.replace(s, "[redacted]")
            record.exc_text, record.exc_info = text, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as JSON."""
        out = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_text:
            out["exc"] = record.exc_text
        return json.dumps(out)


def setup_logging(level: str, secrets: list[str], fmt: str = "text") -> None:
    """Root logging to stderr with redaction; noisy libraries held above DEBUG."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(Redact(secrets))
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name, floor in NOISY.items():
        logging.getLogger(name).setLevel(max(floor, logging.getLevelName(level)))
