"""The head of partner marketing: suspend a partner's support and resume it."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from bot.config import Role
from bot.handlers.notify import send_each
from bot.runtime import runtime
from bot.services import partners
from bot.storage import partners as partners_repo


async def suspend_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/suspend <partner ID> <reason> and /resume <partner ID>."""
    rt = runtime(context)
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or message.text is None:
        return
    resume = message.text.startswith("/resume")
    if user.id not in rt.settings.managers.get(Role.HEAD, ()):
        await message.reply_text(rt.text(user, "head.only_head"))
        return
    args = context.args or []
    if not args or (not resume and len(args) < 2):
        await message.reply_text(rt.text(user, "head.resume_usage" if resume
                                         else "head.suspend_usage"))
        return
    reason = None if resume else " ".join(args[1:])[:300]
    partner = await partners.set_suspension(rt.db, code=args[0], reason=reason, by=user.id,
                                            now=rt.clock.now())
    if partner is None:
        await message.reply_text(rt.text(user, "head.no_partner", code=args[0]))
        return
    key = "head.resumed" if resume else "head.suspended"
    await message.reply_text(rt.text(user, key, company=partner.company, reason=reason or ""))
    members = [m.telegram_id for m in await partners_repo.active_members(rt.db.conn, partner.id)]
    tell = "head.tell_resumed" if resume else "head.tell_suspended"
    await send_each(rt, members, lambda chat_id: context.bot.send_message(
        chat_id, rt.texts.render(rt.texts.default_language, tell, reason=reason or "")))


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    return [CommandHandler(["suspend", "resume"], suspend_command)]
