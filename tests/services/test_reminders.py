"""Reminders: the timeline by the production calendar, an idempotent outbox, exclusive claims."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import Role, Settings
from bot.forms.engine import Draft
from bot.rules import report_due
from bot.services import applications, decisions, ledger, reminders, reports
from bot.services.decisions import Action
from bot.services.reminders import Digest
from bot.services.timeline import Kind, Policy, is_quiet, out_of_quiet, timeline
from bot.storage import reminders as outbox
from bot.storage.database import Database
from tests.services.test_partners_and_applications import RULEBOOK, person

MSK = ZoneInfo("Europe/Moscow")
POLICY = Policy(tz=MSK)
CALENDAR = RULEBOOK.work_calendar
SETTINGS = Settings(managers={Role.SPECIALIST: (10,), Role.HEAD: (20,)})
APPROVED_AT = datetime(2026, 3, 30, 15, 0, tzinfo=MSK)  # a Monday
EVENT = date(2026, 4, 30)  # a Thursday before the May holidays; the report is due 18.05


def at(day: str, hour: int = 10) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour), MSK)


def plan_of(activity: str, event: date, now: datetime) -> list[tuple[str, str]]:
    moments = timeline(activity, event, report_due(RULEBOOK, event), CALENDAR, POLICY, now)
    return [(m.kind.value, m.at.strftime("%a %d.%m %H:%M")) for m in moments]


# --- the timeline (pure) ----------------------------------------------------------------------

def test_a_seminar_timeline_steps_over_the_may_holidays_and_weekends() -> None:
    assert report_due(RULEBOOK, EVENT) == date(2026, 5, 18)  # RULEBOOK §3's own example
    assert plan_of("seminar", EVENT, APPROVED_AT) == [
        ("announce", "Thu 09.04 10:00"),        # three weeks before
        ("weekly", "Thu 16.04 10:00"),
        ("weekly", "Thu 23.04 10:00"),
        ("call", "Tue 28.04 10:00"),            # 2 days before
        ("checklist", "Wed 29.04 10:00"),       # the day before
        ("report_now", "Mon 04.05 10:00"),      # Fri 1 May is a holiday, then the weekend
        ("report_left_3", "Wed 13.05 10:00"),   # 14, 15, 18 left (9–11 May are days off)
        ("report_left_1", "Fri 15.05 10:00"),   # 18 left
        ("overdue", "Tue 19.05 10:00"),
        ("overdue_manager", "Tue 19.05 10:00"),
    ]


def test_moments_on_days_off_move_to_the_working_day_before() -> None:
    # Tue 12 May 2026: the 2nd day before is a Sunday, the day before a holiday (9 May moved).
    plan = dict(plan_of("seminar", date(2026, 5, 12), APPROVED_AT))
    assert plan["checklist"] == "Fri 08.05 10:00"
    assert plan["call"] == "Thu 07.05 10:00"  # before the checklist, not on the same day
    assert plan["report_now"] == "Wed 13.05 10:00"


def test_an_exhibition_has_no_registrants_to_remind_and_an_article_only_its_report() -> None:
    kinds = [k for k, _ in plan_of("exhibition", EVENT, APPROVED_AT)]
    assert kinds == ["announce", "checklist", "report_now", "report_left_3", "report_left_1",
                     "overdue", "overdue_manager"]
    assert [k for k, _ in plan_of("external_talk", EVENT, APPROVED_AT)] == kinds
    # RULEBOOK §7: an article's report reminders, counted from its publication date
    assert [k for k, _ in plan_of("article", EVENT, APPROVED_AT)] == kinds[2:]
    assert "call" in dict(plan_of("webinar", EVENT, APPROVED_AT))


def test_a_late_approval_announces_at_once_but_not_at_night() -> None:
    afternoon = at("2026-04-24", 14)
    plan = plan_of("seminar", EVENT, afternoon)
    assert plan[0] == ("announce", "Fri 24.04 14:00")  # approved later than 3 weeks before
    assert "weekly" not in dict(plan)  # the past ones are not planned at all
    late_evening = datetime(2026, 4, 24, 23, 30, tzinfo=MSK)
    assert plan_of("seminar", EVENT, late_evening)[0] == ("announce", "Sat 25.04 09:00")


def test_an_approval_on_the_eve_plans_only_what_is_still_ahead() -> None:
    plan = plan_of("seminar", EVENT, at("2026-04-29", 12))
    assert [k for k, _ in plan][:2] == ["report_now", "report_left_3"]


def test_quiet_hours_are_the_night_in_the_programs_timezone() -> None:
    assert is_quiet(datetime(2026, 4, 1, 21, 0, tzinfo=MSK), POLICY)
    assert is_quiet(datetime(2026, 4, 1, 8, 59, tzinfo=MSK), POLICY)
    assert not is_quiet(datetime(2026, 4, 1, 9, 0, tzinfo=MSK), POLICY)
    assert out_of_quiet(datetime(2026, 4, 1, 22, 0, tzinfo=MSK), POLICY) == at("2026-04-02", 9)
    assert out_of_quiet(datetime(2026, 4, 2, 3, 0, tzinfo=MSK), POLICY) == at("2026-04-02", 9)


# --- the outbox ---------------------------------------------------------------------------------

def seminar(event: date = EVENT) -> Draft:
    return Draft(form="apply", answers={
        "kind": "seminar", "event_date": event.isoformat(), "title": "CRM for sales",
        "place": "Kazan", "topic": "bitrix24", "audience": "prospects",
        "agenda": [{"title": "Bitrix24", "minutes": 45}], "vendor_talks": [0],
        "conditions": [], "planned_listeners": 40, "channels": ["site"], "support": "none",
    })


async def approved(db: Database, telegram_id: int = 1, event: date = EVENT) -> int:
    await person(db, telegram_id, f"P-{telegram_id}")
    row, _ = await applications.submit(db, RULEBOOK, telegram_id=telegram_id,
                                       draft=seminar(event), now=APPROVED_AT)
    result = await decisions.decide(db, SETTINGS, RULEBOOK, application_id=row.id, version=1,
                                    manager_id=10, action=Action.APPROVE, now=APPROVED_AT)
    assert result.outcome is decisions.Outcome.DONE
    # The decision's own message to the partner went out at once (these tests are about the
    # reminders; tests/e2e/test_outbox.py is about the messages).
    await db.conn.execute("UPDATE reminders SET state = 'sent' WHERE payload IS NOT NULL")
    await db.conn.commit()
    return row.id


async def rows(db: Database, where: str = "1") -> list[tuple[object, ...]]:
    """The reminders (the outbox's messages, which have a payload, aside)."""
    found = await db.fetch_all(f"SELECT kind, recipient_id, state, note, due_at FROM reminders"
                               f" WHERE payload IS NULL AND ({where}) ORDER BY due_at, kind")
    return [tuple(r) for r in found]


async def test_an_approval_plans_the_timeline_in_its_own_transaction(db: Database) -> None:
    await approved(db)
    planned = await rows(db)
    assert [r[0] for r in planned] == [
        "announce", "weekly", "weekly", "call", "checklist", "report_now", "report_left_3",
        "report_left_1", "overdue", "overdue_manager"]
    assert {r[1] for r in planned[:-1]} == {1} and planned[-1][1] == 10  # the approver
    assert planned[0][4] == "2026-04-09T07:00:00Z"  # 10:00 in Moscow, stored in UTC


async def test_planning_again_plans_nothing_twice(db: Database) -> None:
    application_id = await approved(db)
    row = await applications.visible(db, 1, application_id)
    async with db.transaction() as conn:
        await reminders.replan(conn, SETTINGS, RULEBOOK, row, APPROVED_AT + timedelta(hours=1))
    assert len(await rows(db)) == 10


async def test_a_changed_date_replans_and_keeps_what_was_sent(db: Database) -> None:
    application_id = await approved(db)
    await db.conn.execute("UPDATE reminders SET state = 'sent' WHERE kind = 'announce'")
    await db.conn.execute("UPDATE applications SET event_date = '2026-05-21' WHERE id = ?",
                          (application_id,))
    row = await applications.visible(db, 1, application_id)
    async with db.transaction() as conn:
        await reminders.replan(conn, SETTINGS, RULEBOOK, row, at("2026-04-10", 12))
    assert len(await rows(db, "state = 'cancelled' AND note = 'replanned'")) == 9
    assert await rows(db, "state = 'sent'") == [
        ("announce", 1, "sent", None, "2026-04-09T07:00:00Z")]
    fresh = [(r[0], r[4]) for r in await rows(db, "state = 'planned'")]
    assert fresh[:2] == [("announce", "2026-04-30T07:00:00Z"),  # the new date, announced anew
                         ("weekly", "2026-05-07T07:00:00Z")]
    assert fresh[-1] == ("overdue_manager", "2026-06-05T07:00:00Z")


async def test_a_date_changed_behind_the_planners_back_is_caught_when_due(db: Database) -> None:
    application_id = await approved(db)
    await db.conn.execute("UPDATE applications SET event_date = '2026-05-21' WHERE id = ?",
                          (application_id,))
    batch = await reminders.claim_due(db, SETTINGS, RULEBOOK, at("2026-04-09", 10), 50)
    assert batch.to_send == [] and batch.settled == {"cancelled: date changed": 1}
    assert (await rows(db, "state = 'planned'"))[0][4] == "2026-04-30T07:00:00Z"  # D-21 again


async def test_a_withdrawn_activity_sends_nothing_more(db: Database) -> None:
    application_id = await approved(db)
    await db.conn.execute("UPDATE applications SET status = 'withdrawn' WHERE id = ?",
                          (application_id,))
    batch = await reminders.claim_due(db, SETTINGS, RULEBOOK, at("2026-05-20", 10), 50)
    assert batch.to_send == []
    assert batch.settled == {"cancelled: status withdrawn": 10}


async def test_withdrawing_cancels_the_planned_reminders_in_the_same_transaction(
    db: Database,
) -> None:
    await person(db, 1, "P-1")
    row, _ = await applications.submit(db, RULEBOOK, telegram_id=1, draft=seminar(),
                                       now=APPROVED_AT)
    async with db.transaction() as conn:
        await outbox.upsert(conn, key="x", application_id=row.id, recipient_id=1,
                            kind="announce", planned_for=row.event_date,
                            due_at=at("2026-04-09"), now=APPROVED_AT)
    await applications.withdraw(db, telegram_id=1, application_id=row.id, now=APPROVED_AT)
    assert await rows(db) == [("announce", 1, "cancelled", "withdrawn", "2026-04-09T07:00:00Z")]


async def test_a_sent_report_makes_the_countdown_moot(db: Database) -> None:
    application_id = await approved(db)
    await db.conn.execute("UPDATE applications SET status = 'report_sent' WHERE id = ?",
                          (application_id,))
    batch = await reminders.claim_due(db, SETTINGS, RULEBOOK, at("2026-05-13", 10), 50)
    assert batch.settled == {"cancelled: status report_sent": 7} and batch.to_send == []


async def test_two_dispatchers_never_claim_the_same_row(db: Database) -> None:
    for partner in range(1, 6):
        await approved(db, partner)
    moment = at("2026-05-20", 9)  # stale ones dropped, today's sent
    await db.conn.execute("UPDATE reminders SET due_at = ?", (outbox.utc(moment),))
    first, second = await asyncio.gather(*(
        reminders.claim_due(db, SETTINGS, RULEBOOK, moment, 30) for _ in range(2)))
    ids = [r.id for r in first.to_send] + [r.id for r in second.to_send]
    assert len(ids) == len(set(ids)) == 45
    # The approving manager never wrote to the bot, so Telegram would refuse: not tried.
    unknown = "dropped: never wrote to the bot"
    assert first.settled.get(unknown, 0) + second.settled.get(unknown, 0) == 5


async def test_a_row_claimed_by_a_dispatcher_that_died_goes_out_after_the_lease(
    db: Database,
) -> None:
    await approved(db)
    moment = at("2026-04-09", 10)
    crashed = await reminders.claim_due(db, SETTINGS, RULEBOOK, moment, 50)
    assert [r.kind for r in crashed.to_send] == ["announce"]
    assert await reminders.release_expired(db, moment + timedelta(minutes=5)) == 0
    assert (await reminders.claim_due(db, SETTINGS, RULEBOOK, moment, 50)).to_send == []
    later = moment + reminders.LEASE + timedelta(seconds=1)
    assert await reminders.release_expired(db, later) == 1
    again = await reminders.claim_due(db, SETTINGS, RULEBOOK, later, 50)
    assert [r.kind for r in again.to_send] == ["announce"]
    # The dead dispatcher's token no longer marks it: only the live claim does.
    assert not await reminders.sent(db, again.to_send[0], crashed.token, later)
    assert await reminders.sent(db, again.to_send[0], again.token, later)


async def test_a_reminder_more_than_a_day_late_is_dropped_not_sent(db: Database) -> None:
    await approved(db)
    batch = await reminders.claim_due(db, SETTINGS, RULEBOOK, at("2026-04-10", 11), 50)
    assert batch.settled == {"dropped: stale": 1} and batch.to_send == []
    batch = await reminders.claim_due(db, SETTINGS, RULEBOOK, at("2026-04-16", 12), 50)
    assert [r.kind for r in batch.to_send] == ["weekly"]


async def test_network_failures_back_off_then_give_up(db: Database) -> None:
    await approved(db)
    moment = at("2026-04-09", 10)
    for attempt in range(1, reminders.MAX_ATTEMPTS):
        batch = await reminders.claim_due(db, SETTINGS, RULEBOOK, moment, 50)
        (row,) = batch.to_send
        assert row.attempts == attempt - 1
        assert await reminders.network_failure(db, SETTINGS, row, batch.token, moment, "502")
        moment += reminders.backoff(attempt)
    batch = await reminders.claim_due(db, SETTINGS, RULEBOOK, moment, 50)
    assert not await reminders.network_failure(db, SETTINGS, batch.to_send[0], batch.token,
                                               moment, "502")
    assert (await rows(db, "kind = 'announce'"))[0][2:4] == ("failed", "502")
    assert [reminders.backoff(n).seconds // 60 for n in (1, 2, 3, 7, 20)] == [1, 2, 4, 60, 60]


async def test_a_partner_switches_the_call_off_and_on_again(db: Database) -> None:
    application_id = await approved(db)
    view = await reminders.switch(db, SETTINGS, RULEBOOK, telegram_id=1,
                                  application_id=application_id, kind=Kind.CALL, on=False,
                                  now=APPROVED_AT)
    assert view.off == {"call"}
    assert await rows(db, "kind = 'call'") == [
        ("call", 1, "cancelled", "switched off", "2026-04-28T07:00:00Z")]
    row = await applications.visible(db, 1, application_id)
    async with db.transaction() as conn:  # planning again (a new date) keeps it off
        await reminders.replan(conn, SETTINGS, RULEBOOK, row, APPROVED_AT)
    assert (await rows(db, "kind = 'call'"))[0][2] == "cancelled"
    await reminders.switch(db, SETTINGS, RULEBOOK, telegram_id=1, application_id=application_id,
                           kind=Kind.CALL, on=True, now=APPROVED_AT)
    assert (await rows(db, "kind = 'call'"))[0][2:4] == ("planned", None)
    with pytest.raises(ValueError, match="can't be switched"):
        await reminders.switch(db, SETTINGS, RULEBOOK, telegram_id=1,
                               application_id=application_id, kind=Kind.OVERDUE, on=False,
                               now=APPROVED_AT)
    with pytest.raises(applications.NotAllowed):
        await person(db, 2, "P-2")
        await reminders.switch(db, SETTINGS, RULEBOOK, telegram_id=2,
                               application_id=application_id, kind=Kind.CALL, on=False,
                               now=APPROVED_AT)


async def test_the_digest_lists_waiting_decisions_and_late_reports_by_role(
    db: Database,
) -> None:
    await approved(db, 1)
    await person(db, 2, "P-2")
    await applications.submit(db, RULEBOOK, telegram_id=2, draft=seminar(), now=APPROVED_AT)
    digest = await reminders.digest_for(db, SETTINGS, RULEBOOK, 10, date(2026, 5, 20))
    assert [r.id for r in digest.pending] == [2]
    assert [(d.application_id, d.report_due, d.working_days_late) for d in digest.late] == [
        (1, date(2026, 5, 18), 2)]
    nothing = await reminders.digest_for(db, SETTINGS, RULEBOOK, 10, date(2026, 5, 18))
    assert [r.id for r in nothing.pending] == [2] and nothing.late == []
    assert not Digest([], [])
    someone_else = Settings(managers={Role.PR: (30,)})
    assert not await reminders.digest_for(db, someone_else, RULEBOOK, 30, date(2026, 5, 20))


async def test_digests_are_planned_once_a_day_on_working_days(db: Database) -> None:
    monday, saturday = at("2026-05-18", 8), at("2026-05-16", 8)
    assert await reminders.ensure_digests(db, SETTINGS, RULEBOOK, monday) == 2
    assert await reminders.ensure_digests(db, SETTINGS, RULEBOOK, monday) == 0
    assert await reminders.ensure_digests(db, SETTINGS, RULEBOOK, saturday) == 0
    assert [r[4] for r in await rows(db)] == ["2026-05-18T06:00:00Z"] * 2  # 09:00 in Moscow


def test_the_report_statuses_agree_with_the_reports_service() -> None:
    assert reminders.REPORT_OPEN == reports.REPORTABLE


# --- money nudges -------------------------------------------------------------------------------

async def credited(db: Database) -> int:
    """Partner P-1 (person 1) credited 60 points and 11 500 ₽ on 20.04.2026: the last valid
    day is Mon 19.04.2027."""
    await person(db, 1, "P-1")
    partner = await db.fetch_one("SELECT partner_id FROM members WHERE telegram_id = 1")
    assert partner is not None
    await ledger.credit_report(db, RULEBOOK, report_id=1, partner_id=int(partner[0]),
                               program="bitrix24", points=60, compensation=1_150_000,
                               credited_on=date(2026, 4, 20), by=10, now=APPROVED_AT)
    return int(partner[0])


async def test_money_about_to_expire_is_nudged_a_month_and_a_week_before(db: Database) -> None:
    partner_id = await credited(db)
    assert await reminders.ensure_money_nudges(db, SETTINGS, RULEBOOK, at("2027-03-01")) == 0
    morning = at("2027-03-19", 8)  # Sat 20.03 is a month before: the Friday instead
    assert await reminders.ensure_money_nudges(db, SETTINGS, RULEBOOK, morning) == 2
    assert await reminders.ensure_money_nudges(db, SETTINGS, RULEBOOK, morning) == 0
    assert [(r[0], r[1], r[4]) for r in await rows(db)] == [
        ("expiring", 1, "2027-03-19T07:00:00Z"), ("expiring", 1, "2027-04-12T07:00:00Z")]
    batch = await reminders.claim_due(db, SETTINGS, RULEBOOK, at("2027-03-19"), 10)
    (due,) = batch.to_send
    assert (due.partner_id, due.planned_for) == (partner_id, "2027-04-19")
    assert await reminders.expiring(db, partner_id, date(2027, 4, 19), date(2027, 3, 19)) == (
        60, 1_150_000)


async def test_money_found_a_few_days_before_it_expires_is_nudged_at_once(db: Database) -> None:
    await credited(db)
    now = datetime(2027, 4, 15, 13, 20, tzinfo=MSK)
    assert await reminders.ensure_money_nudges(db, SETTINGS, RULEBOOK, now) == 1
    assert [r[4] for r in await rows(db)] == ["2027-04-15T10:20:00Z"]


async def test_money_already_spent_has_nothing_to_nudge_about(db: Database) -> None:
    partner_id = await credited(db)
    for account, amount, program in (("bonus", -1_150_000, None), ("points", -60, "bitrix24")):
        await ledger.correct(db, RULEBOOK, partner_id=partner_id, account=account, amount=amount,
                             reason="spent", by=20, now=at("2027-03-20"), program=program)
    assert await reminders.expiring(db, partner_id, date(2027, 4, 19), date(2027, 4, 12)) == (
        0, 0)


async def test_the_digest_lists_reports_waiting_for_review_by_role(db: Database) -> None:
    application_id = await approved(db, 1)
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO reports (application_id, partner_id, author_id, status, answers,"
            " assessment, submitted_at) SELECT id, partner_id, 1, 'sent', '{}', '{}', ?"
            " FROM applications WHERE id = ?", (APPROVED_AT.isoformat(), application_id))
    digest = await reminders.digest_for(db, SETTINGS, RULEBOOK, 10, date(2026, 5, 6))
    assert [(report.application_id, row.id) for report, row in digest.reports] == [
        (application_id, application_id)]
    assert digest  # a waiting report alone is worth a digest
    someone_else = Settings(managers={Role.PR: (30,)})
    assert not (await reminders.digest_for(db, someone_else, RULEBOOK, 30,
                                           date(2026, 5, 6))).reports
