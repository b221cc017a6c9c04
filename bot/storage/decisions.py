"""Decisions, application cards and typed answers awaited from managers. Never commits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite


@dataclass(frozen=True, slots=True)
class DecisionRow:
    application_id: int
    version: int
    action: str
    manager_id: int
    reason: str | None
    points: int | None
    compensation: int | None
    decided_at: str
    info_support_paused: bool = False


async def insert(
    conn: aiosqlite.Connection, *, application_id: int, version: int, action: str,
    manager_id: int, reason: str | None, points: int | None, compensation: int | None,
    assessment: dict[str, Any], rulebook: str, now: datetime, info_support_paused: bool = False,
) -> None:
    await conn.execute(
        "INSERT INTO decisions (application_id, version, action, manager_id, reason, points,"
        " compensation, assessment, rulebook, decided_at, info_support_paused)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (application_id, version, action, manager_id, reason, points, compensation,
         json.dumps(assessment, ensure_ascii=False), rulebook, now.isoformat(),
         int(info_support_paused)),
    )


async def latest(conn: aiosqlite.Connection, application_id: int) -> DecisionRow | None:
    async with conn.execute(
        "SELECT application_id, version, action, manager_id, reason, points, compensation,"
        " decided_at, info_support_paused FROM decisions WHERE application_id = ?"
        " ORDER BY version DESC LIMIT 1",
        (application_id,),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None
    (application, version, action, manager, reason, points, compensation, at, paused) = row
    return DecisionRow(application, version, action, manager, reason, points, compensation, at,
                       bool(paused))


async def info_support_paused(conn: aiosqlite.Connection, application_id: int) -> bool:
    """The application was approved with its info support paused (RULEBOOK §7)."""
    decision = await latest(conn, application_id)
    return decision is not None and decision.info_support_paused


async def add_card(conn: aiosqlite.Connection, *, chat_id: int, message_id: int,
                   application_id: int, version: int) -> None:
    await conn.execute(
        "INSERT OR REPLACE INTO cards (chat_id, message_id, application_id, version)"
        " VALUES (?, ?, ?, ?)",
        (chat_id, message_id, application_id, version),
    )


async def cards_of(conn: aiosqlite.Connection, application_id: int,
                   version: int) -> list[tuple[int, int]]:
    async with conn.execute(
        "SELECT chat_id, message_id FROM cards WHERE application_id = ? AND version = ?"
        " ORDER BY rowid", (application_id, version),
    ) as cursor:
        return [(int(r[0]), int(r[1])) for r in await cursor.fetchall()]


async def await_answer(conn: aiosqlite.Connection, *, chat_id: int, prompt_id: int,
                       user_id: int, purpose: str, data: dict[str, Any], now: datetime) -> None:
    await conn.execute(
        "INSERT OR REPLACE INTO awaiting (chat_id, prompt_id, user_id, purpose, data, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (chat_id, prompt_id, user_id, purpose, json.dumps(data), now.isoformat()),
    )


async def forget_awaited(conn: aiosqlite.Connection, *, chat_id: int, prompt_id: int) -> None:
    await conn.execute("DELETE FROM awaiting WHERE chat_id = ? AND prompt_id = ?",
                       (chat_id, prompt_id))


@dataclass(frozen=True, slots=True)
class Awaited:
    chat_id: int
    prompt_id: int
    user_id: int
    purpose: str
    data: dict[str, Any]


async def take_awaited(conn: aiosqlite.Connection, *, chat_id: int, user_id: int,
                       prompt_id: int | None) -> Awaited | None:
    """The question this message answers: the one it replies to, else (in a private chat) the
    person's latest; removed once taken."""
    if prompt_id is not None:
        sql = ("SELECT chat_id, prompt_id, user_id, purpose, data FROM awaiting"
               " WHERE chat_id = ? AND prompt_id = ? AND user_id = ?")
        params: tuple[Any, ...] = (chat_id, prompt_id, user_id)
    else:
        sql = ("SELECT chat_id, prompt_id, user_id, purpose, data FROM awaiting"
               " WHERE chat_id = ? AND user_id = ? ORDER BY created_at DESC LIMIT 1")
        params = (chat_id, user_id)
    async with conn.execute(sql, params) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return None
    await conn.execute("DELETE FROM awaiting WHERE chat_id = ? AND prompt_id = ?",
                       (row[0], row[1]))
    return Awaited(int(row[0]), int(row[1]), int(row[2]), str(row[3]), json.loads(row[4]))
