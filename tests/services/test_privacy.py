"""Personal data: phones and scans are deleted when their period ends (and only then), a
partner's export holds that partner's data and no one else's, a person can be erased."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.services import privacy
from bot.storage.database import Database

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=ZoneInfo("Europe/Moscow"))
OLD_MEMBER, RECENT_MEMBER, NO_PHONE, OTHER_MEMBER = 701, 702, 703, 801


def ago(**delta: float) -> str:
    return (NOW - timedelta(**delta)).isoformat()


async def person(db: Database, telegram_id: int, name: str, *, partner_id: int,
                 phone: str | None, last_seen: str) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO users (telegram_id, first_name, username, language, created_at,"
            " last_seen_at) VALUES (?, ?, ?, 'ru', ?, ?)",
            (telegram_id, name.split()[0], f"user{telegram_id}", ago(days=800), last_seen))
        await conn.execute(
            "INSERT INTO members (telegram_id, partner_id, full_name, phone, state, created_at)"
            " VALUES (?, ?, ?, ?, 'active', ?)",
            (telegram_id, partner_id, name, phone, ago(days=800)))


async def partner(db: Database, code: str, company: str) -> int:
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO partners (code, company, city, status, created_at)"
            " VALUES (?, ?, 'Казань', 'gold', ?)", (code, company, ago(days=900)))
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def application(db: Database, partner_id: int, author: int, title: str) -> int:
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO applications (partner_id, author_id, kind, title, event_date, status,"
            " answers, assessment, rulebook, submitted_at, updated_at)"
            " VALUES (?, ?, 'seminar', ?, '2019-05-20', 'credited', '{}', '{}', 'rb', ?, ?)",
            (partner_id, author, title, ago(days=2200), ago(days=2200)))
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def report(db: Database, application_id: int, partner_id: int, author: int,
                 answers: dict[str, Any]) -> int:
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO reports (application_id, partner_id, author_id, status, answers,"
            " assessment, submitted_at) VALUES (?, ?, ?, 'accepted', ?, '{}', ?)",
            (application_id, partner_id, author, json.dumps(answers), ago(days=2190)))
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def kept_file(db: Database, data_dir: Path, name: str, *, kind: str, created: str,
                    by: int) -> int:
    relative = Path("files") / f"{name}.bin"
    (data_dir / relative).parent.mkdir(parents=True, exist_ok=True)
    (data_dir / relative).write_bytes(name.encode())
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO files (file_unique_id, file_id, kind, mime_type, size, sha256, path,"
            " uploaded_by, created_at) VALUES (?, ?, ?, 'image/jpeg', 1, 'x', ?, ?, ?)",
            (f"u-{name}", f"f-{name}", kind, str(relative), by, created))
    assert cursor.lastrowid is not None
    return cursor.lastrowid


@pytest.fixture
async def program(db: Database, tmp_path: Path) -> dict[str, int]:
    """Two partners: «Ромашка» (P-1) with three employees, a report with scans and photos;
    «Василёк» (P-2) with one employee and an application."""
    data_dir = tmp_path / "data"
    a = await partner(db, "P-1", "Ромашка")
    b = await partner(db, "P-2", "Василёк")
    await person(db, OLD_MEMBER, "Анна Старая", partner_id=a, phone="+79990000001",
                 last_seen=ago(days=366))
    await person(db, RECENT_MEMBER, "Борис Новый", partner_id=a, phone="+79990000002",
                 last_seen=ago(days=364))
    await person(db, NO_PHONE, "Вера Безтелефона", partner_id=a, phone=None,
                 last_seen=ago(days=1000))
    await person(db, OTHER_MEMBER, "Глеб Чужой", partner_id=b, phone="+79990000009",
                 last_seen=ago(days=1))
    await application(db, b, OTHER_MEMBER, "Чужой семинар")
    app_a = await application(db, a, OLD_MEMBER, "Семинар Ромашки")
    ids = {
        "a": a, "b": b, "application": app_a,
        "old_scan": await kept_file(db, data_dir, "old-scan", kind="document",
                                    created=ago(days=5 * 365 + 30), by=OLD_MEMBER),
        "recent_scan": await kept_file(db, data_dir, "recent-scan", kind="document",
                                       created=ago(days=4 * 365), by=OLD_MEMBER),
        "old_photo": await kept_file(db, data_dir, "old-photo", kind="photo",
                                     created=ago(days=5 * 365 + 30), by=OLD_MEMBER),
        "old_photo_scan": await kept_file(db, data_dir, "old-photo-scan", kind="photo",
                                          created=ago(days=5 * 365 + 30), by=OLD_MEMBER),
    }
    ids["report"] = await report(db, app_a, a, OLD_MEMBER, {
        "documents": [ids["old_photo_scan"], ids["recent_scan"]],  # a receipt shot as a photo
        "photos": {"hall": [ids["old_photo"]]},
    })
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO listener_lists (report_id, state, requested_by, requested_at, file_id,"
            " path, received_at, delete_after) VALUES (?, 'received', 9001, ?, 'tg-file',"
            " 'personal/report-1.csv', ?, ?)",
            (ids["report"], ago(days=10), ago(days=9), ago(days=-170)))
    return ids


async def scalar(db: Database, sql: str, *params: object) -> Any:
    row = await db.fetch_one(sql, params)
    assert row is not None
    return row[0]


async def test_retention_deletes_expired_phones_and_scans_and_keeps_the_rest(
    db: Database, tmp_path: Path, program: dict[str, int]
) -> None:
    data_dir = tmp_path / "data"
    done = await privacy.apply_retention(db, data_dir, now=NOW, phone_days=365, scan_years=5)
    assert done == privacy.Retention(phones=1, scans=2)

    phones = {row[0]: row[1] for row in await db.fetch_all(
        "SELECT telegram_id, phone FROM members")}
    assert phones == {OLD_MEMBER: None, RECENT_MEMBER: "+79990000002", NO_PHONE: None,
                      OTHER_MEMBER: "+79990000009"}
    # The employee stays an employee; only the phone is gone.
    assert await scalar(db, "SELECT full_name FROM members WHERE telegram_id = ?",
                        OLD_MEMBER) == "Анна Старая"

    files = {row[0]: row[1] for row in await db.fetch_all("SELECT id, deleted_at FROM files")}
    assert files[program["old_scan"]] == NOW.isoformat()
    assert files[program["old_photo_scan"]] == NOW.isoformat()  # a scan sent as a photo
    assert files[program["recent_scan"]] is None
    assert files[program["old_photo"]] is None  # event photos are not accounting scans
    on_disk = {p.stem for p in (data_dir / "files").iterdir()}
    assert on_disk == {"recent-scan", "old-photo"}

    audit = [tuple(row) for row in await db.fetch_all(
        "SELECT action, subject, details FROM audit_log ORDER BY id")]
    assert audit[0][:2] == ("member.phone_deleted", f"user:{OLD_MEMBER}")
    assert json.loads(audit[0][2])["days"] == 365
    assert sorted(a[1] for a in audit[1:]) == sorted(
        [f"file:{program['old_scan']}", f"file:{program['old_photo_scan']}"])
    assert {a[0] for a in audit[1:]} == {"file.deleted"}

    again = await privacy.apply_retention(db, data_dir, now=NOW, phone_days=365, scan_years=5)
    assert again == privacy.Retention(phones=0, scans=0)
    assert await scalar(db, "SELECT COUNT(*) FROM audit_log") == len(audit)


async def test_a_shorter_period_reaches_more_and_the_periods_are_settings(
    db: Database, tmp_path: Path, program: dict[str, int]
) -> None:
    done = await privacy.apply_retention(db, tmp_path / "data", now=NOW, phone_days=30,
                                         scan_years=3)
    assert done == privacy.Retention(phones=2, scans=3)


async def test_a_partners_export_holds_its_data_and_nobody_elses(
    db: Database, program: dict[str, int]
) -> None:
    exported = await privacy.export_partner(db, " p-1 ", now=NOW)
    assert exported is not None
    text = json.dumps(exported, ensure_ascii=False, default=str)
    assert exported["partner"]["company"] == "Ромашка"
    tables = exported["tables"]
    assert {m["full_name"] for m in tables["members"]} == {
        "Анна Старая", "Борис Новый", "Вера Безтелефона"}
    assert {u["telegram_id"] for u in tables["users"]} == {OLD_MEMBER, RECENT_MEMBER, NO_PHONE}
    assert [a["title"] for a in tables["applications"]] == ["Семинар Ромашки"]
    assert tables["reports"][0]["answers"]["documents"] == [
        program["old_photo_scan"], program["recent_scan"]]
    assert tables["listener_lists"] == [{
        "report_id": program["report"], "state": "received", "requested_by": 9001,
        "requested_at": ago(days=10), "received_at": ago(days=9),
        "delete_after": ago(days=-170)}]  # the state, not where the contacts are
    assert len(exported["files"]) == 4
    for foreign in ("Василёк", "Глеб", "Чужой", "P-2", "+79990000009", "personal/"):
        assert foreign not in text

    assert await privacy.export_partner(db, "P-404", now=NOW) is None


async def test_erasing_a_person_keeps_the_business_records_with_a_placeholder(
    db: Database, program: dict[str, int]
) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO drafts (telegram_id, form, data, updated_at) VALUES (?, 'join', ?, ?)",
            (OLD_MEMBER, json.dumps({"phone": "+79990000001"}), ago(days=1)))

    erased = await privacy.erase_person(db, OLD_MEMBER, now=NOW)
    assert erased == privacy.Erased(telegram_id=OLD_MEMBER, drafts=1)

    user = await db.fetch_one("SELECT first_name, username FROM users WHERE telegram_id = ?",
                              (OLD_MEMBER,))
    member = await db.fetch_one("SELECT full_name, phone, state FROM members"
                                " WHERE telegram_id = ?", (OLD_MEMBER,))
    assert user is not None and tuple(user) == (privacy.ERASED, None)
    assert member is not None and tuple(member) == (privacy.ERASED, None, "active")
    assert await scalar(db, "SELECT COUNT(*) FROM drafts WHERE telegram_id = ?", OLD_MEMBER) == 0
    assert await scalar(db, "SELECT author_id FROM applications WHERE id = ?",
                        program["application"]) == OLD_MEMBER
    assert await scalar(db, "SELECT COUNT(*) FROM reports") == 1
    assert await scalar(db, "SELECT action FROM audit_log WHERE subject = ?",
                        f"user:{OLD_MEMBER}") == "person.erased"
    # Others are untouched.
    assert await scalar(db, "SELECT full_name FROM members WHERE telegram_id = ?",
                        RECENT_MEMBER) == "Борис Новый"

    assert await privacy.erase_person(db, 999_999, now=NOW) is None
