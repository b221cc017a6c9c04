"""`partnerdesk status`: what waits for whom, and whether updates are arriving.

Reads the database only; tables a migration (or another engineer's feature) has not created yet
are reported as absent rather than failing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from bot.config import Settings
from bot.services import outbox, updates
from bot.storage.database import Database


@dataclass(frozen=True, slots=True)
class Status:
    database: str
    schema_version: int
    pending_decisions: int       # applications waiting for a manager's decision
    reports_waiting: int         # reports sent, not yet reviewed
    due_reminders: int | None    # planned reminders already due; None without the table
    last_update_at: str | None   # when the last update finished handling (UTC)
    outbox_waiting: int = 0      # messages for someone who has not started the bot
    outbox_retrying: int = 0     # messages planned again after a failed try
    outbox_given_up: int = 0     # messages undelivered for 24 h (the ops chat was told)
    outbox_oldest: str | None = None  # when the oldest undelivered message was written (UTC)
    unreachable: dict[str, list[int]] = field(default_factory=dict)  # role → ids not started

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
            f"outbox:             {self.outbox_waiting} waiting, {self.outbox_retrying}"
            f" retrying, {self.outbox_given_up} given up; oldest {shown(self.outbox_oldest)}",
            *(f"not reachable yet:  {role}: {', '.join(map(str, ids))}"
              for role, ids in self.unreachable.items()),
        ]


async def collect(db: Database, *, now: datetime, settings: Settings | None = None) -> Status:
    """With `settings`: also the roles whose members can't be reached yet."""
    tables = {str(row[0]) for row in await db.fetch_all(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}

    async def count(table: str, sql: str, params: tuple[object, ...] = ()) -> int | None:
        if table not in tables:
            return None
        row = await db.fetch_one(sql, params)
        return int(row[0]) if row else 0

    last = await updates.last_seen(db) if "inbox" in tables else None
    messages = await outbox.summary(db) if await db.schema_version() >= 11 else None
    missing = await outbox.unreachable_roles(db, settings) if settings is not None else {}
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
        outbox_waiting=messages.waiting if messages else 0,
        outbox_retrying=messages.retrying if messages else 0,
        outbox_given_up=messages.given_up if messages else 0,
        outbox_oldest=messages.oldest_due if messages else None,
        unreachable={role.value: ids for role, ids in missing.items()},
    )
