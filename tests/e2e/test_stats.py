"""/stats and /export as managers and partners see them on their phones."""

from __future__ import annotations

import asyncio
import io
import json
import os
import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from bot import chart_worker
from bot.app import AnyApplication, build_application, polling
from bot.config import load_settings
from bot.localapi import LocalBotApi
from bot.runtime import runtime_of
from tests.conftest import SPECIALIST
from tests.e2e.steps import say
from tests.e2e.test_balance import partner
from tests.e2e.test_decide import manager
from tests.localapi.conftest import make_png
from tests.services.test_stats import png_size


def add_event(env: dict[str, str], bot: AnyApplication, *, partner_code: str, author: int,
              title: str, registrations: int, listeners: int, compensation: int) -> None:
    """An event held today, reported and credited, written as the flows would leave it."""
    rt = runtime_of(bot)
    now = rt.clock.now()
    today = now.date().isoformat()
    with sqlite3.connect(env["PARTNERDESK_DATABASE"]) as db:
        (partner_id,) = db.execute("SELECT id FROM partners WHERE code = ?",
                                   (partner_code,)).fetchone()
        app_id = db.execute(
            "INSERT INTO applications (partner_id, author_id, kind, title, event_date, status,"
            " answers, assessment, rulebook, submitted_at, updated_at)"
            " VALUES (?, ?, 'webinar', ?, ?, 'credited', ?, '{}', 'test', ?, ?)",
            (partner_id, author, title, today, json.dumps({"planned_listeners": 40}),
             now.isoformat(), now.isoformat())).lastrowid
        report_id = db.execute(
            "INSERT INTO reports (application_id, partner_id, author_id, status, answers,"
            " assessment, submitted_at, points, compensation)"
            " VALUES (?, ?, ?, 'accepted', ?, '{}', ?, 50, ?)",
            (app_id, partner_id, author,
             json.dumps({"registrations": registrations, "listeners": listeners}),
             now.isoformat(), compensation)).lastrowid
        db.execute(
            "INSERT INTO ledger (key, partner_id, account, program, kind, amount, credited_on,"
            " expires_on, report_id, created_at)"
            " VALUES (?, ?, 'bonus', NULL, 'credit', ?, ?, '2099-01-01', ?, ?)",
            (f"report:{report_id}:bonus", partner_id, compensation, today, report_id,
             now.isoformat()))


async def test_a_manager_gets_the_figures_and_a_chart_a_partner_only_its_own(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str],
) -> None:
    anna = await partner(api, 601, "P-601", "Ромашка")
    boris = await partner(api, 602, "P-602", "Лютик")
    add_event(bot_env, bot, partner_code="P-601", author=anna.id, title="Вебинар А",
              registrations=50, listeners=30, compensation=1_500_000)
    add_event(bot_env, bot, partner_code="P-602", author=boris.id, title="Вебинар Б",
              registrations=20, listeners=7, compensation=400_000)
    specialist = await manager(api, SPECIALIST, "Мария")

    text = (await say(api, specialist, "/stats")).text
    assert "Статистика программы" in text
    assert "Проведено мероприятий: 2" in text
    assert "Регистраций 70, слушателей 37 — доходимость 53%" in text
    assert "компенсация 19\u00a0000\u00a0₽" in text
    assert "Приостановленных партнёров: 0" in text
    chart = await api.next_message(specialist.id)
    assert chart.kind == "photo" and chart.data is not None
    width, height = png_size(chart.data)
    assert width >= 900 and height >= 600

    own = (await say(api, anna, "/stats")).text
    assert "Ромашка" in own and "P-601" in own
    assert "Проведено мероприятий: 1" in own
    assert "Регистраций 50, слушателей 30 — доходимость 60%" in own
    assert "компенсация 15\u00a0000\u00a0₽" in own
    assert "Лютик" not in own and "Приостановленных" not in own
    assert (await api.next_message(anna.id)).kind == "photo"

    refused = (await say(api, anna, "/export")).text
    assert "только менеджеры" in refused

    await api.send_text(specialist, "/export year")
    document = await api.next_message(specialist.id)
    assert document.kind == "document" and document.data is not None
    assert (document.filename or "").endswith(".xlsx")
    book = load_workbook(io.BytesIO(document.data), read_only=True)
    assert book.sheetnames == ["partners", "applications", "decisions", "reports", "ledger"]
    assert len(list(book["applications"].iter_rows(values_only=True))) == 3

    wrong = (await say(api, specialist, "/stats week")).text
    assert "Не понял период «week»" in wrong


@pytest.mark.parametrize(("language", "title", "help_says"),
                         [("ru", "Статистика программы", "/apply"),
                          ("en", "Program statistics", "/apply")])
async def test_others_are_answered_while_a_managers_stats_chart_is_drawn(
    api: LocalBotApi, bot: AnyApplication, monkeypatch: pytest.MonkeyPatch,
    language: str, title: str, help_says: str,
) -> None:
    drawing, release = asyncio.Event(), asyncio.Event()

    async def slow_chart(monthly: object, labels: object) -> bytes:  # a year's chart, held
        drawing.set()
        await release.wait()
        return make_png()

    monkeypatch.setattr(chart_worker, "render", slow_chart)
    anna = await partner(api, 611, "P-611", "Ромашка", language)
    specialist = await manager(api, SPECIALIST, "Мария", language)

    assert title in (await say(api, specialist, "/stats year")).text
    await asyncio.wait_for(drawing.wait(), 5)
    # The chart is still being drawn: Anna's /help does not wait for it.
    assert help_says in (await say(api, anna, "/help")).text
    release.set()
    assert (await api.next_message(specialist.id)).kind == "photo"


def chart_workers() -> list[int]:
    """The processes the bot's forkserver started (the chart worker is one): children of
    children of this process whose command line names the forkserver."""
    def children(pid: int) -> list[int]:
        found: list[int] = []
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(child) for child in (task / "children").read_text().split()]
        return found

    servers = [pid for pid in children(os.getpid())
               if b"forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    return [worker for server in servers for worker in children(server)]


@pytest.mark.parametrize("at_start", [True, False])
async def test_the_chart_worker_starts_with_the_bot_unless_told_not_to(
    api: LocalBotApi, bot_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, at_start: bool,
) -> None:
    monkeypatch.setenv("PARTNERDESK_CHARTS_AT_START", str(at_start).lower())
    app = build_application(load_settings())
    async with polling(app, poll_timeout=1):
        for _ in range(100):
            if chart_workers():
                break
            await asyncio.sleep(0.05)
        assert bool(chart_workers()) is at_start
        specialist = await manager(api, SPECIALIST, "Мария")
        assert "Статистика программы" in (await say(api, specialist, "/stats")).text
        assert (await api.next_message(specialist.id, timeout=30)).kind == "photo"
