"""The longest application a partner can type still fits Telegram's limits everywhere."""

from __future__ import annotations

import pytest

from bot.app import AnyApplication
from bot.localapi import LocalBotApi
from tests.conftest import SPECIALIST
from tests.e2e.steps import join_new_partner, say, tap
from tests.e2e.test_apply import ahead, start_applying
from tests.e2e.test_decide import manager

LONG = "Очень длинное название доклада про Битрикс24 и всё, что с ним связано, " * 4


@pytest.mark.parametrize(("language", "seminar", "send"), [("ru", "Семинар", "✅ Отправить"),
                                                          ("en", "Seminar", "✅ Send")])
async def test_the_longest_seminar_fits_in_the_summary_the_card_and_events(
    api: LocalBotApi, bot: AnyApplication, language: str, seminar: str, send: str
) -> None:
    boss = await manager(api, SPECIALIST, "Maria", language)
    user = api.user(900, first_name="Анна", language_code=language)
    await join_new_partner(api, user, code="P-900",
                           status="Золотой" if language == "ru" else "Gold")
    q = await start_applying(api, user, seminar)
    await say(api, user, ahead(60))
    await say(api, user, ("Казань, " + LONG)[:200])
    q = await say(api, user, LONG[:200])  # names Битрикс24: the topic is not asked
    q = await tap(api, user, q, q.button_texts()[0])  # prospects
    q = await say(api, user, "\n".join(f"{LONG[:150]} {i} — 45" for i in range(20)))
    q = await tap(api, user, q, q.button_texts()[1])  # no other CMSs in the program
    q = await tap(api, user, q, "100")
    q = await say(api, user, ", ".join(["рассылка по базе клиентов и партнёров"] * 8))
    q = await say(api, user, "\n".join(f"Аренда зала {LONG[:120]} {i} — 15000" for i in range(20)))
    q = await tap(api, user, q, q.button_texts()[0])  # announcement and materials
    summary = await say(api, user, ("листовки — 100, " * 80)[:1000])
    assert len(summary.text) <= 4096 and "…" in summary.text
    await tap(api, user, summary, send)
    card = await api.next_message(boss.id)
    assert len(card.text) <= 4096 and card.button_texts()
    events = await say(api, user, "/events")
    details = await tap(api, user, events, events.button_texts()[0])
    assert len(details.text) <= 4096
