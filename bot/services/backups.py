"""The daily backup: `partnerdesk-YYYY-MM-DD.sqlite3` in PARTNERDESK_BACKUP_DIR, the newest N kept.

The copy is SQLite's online backup of the live database (the bot keeps running), checked with
`integrity_check`, written under a temporary name and renamed only when it passed, so a file
with a backup's name is always a good one.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot import private_files
from bot.storage.database import Database

log = logging.getLogger(__name__)

_NAME = re.compile(r"^partnerdesk-(\d{4}-\d{2}-\d{2})\.sqlite3$")


class BackupFailed(Exception):
    """The copy did not pass integrity_check; nothing was kept under a backup's name."""


@dataclass(frozen=True, slots=True)
class Daily:
    written: Path | None  # None: today's backup was already there
    removed: list[Path]


def name_for(day: date) -> str:
    return f"partnerdesk-{day.isoformat()}.sqlite3"


async def daily(db: Database, folder: Path, *, today: date, keep: int) -> Daily:
    """Write today's backup unless it exists, then keep only the newest `keep` backups."""
    target = folder / name_for(today)
    written = None
    if not await asyncio.to_thread(target.exists):
        await write(db, target)
        written = target
    removed = await asyncio.to_thread(rotate, folder, keep)
    return Daily(written=written, removed=removed)


async def write(db: Database, target: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    verdict = await db.backup_to(partial)
    if verdict != "ok":
        await asyncio.to_thread(partial.unlink, missing_ok=True)
        raise BackupFailed(f"{target}: integrity_check said {verdict!r}")
    await asyncio.to_thread(partial.replace, target)


def backups_in(folder: Path) -> list[Path]:
    """The backups in `folder`, oldest first; other files are not ours and never touched."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and _NAME.match(p.name))


def rotate(folder: Path, keep: int) -> list[Path]:
    found = backups_in(folder)
    old = found[:-keep] if keep > 0 else found
    for path in old:
        path.unlink(missing_ok=True)
    for path in found[len(old):]:
        private_files.restrict(path)  # one written by an older version may be world-readable
    return old
