"""The command menu (setMyCommands): one list for partners, one for managers, per language."""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScope, BotCommandScopeChat, BotCommandScopeDefault

from bot.config import Role
from bot.i18n import LANGUAGES
from bot.runtime import Runtime

PARTNER_COMMANDS = ("apply", "events", "report", "request", "announcements", "balance",
                    "rating", "stats", "partners_stats", "bonus", "start", "help", "cancel")
MANAGER_COMMANDS = ("pending", "history", "invite", "announcements", "rating", "stats",
                    "partners_stats", "export", "start", "help", "cancel")
HEAD_COMMANDS = ("pending", "history", "suspend", "resume", "invite", "announcements", "rating",
                 "correct", "stats", "partners_stats", "export", "start", "help", "cancel")


async def _set_menu(bot: Bot, rt: Runtime, scope: BotCommandScope, names: tuple[str, ...]) -> None:
    """The default-language menu, then one per language we speak."""
    for language in (None, *LANGUAGES):
        texts_language = language or rt.texts.default_language
        commands = [
            BotCommand(name, rt.texts.render(texts_language, f"commands.{name}"))
            for name in names
        ]
        await bot.set_my_commands(commands, scope, language_code=language)


async def set_default_commands(bot: Bot, rt: Runtime) -> None:
    await _set_menu(bot, rt, BotCommandScopeDefault(), PARTNER_COMMANDS)


def menu_of(rt: Runtime, user_id: int) -> tuple[str, ...]:
    """The commands this person has: the head's, a manager's, or a partner's."""
    roles = rt.settings.roles_of(user_id)
    if Role.HEAD in roles:
        return HEAD_COMMANDS
    return MANAGER_COMMANDS if roles else PARTNER_COMMANDS


async def set_manager_commands(bot: Bot, rt: Runtime, chat_id: int) -> None:
    """A manager's own menu; set when they write, since Telegram refuses a chat it hasn't seen."""
    await _set_menu(bot, rt, BotCommandScopeChat(chat_id), menu_of(rt, chat_id))
