"""Requests: one tap decides once, only the role decides, and publishing re-checks the limits."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from bot.config import Role, Settings
from bot.forms.engine import SUMMARY, Draft
from bot.services import applications, decisions
from bot.services import requests as requests_service
from bot.services.decisions import Action
from bot.services.requests import Opening, Outcome, Sending, Verb
from bot.storage.database import Database
from tests.services.test_partners_and_applications import NOW, RULEBOOK, person

SETTINGS = Settings(managers={Role.SPECIALIST: (10,), Role.HEAD: (20,), Role.PR: (30,)})
# Far from the Federal Program months (June, December), when announcements pause.
FEBRUARY = date(2027, 2, 20)


async def approved_event(db: Database, day: date, title: str) -> int:
    draft = Draft(form="apply", answers={
        "kind": "webinar", "event_date": day.isoformat(), "title": title,
        "topic": "bitrix24", "audience": "prospects",
        "agenda": [{"title": f"Bitrix24: {title}", "minutes": 45}],
        "vendor_talks": [0], "conditions": [], "planned_listeners": 40, "channels": ["site"],
        "support": "info",
    })
    row, _ = await applications.submit(db, RULEBOOK, telegram_id=1, draft=draft, now=NOW)
    await decisions.decide(db, SETTINGS, RULEBOOK, application_id=row.id, version=1, manager_id=10,
                           action=Action.APPROVE, now=NOW)
    return row.id


async def asked(db: Database, application_id: int) -> int:
    opened = await requests_service.open_for_event(
        db, RULEBOOK, telegram_id=1, kind="info_support", application_id=application_id,
        today=NOW.date())
    assert opened.opening is Opening.NEW and opened.draft is not None
    draft = Draft(form="info_support", current=SUMMARY, answers={
        **opened.draft.answers, "announcement": "x" * 60, "banner": [1],
        "page": "https://example.ru", "page_checklist": ["date"]})
    sent = await requests_service.send(db, RULEBOOK, telegram_id=1, draft=draft, now=NOW)
    assert sent.sending is Sending.SENT and sent.request is not None
    return sent.request.id


async def test_a_hundred_concurrent_publish_taps_publish_once(db: Database) -> None:
    await person(db, 1, "P-1")
    request_id = await asked(db, await approved_event(db, FEBRUARY, "CRM"))
    results = await asyncio.gather(*(
        requests_service.decide(db, SETTINGS, RULEBOOK, request_id=request_id, version=1,
                                manager_id=10 if i % 2 else 20, verb=Verb.ACCEPT, now=NOW)
        for i in range(100)))
    assert [r.outcome for r in results].count(Outcome.DONE) == 1
    assert {r.outcome for r in results} == {Outcome.DONE, Outcome.ALREADY}
    logged = await db.fetch_all("SELECT COUNT(*) FROM audit_log WHERE action ="
                                " 'request.accepted'")
    assert logged[0][0] == 1


async def test_another_role_cannot_decide_and_is_kept_in_the_audit(db: Database) -> None:
    await person(db, 1, "P-1")
    request_id = await asked(db, await approved_event(db, FEBRUARY, "CRM"))
    for intruder in (1, 30):  # the partner itself; the PR manager for info support
        result = await requests_service.decide(db, SETTINGS, RULEBOOK, request_id=request_id,
                                               version=1, manager_id=intruder,
                                               verb=Verb.ACCEPT, now=NOW)
        assert result.outcome is Outcome.NOT_ALLOWED
    logged = await db.fetch_all("SELECT actor_id FROM audit_log WHERE action ="
                                " 'request.forbidden'")
    assert [r[0] for r in logged] == [1, 30]


async def test_publishing_runs_into_nearer_events_published_meanwhile_and_is_refused(
    db: Database
) -> None:
    await person(db, 1, "P-1")
    later = await asked(db, await approved_event(db, FEBRUARY, "HR"))
    nearer = [await asked(db, await approved_event(db, FEBRUARY - timedelta(days=n), t))
              for n, t in ((6, "CRM"), (4, "Sites"))]
    for request_id in nearer:
        done = await requests_service.decide(db, SETTINGS, RULEBOOK, request_id=request_id,
                                             version=1, manager_id=10, verb=Verb.ACCEPT,
                                             now=NOW)
        assert done.outcome is Outcome.DONE
    refused = await requests_service.decide(db, SETTINGS, RULEBOOK, request_id=later,
                                            version=1, manager_id=10, verb=Verb.ACCEPT,
                                            now=NOW)
    assert refused.outcome is Outcome.REFUSED and refused.request is not None
    assert refused.request.status == "refused"
    assert refused.request.reason == "limit:too_many"
    # The nearest of the two is shown up to its day: the next day a place is free.
    assert refused.request.possible_from == (FEBRUARY - timedelta(days=5)).isoformat()


async def test_a_request_sent_back_is_sent_again_as_the_next_version(db: Database) -> None:
    await person(db, 1, "P-1")
    request_id = await asked(db, await approved_event(db, FEBRUARY, "CRM"))
    back = await requests_service.decide(db, SETTINGS, RULEBOOK, request_id=request_id,
                                         version=1, manager_id=10, verb=Verb.RETURN,
                                         reason="rq:page", now=NOW)
    assert back.outcome is Outcome.DONE
    draft = await requests_service.open_fix(db, telegram_id=1, request_id=request_id)
    sent = await requests_service.send(db, RULEBOOK, telegram_id=1, draft=draft, now=NOW)
    assert sent.sending is Sending.SENT and sent.resent and sent.request is not None
    assert (sent.request.version, sent.request.status) == (2, "pending")
    old = await requests_service.decide(db, SETTINGS, RULEBOOK, request_id=request_id,
                                        version=1, manager_id=10, verb=Verb.ACCEPT, now=NOW)
    assert old.outcome is Outcome.ALREADY  # a button of version 1 decides nothing
