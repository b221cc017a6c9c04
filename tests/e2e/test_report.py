"""Reports from the phone: figures, an album of photos, a PDF receipt; the manager's review."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import AnyApplication
from bot.localapi import LocalBotApi
from bot.localapi.models import BotMessage, TgUser
from bot.runtime import runtime_of
from tests.conftest import SPECIALIST
from tests.e2e.steps import join_new_partner, say, tap
from tests.e2e.test_apply import ahead
from tests.e2e.test_decide import db_rows, manager, partner_fills, partner_sends
from tests.localapi.conftest import make_png

SEMINAR = [("type", ahead(40)), ("type", "Казань, ул. Баумана 1"),
           ("type", "Битрикс24 для бизнеса"),
           ("tap", "Потенциальные клиенты"),
           ("type", "Битрикс24 для отдела продаж — 40"), ("tap", "Нет"),
           ("tap", "30"), ("type", "рассылка"),
           ("type", "Аренда зала — 15000\nКофе-брейк — 8000"), ("tap", "Не нужна")]
WEBINAR = {
    "ru": [("type", ahead(30)), ("type", "Битрикс24 за час"),
           ("tap", "Потенциальные клиенты"), ("type", "Битрикс24: CRM — 45"), ("tap", "Нет"),
           ("tap", "50"), ("type", "рассылка, сайт"), ("tap", "Только анонс")],
    "en": [("type", ahead(30)), ("type", "Bitrix24 in an hour"),
           ("tap", "Prospective clients"), ("type", "Bitrix24: CRM — 45"), ("tap", "No"),
           ("tap", "50"), ("type", "mailing, site"), ("tap", "Announcement only")],
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def approved_seminar(api: LocalBotApi, bot: AnyApplication, partner_id: int,
                           days_after: int = 1) -> tuple[TgUser, TgUser]:
    """A partner's seminar approved by the specialist; the clock moved past the event."""
    maria = await manager(api, SPECIALIST, "Мария")
    anna = api.user(partner_id, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code=f"P-{partner_id}")
    await partner_sends(api, anna, "Семинар", SEMINAR)
    card = await api.next_message(maria.id)
    await api.press(maria, card, "✅ Одобрить")
    await api.next_message(anna.id)
    runtime_of(bot).clock.advance(timedelta(days=40 + days_after))
    return maria, anna


async def answer_figures(api: LocalBotApi, anna: TgUser) -> BotMessage:
    """A seminar report's figures, link and feedback; returns the photos question."""
    opening = await say(api, anna, "/report")
    assert "Отчёт по заявке №1" in opening.text
    assert "зарегистрировалось" in opening.text  # the first question, in the same message
    await say(api, anna, "45")
    await say(api, anna, "32")
    await say(api, anna, "romashka.ru/seminar")
    return await say(api, anna, "Всё прошло отлично, много вопросов про CRM")


async def test_a_seminar_report_with_an_album_and_a_receipt_is_accepted_and_credited(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    maria, anna = await approved_seminar(api, bot, 1001)
    photos = await answer_figures(api, anna)
    assert "0 из 4: ⬜ регистрация ⬜ выдача пакетов слушателя" in photos.text

    refused = await api.press(anna, photos, "Готово ✔")
    assert refused.show_alert and refused.text is not None and "Не хватает фото: 4" in refused.text
    await api.send_album(anna, [make_png(seed=i) for i in range(4)])
    documents = await api.next_message(anna.id, timeout=5)  # the full checklist goes on
    assert "Бухгалтерские документы" in documents.text
    with pytest.raises(asyncio.TimeoutError):
        await api.next_message(anna.id, timeout=1)  # one answer for the album, not four
    # The coffee break cost less than planned: typed with the scans, as the application had it.
    typed = await say(api, anna, "Аренда зала — 15000\nКофе-брейк — 7000")
    assert ("Фактические расходы: Аренда зала — 15\u00a0000\u00a0₽, Кофе-брейк —"
            " 7\u00a0000\u00a0₽ ✓") in typed.text
    await api.send_document(anna, PDF, filename="receipt.pdf", mime_type="application/pdf")
    summary = await api.next_message(anna.id)  # the first scan completes the report
    assert "Проверьте отчёт" in summary.text and "Слушателей: 32" in summary.text
    assert "Баллы: 60" in summary.text  # 31–50 listeners
    sent = await tap(api, anna, summary, "✅ Отправить отчёт")
    assert "отправлен менеджеру" in sent.text

    album = [await api.next_message(maria.id) for _ in range(4)]
    assert {m.kind for m in album} == {"photo"} and len({m.media_group_id for m in album}) == 1
    assert [m.text for m in album] == [  # each photo says what it shows
        f"📷 {category} · отчёт по заявке №1" for category in (
            "регистрация", "выдача пакетов слушателя", "полный зал",
            "зона регистрации и оформление")]
    receipt = await api.next_message(maria.id)
    assert receipt.kind == "document"
    card = await api.next_message(maria.id)
    assert "Отчёт по заявке №1" in card.text and "опозданием" not in card.text
    assert "Компенсация: 11\u00a0000\u00a0₽" in card.text  # 50% of the documented 22 000

    await api.press(maria, card, "✅ Принять")
    told = await api.next_message(anna.id)
    assert "принят: 60 баллов, компенсация 11\u00a0000\u00a0₽" in told.text
    await api.wait_until(lambda: "✅ Принят" in card.text)
    assert db_rows(bot_env, "SELECT status, points, compensation FROM reports") == [
        ("accepted", 60, 1_100_000)]
    assert db_rows(bot_env, "SELECT status FROM applications") == [("credited",)]
    credited = db_rows(bot_env, "SELECT account, program, amount FROM ledger ORDER BY id")
    assert credited == [("points", "bitrix24", 60), ("bonus", None, 1_100_000)]
    balance = await say(api, anna, "/balance")
    assert "60" in balance.text and "11\u00a0000" in balance.text
    events = await say(api, anna, "/events")
    details = await tap(api, anna, events, events.button_texts()[0])
    assert "Начислено по отчёту: баллы: 60, компенсация: 11\u00a0000\u00a0₽." in details.text
    assert "если заявку одобрят" not in details.text  # not the forecast (40 points, 11 500 ₽)
    assert card.buttons == [] or card.reply_markup is None  # nothing left to tap twice

    kept = db_rows(bot_env, "SELECT kind, sha256, path, size FROM files ORDER BY id")
    assert [k[0] for k in kept] == ["photo"] * 4 + ["document"]
    data_dir = Path(bot_env["PARTNERDESK_DATA_DIR"])
    for _, sha, path, size in kept:
        content = (data_dir / str(path)).read_bytes()
        assert hashlib.sha256(content).hexdigest() == sha and len(content) == size


async def test_an_album_uploaded_slowly_is_answered_once_after_its_last_photo(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    _, anna = await approved_seminar(api, bot, 1007)
    await answer_figures(api, anna)
    # A phone on a slow network: the album's photos arrive 0.9 s apart, 2.7 s in all.
    await api.send_album(anna, [make_png(seed=i) for i in range(3)], interval=0.9)
    checklist = await api.next_message(anna.id, timeout=5)
    assert "3 из 4: ✅ регистрация ✅ выдача пакетов слушателя ✅ полный зал ⬜" in checklist.text
    with pytest.raises(asyncio.TimeoutError):
        await api.next_message(anna.id, timeout=2)  # not «2 из 4» first, nor «3 из 4» twice


async def test_one_album_fills_the_checklist_and_brings_the_scan_and_the_report_goes_on(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    _, anna = await approved_seminar(api, bot, 1008)
    await answer_figures(api, anna)
    await api.send_album(anna, [make_png(seed=i) for i in range(5)])  # 4 photos and a scan
    summary = await api.next_message(anna.id, timeout=5)
    assert "Проверьте отчёт" in summary.text and "Документы: 1 файл" in summary.text
    with pytest.raises(asyncio.TimeoutError):
        await api.next_message(anna.id, timeout=1)
    await tap(api, anna, summary, "✅ Отправить отчёт")
    assert db_rows(bot_env, "SELECT COUNT(*) FROM files WHERE kind = 'photo'") == [(5,)]


async def webinar_held(api: LocalBotApi, bot: AnyApplication, user_id: int,
                       language: str) -> TgUser:
    """A partner whose webinar was approved and is a month past: the report is due."""
    maria = await manager(api, SPECIALIST, "Мария")
    anna = api.user(user_id, first_name="Анна", language_code=language)
    await join_new_partner(api, anna, code=f"P-{user_id}",
                           status="Gold" if language == "en" else "Золотой")
    summary = await partner_fills(api, anna, "Вебинар" if language == "ru" else "Webinar",
                                  WEBINAR[language])
    await tap(api, anna, summary, "✅ Отправить" if language == "ru" else "✅ Send")
    await api.press(maria, await api.next_message(maria.id), "✅ Одобрить")
    await api.next_message(anna.id)
    runtime_of(bot).clock.advance(timedelta(days=31))
    return anna


@pytest.mark.parametrize(("language", "registered", "came"), [
    ("ru", "зарегистрировалось", "Слушателей: 41"), ("en", "registered", "Listeners: 41")])
async def test_registrations_and_listeners_in_one_answer(
    api: LocalBotApi, bot: AnyApplication, language: str, registered: str, came: str
) -> None:
    anna = await webinar_held(api, bot, 1009, language)
    opening = await say(api, anna, "/report")
    assert "фото" not in opening.text and "photos" not in opening.text  # a webinar asks none
    assert registered in opening.text and "50 / 42" in opening.text
    link = await say(api, anna, "60 / 41")  # both figures: the listeners are not asked
    assert "Ссылка" in link.text or "link" in link.text.lower()
    feedback = await say(api, anna, "romashka.ru/webinar")  # a link alone: feedback asked next
    assert "Отзывы и выводы" in feedback.text or "Feedback and conclusions" in feedback.text
    summary = await say(api, anna, "Good questions, we will come again")
    assert came in summary.text


SEMINAR_EN = [("type", ahead(40)), ("type", "Kazan, 1 Bauman St"),
              ("type", "Bitrix24 for business"),
              ("tap", "Prospective clients"), ("type", "Bitrix24 for sales teams — 40"),
              ("tap", "No"), ("tap", "30"), ("type", "mailing"),
              ("type", "Hall rent — 15000\nCoffee break — 8000"), ("tap", "Not needed")]


async def seminar_report_open(api: LocalBotApi, bot: AnyApplication, partner_id: int,
                              language: str) -> tuple[TgUser, TgUser, BotMessage]:
    """A seminar approved and over, its report answered up to the photos question (asked in
    `language`); returns the manager, the partner and the photos question."""
    maria = await manager(api, SPECIALIST, "Мария", language)
    anna = api.user(partner_id, first_name="Анна", language_code=language)
    await join_new_partner(api, anna, code=f"P-{partner_id}",
                           status="Gold" if language == "en" else "Золотой")
    summary = await partner_fills(api, anna, "Семинар" if language == "ru" else "Seminar",
                                  SEMINAR if language == "ru" else SEMINAR_EN)
    await tap(api, anna, summary, "✅ Отправить" if language == "ru" else "✅ Send")
    await api.press(maria, await api.next_message(maria.id),
                    "✅ Одобрить" if language == "ru" else "✅ Approve")
    await api.next_message(anna.id)
    runtime_of(bot).clock.advance(timedelta(days=41))
    await say(api, anna, "/report")
    await say(api, anna, "45 / 32")
    photos = await say(api, anna, "romashka.ru/seminar — " + (
        "всё прошло отлично" if language == "ru" else "all went well, many questions"))
    return maria, anna, photos


@pytest.mark.parametrize(("language", "planned", "same", "label", "as_planned", "done", "docs"), [
    ("ru", "Расходы по заявке: Аренда зала — 15\u00a0000\u00a0₽, Кофе-брейк — 8\u00a0000\u00a0₽",
     "Фактические расходы: как в заявке — 23\u00a0000\u00a0₽", "✏️ Фактические расходы",
     "Как в заявке", "Готово ✔", ("Документы: 1 файл", "Документы: 2 файла")),
    ("en", "Costs in the application: Hall rent — 15\u00a0000\u00a0₽, Coffee break —"
     " 8\u00a0000\u00a0₽", "Actual costs: as planned — 23\u00a0000\u00a0₽", "✏️ Actual costs",
     "As planned", "Done ✔", ("Documents: 1 file", "Documents: 2 files"))])
async def test_the_first_scan_completes_the_report_and_the_costs_are_the_planned_ones(
    api: LocalBotApi, bot: AnyApplication, language: str, planned: str, same: str, label: str,
    as_planned: str, done: str, docs: tuple[str, str]
) -> None:
    _, anna, photos = await seminar_report_open(api, bot, 1010, language)
    assert "0 из 4" in photos.text or "0 of 4" in photos.text  # not the actual costs question
    documents = await say(api, anna, "https://video.example/seminar")
    assert planned in documents.text  # what the application planned, at the scans
    assert done not in documents.button_texts()
    await api.send_document(anna, PDF, filename="receipt.pdf", mime_type="application/pdf")
    summary = await api.next_message(anna.id)  # no «Done»: the first scan completes it
    assert same in summary.text and docs[0] in summary.text
    # A second scan sent at the summary is added, and the summary shown again.
    await api.send_document(anna, PDF + b"%2", filename="act.pdf", mime_type="application/pdf")
    again = await api.next_message(anna.id)
    assert docs[1] in again.text and same in again.text
    # The costs changed from the summary: the planned ones are offered with one tap.
    costs = await tap(api, anna, again, label)
    assert as_planned in costs.button_texts()
    changed = await say(api, anna, "Аренда зала — 15000\nКофе-брейк — 9000" if language == "ru"
                        else "Hall rent — 15000\nCoffee break — 9000")
    assert "9\u00a0000\u00a0₽" in changed.text and same not in changed.text
    back = await tap(api, anna, changed, label)
    assert same in (await tap(api, anna, back, as_planned)).text


@pytest.mark.parametrize(("language", "lines", "shown"), [
    ("ru", "Аренда зала — 15000\nКофе-брейк — 6000", "Кофе-брейк — 6\u00a0000\u00a0₽"),
    ("en", "Hall rent — 15000\nCoffee break — 6000", "Coffee break — 6\u00a0000\u00a0₽")])
async def test_actual_costs_typed_at_the_scans_are_the_report_s(
    api: LocalBotApi, bot: AnyApplication, language: str, lines: str, shown: str
) -> None:
    maria, anna, _ = await seminar_report_open(api, bot, 1012, language)
    await say(api, anna, "https://video.example/seminar")
    typed = await say(api, anna, lines)
    assert shown in typed.text and "✓" in typed.text  # still waiting for the scan
    await api.send_document(anna, PDF, filename="receipt.pdf", mime_type="application/pdf")
    summary = await api.next_message(anna.id)
    assert shown in summary.text
    assert ("Компенсация: 10\u00a0500\u00a0₽" in summary.text
            or "Compensation: 10\u00a0500\u00a0₽" in summary.text)  # 50% of 21 000
    await tap(api, anna, summary,
              "✅ Отправить отчёт" if language == "ru" else "✅ Send the report")
    await api.next_message(maria.id)  # the scan
    card = await api.next_message(maria.id)
    assert shown in card.text


async def test_a_webinar_report_needs_no_photos(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    maria = await manager(api, SPECIALIST, "Мария")
    anna = api.user(1002, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna, code="P-1002")
    await partner_sends(api, anna)
    await api.press(maria, await api.next_message(maria.id), "✅ Одобрить")
    await api.next_message(anna.id)
    runtime_of(bot).clock.advance(timedelta(days=31))
    events = await say(api, anna, "/events")
    details = await tap(api, anna, events, events.button_texts()[0])
    opening = await tap(api, anna, details, "📝 Отчитаться")  # from /events, not /report
    assert "Отчёт по заявке №1" in opening.text and "фото" not in opening.text
    for answer in ("60", "41", "romashka.ru/webinar"):
        await say(api, anna, answer)
    summary = await say(api, anna, "Хорошие вопросы, придём ещё")
    assert "Проверьте отчёт" in summary.text and "Фото" not in summary.text
    assert "Баллы: 30" in summary.text  # a webinar with 30+ listeners
    assert "отправлен" in (await tap(api, anna, summary, "✅ Отправить отчёт")).text


async def test_a_late_report_is_accepted_but_flagged_on_the_card(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    maria, anna = await approved_seminar(api, bot, 1003, days_after=30)
    photos = await answer_figures(api, anna)
    checklist = await say(api, anna, "https://video.example/seminar")  # a video instead
    assert "Бухгалтерские документы" in checklist.text
    await api.send_photo(anna, make_png(seed=9))
    summary = await api.next_message(anna.id)
    await tap(api, anna, summary, "✅ Отправить отчёт")
    assert photos
    await api.next_message(maria.id)  # the scan
    card = await api.next_message(maria.id)
    assert "⚠️ Отчёт сдан с опозданием" in card.text


async def test_a_file_over_20_mb_is_refused_with_a_clear_answer(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    _, anna = await approved_seminar(api, bot, 1004)
    await answer_figures(api, anna)
    await say(api, anna, "https://video.example/seminar")
    await api.send_document(anna, b"x" * (25 * 1024 * 1024), filename="scan.pdf",
                            mime_type="application/pdf")
    refused = await api.next_message(anna.id)
    assert "больше 20 МБ" in refused.text
    await api.send_document(anna, b"MZ...", filename="virus.exe",
                            mime_type="application/x-msdownload")
    assert "нужен PDF, JPG, PNG или GIF" in (await api.next_message(anna.id)).text
    assert db_rows(bot_env, "SELECT COUNT(*) FROM files") == [(0,)]


async def sent_report(api: LocalBotApi, bot: AnyApplication, partner_id: int
                      ) -> tuple[TgUser, TgUser, BotMessage]:
    """A seminar report with a video link and one scan, sent; returns the review card."""
    maria, anna = await approved_seminar(api, bot, partner_id)
    await answer_figures(api, anna)
    await say(api, anna, "https://video.example/seminar")
    await api.send_document(anna, PDF, filename="receipt.pdf", mime_type="application/pdf")
    summary = await api.next_message(anna.id)
    await tap(api, anna, summary, "✅ Отправить отчёт")
    await api.next_message(maria.id)  # the scan
    return maria, anna, await api.next_message(maria.id)


async def test_a_listener_list_goes_to_managers_only_and_is_deleted_after_its_period(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    maria, anna, card = await sent_report(api, bot, 1005)
    await api.press(maria, card, "👥 Запросить список слушателей")
    request = await api.next_message(anna.id)
    assert "список слушателей с контактами" in request.text
    csv = "Имя;Телефон\nИван;+79990000000\n".encode()
    await api.send_document(anna, csv, filename="listeners.csv", mime_type="text/csv")
    assert "список получен" in (await api.next_message(anna.id)).text
    shared = await api.next_message(maria.id)
    assert shared.kind == "document" and "только для менеджеров" in shared.text
    [(path,)] = db_rows(bot_env, "SELECT path FROM listener_lists")
    kept = Path(bot_env["PARTNERDESK_DATA_DIR"]) / str(path)
    assert kept.read_bytes() == csv and str(path).startswith("personal/")
    assert db_rows(bot_env, "SELECT COUNT(*) FROM files WHERE path LIKE 'personal/%'") == [(0,)]

    runtime_of(bot).clock.advance(timedelta(days=181))
    job = bot.job_queue.get_jobs_by_name("personal-data-purge")[0]  # type: ignore[union-attr]
    await job.run(bot)
    assert not kept.exists()
    assert db_rows(bot_env, "SELECT state, path FROM listener_lists") == [("deleted", None)]
    assert db_rows(bot_env, "SELECT COUNT(*) FROM audit_log WHERE action ="
                            " 'listeners.deleted'") == [(1,)]


async def test_declining_the_listener_list_is_recorded_for_the_manager(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    maria, anna, card = await sent_report(api, bot, 1006)
    await api.press(maria, card, "👥 Запросить список слушателей")
    request = await api.next_message(anna.id)
    assert "понятно" in (await tap(api, anna, request, "Отказаться")).text.lower()
    assert "отказался" in (await api.next_message(maria.id)).text
    await api.press(maria, card, "✅ Принять")
    await api.wait_until(lambda: "⚠️ §3: партнёр отказался" in card.text)


async def test_a_report_waiting_for_review_is_in_pending_and_opens_there(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str]
) -> None:
    maria, anna, _ = await sent_report(api, bot, 1011)
    pending = await say(api, maria, "/pending")
    assert "Ждут решения: 1" in pending.text and "📝 Отчёт по №1" in pending.text
    [button] = pending.button_texts()
    await api.press(maria, pending, button)
    scan = await api.next_message(maria.id)
    assert scan.kind == "document"  # the report's scan comes before its card, as the first time
    card = await api.next_message(maria.id)
    assert "Отчёт по заявке №1" in card.text
    await api.press(maria, card, "✅ Принять")
    assert "принят" in (await api.next_message(anna.id)).text
    assert db_rows(bot_env, "SELECT status FROM reports") == [("accepted",)]
    assert "Ждут решения" not in (await say(api, maria, "/pending")).text
