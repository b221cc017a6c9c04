"""Settings from environment variables (and an optional `.env`), validated with clear messages."""

from __future__ import annotations

import enum
import re
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TELEGRAM_API_URL = "https://api.telegram.org/bot"
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


class Role(enum.StrEnum):
    """Manager roles of the vendor (RULEBOOK §5)."""

    SPECIALIST = "specialist"
    HEAD = "head"
    EVENTS = "events"
    PR = "pr"
    PARTNERS = "partners"
    MARKETPLACE = "marketplace"


class ConfigError(Exception):
    """A setting is wrong; the message names the environment variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PARTNERDESK_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "telegram_bot_token")
    )
    database: Path = Path("partnerdesk.sqlite3")
    data_dir: Path = Path("data")  # kept files: photos, scans
    personal_data_days: int = Field(default=180, ge=1)  # listener lists are deleted after it
    bot_api_url: str = TELEGRAM_API_URL
    bot_api_file_url: str | None = None
    managers: Annotated[dict[Role, tuple[int, ...]], NoDecode] = Field(default_factory=dict)
    timezone: Annotated[ZoneInfo, NoDecode] = ZoneInfo("Europe/Moscow")
    locale: Literal["ru", "en"] = "ru"
    rulebook: Path | None = None
    ops_chat: int | None = None
    # Debugging only: an error's log line and ops-chat post carry the whole update (texts,
    # phones, names) instead of its ids (bot/handlers/errors.py).
    log_content: bool = False
    managers_chat: int | None = None  # a team group: cards go there instead of private chats
    # The reminders' dispatcher (bot/handlers/reminders.py) and the bot's overall send rate.
    reminders_interval: float = Field(15.0, gt=0)  # seconds between dispatcher runs
    reminders_batch: int = Field(100, ge=1, le=1000)  # rows claimed per query
    reminders_concurrency: int = Field(8, ge=1, le=100)  # sends in flight at once
    messages_per_second: float = Field(30.0, gt=0)  # bot/rate_limiter.py's overall rate
    # Webhook mode (instead of long polling) when webhook_url is set; see bot/webhook.py.
    webhook_url: str | None = None
    webhook_secret: Annotated[SecretStr | None, Field(validate_default=True)] = None
    listen: str = "0.0.0.0"
    port: int = Field(default=8080, ge=0, le=65535)  # 0: any free port (tests)
    backup_dir: Path | None = None  # a daily backup goes there when set
    backup_keep: int = Field(default=7, ge=1)
    phone_days: int = Field(default=365, ge=1)  # employees' phones, after their last activity
    scan_years: int = Field(default=5, ge=1)  # accounting scans are kept this long
    # The /stats chart's worker process (bot/chart_worker.py) starts with the bot, so the first
    # chart does not wait seconds for matplotlib to load; off, it starts with the first /stats.
    charts_at_start: bool = True

    @field_validator("telegram_bot_token", "bot_api_file_url", "ops_chat", "rulebook",
                     "managers_chat", "webhook_url", "webhook_secret", "backup_dir",
                     mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("managers", mode="before")
    @classmethod
    def _parse_managers(cls, value: object) -> object:
        if isinstance(value, str):
            return parse_managers(value)
        return value

    @field_validator("timezone", mode="before")
    @classmethod
    def _parse_timezone(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown timezone {value!r} (e.g. Europe/Moscow)") from None
        return value

    @field_validator("bot_api_url", "bot_api_file_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _check_webhook_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError(f"{value!r}: Telegram sends webhooks to https:// URLs only")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _check_webhook_secret(cls, value: SecretStr | None,
                              info: ValidationInfo) -> SecretStr | None:
        if value is None:
            if info.data.get("webhook_url"):
                raise ValueError("required with PARTNERDESK_WEBHOOK_URL (1-256 of A-Z a-z 0-9 _ -)")
            return None
        if not _SECRET_TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError("1-256 characters, only A-Z, a-z, 0-9, _ and - (Telegram's rule)")
        return value

    @property
    def file_url(self) -> str:
        """Where files are downloaded: the API URL with its final `/bot` made `/file/bot`."""
        if self.bot_api_file_url:
            return self.bot_api_file_url
        base = self.bot_api_url.rstrip("/")
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base + "/file/bot"

    def roles_of(self, user_id: int) -> frozenset[Role]:
        return frozenset(role for role, ids in self.managers.items() if user_id in ids)

    def is_manager(self, user_id: int) -> bool:
        return bool(self.roles_of(user_id))

    def members_of(self, role: Role) -> tuple[int, ...]:
        """Who holds a role; the head of partner marketing stands in for a role nobody holds."""
        return self.managers.get(role) or self.managers.get(Role.HEAD, ())

    @property
    def manager_ids(self) -> frozenset[int]:
        return frozenset(i for ids in self.managers.values() for i in ids)


def parse_managers(text: str) -> dict[Role, tuple[int, ...]]:
    """`specialist=111,222;head=333` → {Role.SPECIALIST: (111, 222), Role.HEAD: (333,)}."""
    known = ", ".join(r.value for r in Role)
    managers: dict[Role, tuple[int, ...]] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        name, sep, ids = part.partition("=")
        if not sep:
            raise ValueError(f"{part!r} should look like role=id,id (roles: {known})")
        try:
            role = Role(name.strip().lower())
        except ValueError:
            raise ValueError(f"unknown role {name.strip()!r} (roles: {known})") from None
        parsed: list[int] = []
        for raw in filter(None, (i.strip() for i in ids.split(","))):
            if not raw.lstrip("-").isdigit():
                raise ValueError(f"{raw!r} in role {role.value} is not a numeric Telegram user id")
            parsed.append(int(raw))
        managers[role] = tuple(parsed)
    return managers


def _env_name(field: str) -> str:
    if field == "telegram_bot_token":
        return "TELEGRAM_BOT_TOKEN"
    return "PARTNERDESK_" + field.upper()


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's errors into one message per wrong variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "?"
            message = str(error["msg"]).removeprefix("Value error, ")
            lines.append(f"{_env_name(field)}: {message}")
        raise ConfigError("\n".join(lines)) from None
