"""SQLite storage: migrations, one transaction owner, online backups."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import aiosqlite
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


async def test_one_trip_writes_never_land_inside_an_open_transaction(tmp_path: Path) -> None:
    """Writes in one trip (the inbox's, a draft's) go ahead of nobody's transaction: issued
    while a `transaction()` is open they wait for it, and its rollback takes none of them."""
    db = await Database.open(tmp_path / "pd.sqlite3")
    await db.conn.execute("CREATE TABLE t (v TEXT)")

    async def insert(conn: aiosqlite.Connection, value: str) -> None:
        await conn.execute("INSERT INTO t VALUES (?)", (value,))

    async def rolled_back() -> None:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO t VALUES ('rolled back')")
            await asyncio.sleep(0.05)  # the others are issued meanwhile
            raise RuntimeError("undo")

    try:
        before = asyncio.ensure_future(db.atomically(lambda conn: insert(conn, "before")))
        opened = asyncio.ensure_future(rolled_back())  # its BEGIN is queued after "before"
        await asyncio.sleep(0.01)
        results = await asyncio.gather(
            before, db.atomically(lambda conn: insert(conn, "during")),
            db.write_one("INSERT INTO t VALUES ('alone')"), opened, return_exceptions=True)
        assert [type(r).__name__ for r in results] == [
            "NoneType", "NoneType", "NoneType", "RuntimeError"]
        rows = await db.fetch_all("SELECT v FROM t ORDER BY rowid")
        assert [row[0] for row in rows] == ["before", "during", "alone"]
        assert len(await db.fetch_all("SELECT v FROM t")) == 3
    finally:
        await db.close()


async def test_a_transaction_in_one_trip_runs_the_repositories_whole_or_not_at_all(
        tmp_path: Path) -> None:
    """`atomically`: the same repository calls as in `transaction()`, done on the database's
    thread; a raise, or awaiting anything but the connection, leaves nothing written."""
    db = await Database.open(tmp_path / "pd.sqlite3")
    await db.migrate()
    row = "INSERT INTO audit_log (at, action) VALUES ('2026-01-01', ?)"

    async def two_rows(conn: aiosqlite.Connection) -> list[str]:
        await conn.execute(row, ("test.one",))
        async with conn.execute(row, ("test.two",)) as cursor:
            assert cursor.lastrowid is not None
        return [r[0] for r in await conn.execute_fetchall("SELECT action FROM audit_log")]

    async def sleeps(conn: aiosqlite.Connection) -> None:
        await conn.execute(row, ("test.slept",))
        await asyncio.sleep(0)

    async def raises(conn: aiosqlite.Connection) -> None:
        await conn.execute(row, ("test.raised",))
        raise LookupError("refused")

    try:
        assert await db.atomically(two_rows) == ["test.one", "test.two"]
        with pytest.raises(RuntimeError, match="awaited something besides"):
            await db.atomically(sleeps)
        with pytest.raises(LookupError):
            await db.atomically(raises)
        rows = await db.fetch_all("SELECT action FROM audit_log")
        assert [r[0] for r in rows] == ["test.one", "test.two"]

        async def counted(conn: aiosqlite.Connection) -> tuple[int, str]:
            rows = await conn.execute_fetchall("SELECT count(*) FROM audit_log")
            async with conn.execute("SELECT max(action) FROM audit_log") as cursor:
                newest = await cursor.fetchone()
            assert newest is not None
            return int(next(iter(rows))[0]), str(newest[0])

        assert await db.read_at_once(counted) == (2, "test.two")  # reads in one trip, too
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
