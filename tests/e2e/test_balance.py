"""/balance, /rating, /bonus and /correct as people see them on their phones."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.app import AnyApplication
from bot.forms.parsing import Invalid
from bot.handlers.balance import parse_correction, parse_order_line
from bot.localapi import LocalBotApi
from bot.localapi.models import TgUser
from bot.rules import LineKind, expires_on
from bot.runtime import runtime_of
from bot.services import ledger, partners
from bot.services.ledger import Account
from tests.conftest import HEAD, SPECIALIST
from tests.e2e.steps import join_new_partner, say
from tests.e2e.test_decide import db_rows, manager

NB = "\u00a0"  # money is written with non-breaking spaces: 25 000 ₽


def rub(amount: str) -> str:
    return amount.replace(" ", NB) + NB + "₽"


def day(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def today_of(bot: AnyApplication) -> date:
    return runtime_of(bot).clock.now().date()


async def partner(api: LocalBotApi, user_id: int, code: str, company: str,
                  language: str = "ru") -> TgUser:
    person = api.user(user_id, first_name="Анна", language_code=language)
    await join_new_partner(api, person, code=code, company=company,
                           status="Gold" if language == "en" else "Золотой")
    return person


async def credit(bot: AnyApplication, code: str, report_id: int, *, points: int = 0,
                 program: str | None = "site_management", compensation: int = 0,
                 days_ago: int = 0) -> date:
    """A report's credit as the report flow makes it; returns the lot's last valid day."""
    rt = runtime_of(bot)
    row = await partners.find_partner(rt.db, code)
    assert row is not None
    credited_on = today_of(bot) - timedelta(days=days_ago)
    assert await ledger.credit_report(
        rt.db, rt.rulebook, report_id=report_id, partner_id=row.id, program=program,
        points=points, compensation=compensation, credited_on=credited_on, by=SPECIALIST,
        now=rt.clock.now())
    return expires_on(rt.rulebook, credited_on)


async def test_a_partner_sees_points_bonus_by_lot_and_what_expires_within_30_days(
    api: LocalBotApi, bot: AnyApplication,
) -> None:
    anna = await partner(api, 501, "P-501", "Ромашка")
    old = await credit(bot, "P-501", 1, points=60, compensation=2_000_000, days_ago=350)
    new = await credit(bot, "P-501", 2, points=30, program="bitrix24", compensation=500_000,
                       days_ago=10)
    await credit(bot, "P-501", 3, points=500, days_ago=400)  # expired: not counted

    shown = (await say(api, anna, "/balance")).text
    assert f"Баланс — Ромашка (ID P-501), на {day(today_of(bot))}" in shown
    assert "Баллы: 90\n· Управление сайтом: 60\n· Битрикс24: 30" in shown
    assert f"Бонусный счёт: {rub('25 000')}" in shown
    assert f"· {rub('20 000')} — действуют по {day(old)} включительно" in shown
    assert f"· {rub('5 000')} — действуют по {day(new)} включительно" in shown
    assert "Сгорит в течение 30 дней:" in shown
    assert f"· 60 баллов (Управление сайтом) — после {day(old)}" in shown
    assert f"· {rub('20 000')} бонусов — после {day(old)}" in shown
    assert "500" not in shown


async def test_two_partners_see_only_their_own_balance(
    api: LocalBotApi, bot: AnyApplication,
) -> None:
    anna = await partner(api, 511, "P-511", "Ромашка")
    boris = await partner(api, 512, "P-512", "Василёк", language="en")
    await credit(bot, "P-511", 11, points=40, compensation=1_234_500)
    await credit(bot, "P-512", 12, points=70, program="bitrix24")

    annas = (await say(api, anna, "/balance")).text
    boriss = (await say(api, boris, "/balance")).text
    assert "Ромашка" in annas and "Василёк" not in annas
    assert "Баллы: 40" in annas and f"Бонусный счёт: {rub('12 345')}" in annas
    assert "Василёк" in boriss and "Ромашка" not in boriss
    assert "Points: 70\n· Site Management: 0\n· Bitrix24: 70" in boriss
    assert f"Bonus account: 0{NB}₽" in boriss and "Nothing expires within 30 days" in boriss
    # Another partner's ID after /balance is for managers only: a partner still sees its own.
    other = (await say(api, boris, "/balance P-511")).text
    assert "Василёк" in other and "Ромашка" not in other


async def test_someone_who_has_not_joined_is_asked_to_introduce_themselves(
    api: LocalBotApi, bot: AnyApplication,
) -> None:
    stranger = api.user(521, first_name="Пётр", language_code="ru")
    for command in ("/balance", "/rating", "/bonus"):
        assert "нажмите /start" in (await say(api, stranger, command)).text


async def test_the_rating_shows_a_partner_its_place_and_managers_the_list(
    api: LocalBotApi, bot: AnyApplication,
) -> None:
    anna = await partner(api, 531, "P-531", "Ромашка")
    boris = await partner(api, 532, "P-532", "Василёк")
    vera = await partner(api, 533, "P-533", "Лютик")
    await credit(bot, "P-531", 31, points=40)
    await credit(bot, "P-531", 32, points=20, program="bitrix24")
    await credit(bot, "P-532", 33, points=90)
    await credit(bot, "P-532", 34, points=300, days_ago=366)  # expired

    annas = (await say(api, anna, "/rating")).text
    assert "Рейтинг партнёров по действующим баллам" in annas
    assert "на 2-м месте из 3: 60 баллов (УС 40, Б24 20)" in annas
    assert "Василёк" not in annas
    assert "пока нет действующих баллов. Баллы есть у партнёров: 2" in (
        await say(api, vera, "/rating")).text
    assert "на 1-м месте из 3: 90 баллов" in (await say(api, boris, "/rating")).text

    maria = await manager(api, SPECIALIST, "Мария")
    listed = (await say(api, maria, "/rating")).text
    assert "первые 2 из 2 с баллами" in listed
    assert "1. Василёк (P-532) — 90: УС 90, Б24 0\n2. Ромашка (P-531) — 60: УС 40, Б24 20" in listed
    assert "Лютик" not in listed


async def test_bonus_quotes_an_order_line_by_line_and_writes_nothing(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str],
) -> None:
    anna = await partner(api, 541, "P-541", "Ромашка")
    await credit(bot, "P-541", 41, compensation=9_000_000, days_ago=30)
    await credit(bot, "P-541", 42, compensation=5_000_000, days_ago=400)  # expired
    rows_before = db_rows(bot_env, "SELECT * FROM ledger")

    question = await say(api, anna, "/bonus")
    assert question.force_reply and "Название — цена" in question.text
    quote = await api.send_text(anna, "Битрикс24 Профессиональный — 100000\nКнига — 1500 физ",
                                reply_to=question)
    assert quote
    answer = (await api.next_message(anna.id)).text
    assert f"на счёте {rub('90 000')}" in answer
    assert (f"1. Битрикс24 Профессиональный — {rub('100 000')}: бонусами {rub('80 000')},"
            f" деньгами {rub('20 000')}") in answer
    assert (f"2. Книга — {rub('1 500')}: физический товар бонусами не оплачивается,"
            f" деньгами {rub('1 500')}") in answer
    assert f"Итого: бонусами {rub('80 000')}, деньгами {rub('21 500')}." in answer
    assert f"Останется на бонусном счёте: {rub('10 000')}." in answer
    assert db_rows(bot_env, "SELECT * FROM ledger") == rows_before


async def test_a_bad_order_line_gets_one_sentence_and_the_question_again(
    api: LocalBotApi, bot: AnyApplication,
) -> None:
    anna = await partner(api, 551, "P-551", "Ромашка")
    await credit(bot, "P-551", 51, compensation=1_000_000)

    again = await say(api, anna, "/bonus\nБитрикс24 Старт — 10000\nчто-то непонятное")
    assert again.force_reply
    assert again.text.startswith("🧮 Не понял строку 2 «что-то непонятное»: нужно «Название —"
                                 " цена».")
    assert "ответом на это сообщение" in again.text
    await api.send_text(anna, "Битрикс24 Старт — 10 000\nМодуль обмена — 5 тыс маркет",
                        reply_to=again)
    answer = (await api.next_message(anna.id)).text
    assert f"бонусами {rub('8 000')}, деньгами {rub('2 000')}" in answer
    assert "решение Маркетплейса бонусами не оплачивается" in answer
    assert f"Останется на бонусном счёте: {rub('2 000')}." in answer


async def test_the_balance_button_asks_for_the_order(
    api: LocalBotApi, bot: AnyApplication,
) -> None:
    anna = await partner(api, 561, "P-561", "Ромашка")
    shown = await say(api, anna, "/balance")
    await api.press(anna, shown, "🧮 Сколько оплатят бонусы")
    question = await api.next_message(anna.id)
    assert question.force_reply and "Пришлите строки заказа" in question.text
    # a plain message that is not a reply still goes to the form engine as before
    assert "🧮" not in (await say(api, anna, "Битрикс24 Старт — 10000")).text


async def test_the_head_corrects_a_bonus_account_and_the_partner_is_told(
    api: LocalBotApi, bot: AnyApplication, bot_env: dict[str, str],
) -> None:
    anna = await partner(api, 571, "P-571", "Ромашка")
    await credit(bot, "P-571", 71, points=50, compensation=3_000_000)
    maria = await manager(api, SPECIALIST, "Мария")
    olga = await manager(api, HEAD, "Ольга")

    refused = await say(api, maria, "/correct P-571 bonus -5000 ошибка")
    assert "только руководитель" in refused.text
    assert "Так: /correct" in (await say(api, olga, "/correct P-571 bonus 5000")).text
    assert "действует только 30" in (
        await say(api, olga, "/correct P-571 bonus -50000 ошибка в сумме")).text

    done = await say(api, olga, "/correct P-571 bonus -5000 ошибка в сумме компенсации")
    assert done.text == (f"Готово: Ромашка (P-571), бонусный счёт −{rub('5 000')} — ошибка в"
                         f" сумме компенсации. Теперь: {rub('25 000')}.")
    told = await api.next_message(anna.id)
    assert f"скорректирован: −{rub('5 000')} — ошибка в сумме компенсации" in told.text

    added = await say(api, olga, "/correct p-571 points b24 +20 доклад не учли")
    assert "баллы «Битрикс24» +20 — доклад не учли. Теперь: 20." in added.text
    await api.next_message(anna.id)
    assert "Баллы: 70" in (await say(api, anna, "/balance")).text
    assert db_rows(bot_env, "SELECT kind, account, amount, reason FROM ledger"
                            " WHERE kind = 'correction' ORDER BY id") == [
        ("correction", "bonus", -500_000, "ошибка в сумме компенсации"),
        ("correction", "points", 20, "доклад не учли")]
    audit = db_rows(bot_env, "SELECT actor_id FROM audit_log WHERE action = 'ledger.corrected'")
    assert audit == [(HEAD,), (HEAD,)]


@pytest.mark.parametrize(
    ("line", "name", "price", "kind"),
    [
        ("Битрикс24 Профессиональный — 100000", "Битрикс24 Профессиональный", 10_000_000,
         LineKind.LICENCE),
        ("Книга — 1500 физ", "Книга", 150_000, LineKind.PHYSICAL),
        ("Книга 1500 физ.", "Книга", 150_000, LineKind.PHYSICAL),
        ("Модуль обмена — 5 тыс маркет", "Модуль обмена", 500_000, LineKind.MARKETPLACE),
        ("Bitrix24 Pro: 2499,50", "Bitrix24 Pro", 249_950, LineKind.LICENCE),
        ("DVD box - 300 phys", "DVD box", 30_000, LineKind.PHYSICAL),
    ],
)
def test_an_order_line_is_read_as_typed(line: str, name: str, price: int,
                                        kind: LineKind) -> None:
    parsed = parse_order_line(line)
    assert (parsed.name, parsed.price, parsed.kind) == (name, price, kind)


@pytest.mark.parametrize("line", ["просто текст", "Книга — физ", "Лицензия — 0", "— 100"])
def test_an_order_line_without_a_price_is_refused(line: str) -> None:
    with pytest.raises(Invalid):
        parse_order_line(line)


def test_a_correction_is_read_with_its_sign_account_and_program() -> None:
    assert parse_correction(["P-1", "баллы", "ус", "+15", "доклад", "не", "учли"]) == (
        "P-1", Account.POINTS, "site_management", 15, "доклад не учли")
    assert parse_correction(["P-1", "bonus", "−1500,50", "ошибка"]) == (
        "P-1", Account.BONUS, None, -150_050, "ошибка")
    for wrong in (["P-1", "bonus", "1500", "без знака"], ["P-1", "points", "+5", "нет программы"],
                  ["P-1", "bonus", "-5"], ["P-1", "money", "+5", "x"]):
        with pytest.raises(Invalid):
            parse_correction(wrong)


@pytest.mark.parametrize(("language", "company", "expected"), [
    ("ru", "Ромашка", ("· 21 балл (Управление сайтом)", "· 22 балла (Битрикс24)",
                       "Сгорит в течение 30 дней:", "из 1: 43 балла (")),
    ("en", "Daisy", ("· 21 points (Site Management)", "· 22 points (Bitrix24)",
                     "Expiring within 30 days:", "of 1: 43 points (")),
])
async def test_counted_points_agree_with_their_number(
    api: LocalBotApi, bot: AnyApplication, language: str, company: str,
    expected: tuple[str, ...],
) -> None:
    anna = await partner(api, 510, "P-510", company, language)
    await credit(bot, "P-510", 1, points=21, days_ago=350)
    await credit(bot, "P-510", 2, points=22, program="bitrix24", days_ago=355)
    shown = (await say(api, anna, "/balance")).text + (await say(api, anna, "/rating")).text
    for line in expected:
        assert line in shown, shown
