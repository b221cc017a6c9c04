"""The report form's reading: link and feedback in one message, photos by caption, scans."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.forms import engine
from bot.forms.costs import categorise
from bot.forms.engine import SUMMARY
from bot.forms.fields import Context
from bot.forms.media import Kept
from bot.forms.parsing import Invalid
from bot.forms.report import PHOTOS, REPORT

CTX = Context(today=date(2026, 11, 23), t=lambda key, **params: key)
PLANNED = [{"name": "Аренда зала", "amount": 1_500_000, "category": "room_rent"},
           {"name": "Кофе-брейк", "amount": 800_000, "category": "coffee_break"}]


def seminar_at_photos() -> engine.Draft:
    draft = engine.start(REPORT, {"application_id": 1, "kind": "seminar", "costs_agreed": True,
                                  "copartners": [], "planned_costs": PLANNED})
    for typed in ("45 / 32", "romashka.ru/seminar — всё прошло отлично, много вопросов"):
        engine.answer_text(REPORT, draft, typed, CTX)
    return draft


def test_the_link_and_the_feedback_in_one_message_and_the_costs_as_planned() -> None:
    draft = seminar_at_photos()
    assert draft.current == "photos"  # neither the feedback nor the costs are asked
    assert draft.answers["link"] == "https://romashka.ru/seminar"
    assert draft.answers["feedback"] == "всё прошло отлично, много вопросов"
    assert draft.answers["actual_costs"] == PLANNED


@pytest.mark.parametrize("typed", ["romashka.ru/seminar", "romashka.ru/seminar — ок"])
def test_a_link_with_no_feedback_to_speak_of_asks_the_feedback(typed: str) -> None:
    draft = engine.start(REPORT, {"application_id": 1, "kind": "webinar", "copartners": []})
    engine.answer_text(REPORT, draft, "60 / 41", CTX)
    engine.answer_text(REPORT, draft, typed, CTX)
    assert draft.current == "feedback" and draft.answers["link"] == "https://romashka.ru/seminar"


def test_captions_place_photos_and_scans_and_the_first_scan_completes_the_report() -> None:
    draft = seminar_at_photos()
    for file_id, caption in ((1, ""), (2, "скан акта"), (3, "зал"), (4, ""), (5, "")):
        engine.answer_file(REPORT, draft, Kept(file_id, photo=True, caption=caption))
    assert draft.current == SUMMARY
    assert draft.answers["photos"]["photos"] == {
        "registration": 1, "hall": 3, "packs": 4, "decoration": 5}
    assert draft.answers["documents"] == [2]
    engine.answer_file(REPORT, draft, Kept(6, photo=False))  # one more at the summary
    assert draft.answers["documents"] == [2, 6]


def test_a_captioned_photo_takes_its_category_and_the_one_there_moves_on() -> None:
    draft = seminar_at_photos()
    engine.answer_file(REPORT, draft, Kept(1, photo=True))
    engine.answer_file(REPORT, draft, Kept(2, photo=True, caption="Регистрация"))
    assert draft.answers["photos.pending"]["photos"] == {"packs": 1, "registration": 2}


def test_a_tap_gives_a_photo_the_next_category_and_swaps_with_its_holder() -> None:
    answers: dict[str, Any] = {"kind": "seminar"}
    value = {"photos": {"registration": 1, "packs": 2, "hall": 3, "decoration": 4},
             "video": None}
    swapped = PHOTOS.reassigned(value, answers, 0)
    assert swapped["photos"] == {"packs": 1, "registration": 2, "hall": 3, "decoration": 4}
    # The last photo's next category is the first one (round the list).
    assert PHOTOS.reassigned(value, answers, 3)["photos"] == {
        "decoration": 1, "packs": 2, "hall": 3, "registration": 4}
    with pytest.raises(Invalid):
        PHOTOS.reassigned(value, answers, 4)


def test_cost_lines_typed_at_the_scans_are_the_actual_costs() -> None:
    draft = seminar_at_photos()
    engine.answer_text(REPORT, draft, "https://video.example/seminar", CTX)
    assert draft.current == "documents"
    engine.answer_text(REPORT, draft, "Аренда зала — 15000\nКофе-брейк — 6000", CTX)
    assert draft.current == "documents"  # still waiting for the scan
    assert [item["amount"] for item in draft.answers["actual_costs"]] == [1_500_000, 600_000]


def test_coffee_is_not_a_speaker_s_fee() -> None:
    assert categorise("Coffee break") == "coffee_break"
    assert categorise("Speaker fee") == categorise("Fee for the host") == "speakers"
