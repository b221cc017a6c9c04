"""Points and bonus money (RULEBOOK §4): credit an accepted report once, expire what is left of a
lot on the day after its last valid day, the head's corrections, balances, the partner ranking
and what the bonus account would pay for an order.

The ledger only grows: every change is a new row, and a balance is a sum of rows. A credit (or a
positive correction) is a lot valid for the rulebook's term from the day it is credited; an
expiry or a negative correction draws from lots, oldest first, never below zero.
"""

from __future__ import annotations

import enum
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from bot.config import Settings
from bot.rules import (
    Lot,
    Order,
    OrderLine,
    PointsCredit,
    Program,
    Rulebook,
    Spend,
    expires_on,
    rank_partners,
    spend,
)
from bot.rules.vocabulary import LineKind
from bot.services import outbox
from bot.storage import audit, ledger, partners
from bot.storage.database import Database
from bot.storage.ledger import LotRow, NewRow

EXPIRING_WITHIN_DAYS = 30


class Account(enum.StrEnum):
    POINTS = "points"  # per program, integer points
    BONUS = "bonus"    # the bonus account, kopecks


@dataclass(frozen=True, slots=True)
class HeldLot:
    """What is left of one lot, and its last valid day."""

    account: Account
    program: Program | None
    credited_on: date
    expires_on: date
    left: int


@dataclass(frozen=True, slots=True)
class Balance:
    partner_id: int
    as_of: date
    points: dict[Program, int]      # every program, counting only unexpired lots
    bonus_lots: tuple[HeldLot, ...]  # with money left, oldest first (spent in this order)
    expiring: tuple[HeldLot, ...]    # points and bonus lots gone by `expiring_by`
    expiring_by: date

    @property
    def points_total(self) -> int:
        return sum(self.points.values())

    @property
    def bonus(self) -> int:
        return sum(lot.left for lot in self.bonus_lots)


@dataclass(frozen=True, slots=True)
class Ranked:
    place: int  # tied partners share a place (1, 2, 2, 4)
    partner_id: int
    code: str
    company: str
    total: int
    by_program: dict[Program, int]


class Refusal(enum.StrEnum):
    ZERO = "zero"
    NO_REASON = "no_reason"
    PROGRAM_NEEDED = "program_needed"
    NO_PROGRAM_FOR_BONUS = "no_program_for_bonus"
    NOT_ENOUGH = "not_enough"


class CorrectionRefused(Exception):
    def __init__(self, refusal: Refusal, available: int = 0) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal
        self.available = available  # what a negative correction could take


def report_keys(report_id: int) -> tuple[str, str]:
    return f"report:{report_id}:points", f"report:{report_id}:bonus"


async def credit_report(
    db: Database, rulebook: Rulebook, *, report_id: int, partner_id: int, program: str | None,
    points: int, compensation: int, credited_on: date, by: int | None, now: datetime,
) -> bool:
    """Credit an accepted report's points (to `program`) and compensation (kopecks, to the bonus
    account) as lots from `credited_on`. True when this call wrote them; False when the report
    was credited before (a second tap, a repeated update) or there was nothing to credit."""
    if points < 0 or compensation < 0:
        raise ValueError("points and compensation of a report are never negative")
    if points and program not in set(Program):
        raise ValueError(f"points need a program ({', '.join(Program)}), not {program!r}")
    points_key, bonus_key = report_keys(report_id)
    last_day = expires_on(rulebook, credited_on)
    rows = [
        NewRow(key=key, partner_id=partner_id, account=account, program=lot_program, kind="credit",
               amount=amount, credited_on=credited_on, expires_on=last_day, report_id=report_id,
               by_id=by)
        for key, account, lot_program, amount in (
            (points_key, Account.POINTS, program, points),
            (bonus_key, Account.BONUS, None, compensation),
        )
        if amount
    ]
    if not rows:
        return False
    async with db.transaction() as conn:
        # Both keys, not only those written now: a report is credited once, whatever comes later.
        if await ledger.any_key(conn, (points_key, bonus_key)):
            return False
        for row in rows:
            await ledger.insert(conn, row, now=now)
        await audit.record(conn, at=now, actor_id=by, action="ledger.credited",
                           subject=f"partner:{partner_id}",
                           details={"report": report_id, "program": program, "points": points,
                                    "compensation": compensation,
                                    "credited_on": credited_on.isoformat(),
                                    "expires_on": last_day.isoformat()})
    return True


async def expire_due(db: Database, rulebook: Rulebook, today: date, now: datetime) -> int:
    """Write off what is left of every lot whose last valid day is before `today`; returns the
    rows written. Each lot is expired once (key `expiry:<lot>`), so any run may repeat.

    A lot's last day was fixed when it was credited (by `rulebook` then), so a later change of
    the rulebook's term does not move money already credited."""
    async with db.transaction() as conn:
        expired: dict[int, list[LotRow]] = defaultdict(list)
        for lot in await ledger.past_lots_with_rest(conn, today):
            row = NewRow.draw(lot, key=f"expiry:{lot.id}", kind="expiry", amount=lot.left)
            if await ledger.insert(conn, row, now=now) is not None:
                expired[lot.partner_id].append(lot)
        for partner_id, lots in expired.items():
            await audit.record(conn, at=now, actor_id=None, action="ledger.expired",
                               subject=f"partner:{partner_id}",
                               details={"lots": [lot.id for lot in lots],
                                        "points": _sum_left(lots, Account.POINTS),
                                        "bonus": _sum_left(lots, Account.BONUS)})
    return sum(len(lots) for lots in expired.values())


def _sum_left(lots: Sequence[LotRow], account: Account) -> int:
    return sum(lot.left for lot in lots if lot.account == account)


async def correct(
    db: Database, rulebook: Rulebook, *, partner_id: int, account: str, amount: int, reason: str,
    by: int, now: datetime, program: str | None = None, request: str | None = None,
    settings: Settings | None = None,
) -> None:
    """The head's correction: + adds a lot from today; − takes from the lots that count today,
    oldest first, and is refused (CorrectionRefused) beyond what they hold. Points need a
    program. `request` (e.g. the command's chat and message) makes a repeated command a no-op.
    With `settings`, the partner's active employees are told (outbox rows, same transaction)."""
    kind, lot_program = _checked_correction(account, amount, reason, program)
    today = now.date()
    key = f"correction:{request or uuid.uuid4().hex}"
    async with db.transaction() as conn:
        if await ledger.any_key(conn, (key,)):
            return
        if amount > 0:
            added = NewRow(key=key, partner_id=partner_id, account=kind, program=lot_program,
                           kind="correction", amount=amount, credited_on=today,
                           expires_on=expires_on(rulebook, today), reason=reason, by_id=by)
            await ledger.insert(conn, added, now=now)
            drawn = 1
        else:
            lots = await ledger.counting_lots(conn, partner_id, today, account=kind,
                                              program=lot_program)
            draws = draw_oldest_first(lots, -amount)
            for number, (lot, take) in enumerate(draws):
                # The first row carries the request's key, so a repeat finds it.
                row_key = key if number == 0 else f"{key}:{number}"
                await ledger.insert(conn, NewRow.draw(lot, key=row_key, kind="correction",
                                                      amount=take, reason=reason, by_id=by),
                                    now=now)
            drawn = len(draws)
        await audit.record(conn, at=now, actor_id=by, action="ledger.corrected",
                           subject=f"partner:{partner_id}",
                           details={"account": kind.value, "program": lot_program,
                                    "amount": amount, "reason": reason, "rows": drawn})
        if settings is not None:
            members = [m.telegram_id for m in await partners.active_members(conn, partner_id)]
            await outbox.notice(conn, settings, key=key, to=members, notice="correction",
                                now=now, account=kind.value, program=lot_program,
                                amount=amount, reason=reason)


def _checked_correction(account: str, amount: int, reason: str,
                        program: str | None) -> tuple[Account, str | None]:
    kind = Account(account)
    if amount == 0:
        raise CorrectionRefused(Refusal.ZERO)
    if not reason.strip():
        raise CorrectionRefused(Refusal.NO_REASON)
    if kind is Account.BONUS and program is not None:
        raise CorrectionRefused(Refusal.NO_PROGRAM_FOR_BONUS)
    if kind is Account.POINTS and program not in set(Program):
        raise CorrectionRefused(Refusal.PROGRAM_NEEDED)
    return kind, program


def draw_oldest_first(lots: Sequence[LotRow], amount: int) -> list[tuple[LotRow, int]]:
    """How much to take from each lot (oldest first) to make `amount`; refused beyond them."""
    available = sum(lot.left for lot in lots)
    if amount > available:
        raise CorrectionRefused(Refusal.NOT_ENOUGH, available)
    draws = []
    for lot in sorted(lots, key=lambda lot: (lot.credited_on, lot.id)):
        if amount <= 0:
            break
        take = min(lot.left, amount)
        draws.append((lot, take))
        amount -= take
    return draws


async def balance(db: Database, rulebook: Rulebook, partner_id: int, today: date) -> Balance:
    """Points per program and bonus money by lot that count `today`, and what goes soon.
    Each lot's last day was fixed (by the rulebook then) when it was credited."""
    expiring_by = today + timedelta(days=EXPIRING_WITHIN_DAYS)
    sums = await ledger.counting_sums(db.conn, partner_id, today)
    lots = [_held(lot) for lot in
            await ledger.bonus_and_expiring_lots(db.conn, partner_id, today, expiring_by)]
    return Balance(
        partner_id=partner_id,
        as_of=today,
        points={program: sums.get((Account.POINTS, program), 0) for program in Program},
        bonus_lots=tuple(lot for lot in lots if lot.account is Account.BONUS),
        expiring=tuple(lot for lot in lots if lot.expires_on < expiring_by),
        expiring_by=expiring_by,
    )


def _held(lot: LotRow) -> HeldLot:
    return HeldLot(Account(lot.account), Program(lot.program) if lot.program else None,
                   lot.credited_on, lot.expires_on, lot.left)


async def ranking(db: Database, rulebook: Rulebook, today: date) -> list[Ranked]:
    """Every partner by the points that count `today`, most first (§4: the partner list)."""
    credits = [
        PointsCredit(lot.partner_id, Program(lot.program), lot.left, lot.credited_on)
        for lot in await ledger.counting_points(db.conn, today) if lot.program
    ]
    names = await ledger.partner_names(db.conn)
    standings = rank_partners(rulebook, credits, today, partners=names)
    ranked: list[Ranked] = []
    for index, standing in enumerate(standings):
        tied = bool(ranked) and ranked[-1].total == standing.total
        place = ranked[-1].place if tied else index + 1
        code, company = names.get(standing.partner_id, ("?", "?"))
        ranked.append(Ranked(place, standing.partner_id, code, company, standing.total,
                             standing.by_program))
    return ranked


def order_line(name: str, price: int, kind: LineKind = LineKind.LICENCE) -> OrderLine:
    """An order line with its price in kopecks (the rules' contract takes rubles)."""
    return OrderLine.model_validate({"name": name, "price": _rubles(price), "kind": kind})


def _rubles(kopecks: int) -> Decimal:
    return Decimal(kopecks).scaleb(-2)


async def quote(db: Database, rulebook: Rulebook, partner_id: int, lines: Sequence[OrderLine],
                today: date) -> Spend:
    """What the partner's bonus money would pay of an order today, line by line. Writes
    nothing: it is a quote, not a purchase."""
    lots = tuple(
        Lot.model_validate({"amount": _rubles(lot.left), "credited_on": lot.credited_on})
        for lot in await ledger.counting_lots(db.conn, partner_id, today, account=Account.BONUS)
    )
    return spend(rulebook, Order(today=today, lots=lots, lines=tuple(lines)))
