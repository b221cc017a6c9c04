"""`partnerdesk status`: what waits for whom, and whether updates are arriving.

Reads the database only; tables a migration (or another engineer's feature) has not created yet
are reported as absent rather than failing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from bot.services import updates
from bot.storage.database import Database


@dataclass(frozen=True, slots=True)
class Status:
    database: str
    schema_version: int
    pending_decisions: int       # applications waiting for a manager's decision
    reports_waiting: int         # reports sent, not yet reviewed
    due_reminders: int | None    # planned reminders already due; None without the table
    last_update_at: str | None   # when the last update finished handling (UTC)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[str]:
        def shown(value: object) -> str:
            return "—" if value is None else str(value)

        return [
            f"database:           {self.database} (schema {self.schema_version})",
            f"pending decisions:  {self.pending_decisions}",
            f"reports waiting:    {self.reports_waiting}",
            f"due reminders:      {shown(self.due_reminders)}",
            f"last update:        {shown(self.last_update_at)}",
        ]


async def collect(db: Database, *, now: datetime) -> Status:
    tables = {str(row[0]) for row in await db.fetch_all(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}

    async def count(table: str, sql: str, params: tuple[object, ...] = ()) -> int | None:
        if table not in tables:
            return None
        row = await db.fetch_one(sql, params)
        return int(row[0]) if row else 0

    last = await updates.last_seen(db) if "inbox" in tables else None
    return Status(
        database=str(db.path),
        schema_version=await db.schema_version(),
        pending_decisions=await count(
            "applications", "SELECT COUNT(*) FROM applications WHERE status = 'pending'") or 0,
        reports_waiting=await count(
            "reports", "SELECT COUNT(*) FROM reports WHERE status = 'sent'") or 0,
        due_reminders=await count(
            "reminders", "SELECT COUNT(*) FROM reminders WHERE state = 'planned' AND due_at <= ?",
            (updates.stamp(now),)),
        last_update_at=last,
    )
