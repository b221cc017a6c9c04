"""Reading what people type, and the engine that walks every form."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.forms import engine
from bot.forms.application import APPLICATION
from bot.forms.costs import CostItems, categorise, compensable_total
from bot.forms.engine import SUMMARY
from bot.forms.fields import Context, FutureDate
from bot.forms.parsing import (
    Invalid,
    parse_count,
    parse_date,
    parse_money,
    parse_number,
    parse_phone,
    parse_url,
)

TODAY = date(2026, 11, 23)
CTX = Context(today=TODAY, t=lambda key, **params: key)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("10.12.2026", date(2026, 12, 10)),
        ("10.12.26", date(2026, 12, 10)),
        ("10/12", date(2026, 12, 10)),
        ("10 декабря", date(2026, 12, 10)),
        ("10 Декабря 2027 г.", date(2027, 12, 10)),
        ("1 jan", date(2027, 1, 1)),  # no year and already past this year: the next one
        ("2026-12-10", date(2026, 12, 10)),
        ("5 мая", date(2027, 5, 5)),
    ],
)
def test_dates_are_read_as_people_type_them(typed: str, expected: date) -> None:
    assert parse_date(typed, TODAY) == expected


@pytest.mark.parametrize(("typed", "reason"), [("31.02.2027", "date_not_exists"),
                                               ("next friday", "date_format"),
                                               ("10 брюмера", "date_format")])
def test_a_date_that_is_not_a_date_is_refused(typed: str, reason: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_date(typed, TODAY)
    assert caught.value.reason == reason


@pytest.mark.parametrize(("typed", "kopecks"), [("15000", 1_500_000), ("15 000", 1_500_000),
                                                ("15 тыс.", 1_500_000), ("15к", 1_500_000),
                                                ("1500,50", 150_050), ("12 000 ₽", 1_200_000)])
def test_money_with_spaces_thousands_and_kopecks(typed: str, kopecks: int) -> None:
    assert parse_money(typed) == kopecks


def test_counts_are_whole_and_within_range() -> None:
    assert parse_count("1 000", 1, 5000) == 1000
    with pytest.raises(Invalid):
        parse_count("2,5", 1, 10)
    with pytest.raises(Invalid) as caught:
        parse_count("11", 1, 10)
    assert caught.value.params == {"min": 1, "max": 10}


@pytest.mark.parametrize("typed", ["9" * 400, "1" + "0" * 399 + ",5", "9" * 16,
                                   "0" * 30 + "9" * 16])
def test_numbers_too_long_to_read_are_refused_with_the_range(typed: str) -> None:
    with pytest.raises(Invalid) as count:
        parse_count(typed, 0, 600)
    assert (count.value.reason, count.value.params) == ("number_range", {"min": 0, "max": 600})
    with pytest.raises(Invalid) as money:
        parse_money(typed)
    assert money.value.reason == "number_range"
    with pytest.raises(Invalid) as number:
        parse_number(typed)
    assert number.value.reason == "number_too_big"


def test_fifteen_digits_with_leading_zeros_are_still_a_number() -> None:
    assert parse_number("000" + "9" * 15) == float("9" * 15)
    assert parse_count("0007", 0, 10) == 7


def test_a_date_past_the_last_day_allowed_is_refused_and_names_it() -> None:
    field = FutureDate("event_date")
    ctx = replace(CTX, latest=date(2027, 11, 23))
    assert field.parse("23.11.2027", {}, ctx) == "2027-11-23"
    for typed in ("24.11.2027", "31.12.9999", "31.12.99"):
        with pytest.raises(Invalid) as caught:
            field.parse(typed, {}, ctx)
        assert (caught.value.reason, caught.value.params) == ("date_too_far",
                                                              {"latest": "23.11.2027"})


def test_phones_and_links_are_normalised() -> None:
    assert parse_phone("8 (999) 123-45-67") == "+79991234567"
    assert parse_url("example.ru/event") == "https://example.ru/event"
    with pytest.raises(Invalid):
        parse_phone("12-34")


@pytest.mark.parametrize(
    ("item", "category"),
    [("Аренда зала", "room_rent"), ("Кофе-брейк", "coffee_break"),
     ("Реклама в Яндекс.Директ", "contextual_ads"), ("Event-агентство", "agency"),
     ("Фотограф", "photo_video"), ("Печать листовок", "printing"), ("Бейджи", "souvenirs"),
     ("Приглашения через колл-центр", "announcements"), ("Что-то ещё", "other")],
)
def test_cost_items_are_sorted_into_the_rulebook_categories(item: str, category: str) -> None:
    assert categorise(item) == category


def test_only_compensable_cost_lines_count_toward_compensation() -> None:
    items = CostItems("costs").parse("Аренда зала — 15000\nФотограф — 7000", {}, CTX)
    assert compensable_total(items) == 1_500_000


def test_each_kind_asks_only_its_own_questions() -> None:
    webinar = [f.key for f in APPLICATION.active({"kind": "webinar"})]
    assert "place" not in webinar and "costs" not in webinar and "support" in webinar
    exhibition = [f.key for f in APPLICATION.active({"kind": "exhibition"})]
    assert "stand_rent" in exhibition and "agenda" not in exhibition


def test_a_mixed_topic_asks_for_the_program_and_changing_it_drops_that_answer() -> None:
    draft = engine.start(APPLICATION, {"kind": "seminar", "event_date": "2026-12-20",
                                       "place": "Kazan", "title": "CRM"})
    assert draft.current == "topic"
    engine.answer_button(APPLICATION, draft, "mixed", CTX)
    assert draft.current == "program"
    engine.answer_button(APPLICATION, draft, "bitrix24", CTX)
    engine.edit(APPLICATION, draft, "topic")
    engine.answer_button(APPLICATION, draft, "top", CTX)
    assert "program" not in draft.answers


def test_back_returns_to_the_previous_question_and_keeps_its_answer() -> None:
    draft = engine.start(APPLICATION, {"kind": "webinar"})
    engine.answer_text(APPLICATION, draft, "20.12.2026", CTX)
    assert draft.current == "title"
    engine.back(APPLICATION, draft)
    assert draft.current == "event_date" and draft.answers["event_date"] == "2026-12-20"
    engine.answer_button(APPLICATION, draft, "=keep", CTX)
    assert draft.current == "title"


def test_the_summary_comes_when_every_question_is_answered() -> None:
    draft = engine.start(APPLICATION, {"kind": "article"})
    for typed in ("20.12.2026", "Vedomosti", "vedomosti.ru", "CRM today"):
        engine.answer_text(APPLICATION, draft, typed, CTX)
    engine.answer_button(APPLICATION, draft, "bitrix24", CTX)
    engine.answer_button(APPLICATION, draft, "5000", CTX)
    engine.answer_text(APPLICATION, draft, "20 000", CTX)
    engine.answer_button(APPLICATION, draft, "yes", CTX)
    assert draft.current == SUMMARY
    assert draft.answers["original"] is True and draft.answers["reach"] == 20000


def test_a_draft_survives_a_round_trip_through_json() -> None:
    draft = engine.start(APPLICATION, {"kind": "webinar"})
    engine.answer_text(APPLICATION, draft, "20.12.2026", CTX)
    again = engine.Draft.from_json(draft.to_json())
    assert again == draft


@pytest.mark.parametrize(("typed", "registrations", "listeners"), [
    ("50 / 42", 50, 42), ("50/42", 50, 42), ("50; 42", 50, 42), ("50\n42", 50, 42),
    ("50 42", 50, 42), ("1 000", 1000, None), ("45", 45, None)])
def test_registrations_and_listeners_come_in_one_answer(
        typed: str, registrations: int, listeners: int | None) -> None:
    from bot.forms.report import REPORT
    draft = engine.start(REPORT, {"kind": "seminar", "costs_agreed": False})
    assert draft.current == "registrations"
    engine.answer_text(REPORT, draft, typed, CTX)
    assert draft.answers["registrations"] == registrations
    assert draft.answers.get("listeners") == listeners
    assert draft.current == ("link" if listeners is not None else "listeners")
