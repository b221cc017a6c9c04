"""Personal data: retention (employees' phones, accounting scans), export of a partner's data,
erasure of a person. Every deletion writes an audit row.

Listener lists have their own purge (bot/services/listeners.py).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from bot.services.partners import normalise_code
from bot.storage import audit
from bot.storage.database import Database

ERASED = "[erased]"  # what stays in place of an erased person's name
JSON_COLUMNS = frozenset({"answers", "assessment", "data", "details"})
# Tables that say nothing about a partner, or are exported their own way below.
NOT_EXPORTED = frozenset({"inbox", "audit_log", "awaiting", "files", "partners"})
# Listener lists hold third parties' contacts: the export says whether one exists, not where.
REDACTED = {"listener_lists": frozenset({"file_id", "path"})}
# Scans: kept files of kind document, and any file (photos too) sent as a report's documents.
_SCANS = (
    "SELECT id, path FROM files WHERE deleted_at IS NULL AND julianday(created_at) < julianday(?)"
    " AND (kind = 'document' OR id IN (SELECT CAST(value AS INTEGER)"
    " FROM reports, json_each(reports.answers, '$.documents')))"
)


@dataclass(frozen=True, slots=True)
class Retention:
    phones: int
    scans: int


async def apply_retention(db: Database, data_dir: Path, *, now: datetime, phone_days: int,
                          scan_years: int) -> Retention:
    return Retention(
        phones=await forget_phones(db, now=now, days=phone_days),
        scans=await delete_scans(db, data_dir, now=now, years=scan_years),
    )


async def forget_phones(db: Database, *, now: datetime, days: int) -> int:
    """Employees' phones are kept `days` after their last message to the bot, then nulled."""
    cutoff = (now - timedelta(days=days)).isoformat()
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT m.telegram_id, u.last_seen_at FROM members m"
            " JOIN users u ON u.telegram_id = m.telegram_id"
            " WHERE m.phone IS NOT NULL AND julianday(u.last_seen_at) < julianday(?)",
            (cutoff,),
        ) as cursor:
            expired = [(int(row[0]), str(row[1])) for row in await cursor.fetchall()]
        for telegram_id, last_seen_at in expired:
            await conn.execute("UPDATE members SET phone = NULL WHERE telegram_id = ?",
                               (telegram_id,))
            await audit.record(conn, at=now, actor_id=None, action="member.phone_deleted",
                               subject=f"user:{telegram_id}",
                               details={"reason": "retention", "days": days,
                                        "last_seen_at": last_seen_at})
    return len(expired)


async def delete_scans(db: Database, data_dir: Path, *, now: datetime, years: int) -> int:
    """Accounting scans older than `years` are deleted from disk; their rows are marked."""
    rows = await db.fetch_all(_SCANS, (_years_before(now, years).isoformat(),))
    deleted = 0
    for row in rows:
        file_id, path = int(row[0]), str(row[1])
        # The disk first: a crash in between leaves a row that the next run marks again.
        await asyncio.to_thread((data_dir / path).unlink, missing_ok=True)
        async with db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE files SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
                (now.isoformat(), file_id),
            )
            if cursor.rowcount == 1:
                deleted += 1
                await audit.record(conn, at=now, actor_id=None, action="file.deleted",
                                   subject=f"file:{file_id}",
                                   details={"reason": "retention", "years": years})
    return deleted


def _years_before(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


# --- export ------------------------------------------------------------------------------------


async def export_partner(db: Database, code: str, *, now: datetime) -> dict[str, Any] | None:
    """Everything stored about one partner (by the partner ID the vendor issued), or None."""
    conn = db.conn
    partners = await _rows(conn, "SELECT * FROM partners WHERE code = ?", (normalise_code(code),))
    if not partners:
        return None
    partner = partners[0]
    keys: dict[str, list[object]] = {"partner_id": [partner["id"]]}
    keys["telegram_id"] = await _column(conn, "SELECT telegram_id FROM members"
                                        " WHERE partner_id = ?", partner["id"])
    keys["application_id"] = await _column(conn, "SELECT id FROM applications"
                                           " WHERE partner_id = ?", partner["id"])
    keys["report_id"] = await _column(conn, "SELECT id FROM reports WHERE partner_id = ?",
                                      partner["id"])
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in await _tables(conn):
        if table in NOT_EXPORTED:
            continue
        columns = await _columns(conn, table)
        # The first column that ties a row to this partner: its id, its people, its reports,
        # its applications. Tables with none of them hold nothing about a partner.
        key = next((k for k in keys if k in columns), None)
        if key is None:
            continue
        found = await _rows_where_in(conn, table, key, keys[key])
        hidden = REDACTED.get(table, frozenset())
        tables[table] = [{k: v for k, v in row.items() if k not in hidden} for row in found]
    files = await _rows_where_in(conn, "files", "uploaded_by", keys["telegram_id"])
    subjects = ([f"partner:{partner['id']}"]
                + [f"user:{i}" for i in keys["telegram_id"]]
                + [f"application:{i}" for i in keys["application_id"]]
                + [f"report:{i}" for i in keys["report_id"]]
                + [f"file:{row['id']}" for row in files])
    return {
        "exported_at": now.isoformat(),
        "partner": partner,
        "tables": tables,
        "files": files,
        "audit_log": await _rows_where_in(conn, "audit_log", "subject", subjects),
    }


async def _tables(conn: aiosqlite.Connection) -> list[str]:
    async with conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                            " AND name NOT LIKE 'sqlite_%' ORDER BY name") as cursor:
        return [str(row[0]) for row in await cursor.fetchall()]


async def _columns(conn: aiosqlite.Connection, table: str) -> list[str]:
    async with conn.execute(f'PRAGMA table_info("{table}")') as cursor:
        return [str(row[1]) for row in await cursor.fetchall()]


async def _column(conn: aiosqlite.Connection, sql: str, *params: object) -> list[object]:
    async with conn.execute(sql, params) as cursor:
        return [row[0] for row in await cursor.fetchall()]


async def _rows(conn: aiosqlite.Connection, sql: str,
                params: tuple[object, ...]) -> list[dict[str, Any]]:
    async with conn.execute(sql, params) as cursor:
        names = [d[0] for d in cursor.description]
        return [{name: _decoded(name, value) for name, value in zip(names, row, strict=True)}
                for row in await cursor.fetchall()]


async def _rows_where_in(conn: aiosqlite.Connection, table: str, column: str,
                         values: Sequence[object]) -> list[dict[str, Any]]:
    if not values:
        return []
    marks = ", ".join("?" for _ in values)
    return await _rows(conn, f'SELECT * FROM "{table}" WHERE "{column}" IN ({marks})'
                       " ORDER BY rowid", tuple(values))


def _decoded(name: str, value: object) -> object:
    if name in JSON_COLUMNS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


# --- erasure -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Erased:
    telegram_id: int
    drafts: int  # unfinished forms deleted with it


async def erase_person(db: Database, telegram_id: int, *, now: datetime) -> Erased | None:
    """Remove a person's name, username and phone; business records stay, with a placeholder.

    None when nothing is stored about that Telegram id.
    """
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT (SELECT COUNT(*) FROM users WHERE telegram_id = ?)"
            " + (SELECT COUNT(*) FROM members WHERE telegram_id = ?)",
            (telegram_id, telegram_id),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None or not row[0]:
            return None
        await conn.execute("UPDATE users SET first_name = ?, username = NULL"
                           " WHERE telegram_id = ?", (ERASED, telegram_id))
        await conn.execute("UPDATE members SET full_name = ?, phone = NULL"
                           " WHERE telegram_id = ?", (ERASED, telegram_id))
        # Unfinished forms may hold the name and phone typed while joining.
        cursor = await conn.execute("DELETE FROM drafts WHERE telegram_id = ?", (telegram_id,))
        drafts = cursor.rowcount
        await conn.execute("DELETE FROM awaiting WHERE user_id = ?", (telegram_id,))
        await audit.record(conn, at=now, actor_id=None, action="person.erased",
                           subject=f"user:{telegram_id}", details={"drafts_deleted": drafts})
    return Erased(telegram_id=telegram_id, drafts=drafts)
