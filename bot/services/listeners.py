"""Listener lists with contacts: asked for by a manager, sent or declined by the partner,
kept apart as personal data, shown to managers only, deleted after the configured period."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path

import aiosqlite

from bot import private_files
from bot.config import Role, Settings
from bot.services import outbox
from bot.services.applications import NotAllowed
from bot.services.files import MAX_BYTES, Refused
from bot.services.routing import may_decide
from bot.storage import applications, audit, listeners, partners, reports
from bot.storage.database import Database
from bot.storage.listeners import ListenerList
from bot.storage.reports import ReportRow

SPREADSHEETS = {
    "text/csv": ".csv",
    "text/comma-separated-values": ".csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}
PERSONAL = Path("personal")


async def request(db: Database, settings: Settings, *, report_id: int, manager_id: int,
                  now: datetime) -> ReportRow:
    """Ask the partner for the list (an outbox row in the same transaction); raises NotAllowed
    for someone without the card's role."""
    async with db.transaction() as conn:
        report = await reports.get(conn, report_id)
        row = await applications.get(conn, report.application_id) if report else None
        if report is None or row is None or not may_decide(settings, manager_id, row.role):
            raise NotAllowed
        if await listeners.request(conn, report_id, manager_id, now):
            await audit.record(conn, at=now, actor_id=manager_id,
                               action="listeners.requested", subject=f"report:{report_id}")
            await outbox.notice(conn, settings, key=f"listeners:{report_id}",
                                to=[report.author_id], notice="listeners_asked", now=now,
                                report=report_id)
    return report


async def of_report(db: Database, report_id: int) -> ListenerList | None:
    return await listeners.of_report(db.conn, report_id)


async def asked_of(db: Database, telegram_id: int) -> ListenerList | None:
    """The open request for the person's partner, if any."""
    member = await partners.member(db.conn, telegram_id)
    if member is None or member.state != "active":
        return None
    return await listeners.requested_for_partner(db.conn, member.partner_id)


async def receive(db: Database, settings: Settings, *, report_id: int, telegram_id: int,
                  file_id: str, mime_type: str | None, file_name: str | None, size: int | None,
                  download: Callable[[], Awaitable[bytes]], now: datetime) -> None:
    suffix = SPREADSHEETS.get(mime_type or "") or _suffix_of(file_name)
    if suffix is None:
        raise Refused("listeners_type")
    if size is not None and size > MAX_BYTES:
        raise Refused("file_too_big")
    data = await download()
    digest = hashlib.sha256(data).hexdigest()
    relative = PERSONAL / f"report-{report_id}-{digest[:16]}{suffix}"
    await asyncio.to_thread(private_files.write_bytes, settings.data_dir / relative, data)
    async with db.transaction() as conn:
        done = await listeners.settle(
            conn, report_id, state="received", file_id=file_id, path=str(relative), now=now,
            delete_after=now + timedelta(days=settings.personal_data_days),
        )
        if done:
            await audit.record(conn, at=now, actor_id=telegram_id, action="listeners.received",
                               subject=f"report:{report_id}")
            await _tell_managers(conn, settings, report_id, now)
    if not done:
        await asyncio.to_thread((settings.data_dir / relative).unlink, missing_ok=True)


def _suffix_of(name: str | None) -> str | None:
    lowered = (name or "").lower()
    return next((s for s in (".csv", ".xlsx") if lowered.endswith(s)), None)


async def _tell_managers(conn: aiosqlite.Connection, settings: Settings, report_id: int,
                         now: datetime) -> None:
    """The list (or its refusal) goes to managers only: the report's role, or the team chat."""
    report = await reports.get(conn, report_id)
    row = await applications.get(conn, report.application_id) if report else None
    if row is not None:
        await outbox.notice(conn, settings, key=f"listeners-settled:{report_id}",
                            to=outbox.deciders(settings, Role(row.role)),
                            notice="listeners_settled", now=now, report=report_id)


async def decline(db: Database, settings: Settings, *, report_id: int, telegram_id: int,
                  now: datetime) -> bool:
    member = await partners.member(db.conn, telegram_id)
    report = await reports.get(db.conn, report_id)
    if member is None or report is None or report.partner_id != member.partner_id:
        raise NotAllowed
    async with db.transaction() as conn:
        done = await listeners.settle(conn, report_id, state="declined", file_id=None,
                                      path=None, now=now, delete_after=None)
        if done:
            await audit.record(conn, at=now, actor_id=telegram_id, action="listeners.declined",
                               subject=f"report:{report_id}")
            await _tell_managers(conn, settings, report_id, now)
    return done


async def purge(db: Database, data_dir: Path, now: datetime) -> int:
    """Delete the lists kept past their period; the deletion is recorded."""
    due = await listeners.due_for_deletion(db.conn, now)
    for item in due:
        if item.path:
            await asyncio.to_thread((data_dir / item.path).unlink, missing_ok=True)
        async with db.transaction() as conn:
            await listeners.mark_deleted(conn, item.report_id)
            await audit.record(conn, at=now, actor_id=None, action="listeners.deleted",
                               subject=f"report:{item.report_id}")
    return len(due)
