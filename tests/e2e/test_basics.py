"""/start, /help, /cancel, managers and the error handler, through the local Bot API server."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler, ContextTypes

from bot.app import AnyApplication
from bot.localapi import LocalBotApi
from tests.conftest import HEAD, SPECIALIST
from tests.e2e.steps import join_new_partner


async def test_start_greets_a_new_russian_partner_and_asks_who_they_are(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    anna = api.user(101, first_name="Анна", language_code="ru")
    await api.send_text(anna, "/start")
    first = await api.next_message(anna.id)  # one message: the welcome and the first question
    assert first.text.startswith("Здравствуйте, Анна")
    assert "Partner Desk" in first.text
    assert "Шаг 1 из" in first.text and "ID партнёра" in first.text
    assert first.button_texts() == ["✖ Отменить"]

    await api.send_text(anna, "/start")
    again = await api.next_message(anna.id)
    assert again.text.startswith("Продолжим знакомство, Анна") and "ID партнёра" in again.text


async def test_a_registered_partner_is_welcomed_back(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    anna = api.user(109, first_name="Анна", language_code="ru")
    await join_new_partner(api, anna)
    await api.send_text(anna, "/start")
    assert (await api.next_message(anna.id)).text.startswith("С возвращением, Анна")


async def test_start_and_help_answer_in_english_for_an_english_telegram(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    john = api.user(102, first_name="John", language_code="en-GB")
    await api.send_text(john, "/start")
    welcome = await api.next_message(john.id)
    assert "Hello, John" in welcome.text and "Your <b>partner ID</b>" in welcome.html
    await api.send_text(john, "/help")
    help_text = (await api.next_message(john.id)).text
    assert "/cancel — Stop what you are doing" in help_text
    assert "/apply — Apply for an activity" in help_text
    assert "approved before it happens" in help_text


async def test_help_is_in_russian_for_a_russian_telegram(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    olga = api.user(103, first_name="Ольга", language_code="ru")
    await api.send_text(olga, "/help")
    help_text = (await api.next_message(olga.id)).text
    assert "/cancel — Прервать текущее действие" in help_text
    assert "/report — Отчитаться о мероприятии" in help_text


async def test_other_languages_get_the_configured_default(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    hans = api.user(104, first_name="Hans", language_code="de")
    await api.send_text(hans, "/start")
    assert "Здравствуйте, Hans" in (await api.next_message(hans.id)).text


async def test_a_configured_manager_is_recognised_with_their_role(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    manager = api.user(SPECIALIST, first_name="Мария", language_code="ru")
    await api.send_text(manager, "/start")
    greeting = (await api.next_message(manager.id)).text
    assert "Вы вошли как специалист по партнёрскому маркетингу" in greeting

    head = api.user(HEAD, first_name="Pavel", language_code="en")
    await api.send_text(head, "/help")
    head_help = (await api.next_message(head.id)).text
    assert "for managers (head of partner marketing)" in head_help
    assert "/suspend — Suspend a partner's support" in head_help and "/apply" not in head_help


async def test_the_command_menu_is_set_per_language_and_for_managers(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    default = [c["command"] for c in api.commands()]
    assert default[:2] == ["apply", "events"]
    assert {"report", "start", "help", "cancel"} <= set(default)
    english = {c["command"]: c["description"] for c in api.commands(language_code="en")}
    assert english["help"] == "Help"
    russian = {c["command"]: c["description"] for c in api.commands(language_code="ru")}
    assert russian["help"] == "Справка"

    manager = api.user(SPECIALIST, first_name="Мария")
    await api.send_text(manager, "/start")
    await api.next_message(manager.id)
    scope = {"type": "chat", "chat_id": SPECIALIST}
    manager_menu = [c["command"] for c in api.commands(scope=scope)]
    assert manager_menu[:2] == ["pending", "history"] and "apply" not in manager_menu


async def test_cancel_with_nothing_in_progress_says_so(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    user = api.user(105, first_name="Ivan", language_code="en")
    await api.send_text(user, "/cancel")
    assert (await api.next_message(user.id)).text == "There is nothing to cancel right now."


async def test_an_unknown_command_gets_a_short_answer_not_silence(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    user = api.user(106, first_name="Ivan", language_code="ru")
    await api.send_text(user, "/frobnicate")
    assert "Такой команды я не знаю" in (await api.next_message(user.id)).text


async def test_a_crash_in_a_handler_is_told_to_the_user_in_their_language(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    async def crash(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        raise RuntimeError("a bug")

    bot.add_handler(CommandHandler("crash", crash), group=-1)
    user = api.user(107, first_name="Ivan", language_code="en")
    await api.send_text(user, "/crash")
    assert (await api.next_message(user.id)).text.startswith("Something went wrong")


async def test_a_request_telegram_refuses_is_caught_by_the_server(
    api: LocalBotApi, bot: AnyApplication
) -> None:
    """The `api` fixture fails any test whose bot made such a request; here we look at one."""

    async def bad_html(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("<div>not Telegram HTML</div>",
                                                  parse_mode=ParseMode.HTML)

    bot.add_handler(CommandHandler("bad", bad_html), group=-1)
    user = api.user(108, first_name="Ivan", language_code="en")
    await api.send_text(user, "/bad")
    # The refused send raised in the handler, so the error handler told the user.
    assert (await api.next_message(user.id)).text.startswith("Something went wrong")
    assert [r.method.lower() for r in api.refusals] == ["sendmessage"]
    assert "can't parse entities" in api.refusals[0].description
    api.refusals.clear()
