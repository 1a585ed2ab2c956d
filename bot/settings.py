"""Operator settings from the environment, validated at start-up."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from engine.errors import SettingsError

__all__ = ["Settings", "SettingsError", "load_settings"]


class Settings(BaseSettings):
    """Every setting, read from environment variables with these exact names."""

    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore")

    TELEGRAM_BOT_TOKEN: SecretStr | None = None
    TELEGRAM_API_BASE_URL: str = "https://api.telegram.org/bot"
    ADVISOR_DB: Path = Path("data/advisor.db")
    ADVISOR_DB_SYNC: Literal["FULL", "NORMAL"] = "FULL"
    # PostgreSQL instead of the SQLite file: several workers on one database (webhook mode).
    ADVISOR_DATABASE_URL: SecretStr | None = None
    ADVISOR_CHARTS: Path = Path("data/charts")
    ADVISOR_RETENTION_DAYS: int = Field(default=180, ge=1, le=3650)
    # Messages a second to all chats together, shared by every worker: Telegram's ceiling is 30;
    # bots with paid broadcasts may send up to 1,000.
    ADVISOR_SEND_RATE: float = Field(default=30.0, gt=0, le=1000)
    ADVISOR_WORKERS: int = Field(default=1, ge=1, le=64)
    ADVISOR_HTTP_POOL: int = Field(default=256, ge=1, le=4096)
    WEBHOOK_URL: str | None = None
    WEBHOOK_SECRET: SecretStr | None = None
    WEBHOOK_LISTEN: str = "127.0.0.1"
    WEBHOOK_PORT: int = Field(default=8443, ge=1, le=65535)
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    LOG_FORMAT: Literal["text", "json"] = "text"

    @field_validator("TELEGRAM_BOT_TOKEN")
    @classmethod
    def _token_shape(cls, v: SecretStr | None) -> SecretStr | None:
        """A bot token looks like 123456:ABC... (digits, a colon, then letters)."""
        if v is not None and (":" not in v.get_secret_value() or len(v.get_secret_value()) < 8):
            raise ValueError("does not look like a bot token (expected 123456:ABC...)")
        return v

    @field_validator("WEBHOOK_URL")
    @classmethod
    def _https(cls, v: str | None) -> str | None:
        """Telegram delivers webhooks only to https URLs."""
        if v is not None and v and not v.startswith("https://"):
            raise ValueError("must start with https://")
        return v or None

    @field_validator("WEBHOOK_SECRET")
    @classmethod
    def _secret_shape(cls, v: SecretStr | None) -> SecretStr | None:
        """Telegram's secret_token: 1-256 of A-Z, a-z, 0-9, _ and - (empty would check nothing)."""
        if v is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", v.get_secret_value()):
            raise ValueError("must be 1 to 256 characters of A-Z, a-z, 0-9, _ and - (not empty)")
        return v

    @field_validator("ADVISOR_DATABASE_URL")
    @classmethod
    def _postgres_url(cls, v: SecretStr | None) -> SecretStr | None:
        """A PostgreSQL URL (postgresql://user:password@host:port/database); empty is unset."""
        if v is None or not v.get_secret_value():
            return None
        if not v.get_secret_value().startswith(("postgresql://", "postgres://")):
            raise ValueError("must start with postgresql:// (unset it to use the SQLite file)")
        return v

    @field_validator("LOG_LEVEL", mode="before")
    @classmethod
    def _upper(cls, v: object) -> object:
        """Accept info as INFO."""
        return v.upper() if isinstance(v, str) else v


TOKEN_FILE = "telegram_bot_token"


def token_file() -> Path | None:
    """The bot token as a file: a systemd credential (LoadCredential=) or a Docker secret."""
    places = [Path("/run/secrets")]
    if os.environ.get("CREDENTIALS_DIRECTORY"):
        places.insert(0, Path(os.environ["CREDENTIALS_DIRECTORY"]))
    for place in places:
        path = place / TOKEN_FILE
        if path.is_file():
            return path
    return None


def load_settings(*, need_token: bool) -> Settings:
    """Read the settings, or raise SettingsError naming each bad variable and what is wrong.

    The token comes from TELEGRAM_BOT_TOKEN or, when that is unset, from a credential file.
    """
    given: dict[str, Any] = {}
    path = None if os.environ.get("TELEGRAM_BOT_TOKEN") else token_file()
    if path is not None:
        try:
            given["TELEGRAM_BOT_TOKEN"] = path.read_text().strip()
        except OSError as exc:
            raise SettingsError(
                f"TELEGRAM_BOT_TOKEN: cannot read {path} ({exc.strerror})"
            ) from None
    try:
        s = Settings(**given)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise SettingsError("invalid settings: " + "; ".join(problems)) from None
    if need_token and s.TELEGRAM_BOT_TOKEN is None:
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN: is required to run the Telegram bot (get one from @BotFather)"
        )
    if s.WEBHOOK_URL and s.WEBHOOK_SECRET is None:
        raise SettingsError("WEBHOOK_SECRET: is required when WEBHOOK_URL is set")
    return s
