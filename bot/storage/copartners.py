"""Co-partners of an event and the promises of their packages. Never commits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import aiosqlite


@dataclass(frozen=True, slots=True)
class CopartnerRow:
    id: int
    application_id: int
    partner_id: int
    name: str
    kind: str
    answers: dict[str, Any]
    brought: int | None
    added_by: int
    added_at: str


@dataclass(frozen=True, slots=True)
class PromiseRow:
    id: int
    copartner_id: int
    item: str
    owed_by: str        # 'us' (the partner owes the co-partner) or 'them'
    due_on: str
    done_at: str | None
    done_by: int | None
    proof_url: str | None
    proof_file_id: int | None

    @property
    def kept(self) -> bool:
        return self.done_at is not None


_COPARTNER = ("SELECT id, application_id, partner_id, name, kind, answers, brought, added_by,"
              " added_at FROM copartners")
_PROMISE = ("SELECT id, copartner_id, item, owed_by, due_on, done_at, done_by, proof_url,"
            " proof_file_id FROM copartner_promises")


def name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _copartner(row: Any) -> CopartnerRow:
    values = list(row)
    values[5] = json.loads(values[5])
    return CopartnerRow(*values)


async def insert(conn: aiosqlite.Connection, *, application_id: int, partner_id: int, name: str,
                 kind: str, answers: dict[str, Any], added_by: int, now: datetime) -> int:
    cursor = await conn.execute(
        "INSERT INTO copartners (application_id, partner_id, name, name_key, kind, answers,"
        " added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (application_id, partner_id, name, name_key(name), kind,
         json.dumps(answers, ensure_ascii=False), added_by, now.isoformat()),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def add_promise(conn: aiosqlite.Connection, copartner_id: int, item: str, owed_by: str,
                      due_on: date) -> None:
    await conn.execute(
        "INSERT INTO copartner_promises (copartner_id, item, owed_by, due_on) VALUES (?, ?, ?, ?)",
        (copartner_id, item, owed_by, due_on.isoformat()),
    )


async def get(conn: aiosqlite.Connection, copartner_id: int) -> CopartnerRow | None:
    async with conn.execute(f"{_COPARTNER} WHERE id = ? AND removed_at IS NULL",
                            (copartner_id,)) as cursor:
        row = await cursor.fetchone()
    return _copartner(row) if row else None


async def of_application(conn: aiosqlite.Connection, application_id: int) -> list[CopartnerRow]:
    async with conn.execute(
        f"{_COPARTNER} WHERE application_id = ? AND removed_at IS NULL ORDER BY id",
        (application_id,),
    ) as cursor:
        return [_copartner(row) for row in await cursor.fetchall()]


async def remove(conn: aiosqlite.Connection, copartner_id: int, now: datetime) -> bool:
    cursor = await conn.execute(
        "UPDATE copartners SET removed_at = ? WHERE id = ? AND removed_at IS NULL",
        (now.isoformat(), copartner_id),
    )
    return cursor.rowcount == 1


async def promises_of(conn: aiosqlite.Connection, copartner_ids: list[int]) -> list[PromiseRow]:
    if not copartner_ids:
        return []
    marks = ", ".join("?" for _ in copartner_ids)
    async with conn.execute(
        f"{_PROMISE} WHERE copartner_id IN ({marks}) ORDER BY due_on, id", copartner_ids
    ) as cursor:
        return [PromiseRow(*row) for row in await cursor.fetchall()]


async def promise(conn: aiosqlite.Connection, promise_id: int) -> PromiseRow | None:
    async with conn.execute(f"{_PROMISE} WHERE id = ?", (promise_id,)) as cursor:
        row = await cursor.fetchone()
    return PromiseRow(*row) if row else None


async def keep_promise(conn: aiosqlite.Connection, promise_id: int, *, by: int, now: datetime,
                       url: str | None, file_id: int | None) -> bool:
    """Ticked with its proof; False when it was ticked already."""
    cursor = await conn.execute(
        "UPDATE copartner_promises SET done_at = ?, done_by = ?, proof_url = ?, proof_file_id = ?"
        " WHERE id = ? AND done_at IS NULL",
        (now.isoformat(), by, url, file_id, promise_id),
    )
    return cursor.rowcount == 1


async def set_brought(conn: aiosqlite.Connection, copartner_id: int, brought: int, *,
                      application_id: int) -> None:
    await conn.execute("UPDATE copartners SET brought = ? WHERE id = ? AND application_id = ?",
                       (brought, copartner_id, application_id))


@dataclass(frozen=True, slots=True)
class Ranked:
    """One media partner across events (by `name_key`)."""

    name: str
    events: int
    brought: int
    kept: int
    promised: int


async def media_ranking(conn: aiosqlite.Connection, partner_id: int | None,
                        limit: int) -> list[Ranked]:
    """Media partners by participants brought (one partner's events, or everybody's)."""
    where = "c.kind = 'media' AND c.removed_at IS NULL"
    params: list[Any] = []
    if partner_id is not None:
        where += " AND c.partner_id = ?"
        params.append(partner_id)
    sql = (
        # SQLite takes a bare column from the row MIN() picked: the name as first typed.
        "SELECT c.name, MIN(c.id), COUNT(DISTINCT c.application_id), COALESCE(SUM(c.brought), 0),"
        " COALESCE(SUM(p.kept), 0), COALESCE(SUM(p.promised), 0)"
        " FROM copartners AS c LEFT JOIN ("
        "   SELECT copartner_id, COUNT(done_at) AS kept, COUNT(*) AS promised"
        "   FROM copartner_promises GROUP BY copartner_id) AS p ON p.copartner_id = c.id"
        f" WHERE {where} GROUP BY c.name_key"
        " ORDER BY 4 DESC, 3 DESC, 1 LIMIT ?"
    )
    async with conn.execute(sql, (*params, limit)) as cursor:
        return [Ranked(row[0], *row[2:]) for row in await cursor.fetchall()]
