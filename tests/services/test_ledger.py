"""The ledger (RULEBOOK §4): credited once, valid for a year, expired the day after, corrected by
the head, never updated — balances are sums of rows."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Coroutine
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from bot.rules import LineKind, Program, expires_on, load_rulebook
from bot.services import ledger
from bot.services.ledger import Account, CorrectionRefused, Refusal
from bot.storage import partners
from bot.storage.database import Database

MOSCOW = ZoneInfo("Europe/Moscow")
RULEBOOK = load_rulebook()
SM, B24 = Program.SITE_MANAGEMENT, Program.BITRIX24
T = TypeVar("T")


def at(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=MOSCOW)


async def new_partner(db: Database, code: str = "P-1", company: str = "Acme") -> int:
    async with db.transaction() as conn:
        return await partners.insert(conn, code=code, company=company, city="Kazan",
                                     status="gold", now=at(date(2025, 1, 1)))


async def credit(db: Database, partner_id: int, report_id: int, *, points: int = 0,
                 compensation: int = 0, on: date = date(2025, 11, 22),
                 program: str | None = SM) -> bool:
    return await ledger.credit_report(
        db, RULEBOOK, report_id=report_id, partner_id=partner_id, program=program,
        points=points, compensation=compensation, credited_on=on, by=9001, now=at(on))


async def correct(db: Database, partner_id: int, account: Account, amount: int, *,
                  on: date, program: str | None = None, request: str | None = None) -> None:
    await ledger.correct(db, RULEBOOK, partner_id=partner_id, account=account, amount=amount,
                         reason="audit", by=9002, now=at(on), program=program, request=request)


async def test_points_credited_on_22_november_count_through_21_november_next_year(
    db: Database,
) -> None:
    anna = await new_partner(db)
    await credit(db, anna, 1, points=40, compensation=2_000_000)

    last_day = await ledger.balance(db, RULEBOOK, anna, date(2026, 11, 21))
    assert last_day.points == {SM: 40, B24: 0} and last_day.bonus == 2_000_000
    assert [(lot.credited_on, lot.expires_on) for lot in last_day.bonus_lots] == [
        (date(2025, 11, 22), date(2026, 11, 21))]

    gone = await ledger.balance(db, RULEBOOK, anna, date(2026, 11, 22))
    assert (gone.points_total, gone.bonus, gone.bonus_lots) == (0, 0, ())


async def test_expiry_writes_off_the_rest_on_the_day_after_the_last_valid_day_once(
    db: Database,
) -> None:
    anna = await new_partner(db)
    await credit(db, anna, 1, points=40, compensation=2_000_000)
    await correct(db, anna, Account.BONUS, -500_000, on=date(2026, 3, 1))

    assert await ledger.expire_due(db, RULEBOOK, date(2026, 11, 21), at(date(2026, 11, 21))) == 0
    assert await ledger.expire_due(db, RULEBOOK, date(2026, 11, 22), at(date(2026, 11, 22))) == 2
    assert await ledger.expire_due(db, RULEBOOK, date(2026, 11, 23), at(date(2026, 11, 23))) == 0

    rows = await db.fetch_all("SELECT key, kind, account, amount, lot_id FROM ledger"
                              " WHERE kind = 'expiry' ORDER BY id")
    assert [tuple(r) for r in rows] == [
        ("expiry:1", "expiry", "points", -40, 1),
        ("expiry:2", "expiry", "bonus", -1_500_000, 2),
    ]
    total = await db.fetch_one("SELECT sum(amount) FROM ledger")
    assert total is not None and total[0] == 0
    audit = await db.fetch_all("SELECT details FROM audit_log WHERE action = 'ledger.expired'")
    assert len(audit) == 1 and '"bonus": 1500000' in audit[0][0]


async def test_a_report_is_credited_once_however_often_it_is_accepted(db: Database) -> None:
    anna = await new_partner(db)
    assert await credit(db, anna, 7, points=30, compensation=1_000_000) is True
    assert await credit(db, anna, 7, points=30, compensation=1_000_000) is False
    assert await credit(db, anna, 7, points=0, compensation=5_000_000) is False
    both = await asyncio.gather(*(credit(db, anna, 8, points=20) for _ in range(5)))
    assert sorted(both) == [False, False, False, False, True]

    keys = await db.fetch_all("SELECT key, amount FROM ledger ORDER BY id")
    assert [tuple(k) for k in keys] == [
        ("report:7:points", 30), ("report:7:bonus", 1_000_000), ("report:8:points", 20)]
    audit = await db.fetch_all("SELECT subject FROM audit_log WHERE action = 'ledger.credited'")
    assert [a[0] for a in audit] == [f"partner:{anna}", f"partner:{anna}"]


async def test_zero_points_and_zero_compensation_write_no_row(db: Database) -> None:
    anna = await new_partner(db)
    assert await credit(db, anna, 1, points=0, compensation=0, program=None) is False
    assert await credit(db, anna, 2, points=0, compensation=150_000, program=None) is True
    rows = await db.fetch_all("SELECT key FROM ledger")
    assert [r[0] for r in rows] == ["report:2:bonus"]


async def test_points_need_a_program(db: Database) -> None:
    anna = await new_partner(db)
    with pytest.raises(ValueError, match="program"):
        await credit(db, anna, 1, points=30, program=None)
    with pytest.raises(ValueError, match="program"):
        await credit(db, anna, 1, points=30, program="marketplace")


async def test_a_negative_correction_takes_from_the_oldest_lot_first(db: Database) -> None:
    anna = await new_partner(db)
    await credit(db, anna, 1, points=30, on=date(2025, 3, 1))
    await credit(db, anna, 2, points=50, on=date(2025, 6, 1))
    await credit(db, anna, 3, points=70, on=date(2025, 6, 1), program=B24)
    await correct(db, anna, Account.POINTS, -40, on=date(2025, 7, 1), program=SM)

    balance = await ledger.balance(db, RULEBOOK, anna, date(2025, 7, 1))
    assert balance.points == {SM: 40, B24: 70}
    draws = await db.fetch_all("SELECT lot_id, amount, reason, by_id FROM ledger"
                               " WHERE kind = 'correction' ORDER BY id")
    assert [tuple(d) for d in draws] == [(1, -30, "audit", 9002), (2, -10, "audit", 9002)]


async def test_a_negative_correction_beyond_what_counts_is_refused(db: Database) -> None:
    anna = await new_partner(db)
    await credit(db, anna, 1, compensation=100_000, on=date(2025, 1, 10))
    await credit(db, anna, 2, compensation=50_000, on=date(2025, 6, 1))
    with pytest.raises(CorrectionRefused) as refused:
        # the January lot is past its last day by February 2026: only 500 ₽ count
        await correct(db, anna, Account.BONUS, -60_000, on=date(2026, 2, 1))
    assert refused.value.refusal is Refusal.NOT_ENOUGH and refused.value.available == 50_000
    assert len(await db.fetch_all("SELECT id FROM ledger")) == 2


@pytest.mark.parametrize(
    ("account", "amount", "program", "refusal"),
    [
        (Account.POINTS, 0, SM, Refusal.ZERO),
        (Account.POINTS, 10, None, Refusal.PROGRAM_NEEDED),
        (Account.BONUS, 10, SM, Refusal.NO_PROGRAM_FOR_BONUS),
    ],
)
async def test_a_correction_needs_an_amount_and_the_right_program(
    db: Database, account: Account, amount: int, program: str | None, refusal: Refusal,
) -> None:
    anna = await new_partner(db)
    with pytest.raises(CorrectionRefused) as refused:
        await correct(db, anna, account, amount, on=date(2025, 1, 1), program=program)
    assert refused.value.refusal is refusal


async def test_a_positive_correction_is_a_lot_valid_for_a_year(db: Database) -> None:
    anna = await new_partner(db)
    await correct(db, anna, Account.POINTS, 15, on=date(2025, 11, 22), program=B24)
    assert (await ledger.balance(db, RULEBOOK, anna, date(2026, 11, 21))).points[B24] == 15
    assert (await ledger.balance(db, RULEBOOK, anna, date(2026, 11, 22))).points[B24] == 0


async def test_the_same_correction_request_twice_is_written_once(db: Database) -> None:
    anna = await new_partner(db)
    await credit(db, anna, 1, compensation=300_000)
    for _ in range(2):
        await correct(db, anna, Account.BONUS, -100_000, on=date(2025, 12, 1), request="42:7")
        await correct(db, anna, Account.BONUS, 5_000, on=date(2025, 12, 1), request="42:8")
    assert (await ledger.balance(db, RULEBOOK, anna, date(2025, 12, 1))).bonus == 205_000


async def test_the_database_refuses_to_change_or_delete_a_ledger_row(
    db: Database, tmp_path: Path,
) -> None:
    anna = await new_partner(db)
    await credit(db, anna, 1, points=30)
    with closing(sqlite3.connect(tmp_path / "pd.sqlite3")) as conn:
        for sql in ("UPDATE ledger SET amount = 1000", "DELETE FROM ledger"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(sql)
        assert conn.execute("SELECT amount FROM ledger").fetchall() == [(30,)]


async def test_the_balance_shows_what_goes_within_30_days(db: Database) -> None:
    anna = await new_partner(db)
    await credit(db, anna, 1, points=30, compensation=100_000, on=date(2025, 1, 20))
    await credit(db, anna, 2, points=50, compensation=200_000, on=date(2025, 2, 20))

    balance = await ledger.balance(db, RULEBOOK, anna, date(2025, 12, 21))
    assert balance.points_total == 80 and balance.bonus == 300_000
    assert balance.expiring_by == date(2026, 1, 20)
    assert [(lot.account, lot.left, lot.expires_on) for lot in balance.expiring] == [
        (Account.POINTS, 30, date(2026, 1, 19)), (Account.BONUS, 100_000, date(2026, 1, 19))]


async def test_the_ranking_counts_unexpired_points_and_ties_share_a_place(db: Database) -> None:
    a, b, c, d = [await new_partner(db, f"P-{n}", f"Co {n}") for n in range(4)]
    await credit(db, a, 1, points=100, on=date(2024, 12, 1))  # gone by 2025-12-01
    await credit(db, a, 2, points=20, on=date(2025, 6, 1))
    await credit(db, b, 3, points=50, on=date(2025, 6, 1), program=B24)
    await credit(db, c, 4, points=30, on=date(2025, 6, 1))
    await credit(db, c, 5, points=20, on=date(2025, 7, 1), program=B24)

    ranked = await ledger.ranking(db, RULEBOOK, date(2025, 12, 1))
    assert [(r.place, r.code, r.total) for r in ranked] == [
        (1, "P-1", 50), (1, "P-2", 50), (3, "P-0", 20), (4, "P-3", 0)]
    assert ranked[1].by_program == {SM: 30, B24: 20} and d == ranked[3].partner_id


async def test_a_quote_pays_up_to_80pct_of_licence_lines_oldest_money_first_and_writes_nothing(
    db: Database,
) -> None:
    anna = await new_partner(db)
    await credit(db, anna, 1, compensation=5_000_000, on=date(2025, 1, 10))  # gone by 2026
    await credit(db, anna, 2, compensation=9_000_000, on=date(2025, 6, 1))
    lines = [ledger.order_line("Битрикс24 Профессиональный", 10_000_000),
             ledger.order_line("Книга", 150_000, LineKind.PHYSICAL)]
    before = await db.fetch_all("SELECT count(*) FROM ledger")

    quote = await ledger.quote(db, RULEBOOK, anna, lines, date(2026, 2, 1))
    assert [(line.bonus, line.cash) for line in quote.lines] == [
        (8_000_000, 2_000_000), (0, 150_000)]
    assert (quote.bonus_used, quote.bonus_left) == (8_000_000, 1_000_000)
    assert await db.fetch_all("SELECT count(*) FROM ledger") == before


# --- The property: whatever happens, the books balance -------------------------------------


@dataclass
class ModelLot:
    """The test's own bookkeeping of a lot, to compare the service with."""

    partner: int
    account: Account
    program: Program | None
    credited_on: date
    expires_on: date
    left: int

    def counts(self, day: date) -> bool:
        return self.credited_on <= day <= self.expires_on


PARTNERS = (1, 2, 3)
REPORTS = st.integers(min_value=1, max_value=12)


class LedgerMachine(RuleBasedStateMachine):
    """Credits (repeated), corrections, expiry runs and days passing, in any order."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.db = self.run(Database.open(Path(":memory:")))
        self.run(self.db.migrate())
        self.today = date(2025, 1, 1)
        self.lots: list[ModelLot] = []
        self.credited: dict[int, tuple[int, int, int]] = {}  # report → (partner, points, money)
        self.seen_rows: list[tuple[Any, ...]] = []

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    def teardown(self) -> None:
        self.run(self.db.close())
        self.loop.close()

    @initialize()
    def partners(self) -> None:
        for number in PARTNERS:
            assert self.run(new_partner(self.db, f"P-{number}")) == number

    @rule(report=REPORTS, partner=st.sampled_from(PARTNERS), program=st.sampled_from(Program),
          points=st.integers(0, 120), money=st.integers(0, 5_000_000),
          backdated=st.integers(0, 10))
    def credit(self, report: int, partner: int, program: Program, points: int, money: int,
               backdated: int) -> None:
        """A report accepted, possibly a report credited before (a second tap)."""
        on = self.today - timedelta(days=backdated)
        wrote = self.run(credit(self.db, partner, report, points=points, compensation=money,
                                on=on, program=program))
        first = report not in self.credited and (points or money) > 0
        assert wrote is first
        if first:
            self.credited[report] = (partner, points, money)
            last_day = expires_on(RULEBOOK, on)
            for account, lot_program, amount in ((Account.POINTS, program, points),
                                                 (Account.BONUS, None, money)):
                if amount:
                    self.lots.append(ModelLot(partner, account, lot_program, on, last_day,
                                              amount))

    @precondition(lambda self: bool(self.credited))
    @rule(data=st.data())
    def credit_again(self, data: st.DataObject) -> None:
        report = data.draw(st.sampled_from(sorted(self.credited)))
        partner, points, money = self.credited[report]
        assert not self.run(credit(self.db, partner, report, points=points, compensation=money,
                                   on=self.today))

    @rule(partner=st.sampled_from(PARTNERS), account=st.sampled_from(Account),
          program=st.sampled_from(Program), amount=st.integers(-200, 200) | st.integers(
              -3_000_000, 3_000_000))
    def correct(self, partner: int, account: Account, program: Program, amount: int) -> None:
        lot_program = program if account is Account.POINTS else None
        mine = sorted((lot for lot in self.lots if lot.partner == partner
                       and lot.account is account and lot.program == lot_program
                       and lot.counts(self.today) and lot.left),
                      key=lambda lot: lot.credited_on)  # stable: equal days keep credit order
        available = sum(lot.left for lot in mine)
        try:
            self.run(correct(self.db, partner, account, amount, on=self.today,
                             program=lot_program))
        except CorrectionRefused as refused:
            assert amount == 0 or (amount < 0 and -amount > available)
            assert refused.refusal is not Refusal.NOT_ENOUGH or refused.available == available
            return
        assert amount > 0 or -amount <= available
        if amount > 0:
            self.lots.append(ModelLot(partner, account, lot_program, self.today,
                                      expires_on(RULEBOOK, self.today), amount))
        to_take = -amount
        for lot in mine:
            take = min(lot.left, max(to_take, 0))
            lot.left -= take
            to_take -= take

    @rule()
    def expire(self) -> None:
        due = [lot for lot in self.lots if lot.expires_on < self.today and lot.left]
        written = self.run(ledger.expire_due(self.db, RULEBOOK, self.today, at(self.today)))
        assert written == len(due)
        for lot in due:
            lot.left = 0
        # Once expired, what the rows add up to is what counts: nothing past its day is left.
        for partner in PARTNERS:
            total = self.run(self.db.fetch_all(
                "SELECT account, sum(amount) FROM ledger WHERE partner_id = ? GROUP BY account",
                (partner,)))
            sums = {row[0]: row[1] for row in total}
            balance = self.balance(partner)
            assert sums.get("points", 0) == balance.points_total
            assert sums.get("bonus", 0) == balance.bonus

    @rule(days=st.integers(1, 400))
    def time_passes(self, days: int) -> None:
        self.today += timedelta(days=days)

    @precondition(lambda self: any(lot.expires_on >= self.today for lot in self.lots))
    @rule(data=st.data(), after=st.booleans())
    def time_passes_to_a_last_day(self, data: st.DataObject, after: bool) -> None:
        """To a lot's last valid day, or the day after: where off-by-one mistakes hide."""
        ahead = sorted({lot.expires_on for lot in self.lots if lot.expires_on >= self.today})
        self.today = data.draw(st.sampled_from(ahead)) + timedelta(days=int(after))

    def balance(self, partner: int) -> ledger.Balance:
        return self.run(ledger.balance(self.db, RULEBOOK, partner, self.today))

    @invariant()
    def balances_match_the_model_and_the_rows(self) -> None:
        rows = self.run(self.db.fetch_all(
            "SELECT partner_id, account, program, amount, credited_on, expires_on FROM ledger"))
        for partner in PARTNERS:
            balance = self.balance(partner)
            counting = [lot for lot in self.lots if lot.partner == partner
                        and lot.counts(self.today)]
            for program in Program:
                expected = sum(lot.left for lot in counting if lot.program == program)
                summed = sum(r[3] for r in rows if r[0] == partner and r[2] == program
                             and r[4] <= self.today.isoformat() <= r[5])
                assert balance.points[program] == expected == summed
            expected_bonus = sum(lot.left for lot in counting if lot.account is Account.BONUS)
            summed_bonus = sum(r[3] for r in rows if r[0] == partner and r[1] == "bonus"
                               and r[4] <= self.today.isoformat() <= r[5])
            assert balance.bonus == expected_bonus == summed_bonus

    @invariant()
    def every_lot_holds_what_the_model_says_and_none_is_negative(self) -> None:
        lots = self.run(self.db.fetch_all(
            "SELECT sum(amount) FROM ledger GROUP BY coalesce(lot_id, id)"
            " ORDER BY coalesce(lot_id, id)"))
        assert [row[0] for row in lots] == [lot.left for lot in self.lots]
        assert all(row[0] >= 0 for row in lots)

    @invariant()
    def each_report_is_credited_once(self) -> None:
        rows = self.run(self.db.fetch_all(
            "SELECT report_id, count(*) FROM ledger WHERE kind = 'credit' GROUP BY report_id"))
        for report_id, count in rows:
            _, points, money = self.credited[report_id]
            assert count == (points > 0) + (money > 0)

    @invariant()
    def the_ledger_only_grows(self) -> None:
        rows = [tuple(r) for r in self.run(self.db.fetch_all("SELECT * FROM ledger ORDER BY id"))]
        assert rows[: len(self.seen_rows)] == self.seen_rows
        self.seen_rows = rows

    @invariant()
    def the_ranking_agrees_with_the_balances(self) -> None:
        ranked = self.run(ledger.ranking(self.db, RULEBOOK, self.today))
        assert {r.partner_id: r.total for r in ranked} == {
            p: self.balance(p).points_total for p in PARTNERS}


LedgerMachine.TestCase.settings = settings(
    max_examples=40, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_the_books_balance_whatever_happens = LedgerMachine.TestCase
