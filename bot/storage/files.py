"""Kept files: one row per distinct Telegram file. Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite


@dataclass(frozen=True, slots=True)
class FileRow:
    id: int
    file_unique_id: str
    file_id: str
    kind: str
    mime_type: str | None
    file_name: str | None
    size: int
    sha256: str
    path: str


_SELECT = ("SELECT id, file_unique_id, file_id, kind, mime_type, file_name, size, sha256, path"
           " FROM files")


async def by_unique_id(conn: aiosqlite.Connection, file_unique_id: str) -> FileRow | None:
    async with conn.execute(f"{_SELECT} WHERE file_unique_id = ?", (file_unique_id,)) as cursor:
        row = await cursor.fetchone()
    return FileRow(*row) if row else None


async def by_ids(conn: aiosqlite.Connection, ids: list[int]) -> list[FileRow]:
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    async with conn.execute(f"{_SELECT} WHERE id IN ({marks})", tuple(ids)) as cursor:
        found = {row[0]: FileRow(*row) for row in await cursor.fetchall()}
    return [found[i] for i in ids if i in found]


async def insert(conn: aiosqlite.Connection, *, file_unique_id: str, file_id: str, kind: str,
                 mime_type: str | None, file_name: str | None, size: int, sha256: str,
                 path: str, uploaded_by: int, now: datetime) -> int:
    cursor = await conn.execute(
        "INSERT INTO files (file_unique_id, file_id, kind, mime_type, file_name, size, sha256,"
        " path, uploaded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (file_unique_id, file_id, kind, mime_type, file_name, size, sha256, path, uploaded_by,
         now.isoformat()),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid
