"""The ledger of points and bonus money: rows are only ever inserted. Explicit SQL; never commits.

A lot is a positive row (`lot_id` NULL); a draw is a negative row naming its lot and copying the
lot's partner, account, program and dates, so what is left of a lot is the sum of its rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import aiosqlite


@dataclass(frozen=True, slots=True)
class LotRow:
    id: int
    partner_id: int
    account: str
    program: str | None
    credited_on: date
    expires_on: date
    credited: int  # the lot's own amount
    left: int      # after every draw on it


@dataclass(frozen=True, slots=True)
class NewRow:
    """A row to insert; a draw copies its lot's partner, account, program and dates."""

    key: str
    partner_id: int
    account: str
    program: str | None
    kind: str
    amount: int
    credited_on: date
    expires_on: date
    lot_id: int | None = None
    report_id: int | None = None
    reason: str | None = None
    by_id: int | None = None

    @classmethod
    def draw(cls, lot: LotRow, *, key: str, kind: str, amount: int, reason: str | None = None,
             by_id: int | None = None) -> NewRow:
        return cls(key=key, partner_id=lot.partner_id, account=lot.account, program=lot.program,
                   kind=kind, amount=-amount, credited_on=lot.credited_on,
                   expires_on=lot.expires_on, lot_id=lot.id, reason=reason, by_id=by_id)


async def insert(conn: aiosqlite.Connection, row: NewRow, *, now: datetime) -> int | None:
    """The new row's id, or None when a row with its key is already there."""
    cursor = await conn.execute(
        "INSERT INTO ledger (key, partner_id, account, program, kind, amount, lot_id, credited_on,"
        " expires_on, report_id, reason, by_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
        (row.key, row.partner_id, row.account, row.program, row.kind, row.amount, row.lot_id,
         row.credited_on.isoformat(), row.expires_on.isoformat(), row.report_id, row.reason,
         row.by_id, now.isoformat()),
    )
    return cursor.lastrowid if cursor.rowcount == 1 else None


async def any_key(conn: aiosqlite.Connection, keys: Iterable[str]) -> bool:
    wanted = list(keys)
    marks = ", ".join("?" for _ in wanted)
    async with conn.execute(f"SELECT 1 FROM ledger WHERE key IN ({marks}) LIMIT 1",
                            tuple(wanted)) as cursor:
        return await cursor.fetchone() is not None


def _lot(row: Any) -> LotRow:
    return LotRow(int(row[0]), int(row[1]), str(row[2]), row[3], date.fromisoformat(row[4]),
                  date.fromisoformat(row[5]), int(row[6]), int(row[7]))


# Rows of lots that count on a day (credited by then, not past their last day): a draw carries
# its lot's dates, so these filters keep or drop a lot together with its draws.
_COUNTS = "expires_on >= :day AND credited_on <= :day"
_LOTS = (
    "SELECT coalesce(lot_id, id) AS lot, partner_id, account, program, credited_on, expires_on,"
    " sum(CASE WHEN lot_id IS NULL THEN amount ELSE 0 END), sum(amount) AS left FROM ledger"
    f" WHERE {{where}} AND {_COUNTS} GROUP BY lot HAVING left > 0 ORDER BY credited_on, lot"
)


async def _lots(conn: aiosqlite.Connection, where: str,
                params: dict[str, object]) -> list[LotRow]:
    async with conn.execute(_LOTS.format(where=where), params) as cursor:
        return [_lot(row) for row in await cursor.fetchall()]


async def counting_lots(conn: aiosqlite.Connection, partner_id: int, day: date, *,
                        account: str | None = None, program: str | None = None) -> list[LotRow]:
    """A partner's lots with something left on `day`, oldest first: of every account, or of
    one account (and, for points, one program)."""
    where = "partner_id = :partner"
    if account is not None:
        where += " AND account = :account AND program IS :program"
    return await _lots(conn, where, {"partner": partner_id, "account": account,
                                     "program": program, "day": day.isoformat()})


async def bonus_and_expiring_lots(conn: aiosqlite.Connection, partner_id: int, day: date,
                                  expiring_before: date) -> list[LotRow]:
    """A partner's bonus lots with money left on `day`, and its lots of any account whose last
    day is before `expiring_before`, oldest first: what /balance lists one by one."""
    return await _lots(conn, "partner_id = :partner"
                             " AND (account = 'bonus' OR expires_on < :soon)",
                       {"partner": partner_id, "day": day.isoformat(),
                        "soon": expiring_before.isoformat()})


async def counting_sums(conn: aiosqlite.Connection, partner_id: int,
                        day: date) -> dict[tuple[str, str | None], int]:
    """(account, program) → what a partner's lots that count on `day` hold together."""
    async with conn.execute(
        f"SELECT account, program, sum(amount) FROM ledger WHERE partner_id = :partner"
        f" AND {_COUNTS} GROUP BY account, program",
        {"partner": partner_id, "day": day.isoformat()},
    ) as cursor:
        return {(str(row[0]), row[1]): int(row[2]) for row in await cursor.fetchall()}


async def counting_points(conn: aiosqlite.Connection, day: date) -> list[LotRow]:
    """Every partner's points lots with something left on `day`."""
    return await _lots(conn, "account = 'points'", {"day": day.isoformat()})


async def past_lots_with_rest(conn: aiosqlite.Connection, day: date) -> list[LotRow]:
    """Lots whose last valid day is before `day` with something still left on them."""
    async with conn.execute(
        "SELECT * FROM (SELECT l.id, l.partner_id, l.account, l.program, l.credited_on,"
        " l.expires_on, l.amount, l.amount + coalesce((SELECT sum(d.amount) FROM ledger d"
        " WHERE d.lot_id = l.id), 0) AS left FROM ledger l"
        " WHERE l.lot_id IS NULL AND l.expires_on < ?) WHERE left > 0 ORDER BY id",
        (day.isoformat(),),
    ) as cursor:
        return [_lot(row) for row in await cursor.fetchall()]


async def partner_names(conn: aiosqlite.Connection) -> dict[int, tuple[str, str]]:
    """Every partner's id → (partner ID, company), for the ranking."""
    async with conn.execute("SELECT id, code, company FROM partners") as cursor:
        return {int(row[0]): (str(row[1]), str(row[2])) for row in await cursor.fetchall()}
