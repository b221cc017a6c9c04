"""Operations: backups taken while the bot writes, the daily backup job, `partnerdesk status`,
`partnerdesk privacy`, the housekeeping jobs, and a graceful stop on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import AnyApplication, build_application, polling
from bot.config import load_settings
from bot.localapi import LocalBotApi
from bot.runtime import runtime_of
from bot.storage.database import Database, available_migrations
from tests.e2e.test_process import bot_process, run_cli

LATEST = available_migrations()[-1][0]
TX_ROWS = 3  # rows per burst transaction: a backup must never hold part of one


def utc(delta: timedelta = timedelta()) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_a_backup_taken_during_a_burst_of_writes_is_whole_and_restores(
    bot_env: dict[str, str], tmp_path: Path
) -> None:
    assert (await run_cli("db", "migrate", env=bot_env))[0] == 0
    live = Path(bot_env["PARTNERDESK_DATABASE"])
    connections = [await Database.open(live) for _ in range(2)]  # the bot, and another writer
    committed: list[int] = []
    stop, warmed_up = asyncio.Event(), asyncio.Event()

    async def burst(db: Database, worker: int) -> None:
        n = 0
        while not stop.is_set():
            tx = worker * 1_000_000 + n
            async with db.transaction() as conn:
                for _ in range(TX_ROWS):
                    await conn.execute("INSERT INTO audit_log (at, action, subject)"
                                       " VALUES (?, 'test.burst', ?)", (utc(), f"tx:{tx}"))
            committed.append(tx)
            if len(committed) >= 200:
                warmed_up.set()
            n += 1
            await asyncio.sleep(0)

    workers = [asyncio.create_task(burst(connections[i % 2], i)) for i in range(20)]
    try:
        await asyncio.wait_for(warmed_up.wait(), 10)
        before = set(committed)
        code, output = await run_cli("db", "backup", str(tmp_path / "copy.sqlite3"), env=bot_env)
        during = len(committed) - len(before)
    finally:
        stop.set()
        await asyncio.gather(*workers)
        for db in connections:
            await db.close()
    assert code == 0 and "integrity_check: ok" in output, output
    assert during > 0, "the writes should go on while the backup is taken"

    # Restore: the copy over a fresh path, opened the way the bot opens its database.
    restored = tmp_path / "restored" / "partnerdesk.sqlite3"
    restored.parent.mkdir()
    shutil.copyfile(tmp_path / "copy.sqlite3", restored)
    db = await Database.open(restored)
    try:
        assert await db.migrate() == []  # the schema came along, at the latest version
        check = await db.fetch_one("PRAGMA integrity_check")
        assert check is not None and check[0] == "ok"
        rows = await db.fetch_all("SELECT subject, COUNT(*) FROM audit_log"
                                  " WHERE action = 'test.burst' GROUP BY subject")
    finally:
        await db.close()
    counts = {str(subject): int(n) for subject, n in rows}
    assert {f"tx:{tx}" for tx in before} <= counts.keys()  # everything committed before it
    assert set(counts.values()) == {TX_ROWS}  # and no transaction in part


async def test_the_daily_backup_job_writes_todays_file_once_and_keeps_the_newest(
    api: LocalBotApi, bot_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    for day in range(1, 6):
        (folder / f"partnerdesk-2024-01-0{day}.sqlite3").write_bytes(b"an old backup")
    (folder / "notes.txt").write_text("not a backup: never touched")
    monkeypatch.setenv("PARTNERDESK_BACKUP_DIR", str(folder))
    monkeypatch.setenv("PARTNERDESK_BACKUP_KEEP", "3")
    app = build_application(load_settings())
    async with polling(app, poll_timeout=1):
        assert app.job_queue is not None
        [job] = app.job_queue.get_jobs_by_name("daily-backup")
        await job.run(app)
        today = f"partnerdesk-{runtime_of(app).clock.now().date().isoformat()}.sqlite3"
        first = (folder / today).stat().st_mtime_ns
        await job.run(app)  # later the same day: nothing new
        assert (folder / today).stat().st_mtime_ns == first
    assert sorted(p.name for p in folder.iterdir()) == [
        "notes.txt", "partnerdesk-2024-01-04.sqlite3", "partnerdesk-2024-01-05.sqlite3", today]
    with sqlite3.connect(folder / today) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("PRAGMA user_version").fetchone() == (LATEST,)


async def test_housekeeping_jobs_are_scheduled_and_the_backup_only_when_asked(
    bot: AnyApplication,
) -> None:
    assert bot.job_queue is not None
    names = {job.name for job in bot.job_queue.jobs()}
    assert {"inbox-prune", "personal-data-retention"} <= names
    assert "daily-backup" not in names


async def test_status_counts_what_waits_and_when_the_last_update_came(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    user = api.user(601, first_name="Ivan", language_code="en")
    await api.send_text(user, "/start")
    await api.next_message(user.id)
    database = bot_env["PARTNERDESK_DATABASE"]

    def handled() -> bool:
        with sqlite3.connect(database) as db:
            return bool(db.execute("SELECT COUNT(*) FROM inbox WHERE state = 'handled'"
                                   ).fetchone()[0])

    await api.wait_until(handled)
    with sqlite3.connect(database) as db:
        _seed_waiting_work(db)

    code, output = await run_cli("status", "--json", env=bot_env)
    assert code == 0, output
    status = json.loads(output)
    assert status["pending_decisions"] == 2
    assert status["reports_waiting"] == 1
    assert status["due_reminders"] == 1
    assert status["last_update_at"][:10] == utc()[:10] and status["last_update_at"].endswith("Z")
    assert status["schema_version"] == LATEST

    code, output = await run_cli("status", env=bot_env)
    assert code == 0 and "pending decisions:  2" in output and "reports waiting:    1" in output


def _seed_waiting_work(db: sqlite3.Connection) -> None:
    now = datetime.now(UTC).isoformat()
    db.execute("INSERT INTO partners (id, code, company, city, status, created_at)"
               " VALUES (1, 'P-1', 'Ромашка', 'Казань', 'gold', ?)", (now,))
    for app_id, status in enumerate(("pending", "pending", "changes_requested", "approved",
                                     "report_sent"), start=1):
        db.execute(
            "INSERT INTO applications (id, partner_id, author_id, kind, title, event_date, status,"
            " answers, assessment, rulebook, submitted_at, updated_at) VALUES"
            " (?, 1, 601, 'seminar', 't', '2025-01-01', ?, '{}', '{}', 'rb', ?, ?)",
            (app_id, status, now, now))
    for app_id, status in ((4, "accepted"), (5, "sent")):
        db.execute("INSERT INTO reports (application_id, partner_id, author_id, status, answers,"
                   " assessment, submitted_at) VALUES (?, 1, 601, ?, '{}', '{}', ?)",
                   (app_id, status, now))
    for key, due, state in (("due", utc(-timedelta(minutes=5)), "planned"),
                            ("later", utc(timedelta(days=2)), "planned"),
                            ("done", utc(-timedelta(days=1)), "sent")):
        db.execute("INSERT INTO reminders (key, recipient_id, kind, due_at, state, created_at,"
                   " updated_at) VALUES (?, 601, 'test', ?, ?, ?, ?)", (key, due, state, now, now))


async def test_privacy_export_and_erase_from_the_command_line(bot_env: dict[str, str]) -> None:
    for command in (("status",), ("db", "backup", "copy.sqlite3")):  # no database yet
        code, said = await run_cli(*command, env=bot_env)
        assert code == 1 and "no database at" in said and "PARTNERDESK_DATABASE" in said
    assert (await run_cli("db", "migrate", env=bot_env))[0] == 0
    now = datetime.now(UTC).isoformat()
    with sqlite3.connect(bot_env["PARTNERDESK_DATABASE"]) as db:
        for partner_id, code, company in ((1, "P-7", "Ромашка"), (2, "P-8", "Василёк")):
            db.execute("INSERT INTO partners (id, code, company, city, status, created_at)"
                       " VALUES (?, ?, ?, 'Казань', 'gold', ?)", (partner_id, code, company, now))
        for telegram_id, partner_id, name in ((42, 1, "Анна Иванова"), (43, 2, "Глеб Петров")):
            db.execute("INSERT INTO users (telegram_id, first_name, username, language,"
                       " created_at, last_seen_at) VALUES (?, ?, 'nick', 'ru', ?, ?)",
                       (telegram_id, name.split()[0], now, now))
            db.execute("INSERT INTO members (telegram_id, partner_id, full_name, phone, state,"
                       " created_at) VALUES (?, ?, ?, '+79991234567', 'active', ?)",
                       (telegram_id, partner_id, name, now))

    code, output = await run_cli("privacy", "export", "--partner", "p-7", env=bot_env)
    assert code == 0, output
    exported = json.loads(output)
    assert exported["partner"]["company"] == "Ромашка"
    assert [m["full_name"] for m in exported["tables"]["members"]] == ["Анна Иванова"]
    assert "Василёк" not in output and "Глеб" not in output

    code, output = await run_cli("privacy", "erase", "--person", "42", env=bot_env)
    assert code == 0 and "person.erased" in output, output
    with sqlite3.connect(bot_env["PARTNERDESK_DATABASE"]) as db:
        assert db.execute("SELECT full_name, phone FROM members WHERE telegram_id = 42"
                          ).fetchone() == ("[erased]", None)
        assert db.execute("SELECT first_name, username FROM users WHERE telegram_id = 42"
                          ).fetchone() == ("[erased]", None)
        assert db.execute("SELECT full_name FROM members WHERE telegram_id = 43"
                          ).fetchone() == ("Глеб Петров",)

    code, output = await run_cli("privacy", "erase", "--person", "44", env=bot_env)
    assert code == 1 and "nothing is stored about Telegram id 44" in output
    code, output = await run_cli("privacy", "export", "--partner", "P-404", env=bot_env)
    assert code == 1 and "no partner with ID P-404" in output


async def test_sigterm_stops_the_polling_bot_gracefully(
    api: LocalBotApi, bot_env: dict[str, str], tmp_path: Path
) -> None:
    log = tmp_path / "bot.log"
    async with bot_process(bot_env, log) as process:
        user = api.user(602, first_name="Ivan", language_code="en")
        await api.send_text(user, "/start")
        assert "Hello, Ivan" in (await api.next_message(user.id, timeout=15)).text
        process.send_signal(signal.SIGTERM)  # what `docker stop` sends
        assert await asyncio.wait_for(process.wait(), 15) == 0
    assert "Traceback" not in log.read_text()
