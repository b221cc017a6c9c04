"""Demo data, written through the services as the bot itself would: partners with employees,
activities in every status, reports and ledger rows. Dates are relative to the demo's clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from bot.config import Settings
from bot.demo.people import ANNA, HELEN, IVAN, MARIA, OLGA, PEOPLE, PETER, Person
from bot.forms.engine import Draft
from bot.rules import Rulebook
from bot.services import applications, copartners, decisions, ledger, partners, reports
from bot.services.decisions import Action
from bot.services.reports import Review
from bot.services.users import see_user
from bot.storage.database import Database

COMPANIES = {
    ANNA.id: ("P-1001", "Ромашка", "Казань", "gold"),
    OLGA.id: ("P-2002", "Вектор", "Москва", "certified"),
    PETER.id: ("P-3003", "Northwind", "Novosibirsk", "other"),
}


async def is_seeded(db: Database) -> bool:
    return await db.fetch_one("SELECT 1 FROM partners LIMIT 1") is not None


def _seminar(event: date, title: str, place: str) -> Draft:
    return Draft(form="apply", answers={
        "kind": "seminar", "event_date": event.isoformat(), "title": title, "place": place,
        "topic": "bitrix24", "audience": "prospects",
        "agenda": [{"title": title, "minutes": 45}], "vendor_talks": [0], "conditions": [],
        "competitors": False,
        "planned_listeners": 40, "channels": ["site", "mailing"], "support": "none",
    })


def _webinar(event: date, title: str) -> Draft:
    return Draft(form="apply", answers={
        "kind": "webinar", "event_date": event.isoformat(), "title": title,
        "topic": "bitrix24", "audience": "prospects",
        "agenda": [{"title": title, "minutes": 45}], "vendor_talks": [0], "conditions": [],
        "competitors": False,
        "planned_listeners": 50, "channels": ["site"], "support": "none",
    })


async def _join(db: Database, who: Person, now: datetime, code: str, **company: str) -> None:
    answers: dict[str, Any] = {"partner_code": code, "full_name": who.full_name,
                               "phone": f"+7999000{who.id:04d}", **company}
    await partners.join(db, telegram_id=who.id, answers=answers, now=now)


async def _submit(db: Database, rulebook: Rulebook, who: Person, draft: Draft,
                  at: datetime) -> int:
    row, _ = await applications.submit(db, rulebook, telegram_id=who.id, draft=draft, now=at)
    return row.id


async def _decide(db: Database, settings: Settings, rulebook: Rulebook, application_id: int,
                  action: Action, at: datetime, reason: str | None = None) -> None:
    await decisions.decide(db, settings, rulebook, application_id=application_id, version=1,
                           manager_id=MARIA.id, action=action, now=at, reason=reason)


async def _report(db: Database, rulebook: Rulebook, who: Person, application_id: int,
                  at: datetime, listeners: int) -> int:
    draft = await reports.open_report(db, telegram_id=who.id, application_id=application_id,
                                      now=at)
    draft = Draft(form=draft.form, answers={
        **draft.answers, "registrations": listeners + 20, "listeners": listeners,
        "link": "https://example.com/event", "feedback": "Прошло хорошо, много вопросов про CRM",
    })
    sent = await reports.send(db, rulebook, telegram_id=who.id, draft=draft, now=at)
    return sent.report.id


async def _review(db: Database, settings: Settings, rulebook: Rulebook, report_id: int,
                  action: Review, at: datetime, reason: str | None = None) -> None:
    await reports.review(db, settings, rulebook, report_id=report_id, version=1,
                         manager_id=MARIA.id, action=action, now=at, reason=reason)


_MEDIA_PARTNER: dict[str, Any] = {
    "name": "Бизнес-Казань", "kind": "media", "media_status": "general",
    "audience": "руководители малого и среднего бизнеса Казани", "reach": 40_000,
    "contact": "Дина, dina@biz-kazan.example",
    "gives": ["logo_site", "logo_social", "photo_report", "mentions"],
    "owes": ["announcement", "post_material"],
}
_SPONSOR: dict[str, Any] = {
    "name": "Кофейня «Зерно»", "kind": "sponsor", "contact": "Тимур, +7 900 111-22-33",
    "gives": ["logo_press_wall", "mentions"], "owes": ["resources"],
}


async def seed(db: Database, settings: Settings, rulebook: Rulebook, now: datetime) -> None:
    """Fill an empty demo database; `now` is the demo clock's time."""
    today = now.date()

    def ago(days: int) -> datetime:
        return now - timedelta(days=days)

    def day(offset: int) -> date:
        return today + timedelta(days=offset)

    start = ago(90)
    for who in PEOPLE:
        await see_user(db, telegram_id=who.id, first_name=who.first_name, username=None,
                       language=who.language, now=start)
    for who in (ANNA, OLGA, PETER):
        code, company, city, status = COMPANIES[who.id]
        await _join(db, who, start, code, company=company, city=city, status=status)
    await _join(db, IVAN, ago(80), "P-1001")
    await partners.decide_member(db, member_id=IVAN.id, approve=True, decided_by=ANNA.id,
                                 by_manager=False, now=ago(80))

    # Ромашка: a webinar credited (ledger rows), a seminar approved ahead, one withdrawn.
    held = await _submit(db, rulebook, ANNA, _webinar(day(-30), "CRM за час"), ago(70))
    await _decide(db, settings, rulebook, held, Action.APPROVE, ago(69))
    report = await _report(db, rulebook, ANNA, held, ago(27), listeners=45)
    await _review(db, settings, rulebook, report, Review.ACCEPT, ago(25))
    ahead = await _submit(db, rulebook, ANNA,
                          _seminar(day(12), "Битрикс24 для отдела продаж", "Казань, ул. Баумана 1"),
                          ago(20))
    await _decide(db, settings, rulebook, ahead, Action.APPROVE, ago(19))
    for package in (_MEDIA_PARTNER, _SPONSOR):  # 🤝 with promises and their reminders
        await copartners.add(db, settings, rulebook, telegram_id=ANNA.id, now=ago(18), draft=Draft(
            form="copartner", answers={"application_id": ahead, **package}))
    withdrawn = await _submit(db, rulebook, IVAN, _webinar(day(25), "Автоматизация склада"),
                              ago(10))
    await applications.withdraw(db, telegram_id=IVAN.id, application_id=withdrawn, now=ago(9))

    # Вектор: a report waiting for review, one sent back for more, one application pending.
    waiting = await _submit(db, rulebook, OLGA,
                            _seminar(day(-6), "CRM для производства", "Москва, Тверская 7"),
                            ago(45))
    await _decide(db, settings, rulebook, waiting, Action.APPROVE, ago(44))
    await _report(db, rulebook, OLGA, waiting, ago(2), listeners=32)
    more = await _submit(db, rulebook, OLGA, _webinar(day(-15), "Задачи и проекты"), ago(50))
    await _decide(db, settings, rulebook, more, Action.APPROVE, ago(49))
    asked = await _report(db, rulebook, OLGA, more, ago(12), listeners=38)
    await _review(db, settings, rulebook, asked, Review.MORE, ago(10),
                  reason="Добавьте ссылку на запись вебинара")
    await _submit(db, rulebook, OLGA, _webinar(day(30), "Битрикс24 для HR"), ago(1))
    vector = await partners.find_partner(db, "P-2002")
    assert vector is not None
    await ledger.correct(db, rulebook, partner_id=vector.id, account="bonus", amount=500_000,
                         reason="Бонус за кейс", by=HELEN.id, now=ago(30),
                         request="demo-seed")

    # Northwind: one rejected, one sent back for changes.
    rejected = await _submit(db, rulebook, PETER, _webinar(day(5), "Cloud CRM basics"), ago(8))
    await _decide(db, settings, rulebook, rejected, Action.REJECT, ago(7),
                  reason="Too close to another partner's webinar")
    changes = await _submit(db, rulebook, PETER,
                            _seminar(day(40), "CRM for retail", "Novosibirsk, Lenina 5"), ago(4))
    await _decide(db, settings, rulebook, changes, Action.CHANGES, ago(3),
                  reason="Please add the agenda's second talk")
