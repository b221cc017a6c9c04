"""Info support and promo materials for approved events: who may ask, what the limits say, and
which announcements the vendor's site shows when (RULEBOOK §2, seed §2.2.5, §7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import aiosqlite

from bot.rules import Rulebook
from bot.rules.announcement_limits import (
    Announcement,
    Verdict,
    check_announcement,
    program_key,
    shown_periods,
)
from bot.storage import applications, decisions, requests
from bot.storage.applications import ApplicationRow
from bot.storage.requests import RequestRow

INFO, PROMO = "info_support", "promo_materials"
# The application's answer to «info support and promo materials?» that asks for each.
WANTED = {INFO: ("both", "info"), PROMO: ("both", "promo")}


def wants(row: ApplicationRow, kind: str) -> bool:
    return row.answers.get("support") in WANTED.get(kind, ())


def eligible(row: ApplicationRow, kind: str, today: date) -> bool:
    """An approved event still ahead that asked for this support when it was applied for."""
    return (row.status == "approved" and date.fromisoformat(row.event_date) >= today
            and wants(row, kind))


def announcement(row: ApplicationRow, published_on: date | None = None,
                 paused: bool = False) -> Announcement[int]:
    talks = [str(t.get("title", "")) for t in row.answers.get("agenda") or ()]
    return Announcement(row.id, date.fromisoformat(row.event_date), row.kind,
                        program_key(talks, row.title), since=published_on, paused=paused)


def _published_on(request: RequestRow) -> date | None:
    return date.fromisoformat(request.decided_at[:10]) if request.decided_at else None


async def _announcements(conn: aiosqlite.Connection, partner_id: int, *,
                         with_pending: bool) -> list[Announcement[int]]:
    """The partner's published announcements (and, when asked, those waiting for a manager)."""
    statuses = ("accepted", "pending") if with_pending else ("accepted",)
    found: dict[int, Announcement[int]] = {}
    for request in await requests.of_partner(conn, partner_id, INFO, statuses):
        if request.application_id is None:
            continue
        row = await applications.get(conn, request.application_id)
        if row is None or row.status in ("withdrawn", "rejected"):
            continue
        published = _published_on(request) if request.status == "accepted" else None
        found[row.id] = announcement(row, published)
    return list(found.values())


async def info_verdict(conn: aiosqlite.Connection, rulebook: Rulebook, row: ApplicationRow, *,
                       as_of: date, publishing: bool) -> Verdict[int]:
    """May the event's announcement be published on `as_of`? Asking, the partner's requests that
    wait for a manager count too; publishing, only what is published."""
    others = await _announcements(conn, row.partner_id, with_pending=not publishing)
    # RULEBOOK §7: only the manager's approval pauses it, never the month by itself
    paused = await decisions.info_support_paused(conn, row.id)
    return check_announcement(rulebook, announcement(row, paused=paused), others,
                              audience=row.answers.get("audience"), as_of=as_of)


@dataclass(frozen=True, slots=True)
class Shown:
    """A published announcement and the runs of days the site shows it."""

    request: RequestRow
    application: ApplicationRow
    periods: list[tuple[date, date]]


async def published(conn: aiosqlite.Connection, rulebook: Rulebook, *, partner_id: int | None,
                    today: date) -> list[Shown]:
    """Published announcements of events not yet past (one partner's, or everyone's)."""
    if partner_id is None:
        rows = await requests.of_kind(conn, INFO, ("accepted",))
    else:
        rows = await requests.of_partner(conn, partner_id, INFO, ("accepted",))
    by_partner: dict[int, list[tuple[RequestRow, ApplicationRow]]] = {}
    for request in rows:
        row = await applications.get(conn, request.application_id or 0)
        if row is None or row.status in ("withdrawn", "rejected"):
            continue
        by_partner.setdefault(request.partner_id, []).append((request, row))
    found = []
    for pairs in by_partner.values():
        items = [announcement(row, _published_on(request)) for request, row in pairs]
        for request, row in pairs:
            if date.fromisoformat(row.event_date) < today:
                continue
            found.append(Shown(request, row, shown_periods(rulebook, items, row.id)))
    found.sort(key=lambda s: (s.application.event_date, s.application.id))
    return found
