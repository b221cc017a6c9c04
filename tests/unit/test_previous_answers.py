"""Remember and offer, below the bot: a date with its place, the topic a title names, the step
counter, and the company's previous answers taken or dropped."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.forms import engine
from bot.forms.application import (
    APPLICATION,
    TOO_LATE,
    drop_outdated,
    take_previous,
    topic_named,
)
from bot.forms.fields import Context
from bot.forms.parsing import split_date_prefix

TODAY = date(2026, 11, 23)
CTX = Context(today=TODAY, t=lambda key, **params: key)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14.01.2027, Казань, ул. Баумана 58", ("14.01.2027", "Казань, ул. Баумана 58")),
        ("14.01.2027 Kazan", ("14.01.2027", "Kazan")),
        ("2027-01-14; Москва", ("2027-01-14", "Москва")),
        ("14 января, Казань", ("14 января", "Казань")),
        ("14 января 2027", ("14 января 2027", "")),  # a date alone: the place is asked next
        ("14.01.2027,", ("14.01.2027", "")),
        ("через месяц, Казань", ("через месяц, Казань", "")),  # no date: the date error
    ],
)
def test_a_date_at_the_start_is_split_from_the_place(typed: str,
                                                     expected: tuple[str, str]) -> None:
    assert split_date_prefix(typed) == expected


@pytest.mark.parametrize(
    ("title", "topic"),
    [
        ("Битрикс24 для бизнеса", "bitrix24"),
        ("Bitrix24 in an hour", "bitrix24"),
        ("Интернет-магазин за неделю", "site_management"),
        ("Решения Маркетплейс", "marketplace"),
        ("Битрикс24 и интернет-магазин", None),  # two topics: mixed or not, the person says
        ("CRM за день", None),
    ],
)
def test_the_topic_is_read_from_a_title_naming_exactly_one(title: str, topic: str | None) -> None:
    assert topic_named({"title": title}) == topic


def seminar_draft() -> engine.Draft:
    draft = engine.start(APPLICATION)
    engine.answer_button(APPLICATION, draft, "seminar", CTX)
    return draft


def test_no_step_is_counted_before_the_kind_and_the_total_never_grows_after() -> None:
    draft = engine.start(APPLICATION)
    assert APPLICATION.step(draft.current, draft.answers) is None
    draft = seminar_draft()
    assert APPLICATION.step(draft.current, draft.answers) == (2, 12)
    engine.answer_text(APPLICATION, draft, "14.01.2027, Казань, ул. Баумана 58", CTX)
    assert draft.current == "title"
    assert APPLICATION.step(draft.current, draft.answers) == (3, 11)  # the place came along
    engine.answer_text(APPLICATION, draft, "Битрикс24 для бизнеса", CTX)
    assert draft.answers["topic"] == "bitrix24" and draft.current == "audience"
    assert APPLICATION.step(draft.current, draft.answers) == (4, 10)  # the topic too


def previous(support: str) -> dict[str, Any]:
    return {"place": "Казань, ул. Баумана 58", "planned_listeners": 30, "support": support,
            "costs": [{"name": "Аренда зала", "amount": 1_500_000, "category": "venue"}]}


def test_all_as_last_time_takes_only_what_the_date_still_allows() -> None:
    draft = seminar_draft()
    draft.answers[engine.PREVIOUS] = previous("both")
    engine.answer_text(APPLICATION, draft, "03.12.2026", CTX)  # 10 days: no support possible
    assert draft.current == "same_as_before"
    engine.answer_button(APPLICATION, draft, "same", CTX)
    take_previous(draft.answers, CTX)
    engine.refresh(APPLICATION, draft)
    assert draft.answers["place"] == "Казань, ул. Баумана 58"
    assert draft.answers["planned_listeners"] == 30
    assert draft.answers["support"] == TOO_LATE  # not the old choice: too late for any now


def test_a_copied_support_choice_is_dropped_when_the_new_date_rules_it_out() -> None:
    answers: dict[str, Any] = {"kind": "seminar", **previous("info"),
                               engine.PREVIOUS: previous("info")}
    engine.mark_filled(answers, ["support"])
    answers["event_date"] = "2027-01-14"
    drop_outdated(answers, CTX)
    assert answers["support"] == "info"  # 52 days ahead: still possible
    answers["event_date"] = "2026-11-30"
    drop_outdated(answers, CTX)
    assert "support" not in answers
