"""Configuration comes from the environment and says which variable is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Role, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in ("TELEGRAM_BOT_TOKEN", "PARTNERDESK_MANAGERS", "PARTNERDESK_TIMEZONE",
                 "PARTNERDESK_BOT_API_URL", "PARTNERDESK_BOT_API_FILE_URL", "PARTNERDESK_LOCALE",
                 "PARTNERDESK_DATABASE"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_are_moscow_russian_and_a_local_database_file() -> None:
    settings = load_settings()
    assert str(settings.timezone) == "Europe/Moscow"
    assert settings.locale == "ru"
    assert settings.database == Path("partnerdesk.sqlite3")
    assert settings.bot_api_url == "https://api.telegram.org/bot"
    assert settings.file_url == "https://api.telegram.org/file/bot"
    assert settings.telegram_bot_token is None


def test_managers_map_roles_to_telegram_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "PARTNERDESK_MANAGERS", "specialist=111,222;head=333; pr=444 ;events=555;partners=666"
    )
    settings = load_settings()
    assert settings.managers[Role.SPECIALIST] == (111, 222)
    assert settings.roles_of(333) == {Role.HEAD}
    assert settings.is_manager(444)
    assert not settings.is_manager(999)


def test_a_non_numeric_manager_id_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTNERDESK_MANAGERS", "specialist=111,abc")
    with pytest.raises(ConfigError, match=r"PARTNERDESK_MANAGERS: 'abc' .* not a numeric"):
        load_settings()


def test_an_unknown_role_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTNERDESK_MANAGERS", "boss=1")
    with pytest.raises(ConfigError, match="PARTNERDESK_MANAGERS: unknown role 'boss'"):
        load_settings()


def test_an_unknown_timezone_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTNERDESK_TIMEZONE", "Europe/Atlantis")
    with pytest.raises(ConfigError, match="PARTNERDESK_TIMEZONE: unknown timezone"):
        load_settings()


def test_an_unsupported_locale_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTNERDESK_LOCALE", "de")
    with pytest.raises(ConfigError, match="PARTNERDESK_LOCALE"):
        load_settings()


def test_file_downloads_go_to_the_same_server_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PARTNERDESK_BOT_API_URL", "http://127.0.0.1:8081/bot")
    assert load_settings().file_url == "http://127.0.0.1:8081/file/bot"
    monkeypatch.setenv("PARTNERDESK_BOT_API_FILE_URL", "http://files.local/file/bot")
    assert load_settings().file_url == "http://files.local/file/bot"


def test_settings_can_come_from_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=1:abc\nPARTNERDESK_LOCALE=en\n")
    settings = load_settings()
    assert settings.telegram_bot_token is not None
    assert settings.telegram_bot_token.get_secret_value() == "1:abc"
    assert settings.locale == "en"
