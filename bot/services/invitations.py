"""The vendor's invitations to its own seminars, webinars and stand work (Moscow, St Petersburg):
a manager of the event role sends one to every partner; each partner answers with one tap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.config import Role, Settings
from bot.services import outbox
from bot.services.applications import NotAllowed
from bot.services.routing import may_decide
from bot.storage import audit, invitations, partners
from bot.storage.database import Database
from bot.storage.invitations import InvitationRow
from bot.storage.partners import PartnerRow

ANSWERS = ("yes", "talk", "no")


def may_invite(settings: Settings, user_id: int) -> bool:
    """Event managers (and the head, who stands in for any role) invite (RULEBOOK §5)."""
    return may_decide(settings, user_id, Role.EVENTS.value)


async def create(db: Database, settings: Settings, *, manager_id: int, answers: dict[str, Any],
                 now: datetime) -> tuple[InvitationRow, int]:
    """The invitation, sent to every employee of every partner whose support is not suspended
    (outbox rows in the same transaction); returns it and how many can be reached now."""
    if not may_invite(settings, manager_id):
        raise NotAllowed
    kept = {k: v for k, v in answers.items() if not k.endswith(".pending")}
    async with db.transaction() as conn:
        invitation_id = await invitations.insert(conn, answers=kept,
                                                 event_date=str(kept["event_date"]),
                                                 created_by=manager_id, now=now)
        await audit.record(conn, at=now, actor_id=manager_id, action="invitation.created",
                           subject=f"invitation:{invitation_id}", details={"what": kept["what"]})
        people = [telegram_id for telegram_id, _ in await invitations.recipients(conn)]
        reached = await outbox.notice(conn, settings, key=f"invitation:{invitation_id}",
                                      to=people, notice="invitation", now=now,
                                      invitation=invitation_id)
        await invitations.set_sent_to(conn, invitation_id, reached)
        row = await invitations.get(conn, invitation_id)
    assert row is not None
    return row, reached


@dataclass(frozen=True, slots=True)
class Answered:
    invitation: InvitationRow
    partner: PartnerRow
    before: str | None          # the partner's earlier answer, if it changed its mind
    tally: dict[str, int]


async def answer(db: Database, settings: Settings, *, invitation_id: int, telegram_id: int,
                 answer: str, now: datetime) -> Answered:
    """An employee answers for the partner; the event must still be ahead. A new answer is
    told to the manager who invited (an outbox row in the same transaction)."""
    if answer not in ANSWERS:
        raise NotAllowed
    async with db.transaction() as conn:
        member = await partners.member(conn, telegram_id)
        partner = await partners.by_id(conn, member.partner_id) if member else None
        invitation = await invitations.get(conn, invitation_id)
        if member is None or member.state != "active" or partner is None or invitation is None:
            raise NotAllowed
        if date.fromisoformat(invitation.event_date) < now.date():
            raise NotAllowed
        before = await invitations.answer(conn, invitation_id=invitation_id,
                                          partner_id=partner.id, answer=answer,
                                          by_id=telegram_id, now=now)
        if before != answer:
            await audit.record(conn, at=now, actor_id=telegram_id,
                               action="invitation.answered",
                               subject=f"invitation:{invitation_id}",
                               details={"partner": partner.id, "before": before,
                                        "after": answer})
            await outbox.notice(conn, settings,
                                key=f"answered:{invitation_id}:{partner.id}:{now.isoformat()}",
                                to=[invitation.created_by], notice="invitation_answered",
                                now=now, invitation=invitation_id, partner=partner.id,
                                answer=answer)
        tally = await invitations.tally(conn, invitation_id)
    return Answered(invitation, partner, before, tally)


async def get(db: Database, invitation_id: int) -> InvitationRow | None:
    return await invitations.get(db.conn, invitation_id)


async def tally(db: Database, invitation_id: int) -> dict[str, int]:
    return await invitations.tally(db.conn, invitation_id)


async def audience(db: Database) -> tuple[int, int]:
    """(people, partners) an invitation would reach now."""
    found = await invitations.recipients(db.conn)
    return len(found), len({partner for _, partner in found})
