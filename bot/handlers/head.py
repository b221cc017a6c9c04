"""The head of partner marketing: suspend a partner's support and resume it."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from bot.config import Role
from bot.handlers import outbox
from bot.runtime import Runtime, runtime
from bot.services import partners


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
    partner = await partners.set_suspension(rt.db, rt.settings, code=args[0], reason=reason,
                                            by=user.id, now=rt.clock.now())
    if partner is None:
        await message.reply_text(rt.text(user, "head.no_partner", code=args[0]))
        return
    key = "head.resumed" if resume else "head.suspended"
    rt.outbox.wake()  # the partner's employees told, by the outbox
    await message.reply_text(rt.text(user, key, company=partner.company, reason=reason or ""))


async def _suspension_told(rt: Runtime, language: str,
                           payload: dict[str, Any]) -> outbox.Outgoing:
    reason = payload.get("reason")
    key = "head.tell_suspended" if reason is not None else "head.tell_resumed"
    return outbox.Outgoing(rt.texts.render(language, key, reason=reason or ""))


outbox.register_notice("suspension", _suspension_told)


def handlers() -> list[BaseHandler[Update, Any, Any]]:
    return [CommandHandler(["suspend", "resume"], suspend_command)]
