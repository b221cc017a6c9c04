"""Partners' requests: opened (with the limits checked first), sent, decided once, sent again.

Guard → transaction → audit row; the handlers send the messages after the commit.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.config import Role, Settings
from bot.forms.engine import SUMMARY, Draft, start
from bot.forms.requests import REQUEST_FORMS
from bot.rules import Rulebook, may_publish_promotions
from bot.rules.announcement_limits import Verdict
from bot.services import outbox, support
from bot.services.applications import NotAllowed
from bot.services.outbox import Subject
from bot.services.routing import may_decide, role_for
from bot.storage import applications, audit, drafts, partners, requests
from bot.storage.applications import ApplicationRow
from bot.storage.database import Database
from bot.storage.partners import PartnerRow
from bot.storage.requests import OPEN, RequestRow

# Answers that say what a draft is for; they are not questions.
CONTEXT_KEYS = ("application_id", "event_date", "invitation_id", "request_id")


class Opening(enum.StrEnum):
    NEW = "new"              # a fresh draft
    FIX = "fix"              # the draft of a request sent back
    WAITING = "waiting"      # one is already with a manager
    DONE = "done"            # one was already accepted (published, confirmed…)
    LIMITED = "limited"      # the rules say no (info support): `verdict` says why and until when
    NOT_WANTED = "not_wanted"  # the event did not ask for this, or is not approved / has passed


@dataclass(frozen=True, slots=True)
class Opened:
    opening: Opening
    draft: Draft | None = None
    request: RequestRow | None = None
    verdict: Verdict[int] | None = None


async def member_partner(db: Database, telegram_id: int) -> PartnerRow:
    """The partner of an active employee; NotAllowed for anyone else."""
    member = await partners.member(db.conn, telegram_id)
    partner = await partners.by_id(db.conn, member.partner_id) if member else None
    if member is None or member.state != "active" or partner is None:
        raise NotAllowed
    return partner


async def own_event(db: Database, telegram_id: int, application_id: int) -> ApplicationRow:
    partner = await member_partner(db, telegram_id)
    row = await applications.get(db.conn, application_id)
    if row is None or row.partner_id != partner.id:
        raise NotAllowed
    return row


async def eligible_events(db: Database, telegram_id: int, kind: str,
                          today: date) -> list[ApplicationRow]:
    partner = await member_partner(db, telegram_id)
    rows = await applications.of_partner(db.conn, partner.id)
    return sorted((r for r in rows if support.eligible(r, kind, today)),
                  key=lambda r: (r.event_date, r.id))


def may_ask(rulebook: Rulebook, partner: PartnerRow, kind: str) -> bool:
    """Promotions on the vendor's site are for some partner statuses only (§8c)."""
    return kind != "promotion" or may_publish_promotions(rulebook, partner.status)


def fresh_draft(kind: str, context: dict[str, Any]) -> Draft:
    return start(REQUEST_FORMS[kind], context)


async def open_for_event(db: Database, rulebook: Rulebook, *, telegram_id: int, kind: str,
                         application_id: int, today: date) -> Opened:
    """Info support or promo materials for one approved event of the person's own partner."""
    row = await own_event(db, telegram_id, application_id)
    if not support.eligible(row, kind, today):
        return Opened(Opening.NOT_WANTED)
    existing = await requests.latest_for(db.conn, kind, application_id=row.id)
    opened = _existing(existing)
    if opened is not None:
        return opened
    if kind == support.INFO:
        verdict = await support.info_verdict(db.conn, rulebook, row, as_of=today,
                                             publishing=False)
        if not verdict.allowed:
            return Opened(Opening.LIMITED, verdict=verdict)
    return Opened(Opening.NEW, fresh_draft(kind, {"application_id": row.id,
                                                  "event_date": row.event_date}))


def _existing(existing: RequestRow | None) -> Opened | None:
    if existing is None or existing.status in ("declined", "refused"):
        return None  # nothing stands in the way: ask again
    if existing.status == "pending":
        return Opened(Opening.WAITING, request=existing)
    if existing.status == "accepted":
        return Opened(Opening.DONE, request=existing)
    return Opened(Opening.FIX, _fix_draft(existing), request=existing)


def _fix_draft(row: RequestRow) -> Draft:
    return Draft(form=row.kind, answers={**row.answers, "request_id": row.id}, current=SUMMARY)


async def open_fix(db: Database, *, telegram_id: int, request_id: int) -> Draft:
    """«Fix and send again» on a request the manager sent back."""
    partner = await member_partner(db, telegram_id)
    row = await requests.get(db.conn, request_id)
    if row is None or row.partner_id != partner.id or row.status != "returned":
        raise NotAllowed
    return _fix_draft(row)


class Sending(enum.StrEnum):
    SENT = "sent"
    LIMITED = "limited"      # info support: the limits changed while the form was filled in
    NOT_ALLOWED = "not_allowed"


@dataclass(frozen=True, slots=True)
class Sent:
    sending: Sending
    request: RequestRow | None = None
    verdict: Verdict[int] | None = None
    resent: bool = False


async def send(db: Database, rulebook: Rulebook, *, telegram_id: int, draft: Draft,
               now: datetime, settings: Settings | None = None) -> Sent:
    """Store the request (or its next version) for a manager and drop the draft; with
    `settings`, its cards go to the outbox in the same transaction."""
    kind = draft.form
    answers = {k: v for k, v in draft.answers.items()
               if not k.endswith(".pending") and k != "request_id"}
    application_id = answers.get("application_id")
    invitation_id = answers.get("invitation_id")
    fixing = draft.answers.get("request_id")
    async with db.transaction() as conn:
        member = await partners.member(conn, telegram_id)
        partner = await partners.by_id(conn, member.partner_id) if member else None
        if member is None or member.state != "active" or partner is None or (
            partner.suspended_at or not may_ask(rulebook, partner, kind)
        ):
            return Sent(Sending.NOT_ALLOWED)
        if application_id is not None:
            row = await applications.get(conn, int(application_id))
            if row is None or row.partner_id != member.partner_id or not support.eligible(
                row, kind, now.date()
            ):
                return Sent(Sending.NOT_ALLOWED)
            if kind == support.INFO:
                verdict = await support.info_verdict(conn, rulebook, row, as_of=now.date(),
                                                     publishing=False)
                if not verdict.allowed:
                    return Sent(Sending.LIMITED, verdict=verdict)
        if fixing is not None:
            before = await requests.get(conn, int(fixing))
            if before is None or before.partner_id != member.partner_id or not (
                await requests.resubmit(conn, before.id, answers=answers,
                                        author_id=telegram_id, now=now)
            ):
                return Sent(Sending.NOT_ALLOWED)
            request_id, action = before.id, "request.resubmitted"
        else:
            if application_id is not None:
                existing = await requests.latest_for(conn, kind,
                                                     application_id=int(application_id))
                if existing is not None and existing.status in OPEN:
                    return Sent(Sending.NOT_ALLOWED)  # a second tap on «Send»
            request_id = await requests.insert(
                conn, kind=kind, partner_id=member.partner_id, author_id=telegram_id,
                application_id=int(application_id) if application_id is not None else None,
                invitation_id=int(invitation_id) if invitation_id is not None else None,
                role=role_for(kind).value, answers=answers, now=now,
            )
            action = "request.submitted"
        await audit.record(conn, at=now, actor_id=telegram_id, action=action,
                           subject=f"request:{request_id}",
                           details={"kind": kind, "after": "pending",
                                    "application": application_id})
        await drafts.delete(conn, telegram_id, kind)
        stored = await requests.get(conn, request_id)
        assert stored is not None
        if settings is not None:
            await outbox.cards(conn, settings, Subject.REQUEST, stored.id, stored.version,
                               to=outbox.deciders(settings, Role(stored.role)), now=now)
            await outbox.confirm_sent(conn, settings, Subject.REQUEST, stored.id,
                                      stored.version, to=telegram_id, role=Role(stored.role),
                                      now=now, summary=draft.prompt_id, id=stored.id,
                                      kind=stored.kind)
    return Sent(Sending.SENT, stored, resent=fixing is not None)


class Verb(enum.StrEnum):
    ACCEPT = "accepted"
    RETURN = "returned"
    DECLINE = "declined"


class Outcome(enum.StrEnum):
    DONE = "done"
    REFUSED = "refused"          # accepting ran into a limit: refused by the rules instead
    ALREADY = "already"
    NOT_ALLOWED = "not_allowed"


@dataclass(frozen=True, slots=True)
class Decided:
    outcome: Outcome
    request: RequestRow | None = None
    verdict: Verdict[int] | None = None


async def decide(db: Database, settings: Settings, rulebook: Rulebook, *, request_id: int,
                 version: int, manager_id: int, verb: Verb, now: datetime,
                 reason: str | None = None) -> Decided:
    """Once per version, by a manager of the request's role. Publishing an announcement checks
    the limits again: if they now forbid it, the request is refused by the rules instead."""
    async with db.transaction() as conn:
        row = await requests.get(conn, request_id)
        if row is None:
            return Decided(Outcome.NOT_ALLOWED)
        if not may_decide(settings, manager_id, row.role):
            await audit.record(conn, at=now, actor_id=manager_id, action="request.forbidden",
                               subject=f"request:{row.id}", details={"tried": verb.value})
            return Decided(Outcome.NOT_ALLOWED, row)
        if row.version != version or row.status != "pending":
            return Decided(Outcome.ALREADY, row)
        status, verdict = verb.value, None
        shown: tuple[str | None, str | None] = (None, None)
        possible: str | None = None
        if verb is Verb.ACCEPT and row.kind == support.INFO and row.application_id is not None:
            event = await applications.get(conn, row.application_id)
            assert event is not None
            verdict = await support.info_verdict(conn, rulebook, event, as_of=now.date(),
                                                 publishing=True)
            if verdict.allowed:
                shown = (_iso(verdict.shown_from), _iso(verdict.shown_until))
            else:
                status, reason = "refused", f"limit:{verdict.limit}"
                possible = _iso(verdict.possible_from)
        if not await requests.decide(conn, row.id, version=version, status=status,
                                     by=manager_id, reason=reason, now=now,
                                     possible_from=possible, shown_from=shown[0],
                                     shown_until=shown[1]):
            return Decided(Outcome.ALREADY, row)
        await audit.record(conn, at=now, actor_id=manager_id, action=f"request.{status}",
                           subject=f"request:{row.id}",
                           details={"kind": row.kind, "before": "pending", "after": status,
                                    "version": version, "reason": reason,
                                    "possible_from": possible, "shown_from": shown[0],
                                    "shown_until": shown[1]})
        decided = await requests.get(conn, row.id)
        await outbox.decided(conn, settings, Subject.REQUEST, row.id, version,
                             partner_to=[row.author_id], now=now)
    outcome = Outcome.REFUSED if status == "refused" else Outcome.DONE
    return Decided(outcome, decided, verdict)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


async def note_limited(db: Database, *, telegram_id: int, kind: str, application_id: int,
                       verdict: Verdict[int], now: datetime) -> None:
    """A request the limits refused before it was sent: kept in the audit trail."""
    async with db.transaction() as conn:
        await audit.record(conn, at=now, actor_id=telegram_id, action="request.limited",
                           subject=f"application:{application_id}",
                           details={"kind": kind, "limit": str(verdict.limit),
                                    "possible_from": _iso(verdict.possible_from),
                                    "blocking": list(verdict.blocking)})


async def get(db: Database, request_id: int) -> RequestRow | None:
    return await requests.get(db.conn, request_id)


async def latest_talk(db: Database, partner_id: int, invitation_id: int) -> RequestRow | None:
    return await requests.latest_for(db.conn, "talk", invitation_id=invitation_id,
                                     partner_id=partner_id)
