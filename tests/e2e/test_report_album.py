"""A report in few actions: link and feedback in one message, the photos' categories by order
or caption (fixed with a tap on the summary), a scan inside the album; the manager's album."""

from __future__ import annotations

import pytest

from bot.app import AnyApplication
from bot.localapi import LocalBotApi
from bot.localapi.models import BotMessage, TgUser
from tests.e2e.steps import say, tap
from tests.e2e.test_decide import db_rows
from tests.e2e.test_report import seminar_report_open, webinar_held
from tests.localapi.conftest import make_png

CATEGORIES = {
    "ru": ("регистрация", "выдача пакетов слушателя", "полный зал",
           "зона регистрации и оформление"),
    "en": ("registration", "handing out listener packs", "the hall at its fullest",
           "registration area and decoration"),
}
SEND = {"ru": "✅ Отправить отчёт", "en": "✅ Send the report"}


async def tap_in_place(api: LocalBotApi, user: TgUser, message: BotMessage,
                       button: str) -> BotMessage:
    """Press a button of a message the bot edits in place (its text, or only its buttons);
    returns it edited."""
    before = (message.html, message.button_texts())
    await api.press(user, message, button)
    await api.wait_until(lambda: (message.html, message.button_texts()) != before)
    return message


@pytest.mark.parametrize(("language", "feedback", "link_label", "typed", "complete"), [
    ("ru", "Отзывы и выводы: хорошие вопросы, придём ещё", "Ссылка: https://romashka.ru/webinar",
     "ещё кое-что", "Отчёт заполнен"),
    ("en", "Feedback and conclusions: good questions, we will come again",
     "Link: https://romashka.ru/webinar", "one more thing", "The report is complete")])
async def test_a_webinar_report_takes_the_link_and_the_feedback_in_one_message(
    api: LocalBotApi, bot: AnyApplication, language: str, feedback: str, link_label: str,
    typed: str, complete: str
) -> None:
    anna = await webinar_held(api, bot, 1101, language)
    opening = await say(api, anna, "/report")
    assert "фото" not in opening.text.lower() and "photo" not in opening.text.lower()
    link = await say(api, anna, "60 / 41")
    assert "romashka.ru/seminar — " in link.text  # the example of both in one message
    answer = feedback.split(": ", 1)[1]
    report = await say(api, anna, f"romashka.ru/webinar — {answer[0].upper()}{answer[1:]}")
    assert "Проверьте отчёт" in report.text or "Check the report" in report.text
    assert link_label in report.text and feedback.split(": ")[0] in report.text
    assert answer in report.text.lower()
    told = await say(api, anna, typed)  # typed at the summary: the report's own words
    assert complete in told.text and "Заявка" not in told.text
    assert "application" not in told.text.lower()
    sent = await tap(api, anna, report, SEND[language])
    assert "отправлен менеджеру" in sent.text or "went to the manager" in sent.text


@pytest.mark.parametrize("language", ["ru", "en"])
async def test_a_scan_inside_the_album_goes_to_the_documents(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str], language: str
) -> None:
    _, anna, _ = await seminar_report_open(api, bot, 1102, language)
    scan = "чек за аренду" if language == "ru" else "receipt for the hall"
    await api.send_album(anna, [make_png(seed=i) for i in range(5)],
                         captions=[None, scan, None, None, None])
    summary = await api.next_message(anna.id, timeout=5)  # the scan completes the report
    names = CATEGORIES[language]
    assert ", ".join(f"{n} — {c}" for n, c in enumerate(names, start=1)) in summary.text
    assert ("Документы: 1 файл" if language == "ru" else "Documents: 1") in summary.text
    await tap(api, anna, summary, SEND[language])
    [(documents,)] = db_rows(bot_env, "SELECT answers FROM reports")
    assert '"documents": [2]' in str(documents)  # the second photo of the album, captioned


@pytest.mark.parametrize("language", ["ru", "en"])
async def test_a_pdf_sent_while_the_photos_are_asked_is_kept_as_a_scan(
    api: LocalBotApi, bot: AnyApplication, language: str
) -> None:
    _, anna, _ = await seminar_report_open(api, bot, 1105, language)
    await api.send_document(anna, b"%PDF-1.4\n%%EOF\n", filename="act.pdf",
                            mime_type="application/pdf")
    photos = await api.next_message(anna.id)  # still the photos: the PDF waits with the scans
    assert "0 из 4" in photos.text or "0 of 4" in photos.text
    await api.send_album(anna, [make_png(seed=i) for i in range(4)])
    summary = await api.next_message(anna.id, timeout=5)  # photos and the scan: complete
    assert ("Документы: 1 файл" if language == "ru" else "Documents: 1") in summary.text
    assert SEND[language] in summary.button_texts()


@pytest.mark.parametrize(("language", "caption"), [("ru", "Полный зал"), ("en", "the hall")])
async def test_a_caption_names_the_photo_s_category(
    api: LocalBotApi, bot: AnyApplication, language: str, caption: str
) -> None:
    _, anna, _ = await seminar_report_open(api, bot, 1103, language)
    await api.send_album(anna, [make_png(seed=i) for i in range(4)],
                         captions=[caption, None, None, None])
    documents = await api.next_message(anna.id, timeout=5)
    assert "PDF" in documents.text  # the checklist is complete: the scans are asked
    await api.send_document(anna, b"%PDF-1.4\n%%EOF\n", filename="scan.pdf",
                            mime_type="application/pdf")
    summary = await api.next_message(anna.id)
    registration, packs, hall, decoration = CATEGORIES[language]
    assert f"1 — {hall}, 2 — {registration}, 3 — {packs}, 4 — {decoration}" in summary.text


@pytest.mark.parametrize(("language", "fix", "done"), [
    ("ru", "🔀 Поменять категории фото", "✔ Готово"),
    ("en", "🔀 Change photo categories", "✔ Done")])
async def test_the_photos_categories_are_fixed_on_the_summary_and_the_manager_sees_them(
    api: LocalBotApi, bot: AnyApplication, language: str, fix: str, done: str
) -> None:
    maria, anna, _ = await seminar_report_open(api, bot, 1104, language)
    await api.send_album(anna, [make_png(seed=i) for i in range(5)])  # 4 photos and a scan
    summary = await api.next_message(anna.id, timeout=5)
    registration, packs, hall, decoration = CATEGORIES[language]
    picker = await tap_in_place(api, anna, summary, fix)
    assert picker.button_texts()[:4] == [f"1 — {registration}", f"2 — {packs}", f"3 — {hall}",
                                         f"4 — {decoration}"]
    # The first two were the other way round: one tap on the first swaps them.
    picker = await tap_in_place(api, anna, picker, f"1 — {registration}")
    assert picker.button_texts()[:2] == [f"1 — {packs}", f"2 — {registration}"]
    summary = await tap_in_place(api, anna, picker, done)
    assert f"1 — {packs}, 2 — {registration}, 3 — {hall}, 4 — {decoration}" in summary.text
    await tap(api, anna, summary, SEND[language])

    album = [await api.next_message(maria.id) for _ in range(4)]
    assert {m.kind for m in album} == {"photo"} and len({m.media_group_id for m in album}) == 1
    on_card = "отчёт по заявке №1" if language == "ru" else "report on application #1"
    assert [m.text for m in album] == [f"📷 {category} · {on_card}" for category in (
        packs, registration, hall, decoration)]
    assert [m.data for m in album] == [make_png(seed=i) for i in range(4)]  # in the order sent
