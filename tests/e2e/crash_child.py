"""The child of tests/e2e/test_crash.py: a burst of real work, killed at random by the parent.

    python tests/e2e/crash_child.py DATABASE LOG --people N [--pause-after-draft I]

For people 0..N-1 in order, through the real `Database` and services: the person joins a new
partner, saves an application draft, submits it, a manager approves it, and the ledger is
credited (`bot.services.ledger.credit_report`). Each step is appended to LOG as one line only
after its transaction has committed, so every logged line must survive a SIGKILL.

On start it carries on where the database says the last run stopped: the last person's missing
steps are done, a draft saved before the kill is loaded (logged as `resumed-draft`) and
submitted as it was. With --pause-after-draft I it stops (sleeps) right after person I's draft
is logged, for the parent to kill it there.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import Role, load_settings
from bot.forms.engine import Draft
from bot.rules import load_rulebook
from bot.services import applications, decisions, ledger, partners
from bot.services.applications import APPLY_FORM
from bot.services.decisions import Action
from bot.services.users import see_user
from bot.storage.database import Database

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Moscow"))
FIRST_ID = 100_000
MANAGER = 10
SETTINGS = load_settings(managers={Role.SPECIALIST: (MANAGER,)})
RULEBOOK = load_rulebook()


def telegram_id(person: int) -> int:
    return FIRST_ID + person


def webinar(person: int) -> Draft:
    return Draft(form=APPLY_FORM, answers={
        "kind": "webinar", "event_date": "2026-12-20", "title": f"CRM in an hour #{person}",
        "topic": "bitrix24", "audience": "prospects",
        "agenda": [{"title": "Bitrix24", "minutes": 45}],
        "vendor_talks": [0], "conditions": [], "competitors": False, "planned_listeners": 40,
        "channels": ["site"],
        "support": "info",
    })


class Log:
    """Appends whole lines with one write(2) each: what is written survives the process."""

    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def __call__(self, *fields: object) -> None:
        os.write(self.fd, (" ".join(map(str, fields)) + "\n").encode())


async def first_unfinished(db: Database) -> int:
    row = await db.fetch_one("SELECT MAX(telegram_id) FROM members")
    return 0 if row is None or row[0] is None else int(row[0]) - FIRST_ID


async def one_person(db: Database, person: int, log: Log, pause_after_draft: int | None) -> None:
    """Every step this person still lacks, each logged after its commit."""
    tid = telegram_id(person)
    if await db.fetch_one("SELECT 1 FROM members WHERE telegram_id = ?", (tid,)) is None:
        await see_user(db, telegram_id=tid, first_name="Crash", username=None, language="en",
                       now=NOW)
        await partners.join(db, telegram_id=tid, now=NOW, answers={
            "partner_code": f"C-{person}", "company": f"Crash {person}", "city": "Kazan",
            "status": "gold", "full_name": f"Person {person}", "phone": "+79990000000"})
        log("joined", person)
    row = await db.fetch_one("SELECT id, status, partner_id FROM applications WHERE author_id = ?",
                             (tid,))
    if row is None:
        draft = await applications.load_draft(db, tid, APPLY_FORM)
        if draft is None:
            draft = webinar(person)
            await applications.save_draft(db, tid, draft, NOW)
            log("draft", person)
            if pause_after_draft == person:
                log("pausing", person)
                await asyncio.sleep(3600)
        else:
            log("resumed-draft", person, draft.answers["title"].replace(" ", "_"))
        submitted, _ = await applications.submit(db, RULEBOOK, telegram_id=tid, draft=draft,
                                                 now=NOW)
        log("submitted", person, submitted.id)
        row = await db.fetch_one("SELECT id, status, partner_id FROM applications WHERE id = ?",
                                 (submitted.id,))
        assert row is not None
    app_id, status, partner_id = int(row[0]), str(row[1]), int(row[2])
    if status == "pending":
        result = await decisions.decide(db, SETTINGS, RULEBOOK, application_id=app_id, version=1,
                                        manager_id=MANAGER, action=Action.APPROVE, now=NOW)
        if result.outcome is not decisions.Outcome.DONE:
            raise SystemExit(f"approval of {app_id}: {result.outcome}")
        log("approved", person, app_id)
    # The application's id stands for the report's: one credit per approved application.
    if await ledger.credit_report(db, RULEBOOK, report_id=app_id, partner_id=partner_id,
                                  program="bitrix24", points=30, compensation=150_000,
                                  credited_on=NOW.date(), by=MANAGER, now=NOW):
        log("credited", person, app_id)


async def run(args: argparse.Namespace) -> None:
    log = Log(args.log)
    db = await Database.open(args.database)
    try:
        await db.migrate()
        start = await first_unfinished(db)
        log("started", start)
        for person in range(start, args.people):
            await one_person(db, person, log, args.pause_after_draft)
        log("finished", args.people)
    finally:
        await db.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("database", type=Path)
    parser.add_argument("log", type=Path)
    parser.add_argument("--people", type=int, required=True)
    parser.add_argument("--pause-after-draft", type=int)
    asyncio.run(run(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
