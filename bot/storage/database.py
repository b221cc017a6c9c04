"""The SQLite connection, its migrations and the one place that owns write transactions."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager, closing
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot import private_files

BUSY_TIMEOUT_MS = 5000
T = TypeVar("T")
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class Database:
    """One aiosqlite connection in autocommit mode; writes go through `transaction()`, or
    `atomically()` / `write_one()` in one trip to aiosqlite's thread.

    aiosqlite runs every call on one thread, in order, so two coroutines must not interleave
    statements of their transactions: the lock makes each `transaction()` (a trip per
    statement) whole. A one-trip transaction is whole by itself: it waits for the lock only
    while a `transaction()` holds it, and otherwise goes straight to the thread's queue (ahead
    of any `BEGIN` queued later), so writers on every update's path never queue behind each
    other in the event loop.
    """

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> Database:
        on_disk = str(path) != ":memory:"
        if on_disk:
            await asyncio.to_thread(private_files.create_empty, path)
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA synchronous = NORMAL")
        await conn.execute("PRAGMA foreign_keys = ON")
        if on_disk:
            # SQLite gives a new -wal/-shm the database file's mode; these may be older.
            await asyncio.to_thread(_restrict_companions, path)
        return cls(conn, path)

    async def close(self) -> None:
        await self.conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """`BEGIN IMMEDIATE` … `COMMIT`, or `ROLLBACK` if the block raises."""
        async with self._write_lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

    async def atomically(self, body: Callable[[aiosqlite.Connection], Coroutine[Any, Any, T]]
                         ) -> T:
        """`transaction()` in one trip: `body(conn)` runs whole on aiosqlite's thread, inside
        `BEGIN IMMEDIATE … COMMIT` (`ROLLBACK` if it raises).

        `body` is the block a `transaction()` would hold, written against the same repository
        functions, and may await nothing but `conn`: there each call runs at once, so the
        coroutine finishes without ever giving the event loop back (anything else it awaits is
        refused with a RuntimeError, and nothing is written).

        For the transactions on every update's path (the inbox, a form sent, the outbox's
        claims): in `transaction()` each statement is a trip, each trip waits its turn in a busy
        event loop while the write lock is held, and under load every other writer queued
        behind it (bench/throughput.py measured the lock held 87% of the time).
        """
        return await self._one_trip(_in_transaction, self.conn._conn, self._whole(body))

    async def read_at_once(self, body: Callable[[aiosqlite.Connection], Coroutine[Any, Any, T]]
                           ) -> T:
        """Several reads in one trip: `body(conn)` run as `atomically` runs it, but in no
        transaction of its own (as `fetch_one`)."""
        result: T = await self.conn._execute(  # type: ignore[no-untyped-call]
            self._whole(body), self.conn._conn)
        return result

    def _whole(self, body: Callable[[aiosqlite.Connection], Coroutine[Any, Any, T]]
               ) -> Callable[[sqlite3.Connection], T]:
        """`body` as a plain function for aiosqlite's thread (see `atomically`)."""
        chunk = self.conn._iter_chunk_size
        return lambda conn: _drive(body(_InThread(conn, chunk)))

    # A read is one trip to aiosqlite's thread (execute, fetch and close there together): through
    # a cursor it would be three, and every trip is a wake-up of the event loop.

    async def fetch_one(self, sql: str, params: tuple[object, ...] = ()) -> aiosqlite.Row | None:
        run = self.conn._execute  # aiosqlite's own queue to its thread (what `execute` uses)
        row: aiosqlite.Row | None = await run(  # type: ignore[no-untyped-call]
            _fetch_one, self.conn._conn, sql, params)
        return row

    async def write_one(self, sql: str, params: tuple[object, ...] = ()) -> None:
        """One statement as a transaction of its own (autocommit): one trip to aiosqlite's
        thread instead of the three of `BEGIN … COMMIT`, never inside another coroutine's
        `transaction()`."""
        await self._one_trip(_execute_alone, self.conn._conn, sql, params)

    async def _one_trip(self, function: Callable[..., T], *args: object) -> T:
        run = self.conn._execute  # aiosqlite's own queue to its thread (what `execute` uses)
        if self._write_lock.locked():  # a `transaction()` is open: not in its middle
            async with self._write_lock:
                result: T = await run(function, *args)  # type: ignore[no-untyped-call]
                return result
        result = await run(function, *args)  # type: ignore[no-untyped-call]
        return result

    async def fetch_all(self, sql: str, params: tuple[object, ...] = ()) -> list[aiosqlite.Row]:
        return list(await self.conn.execute_fetchall(sql, params))

    async def schema_version(self) -> int:
        row = await self.fetch_one("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def migrate(self) -> list[str]:
        """Apply the migrations numbered above `PRAGMA user_version`, each in one transaction."""
        applied = []
        current = await self.schema_version()
        for number, name, sql in available_migrations():
            if number <= current:
                continue
            async with self.transaction() as conn:
                for statement in split_statements(sql):
                    await conn.execute(statement)
                await conn.execute(f"PRAGMA user_version = {number}")
            applied.append(name)
        return applied

    async def backup_to(self, target: Path) -> str:
        """Online backup into `target`, then `integrity_check` on the copy; returns its verdict.

        Read through a connection of its own: SQLite refuses to back up from a connection in
        the middle of a write transaction (another coroutine's, between two statements), and
        Python's `backup()` retries that forever on the very thread the transaction needs.
        """
        return await asyncio.to_thread(_backup, self.path, target)


def _in_transaction(conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = work(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


class _InThread(aiosqlite.Connection):
    """aiosqlite's connection as its own thread sees it: each call runs at once, no queue."""

    def __init__(self, conn: sqlite3.Connection, iter_chunk_size: int) -> None:
        # Not aiosqlite's __init__: no thread of its own, nothing to start or stop.
        self._running = True
        self._connection = conn
        self._iter_chunk_size = iter_chunk_size

    async def _execute(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        return fn(*args, **kwargs)

    def __del__(self) -> None:
        """The sqlite3 connection is the Database's: nothing of it to close here."""


def _drive(body: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never suspends to its end; refuse one that does."""
    try:
        body.send(None)
    except StopIteration as finished:
        result: T = finished.value
        return result
    body.close()
    raise RuntimeError("a transaction run in one trip awaited something besides its connection")


def _execute_alone(conn: sqlite3.Connection, sql: str, params: tuple[object, ...]) -> None:
    conn.execute(sql, params).close()


def _fetch_one(conn: sqlite3.Connection, sql: str,
               params: tuple[object, ...]) -> sqlite3.Row | None:
    cursor = conn.execute(sql, params)
    try:
        row: sqlite3.Row | None = cursor.fetchone()
        return row
    finally:
        cursor.close()


def _backup(source_path: Path, target: Path) -> str:
    target.unlink(missing_ok=True)
    private_files.create_empty(target)  # the copy and its journal get the file's 0600
    with closing(sqlite3.connect(source_path, timeout=BUSY_TIMEOUT_MS / 1000)) as source, \
            closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
        row = copy.execute("PRAGMA integrity_check").fetchone()
    return str(row[0]) if row else "no answer"


def _restrict_companions(path: Path) -> None:
    for suffix in ("-wal", "-shm"):
        private_files.restrict(path.with_name(path.name + suffix))


def available_migrations() -> list[tuple[int, str, str]]:
    folder = resources.files("bot.storage") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def split_statements(script: str) -> list[str]:
    """Split a migration into statements; `sqlite3.complete_statement` handles `;` in strings."""


    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        if not buffer and line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
