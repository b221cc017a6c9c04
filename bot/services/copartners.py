"""Co-partners of an event: added with their package, promises ticked with proof, what each
brought, and media partners ranked across events.

Every call re-checks that the person works for the event's partner (NotAllowed otherwise).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.config import Settings
from bot.forms.copartner import promised
from bot.forms.engine import Draft
from bot.rules import Rulebook
from bot.services import reminders
from bot.services.applications import NotAllowed, visible
from bot.storage import applications, audit, drafts, partners
from bot.storage import copartners as repo
from bot.storage import reminders as outbox
from bot.storage.applications import ApplicationRow
from bot.storage.copartners import CopartnerRow, PromiseRow, Ranked
from bot.storage.database import Database

# An event takes new co-partners until it has been held and reported.
OPEN_FOR_COPARTNERS = ("pending", "changes_requested", "approved", "report_due")
RANKING_LIMIT = 20


@dataclass(frozen=True, slots=True)
class Copartnered:
    """A co-partner with its promises."""

    copartner: CopartnerRow
    promises: list[PromiseRow]

    @property
    def kept(self) -> int:
        return sum(1 for p in self.promises if p.kept)

    def proof_of(self, item: str) -> str | None:
        return next((p.proof_url for p in self.promises if p.item == item and p.proof_url), None)


async def of_event(db: Database, application_id: int) -> list[Copartnered]:
    """An event's co-partners (for its cards: no access check here)."""
    rows = await repo.of_application(db.conn, application_id)
    promises = await repo.promises_of(db.conn, [r.id for r in rows])
    return [Copartnered(r, [p for p in promises if p.copartner_id == r.id]) for r in rows]


@dataclass(frozen=True, slots=True)
class Listing:
    application: ApplicationRow
    copartners: list[Copartnered]

    @property
    def open_for_more(self) -> bool:
        return self.application.status in OPEN_FOR_COPARTNERS


async def listing(db: Database, telegram_id: int, application_id: int) -> Listing:
    row = await visible(db, telegram_id, application_id)
    return Listing(row, await of_event(db, row.id))


async def one(db: Database, telegram_id: int, copartner_id: int) -> tuple[Listing, Copartnered]:
    """A co-partner of the person's own partner, with its event's listing."""
    row = await repo.get(db.conn, copartner_id)
    if row is None:
        raise NotAllowed
    found = await listing(db, telegram_id, row.application_id)
    item = next((c for c in found.copartners if c.copartner.id == copartner_id), None)
    if item is None:
        raise NotAllowed
    return found, item


async def start_answers(db: Database, telegram_id: int, application_id: int) -> dict[str, Any]:
    """What a new co-partner's draft starts with; NotAllowed unless the event takes one."""
    row = await visible(db, telegram_id, application_id)
    if row.status not in OPEN_FOR_COPARTNERS:
        raise NotAllowed
    return {"application_id": row.id}


async def add(db: Database, settings: Settings, rulebook: Rulebook, *, telegram_id: int,
              draft: Draft, now: datetime) -> CopartnerRow:
    """Save the co-partner and its package as promises; on an approved event its reminders are
    planned at once."""
    answers = {k: v for k, v in draft.answers.items() if not k.endswith(".pending")}
    application_id = int(answers.pop("application_id"))
    async with db.transaction() as conn:
        member = await partners.member(conn, telegram_id)
        row = await applications.get(conn, application_id)
        if (member is None or member.state != "active" or row is None
                or row.partner_id != member.partner_id or row.status not in OPEN_FOR_COPARTNERS):
            raise NotAllowed
        copartner_id = await repo.insert(conn, application_id=row.id, partner_id=row.partner_id,
                                         name=str(answers["name"]), kind=str(answers["kind"]),
                                         answers=answers, added_by=telegram_id, now=now)
        for promise in promised(answers, date.fromisoformat(row.event_date), now.date()):
            await repo.add_promise(conn, copartner_id, promise.item, promise.owed_by,
                                   promise.due_on)
        await reminders.replan(conn, settings, rulebook, row, now)
        await audit.record(conn, at=now, actor_id=telegram_id, action="copartner.added",
                           subject=f"application:{row.id}",
                           details={"copartner": copartner_id, "kind": answers["kind"]})
        await drafts.delete(conn, telegram_id, draft.form)
        added = await repo.get(conn, copartner_id)
    assert added is not None
    return added


async def remove(db: Database, settings: Settings, rulebook: Rulebook, *, telegram_id: int,
                 copartner_id: int, now: datetime) -> bool:
    found, item = await one(db, telegram_id, copartner_id)
    async with db.transaction() as conn:
        if not await repo.remove(conn, copartner_id, now):
            return False
        await outbox.cancel_promises(conn, [p.id for p in item.promises], note="co-partner removed",
                                     now=now)
        await audit.record(conn, at=now, actor_id=telegram_id, action="copartner.removed",
                           subject=f"application:{found.application.id}",
                           details={"copartner": copartner_id})
    return True


class Ticked(enum.StrEnum):
    DONE = "done"
    ALREADY = "already"


@dataclass(frozen=True, slots=True)
class PromiseOf:
    """A promise with its co-partner and event, for the person who may tick it."""

    promise: PromiseRow
    copartner: CopartnerRow
    application: ApplicationRow


async def promise_of(db: Database, telegram_id: int, promise_id: int) -> PromiseOf:
    promise = await repo.promise(db.conn, promise_id)
    if promise is None:
        raise NotAllowed
    found, item = await one(db, telegram_id, promise.copartner_id)
    return PromiseOf(promise, item.copartner, found.application)


async def tick(db: Database, *, telegram_id: int, promise_id: int, url: str | None,
               file_id: int | None, form: str, now: datetime) -> tuple[Ticked, PromiseOf]:
    """A promise kept, with a link or a photo as proof; its reminders are cancelled."""
    target = await promise_of(db, telegram_id, promise_id)
    async with db.transaction() as conn:
        done = await repo.keep_promise(conn, promise_id, by=telegram_id, now=now, url=url,
                                       file_id=file_id)
        if done:
            await outbox.cancel_promises(conn, [promise_id], note="kept", now=now)
            await audit.record(conn, at=now, actor_id=telegram_id, action="copartner.promise_kept",
                               subject=f"application:{target.application.id}",
                               details={"promise": promise_id, "item": target.promise.item,
                                        "url": url, "file": file_id})
        await drafts.delete(conn, telegram_id, form)
    return (Ticked.DONE if done else Ticked.ALREADY), target


async def ranking(db: Database, settings: Settings, telegram_id: int) -> list[Ranked]:
    """Media partners by participants brought: a partner's own events; every partner's for a
    manager."""
    if settings.is_manager(telegram_id):
        return await repo.media_ranking(db.conn, None, RANKING_LIMIT)
    member = await partners.member(db.conn, telegram_id)
    if member is None or member.state != "active":
        raise NotAllowed
    return await repo.media_ranking(db.conn, member.partner_id, RANKING_LIMIT)

