"""Joining: partners' employees register; a second employee of a partner is confirmed."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.config import Role, Settings
from bot.services import outbox
from bot.services.outbox import Subject
from bot.storage import audit, drafts, partners
from bot.storage.database import Database
from bot.storage.partners import MemberRow, PartnerRow


class JoinResult(enum.StrEnum):
    ACTIVE = "active"      # a new partner: the first employee is in at once
    PENDING = "pending"    # an existing partner: someone must confirm


@dataclass(frozen=True, slots=True)
class Joined:
    result: JoinResult
    partner: PartnerRow
    confirmers: list[int]  # active employees of the partner who can confirm


async def find_partner(db: Database, code: str) -> PartnerRow | None:
    return await partners.by_code(db.conn, normalise_code(code))


def normalise_code(code: str) -> str:
    return "".join(code.split()).upper()


async def join(db: Database, *, telegram_id: int, answers: dict[str, Any], now: datetime,
               settings: Settings | None = None) -> Joined:
    """Register the partner, or join an existing one pending confirmation, and drop the joining
    form's draft; with `settings`, the newcomer's «you are in» and the cards asking to confirm
    (to its active employees and the partner managers) are outbox rows in the same
    transaction."""
    code = normalise_code(str(answers["partner_code"]))

    async def work(conn: aiosqlite.Connection) -> Joined:
        partner = await partners.by_code(conn, code)
        if partner is None:
            partner_id = await partners.insert(
                conn, code=code, company=answers["company"], city=answers["city"],
                status=answers["status"], now=now,
            )
            await audit.record(conn, at=now, actor_id=telegram_id, action="partner.registered",
                               subject=f"partner:{partner_id}", details={"code": code})
            state = JoinResult.ACTIVE
        else:
            partner_id = partner.id
            state = JoinResult.PENDING
        await partners.upsert_member(
            conn, telegram_id=telegram_id, partner_id=partner_id, full_name=answers["full_name"],
            phone=answers.get("phone"), state=state.value, now=now,
        )
        await audit.record(conn, at=now, actor_id=telegram_id, action=f"member.{state.value}",
                           subject=f"partner:{partner_id}", details={"member": telegram_id})
        confirmers = [m.telegram_id for m in await partners.active_members(conn, partner_id)
                      if m.telegram_id != telegram_id]
        row = await partners.by_id(conn, partner_id)
        assert row is not None
        await drafts.delete(conn, telegram_id, "join")
        if settings is not None and state is JoinResult.PENDING:
            await outbox.cards(conn, settings, Subject.MEMBER, telegram_id, JOIN_CARD_VERSION,
                               to=[*confirmers, *settings.members_of(Role.PARTNERS)], now=now,
                               why=now.isoformat())
        if settings is not None:  # «you are in» (or «waiting for a colleague») to the newcomer
            await outbox.notice(conn, settings, key=f"joined:{telegram_id}:{now.isoformat()}",
                                to=[telegram_id], notice="joined", now=now,
                                result=state.value, company=row.company)
        return Joined(result=state, partner=row, confirmers=confirmers)

    return await db.atomically(work)


JOIN_CARD_VERSION = 1  # a joining card has one version: the employee's request


class DecideMember(enum.StrEnum):
    DONE = "done"
    ALREADY = "already"        # someone decided first
    NOT_ALLOWED = "not_allowed"


@dataclass(frozen=True, slots=True)
class MemberDecision:
    outcome: DecideMember
    member: MemberRow | None


async def decide_member(
    db: Database, *, member_id: int, approve: bool, decided_by: int, by_manager: bool,
    now: datetime, settings: Settings | None = None,
) -> MemberDecision:
    """Confirm or decline a pending employee: a manager, or an active employee of that partner;
    with `settings`, the employee is told (an outbox row in the same transaction)."""
    async with db.transaction() as conn:
        member = await partners.member(conn, member_id)
        if member is None:
            return MemberDecision(DecideMember.NOT_ALLOWED, None)
        if not by_manager:
            decider = await partners.member(conn, decided_by)
            if decider is None or decider.state != "active" or (
                decider.partner_id != member.partner_id
            ):
                await audit.record(conn, at=now, actor_id=decided_by, action="member.forbidden",
                                   subject=f"partner:{member.partner_id}",
                                   details={"member": member_id})
                return MemberDecision(DecideMember.NOT_ALLOWED, member)
        state = "active" if approve else "declined"
        if not await partners.decide_member(conn, telegram_id=member_id, state=state,
                                            decided_by=decided_by, now=now):
            return MemberDecision(DecideMember.ALREADY, member)
        await audit.record(conn, at=now, actor_id=decided_by, action=f"member.{state}",
                           subject=f"partner:{member.partner_id}", details={"member": member_id})
        if settings is not None:  # every copy of the card closed, and the employee told
            await outbox.decided(conn, settings, Subject.MEMBER, member_id, JOIN_CARD_VERSION,
                                 partner_to=[], now=now)
            await outbox.notice(conn, settings, key=f"joined:{member_id}:{now.isoformat()}",
                                to=[member_id], notice="join_decided", now=now, state=state)
        updated = await partners.member(conn, member_id)
    return MemberDecision(DecideMember.DONE, updated)


async def get(db: Database, partner_id: int) -> PartnerRow | None:
    return await partners.by_id(db.conn, partner_id)


async def membership(db: Database, telegram_id: int) -> tuple[MemberRow | None, PartnerRow | None]:
    async def read(conn: aiosqlite.Connection) -> tuple[MemberRow | None, PartnerRow | None]:
        member = await partners.member(conn, telegram_id)
        if member is None:
            return None, None
        return member, await partners.by_id(conn, member.partner_id)

    return await db.read_at_once(read)


async def set_suspension(db: Database, settings: Settings, *, code: str, reason: str | None,
                         by: int, now: datetime) -> PartnerRow | None:
    """Suspend a partner's marketing support (with a reason) or, with None, resume it; its
    active employees are told (outbox rows in the same transaction)."""
    async with db.transaction() as conn:
        partner = await partners.by_code(conn, normalise_code(code))
        if partner is None:
            return None
        await partners.set_suspension(conn, partner.id, reason=reason, now=now)
        await audit.record(conn, at=now, actor_id=by,
                           action="partner.suspended" if reason else "partner.resumed",
                           subject=f"partner:{partner.id}", details={"reason": reason})
        members = [m.telegram_id for m in await partners.active_members(conn, partner.id)]
        await outbox.notice(conn, settings, key=f"suspension:{partner.id}:{now.isoformat()}",
                            to=members, notice="suspension", now=now, reason=reason)
        return await partners.by_id(conn, partner.id)


async def decided_by(db: Database, telegram_id: int) -> int | None:
    """Who confirmed or declined this employee (None while pending)."""
    return await partners.decided_by(db.conn, telegram_id)
