"""Private data end to end: what the logs and the ops chat say when a form fails, and the
modes of every file and folder the bot writes."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import build_application, polling
from bot.config import load_settings
from bot.localapi import LocalBotApi
from bot.localapi.models import TgUser
from tests.conftest import HEAD
from tests.e2e.steps import say, tap
from tests.e2e.test_process import run_cli
from tests.e2e.test_report import PDF, answer_figures, approved_seminar
from tests.localapi.conftest import make_png

TYPED_PHONE = "8 (999) 765-43-21"


async def up_to_the_phone_question(api: LocalBotApi, user: TgUser) -> None:
    await api.send_text(user, "/start")
    await api.next_message(user.id)
    await say(api, user, "P-901")
    await say(api, user, "Ромашка")
    status_question = await say(api, user, "Казань")
    name_question = await tap(api, user, status_question, "Золотой")
    await tap(api, user, name_question, "Зинаида Соколова")


async def test_a_phone_typed_into_a_form_that_fails_stays_out_of_the_log_and_the_ops_chat(
    api: LocalBotApi, bot_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("PARTNERDESK_OPS_CHAT", str(HEAD))
    ops = api.user(HEAD, "Павел", language_code="ru", started=True)
    zina = api.user(901, first_name="Зинаида", last_name="Соколова", language_code="ru")
    caplog.set_level(logging.INFO)  # what `partnerdesk run` logs
    async with polling(build_application(load_settings()), poll_timeout=1):
        await up_to_the_phone_question(api, zina)
        api.fail_next("sendMessage", 500)  # the question asked again fails: the form errs
        await api.send_text(zina, TYPED_PHONE[:-3])  # two digits short
        assert "Что-то пошло не так" in (await api.next_message(zina.id)).text
        posted = await api.next_message(ops.id)
        if "менеджеры" in posted.text:  # the start-up note on managers who can't be reached
            posted = await api.next_message(ops.id)
        api.fail_next("sendMessage", 500)  # «you are in» (the outbox's) fails once, then goes
        await api.send_text(zina, TYPED_PHONE)
        assert "Готово" in (await api.next_message(zina.id, timeout=10)).text
    [logged] = [r for r in caplog.records if r.name == "bot.handlers.errors"]
    line = logged.getMessage()
    assert f"kind=message chat={zina.id} user={zina.id}" in line and "NetworkError" in line
    assert f"user={zina.id}" in posted.text and "NetworkError" in posted.text
    for private in ("765-43", "79997654321", "7654321", "Соколова"):
        assert private not in caplog.text
        assert private not in posted.text


async def test_the_debug_setting_logs_the_update_with_its_content(
    api: LocalBotApi, bot_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("PARTNERDESK_LOG_CONTENT", "true")
    zina = api.user(902, first_name="Зинаида", last_name="Соколова", language_code="ru")
    caplog.set_level(logging.INFO)
    async with polling(build_application(load_settings()), poll_timeout=1):
        api.fail_next("sendMessage", 500)
        await api.send_text(zina, "/start")
        assert "Что-то пошло не так" in (await api.next_message(zina.id)).text
    [logged] = [r for r in caplog.records if r.name == "bot.handlers.errors"]
    assert "Соколова" in logged.getMessage() and '"text": "/start"' in logged.getMessage()


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """The usual 022, under which a plain open() makes 0644 files and 0755 folders."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def modes_under(root: Path) -> dict[str, int]:
    """Every file and folder under `root` (itself included) → its permission bits."""
    found = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        found[str(path.relative_to(root))] = stat.S_IMODE(path.stat().st_mode)
    return found


async def test_every_file_and_folder_the_bot_writes_is_its_owners_alone(
    api: LocalBotApi, bot_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    permissive_umask: None,
) -> None:
    state = tmp_path / "state"  # nothing exists yet: the bot makes every folder
    env = {**bot_env, "PARTNERDESK_DATABASE": str(state / "db" / "partnerdesk.sqlite3"),
           "PARTNERDESK_DATA_DIR": str(state / "data"),
           "PARTNERDESK_BACKUP_DIR": str(state / "backups")}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    app = build_application(load_settings())
    async with polling(app, poll_timeout=1):
        maria, anna = await approved_seminar(api, app, 903)
        await answer_figures(api, anna)
        await api.send_album(anna, [make_png(seed=i) for i in range(4)])  # photos
        documents = await api.next_message(anna.id, timeout=5)  # a full checklist goes on
        assert "Бухгалтерские документы" in documents.text
        await api.send_document(anna, PDF, filename="receipt.pdf", mime_type="application/pdf")
        summary = await api.next_message(anna.id)
        await tap(api, anna, summary, "✅ Отправить отчёт")
        card = [await api.next_message(maria.id) for _ in range(6)][-1]
        await api.press(maria, card, "👥 Запросить список слушателей")
        await api.next_message(anna.id)
        await api.send_document(anna, "Имя;Телефон\nИван;+79990000000\n".encode(),
                                filename="listeners.csv", mime_type="text/csv")
        assert "список получен" in (await api.next_message(anna.id)).text
        assert app.job_queue is not None
        await app.job_queue.get_jobs_by_name("daily-backup")[0].run(app)
        for args in (["db", "backup", str(state / "copies" / "partnerdesk.sqlite3")],
                     ["export", "--from", "2000-01-01", "--to", "2100-12-31",
                      str(state / "exports" / "program.xlsx")],
                     ["export", "--from", "2000-01-01", "--to", "2100-12-31", "--format", "csv",
                      str(state / "exports" / "csv")]):
            assert (await run_cli(*args, env=env))[0] == 0
        written = modes_under(state)  # while the bot runs: the -wal and -shm are there

    names = set(written)
    assert {"db/partnerdesk.sqlite3", "db/partnerdesk.sqlite3-wal", "db/partnerdesk.sqlite3-shm",
            "copies/partnerdesk.sqlite3", "exports/program.xlsx",
            "exports/csv/applications.csv"} <= names
    assert len([n for n in names if n.startswith("backups/partnerdesk-")]) == 1
    assert len([n for n in names if n.startswith("data/files/") and n.endswith(".jpg")]) == 4
    assert len([n for n in names if n.startswith("data/files/") and n.endswith(".pdf")]) == 1
    assert len([n for n in names if n.startswith("data/personal/report-")]) == 1
    folders = {n for n in names if (state / n).is_dir()}
    assert {".", "db", "data", "data/files", "data/personal", "backups", "copies", "exports",
            "exports/csv"} <= folders
    wrong = {name: oct(mode) for name, mode in written.items()
             if mode != (0o700 if name in folders else 0o600)}
    assert wrong == {}, f"not private (0600 files, 0700 folders): {wrong}"


async def test_files_an_older_version_left_world_readable_are_made_private_at_start(
    api: LocalBotApi, bot_env: dict[str, str], permissive_umask: None,
) -> None:
    database, data = Path(bot_env["PARTNERDESK_DATABASE"]), Path(bot_env["PARTNERDESK_DATA_DIR"])
    sqlite3.connect(database).close()
    for folder in (data / "files" / "ab", data / "personal"):
        folder.mkdir(parents=True)
    assert stat.S_IMODE(database.stat().st_mode) == 0o644
    async with polling(build_application(load_settings()), poll_timeout=1):
        modes = {path: stat.S_IMODE(path.stat().st_mode)
                 for path in (database, data / "files", data / "personal")}
    assert modes == {database: 0o600, data / "files": 0o700, data / "personal": 0o700}
