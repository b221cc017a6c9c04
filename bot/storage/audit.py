"""The audit trail: one row per state change, with a dotted action name."""

from __future__ import annotations

import json
from datetime import datetime

import aiosqlite


async def record(
    conn: aiosqlite.Connection,
    *,
    at: datetime,
    actor_id: int | None,
    action: str,
    subject: str | None = None,
    details: dict[str, object] | None = None,
) -> None:
    await conn.execute(
        "INSERT INTO audit_log (at, actor_id, action, subject, details) VALUES (?, ?, ?, ?, ?)",
        (at.isoformat(), actor_id, action, subject,
         json.dumps(details or {}, ensure_ascii=False, sort_keys=True)),
    )
