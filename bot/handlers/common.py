"""/start, /help, /cancel and unknown commands: the same for every audience."""

from __future__ import annotations

from typing import Any

from telegram import Message, Update, User
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.handlers import forms, join
from bot.handlers.menu import menu_of, set_manager_commands
from bot.runtime import runtime
from bot.services.partners import membership
from bot.services.users import see_user, set_blocked


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    seen = await see_user(
        rt.db, telegram_id=user.id, first_name=user.first_name, username=user.username,
        language=rt.language(user), now=rt.clock.now(),
    )
    await _greet(update, context, user, message, first_time=seen.first_time)
    if seen.released:
        rt.outbox.wake()  # what waited for them in the outbox goes out now, after the greeting


async def _greet(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User,
                 message: Message, *, first_time: bool) -> None:
    rt = runtime(context)
    if rt.settings.is_manager(user.id):
        await set_manager_commands(context.bot, rt, user.id)
        text = rt.text(user, "start.manager", name=user.first_name, roles=rt.role_names(user))
        await message.reply_text(text, parse_mode=ParseMode.HTML)
        return
    member, partner = await membership(rt.db, user.id)
    if member is None or member.state == "declined" or partner is None:
        await join.greet_newcomer(update, context, first_time=first_time)
        return
    key = "start.partner_back" if member.state == "active" else "start.partner_pending"
    await message.reply_text(rt.text(user, key, name=user.first_name, company=partner.company),
                             parse_mode=ParseMode.HTML)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    names = menu_of(rt, user.id)
    commands = "\n".join(f"/{name} — {rt.text(user, f'commands.{name}')}" for name in names)
    if rt.settings.is_manager(user.id):
        text = rt.text(user, "help.manager", roles=rt.role_names(user), commands=commands)
    else:
        text = rt.text(user, "help.partner", commands=commands)
    await message.reply_text(text, parse_mode=ParseMode.HTML)


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ends the form in progress, if any."""
    rt = runtime(context)
    if await forms.on_cancel_command(update, context):
        return
    if update.effective_message:
        await update.effective_message.reply_text(
            rt.text(update.effective_user, "common.nothing_to_cancel")
        )


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    if update.effective_message:
        await update.effective_message.reply_text(
            rt.text(update.effective_user, "common.unknown_command")
        )


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    return [
        ChatMemberHandler(membership_changed, ChatMemberHandler.MY_CHAT_MEMBER),
        CommandHandler("start", start),
        CommandHandler("help", help_command),
        CommandHandler("cancel", cancel),
    ]


async def membership_changed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A user blocked the bot (or unblocked it) in their private chat."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    rt = runtime(context)
    blocked = change.new_chat_member.status == ChatMemberStatus.BANNED
    await set_blocked(rt.db, change.chat.id, blocked=blocked, now=rt.clock.now())
    rt.presence.blocked(change.chat.id, blocked=blocked)


async def out_of_date_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A press no handler took: a button of an older version of the bot, or forged data."""
    query = update.callback_query
    if query is not None:
        await query.answer(runtime(context).text(update.effective_user, "common.out_of_date"))


def fallback_handlers() -> list[BaseHandler[Update, Any, Any]]:
    """Whatever no handler above took: nothing in a private chat goes unanswered, and no
    button is left spinning."""
    private = filters.ChatType.PRIVATE
    return [
        MessageHandler(filters.COMMAND & private, unknown_command),
        MessageHandler(private & filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL,
                       forms.on_unreadable),
        CallbackQueryHandler(out_of_date_button),
    ]
