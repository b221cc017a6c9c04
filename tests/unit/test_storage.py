"""SQLite storage: migrations, one transaction owner, online backups."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.storage.database import Database, available_migrations, split_statements


async def test_migrations_apply_once_and_set_user_version(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "pd.sqlite3")
    try:
        applied = await db.migrate()
        assert applied == [name for _, name, _ in available_migrations()]
        assert await db.schema_version() == available_migrations()[-1][0]
        assert await db.migrate() == []
    finally:
        await db.close()


async def test_the_database_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "pd.sqlite3")
    try:
        mode = await db.fetch_one("PRAGMA journal_mode")
        keys = await db.fetch_one("PRAGMA foreign_keys")
        assert mode is not None and mode[0] == "wal"
        assert keys is not None and keys[0] == 1
    finally:
        await db.close()


async def test_a_failing_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "pd.sqlite3")
    await db.migrate()
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO audit_log (at, action) VALUES ('2026-01-01', 'test.half_done')"
                )
                raise RuntimeError("crash in the middle")
        assert await db.fetch_all("SELECT * FROM audit_log") == []
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO audit_log (at, action) VALUES ('2026-01-01', 'test.done')"
            )
        rows = await db.fetch_all("SELECT action FROM audit_log")
        assert [r["action"] for r in rows] == ["test.done"]
    finally:
        await db.close()


async def test_a_backup_is_a_verified_copy_with_the_data(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "pd.sqlite3")
    await db.migrate()
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO audit_log (at, action) VALUES ('2026-01-01', 'kept')")
    try:
        verdict = await db.backup_to(tmp_path / "backups" / "copy.sqlite3")
    finally:
        await db.close()
    assert verdict == "ok"
    with sqlite3.connect(tmp_path / "backups" / "copy.sqlite3") as copy:
        assert copy.execute("SELECT action FROM audit_log").fetchall() == [("kept",)]


def test_statements_split_on_semicolons_outside_strings() -> None:
    script = "-- a comment\nCREATE TABLE t (x TEXT DEFAULT ';');\nINSERT INTO t VALUES ('a;b');\n"
    assert split_statements(script) == [
        "CREATE TABLE t (x TEXT DEFAULT ';');",
        "INSERT INTO t VALUES ('a;b');",
    ]
