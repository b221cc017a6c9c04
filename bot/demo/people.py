"""Who plays in the demo: partners' employees and managers with fixed Telegram ids."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from bot.config import Role, Settings

DEMO_TOKEN = "424242:PARTNERDESK-DEMO"
BOT_USERNAME = "partnerdesk_demo_bot"
TIMEZONE = ZoneInfo("Europe/Moscow")


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    first_name: str
    last_name: str
    language: str
    side: Literal["partner", "manager"]
    label: str  # how the page's switcher names them

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


ANNA = Person(1001, "Анна", "Смирнова", "ru", "partner", "Анна · Ромашка (P-1001)")
IVAN = Person(1002, "Иван", "Петров", "ru", "partner", "Иван · Ромашка (P-1001)")
OLGA = Person(2001, "Ольга", "Кузнецова", "ru", "partner", "Ольга · Вектор (P-2002)")
PETER = Person(3001, "Peter", "Brown", "en", "partner", "Peter · Northwind (P-3003)")
MARIA = Person(9001, "Maria", "Specialist", "en", "manager", "Maria · specialist")
HELEN = Person(9002, "Helen", "Head", "en", "manager", "Helen · head of partner marketing")

PARTNERS = (ANNA, IVAN, OLGA, PETER)
MANAGERS = (MARIA, HELEN)
PEOPLE = PARTNERS + MANAGERS
ROLES: dict[Role, tuple[int, ...]] = {Role.SPECIALIST: (MARIA.id,), Role.HEAD: (HELEN.id,)}


def person(user_id: int) -> Person | None:
    return next((p for p in PEOPLE if p.id == user_id), None)


class DemoSettings(Settings):
    """Settings built in code only: the environment and `.env` of a real deployment (its
    database, backups, webhook) never reach the demo."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def demo_settings(folder: Path, bot_api_url: str) -> Settings:
    values: dict[str, Any] = {
        "telegram_bot_token": DEMO_TOKEN,
        "database": folder / "partnerdesk-demo.sqlite3",
        "data_dir": folder / "data",
        "bot_api_url": bot_api_url,
        "managers": ROLES,
        "timezone": TIMEZONE,
        "locale": "ru",
        "reminders_interval": 5.0,
    }
    return DemoSettings(**values)
