"""Partners and their employees. Explicit SQL; never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite


@dataclass(frozen=True, slots=True)
class PartnerRow:
    id: int
    code: str
    company: str
    city: str
    status: str
    suspended_at: str | None
    suspended_reason: str | None


@dataclass(frozen=True, slots=True)
class MemberRow:
    telegram_id: int
    partner_id: int
    full_name: str
    phone: str | None
    state: str


_PARTNER = "SELECT id, code, company, city, status, suspended_at, suspended_reason FROM partners"
_MEMBER = "SELECT telegram_id, partner_id, full_name, phone, state FROM members"


async def by_code(conn: aiosqlite.Connection, code: str) -> PartnerRow | None:
    async with conn.execute(f"{_PARTNER} WHERE code = ?", (code,)) as cursor:
        row = await cursor.fetchone()
    return PartnerRow(*row) if row else None


async def by_id(conn: aiosqlite.Connection, partner_id: int) -> PartnerRow | None:
    async with conn.execute(f"{_PARTNER} WHERE id = ?", (partner_id,)) as cursor:
        row = await cursor.fetchone()
    return PartnerRow(*row) if row else None


async def insert(
    conn: aiosqlite.Connection, *, code: str, company: str, city: str, status: str, now: datetime
) -> int:
    cursor = await conn.execute(
        "INSERT INTO partners (code, company, city, status, created_at) VALUES (?, ?, ?, ?, ?)",
        (code, company, city, status, now.isoformat()),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def member(conn: aiosqlite.Connection, telegram_id: int) -> MemberRow | None:
    async with conn.execute(f"{_MEMBER} WHERE telegram_id = ?", (telegram_id,)) as cursor:
        row = await cursor.fetchone()
    return MemberRow(*row) if row else None


async def active_members(conn: aiosqlite.Connection, partner_id: int) -> list[MemberRow]:
    async with conn.execute(
        f"{_MEMBER} WHERE partner_id = ? AND state = 'active' ORDER BY created_at",
        (partner_id,),
    ) as cursor:
        return [MemberRow(*row) for row in await cursor.fetchall()]


async def upsert_member(
    conn: aiosqlite.Connection, *, telegram_id: int, partner_id: int, full_name: str,
    phone: str | None, state: str, now: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO members (telegram_id, partner_id, full_name, phone, state, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (telegram_id) DO UPDATE SET partner_id = excluded.partner_id,"
        " full_name = excluded.full_name, phone = excluded.phone, state = excluded.state,"
        " decided_by = NULL, decided_at = NULL",
        (telegram_id, partner_id, full_name, phone, state, now.isoformat()),
    )


async def decide_member(
    conn: aiosqlite.Connection, *, telegram_id: int, state: str, decided_by: int, now: datetime
) -> bool:
    """Pending → active/declined by compare-and-set; False when someone already decided."""
    cursor = await conn.execute(
        "UPDATE members SET state = ?, decided_by = ?, decided_at = ?"
        " WHERE telegram_id = ? AND state = 'pending'",
        (state, decided_by, now.isoformat(), telegram_id),
    )
    return cursor.rowcount == 1


async def set_suspension(conn: aiosqlite.Connection, partner_id: int, *, reason: str | None,
                         now: datetime) -> None:
    await conn.execute(
        "UPDATE partners SET suspended_at = ?, suspended_reason = ? WHERE id = ?",
        (now.isoformat() if reason else None, reason, partner_id),
    )


async def add_join_card(conn: aiosqlite.Connection, *, chat_id: int, message_id: int,
                        member_id: int) -> None:
    await conn.execute(
        "INSERT OR REPLACE INTO join_cards (chat_id, message_id, member_id) VALUES (?, ?, ?)",
        (chat_id, message_id, member_id),
    )


async def join_cards_of(conn: aiosqlite.Connection, member_id: int) -> list[tuple[int, int]]:
    async with conn.execute(
        "SELECT chat_id, message_id FROM join_cards WHERE member_id = ? ORDER BY rowid",
        (member_id,),
    ) as cursor:
        return [(int(r[0]), int(r[1])) for r in await cursor.fetchall()]


async def decided_by(conn: aiosqlite.Connection, telegram_id: int) -> int | None:
    async with conn.execute("SELECT decided_by FROM members WHERE telegram_id = ?",
                            (telegram_id,)) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else None
