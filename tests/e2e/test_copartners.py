"""Co-partners of an event end to end: a general media partner and a sponsor added with their
packages, reminders on the promises' days, proof ticked, and the results on the report's card."""

from __future__ import annotations

from bot.localapi import LocalBotApi
from bot.localapi.models import BotMessage, TgUser
from tests.e2e.steps import say, tap
from tests.e2e.test_decide import db_rows
from tests.e2e.test_reminders import APPROVAL, approve_seminar, moment, run_job, running, set_clock
from tests.localapi.conftest import make_png

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DONE = "Готово ✔"


async def drain(api: LocalBotApi, user: TgUser) -> list[BotMessage]:
    """Everything the bot has sent the user and the test has not read yet."""
    found = []
    while True:
        try:
            found.append(await api.next_message(user.id, timeout=0.3))
        except TimeoutError:
            return found


async def copartners_of_event(api: LocalBotApi, anna: TgUser) -> BotMessage:
    """/events → the event → 🤝."""
    listing = await say(api, anna, "/events")
    details = await tap(api, anna, listing, "ev:open:1")
    return await tap(api, anna, details, "cp:list:1")


async def add_media_partner(api: LocalBotApi, anna: TgUser, listing: BotMessage) -> BotMessage:
    await api.press(anna, listing, "➕ Добавить партнёра")
    assert "партнёрский пакет" in (await api.next_message(anna.id)).text
    await api.next_message(anna.id)  # the name question
    kind = await say(api, anna, "Хабр")
    status = await tap(api, anna, kind, "📰 информационный партнёр")
    assert "Обычный пакет информационного партнёра" in status.text
    assert "аудитория совпадает с аудиторией мероприятия" in status.text
    await tap(api, anna, status, "генеральный информационный партнёр")
    reach = await say(api, anna, "Разработчики и руководители ИТ-отделов")
    await tap(api, anna, reach, "100000")
    gives = await say(api, anna, "Ольга, olga@habr.example")
    # The usual package comes ticked: one tap agrees it.
    assert "✅ логотип на сайте мероприятия" in gives.button_texts()
    assert "⬜ логотип на пресс-воле" in gives.button_texts()
    owes = await tap(api, anna, gives, DONE)
    assert owes.button_texts()[:2] == ["✅ анонс до мероприятия",
                                       "✅ пост-материал после мероприятия"]
    assert not any("спонсорские деньги" in b for b in owes.button_texts())  # not a media's
    summary = await tap(api, anna, owes, DONE)
    assert "Проверьте партнёра" in summary.text and "генеральный информационный партнёр" in (
        summary.text)
    return await tap(api, anna, summary, "✅ Сохранить")


async def add_sponsor(api: LocalBotApi, anna: TgUser, listing: BotMessage) -> BotMessage:
    await api.press(anna, listing, "➕ Добавить партнёра")
    await api.next_message(anna.id)
    await api.next_message(anna.id)
    kind = await say(api, anna, "ООО «Спонсор»")
    contact = await tap(api, anna, kind, "💰 спонсор")
    assert "Обычный пакет информационного" not in contact.text
    gives = await say(api, anna, "Иван, +7 999 000-11-22")
    owes = await tap(api, anna, gives, DONE)
    assert "✅ спонсорские деньги" in owes.button_texts()
    amount = await tap(api, anna, owes, DONE)
    assert "Сумма спонсорства" in amount.text
    summary = await say(api, anna, "50 000")
    assert "50\u00a0000\u00a0₽" in summary.text
    return await tap(api, anna, summary, "✅ Сохранить")


async def test_a_media_partner_and_a_sponsor_keep_their_promises_and_show_in_the_report(
    api: LocalBotApi, bot_env: dict[str, str]
) -> None:
    async with running(APPROVAL) as bot:
        maria, anna = await approve_seminar(api, 2101)  # the seminar is on 30.04.2026
        listing = await copartners_of_event(api, anna)
        assert "Партнёров пока нет" in listing.text

        saved = await add_media_partner(api, anna, listing)
        assert "<b>Хабр</b> добавлен" in saved.html
        assert "обязательств выполнено: 0 из 6" in saved.text
        assert "⬜ мы: логотип на сайте мероприятия — до 23.04.2026" in saved.text
        assert "⬜ они: пост-материал после мероприятия — до 07.05.2026" in saved.text
        await add_sponsor(api, anna, await copartners_of_event(api, anna))

        assert db_rows(bot_env, "SELECT name, kind FROM copartners ORDER BY id") == [
            ("Хабр", "media"), ("ООО «Спонсор»", "sponsor")]
        planned = db_rows(bot_env, "SELECT COUNT(*) FROM reminders WHERE kind = 'promise'"
                                   " AND state = 'planned'")
        assert planned == [(10,)]  # 4 + 2 promises with Хабр, 3 + 1 with the sponsor

        # The announcement came out early: ticked with its link, its reminder is cancelled.
        tick = await tap(api, anna, saved, "✔ анонс до мероприятия")
        assert "Хабр" in tick.text and "Сделано?" in tick.text
        kept = await say(api, anna, "https://habr.example/news/42")
        assert "✅ Отмечено: анонс до мероприятия — Хабр" in kept.text
        assert "✅ они: анонс до мероприятия — до 23.04.2026 · https://habr.example/news/42" in (
            kept.text)
        assert db_rows(bot_env, "SELECT r.state, r.note FROM reminders AS r JOIN"
                                " copartner_promises AS p ON p.id = r.promise_id"
                                " WHERE p.item = 'announcement'") == [("cancelled", "kept")]

        # Two weeks before: has the sponsor paid?
        await run_job(bot, moment("2026-04-16"))
        asked = [m.text for m in await drain(api, anna) if "🤝" in m.text]
        assert asked == [
            "🤝 №1 «Битрикс24 для бизнеса» (30.04.2026) — сегодня срок обещанного партнёром"
            " ООО «Спонсор»: спонсорские деньги. Сделано? Отметьте ссылкой или напомните партнёру."]

        # A week before: the logos are due; the announcement, kept, is not asked about.
        await run_job(bot, moment("2026-04-23"))
        due = [m for m in await drain(api, anna) if "🤝" in m.text]
        assert len(due) == 3
        texts = " | ".join(m.text for m in due)
        assert "перед партнёром Хабр — логотип на сайте мероприятия" in texts
        assert "перед партнёром Хабр — логотип в соцсетях" in texts
        assert "перед партнёром ООО «Спонсор» — логотип на сайте мероприятия" in texts
        assert "анонс до мероприятия?" not in texts
        logo = next(m for m in due if "перед партнёром Хабр — логотип на сайте" in m.text)
        proof = await tap(api, anna, logo, "✔ логотип на сайте мероприятия")
        await api.send_photo(anna, make_png(seed=7))
        received = await api.next_message(anna.id)
        assert "Получено файлов: 1" in received.text
        confirmed = await tap(api, anna, received, DONE)
        assert "✅ Отмечено: логотип на сайте мероприятия — Хабр" in confirmed.text and proof
        assert "✅ мы: логотип на сайте мероприятия — до 23.04.2026 · 📷" in confirmed.text

        # After the event: the report asks what each co-partner brought.
        set_clock(bot, moment("2026-05-04"))
        opening = await say(api, anna, "/report")
        assert "Отчёт по заявке №1" in opening.text  # with the first question
        for answer in ("45", "32", "romashka.ru/seminar", "Всё прошло отлично, много вопросов"):
            brought = await say(api, anna, answer)
        assert "Сколько участников привёл каждый партнёр" in brought.text
        assert "1. Хабр\n2. ООО «Спонсор»" in brought.text
        wrong = await say(api, anna, "12")
        assert "Нужно чисел: 2" in wrong.text
        satisfaction = await say(api, anna, "12 0")
        contacts = await tap(api, anna, satisfaction, "4.5")
        plans = await tap(api, anna, contacts, "10")
        assert "Совместные планы" in plans.text
        photos = await say(api, anna, "Совместный вебинар с Хабром в июне")
        assert "Фото" in photos.text or "фото" in photos.text
        await api.send_album(anna, [make_png(seed=i) for i in range(4)])
        documents = await api.next_message(anna.id, timeout=5)  # a full checklist goes on
        await api.send_document(anna, PDF, filename="receipt.pdf", mime_type="application/pdf")
        summary = await api.next_message(anna.id)  # the first scan completes the report
        assert "Привели партнёры: Хабр — 12; ООО «Спонсор» — 0" in summary.text
        assert "Удовлетворённость: 4.5" in summary.text and documents
        await tap(api, anna, summary, "✅ Отправить отчёт")

        for _ in range(5):  # the album, the receipt
            await api.next_message(maria.id)
        card = await api.next_message(maria.id)
        assert "Отчёт по заявке №1" in card.text
        assert "🤝 Партнёры мероприятия" in card.text
        assert ("Хабр — 📰 информационный партнёр, генеральный информационный партнёр,"
                " охват 100000" in card.text)
        assert "обязательств выполнено: 2 из 6 · привёл участников: 12" in card.text
        assert "обязательств выполнено: 0 из 4 · привёл участников: 0" in card.text
        assert "Совместные планы: Совместный вебинар с Хабром в июне" in card.text

        # The partner's own view of the event shows the same, and the ranking counts Хабр.
        details = await tap(api, anna, await say(api, anna, "/events"), "ev:open:1")
        assert "обязательств выполнено: 2 из 6 · привёл участников: 12" in details.text
        ranking = await say(api, anna, "/partners_stats")
        assert "1. Хабр — участников: 12, мероприятий: 1, обязательств выполнено: 2 из 6" in (
            ranking.text)
        assert "Спонсор" not in ranking.text  # media partners only
        everyone = await say(api, maria, "/partners_stats")
        assert "всех партнёров" in everyone.text and "1. Хабр — участников: 12" in everyone.text
