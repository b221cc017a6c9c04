"""Co-partners: the package as promises with due days, who may see and tick them, the figures
brought, and media partners ranked across events by name whatever its case."""

from __future__ import annotations

from datetime import date

import pytest

from bot.config import Role, Settings
from bot.forms.copartner import promised
from bot.forms.engine import Draft
from bot.forms.fields import Context
from bot.forms.parsing import Invalid
from bot.forms.report import REPORT
from bot.services import applications, copartners
from bot.services.applications import NotAllowed
from bot.services.copartners import Ticked
from bot.storage import copartners as repo
from bot.storage.database import Database
from tests.services.test_partners_and_applications import NOW, RULEBOOK, person, webinar

SETTINGS = Settings(managers={Role.SPECIALIST: (10,), Role.HEAD: (20,)})
EVENT = date(2026, 12, 20)


def media(name: str = "Habr", **more: object) -> Draft:
    return Draft(form="copartner", answers={
        "application_id": 1, "name": name, "kind": "media", "media_status": "general",
        "audience": "IT leads", "reach": 50_000, "contact": "Olga",
        "gives": ["logo_site", "photo_report"], "owes": ["announcement", "post_material"],
        **more})


def test_each_promise_is_due_on_its_day_and_a_late_one_today() -> None:
    package = {"gives": ["logo_site", "photo_report"], "owes": ["announcement", "post_material"]}
    early = promised(package, EVENT, date(2026, 11, 1))
    assert [(p.item, p.owed_by, p.due_on.isoformat()) for p in early] == [
        ("logo_site", "us", "2026-12-13"), ("photo_report", "us", "2026-12-23"),
        ("announcement", "them", "2026-12-13"), ("post_material", "them", "2026-12-27")]
    late = promised(package, EVENT, date(2026, 12, 18))
    assert [p.due_on.isoformat() for p in late] == [
        "2026-12-18", "2026-12-23", "2026-12-18", "2026-12-27"]


@pytest.mark.parametrize(("typed", "brought"), [
    ("12 0", [12, 0]), ("12, 3", [12, 3]), ("Habr — 12\nSponsor — 1 200", [12, 1200]),
])
def test_participants_brought_are_read_in_the_listed_order(typed: str,
                                                           brought: list[int]) -> None:
    listed = [{"id": 1, "name": "Habr"}, {"id": 2, "name": "Sponsor"}]
    field = REPORT.field("brought")
    ctx = Context(today=EVENT, t=lambda key, **params: key)
    value = field.parse(typed, {"copartners": listed}, ctx)
    assert [c["brought"] for c in value] == brought
    assert field.show(value, ctx) == f"Habr — {brought[0]}; Sponsor — {brought[1]}"
    with pytest.raises(Invalid) as refused:
        field.parse("12", {"copartners": listed}, ctx)
    assert refused.value.reason == "brought_count" and refused.value.params == {"count": 2}


async def test_another_partner_can_neither_see_nor_tick_nor_remove(db: Database) -> None:
    await person(db, 1, "P-1")
    await person(db, 2, "P-2", company="Other")
    await applications.submit(db, RULEBOOK, telegram_id=1, draft=webinar(), now=NOW)
    added = await copartners.add(db, SETTINGS, RULEBOOK, telegram_id=1, draft=media(), now=NOW)
    with pytest.raises(NotAllowed):
        await copartners.add(db, SETTINGS, RULEBOOK, telegram_id=2, draft=media(), now=NOW)
    with pytest.raises(NotAllowed):
        await copartners.listing(db, 2, 1)
    with pytest.raises(NotAllowed):
        await copartners.one(db, 2, added.id)
    promise = (await repo.promises_of(db.conn, [added.id]))[0]
    with pytest.raises(NotAllowed):
        await copartners.tick(db, telegram_id=2, promise_id=promise.id, url="https://x.example",
                              file_id=None, form="promise_proof", now=NOW)
    with pytest.raises(NotAllowed):
        await copartners.remove(db, SETTINGS, RULEBOOK, telegram_id=2, copartner_id=added.id,
                                now=NOW)
    first, _ = await copartners.tick(db, telegram_id=1, promise_id=promise.id,
                                     url="https://x.example", file_id=None,
                                     form="promise_proof", now=NOW)
    again, _ = await copartners.tick(db, telegram_id=1, promise_id=promise.id,
                                     url="https://y.example", file_id=None,
                                     form="promise_proof", now=NOW)
    assert (first, again) == (Ticked.DONE, Ticked.ALREADY)
    kept = await repo.promise(db.conn, promise.id)
    assert kept is not None and kept.proof_url == "https://x.example"  # the first proof stands


async def test_a_withdrawn_event_takes_no_more_co_partners(db: Database) -> None:
    await person(db, 1, "P-1")
    await applications.submit(db, RULEBOOK, telegram_id=1, draft=webinar(), now=NOW)
    await applications.withdraw(db, telegram_id=1, application_id=1, now=NOW)
    with pytest.raises(NotAllowed):
        await copartners.start_answers(db, 1, 1)
    with pytest.raises(NotAllowed):
        await copartners.add(db, SETTINGS, RULEBOOK, telegram_id=1, draft=media(), now=NOW)


async def test_media_partners_rank_by_participants_across_events_whatever_the_case(
    db: Database,
) -> None:
    await person(db, 1, "P-1")
    await person(db, 2, "P-2", company="Other")
    for author in (1, 1, 2):
        await applications.submit(db, RULEBOOK, telegram_id=author, draft=webinar(), now=NOW)
    for application, name, author in ((1, "Хабр", 1), (2, "ХАБР ", 1), (3, "хабр", 2)):
        await copartners.add(db, SETTINGS, RULEBOOK, telegram_id=author,
                             draft=media(name, application_id=application), now=NOW)
    await copartners.add(db, SETTINGS, RULEBOOK, telegram_id=1,
                         draft=media("vc.ru", application_id=1), now=NOW)
    async with db.transaction() as conn:
        for copartner_id, brought in ((1, 10), (2, 5), (3, 100), (4, 30)):
            row = await repo.get(conn, copartner_id)
            assert row is not None
            await repo.set_brought(conn, copartner_id, brought,
                                   application_id=row.application_id)
    own = await copartners.ranking(db, SETTINGS, 1)
    assert [(r.name, r.events, r.brought, r.kept, r.promised) for r in own] == [
        ("vc.ru", 1, 30, 0, 4), ("Хабр", 2, 15, 0, 8)]
    everyone = await copartners.ranking(db, SETTINGS, 10)
    assert [(r.events, r.brought) for r in everyone] == [(3, 115), (1, 30)]
