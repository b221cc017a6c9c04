"""Keeping what partners send: downloaded, hashed, stored under the data folder, deduplicated."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

from bot import private_files
from bot.storage import files
from bot.storage.database import Database
from bot.storage.files import FileRow

MAX_BYTES = 20 * 1024 * 1024  # what the Bot API's getFile serves
DOCUMENT_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png",
                  "image/gif": ".gif"}  # a GIF: the banner of an announcement (§2.2.5)
KEPT_FILES = Path("files")  # under the data folder


class Refused(Exception):
    """The file can't be kept; `reason` names the text that says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def keep(
    db: Database, data_dir: Path, *, file_unique_id: str, file_id: str, photo: bool,
    mime_type: str | None, file_name: str | None, size: int | None, uploaded_by: int,
    download: Callable[[], Awaitable[bytes]], now: datetime,
) -> FileRow:
    """The stored file: the one already kept with this `file_unique_id`, or a new download."""
    existing = await files.by_unique_id(db.conn, file_unique_id)
    if existing is not None:
        return existing
    if size is not None and size > MAX_BYTES:
        raise Refused("file_too_big")
    if not photo and mime_type not in DOCUMENT_TYPES:
        raise Refused("file_type")
    data = await download()
    if len(data) > MAX_BYTES:
        raise Refused("file_too_big")
    digest = hashlib.sha256(data).hexdigest()
    suffix = ".jpg" if photo else DOCUMENT_TYPES[mime_type or ""]
    relative = KEPT_FILES / digest[:2] / f"{digest}{suffix}"
    await asyncio.to_thread(_write, data_dir / relative, data)
    async with db.transaction() as conn:
        again = await files.by_unique_id(conn, file_unique_id)  # a concurrent twin
        if again is not None:
            return again
        new_id = await files.insert(
            conn, file_unique_id=file_unique_id, file_id=file_id,
            kind="photo" if photo else "document", mime_type=mime_type, file_name=file_name,
            size=len(data), sha256=digest, path=str(relative), uploaded_by=uploaded_by, now=now,
        )
        row = await files.by_ids(conn, [new_id])
    return row[0]


def _write(path: Path, data: bytes) -> None:
    temporary = path.with_suffix(path.suffix + ".part")
    private_files.write_bytes(temporary, data)
    temporary.replace(path)  # atomic: a crash never leaves half a file under the real name
