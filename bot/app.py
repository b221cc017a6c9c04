"""build_application(settings): the PTB Application with every handler, in commented groups."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram.ext import Application, ApplicationBuilder, JobQueue

from bot import chart_worker
from bot.bot_api_http import AiohttpRequest
from bot.clock import Clock
from bot.config import ConfigError, Settings
from bot.handlers import (
    apply,
    balance,
    common,
    copartners,
    decide,
    dedupe,
    errors,
    events,
    forms,
    head,
    inputs,
    invitations,
    join,
    listeners,
    outbox,
    presence,
    reminders,
    report,
    request_cards,
    request_flow,
    requests,
    review,
    stats,
    support,
    upkeep,
)
from bot.handlers.menu import set_default_commands
from bot.i18n import Texts
from bot.intake import Intake, Poller
from bot.rate_limiter import PeopleFirstRateLimiter
from bot.rules import load_rulebook
from bot.runtime import Runtime, runtime_of
from bot.services import reminders as reminders_service
from bot.telegram_bot import PartnerDeskBot

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
ESCALATION_CHECK_SECONDS = 300
CONCURRENT_UPDATES = 8  # updates handled at once (each person's still one at a time)


def build_application(settings: Settings, *, clock: Clock | None = None) -> AnyApplication:
    if settings.telegram_bot_token is None:
        raise ConfigError("TELEGRAM_BOT_TOKEN: not set")
    rt = Runtime(
        settings=settings,
        texts=Texts(settings.locale),
        clock=clock or Clock(settings.timezone),
        rulebook=load_rulebook(settings.rulebook),
    )
    app: AnyApplication = (
        ApplicationBuilder()
        # One log line per update (duration, outcome); each marked handled in the inbox.
        .application_class(dedupe.TrackedApplication)
        # Different people's updates side by side, each person's in order (dedupe.py).
        .concurrent_updates(CONCURRENT_UPDATES)
        # No Updater: updates come through the inbox (bot/intake.py), polled or posted.
        .updater(None)
        .bot(PartnerDeskBot(
            token=settings.telegram_bot_token.get_secret_value(),
            base_url=settings.bot_api_url,
            base_file_url=settings.file_url,
            # aiohttp instead of PTB's httpx: the same requests for much less CPU
            # (bot_api_http.py).
            request=AiohttpRequest(),
            get_updates_request=AiohttpRequest(connection_pool_size=1),
            # Keeps under Telegram's overall and group limits, a retried 429 included; people's
            # replies before outbox and reminder sends (bot/rate_limiter.py).
            rate_limiter=PeopleFirstRateLimiter(settings.messages_per_second),
        ))
        .post_init(_open)
        .post_shutdown(_close)
        .build()
    )
    rt.attach(app)

    # Group presence.GROUP (-90), before everything: every message or tap moves the sender's
    # last_seen_at (hourly) and clears their blocked mark; it never stops an update.
    app.add_handler(presence.handler(), group=presence.GROUP)

    # Group 0: commands, then buttons (each flow owns a callback prefix), then typed answers
    # to forms. Forms keep their state in SQLite, not in a ConversationHandler, so a restart
    # loses nothing; /cancel (in common) ends whichever form is in progress.
    app.add_handlers(common.handlers(), group=0)
    app.add_handlers(apply.handlers(), group=0)
    app.add_handlers(events.handlers(), group=0)
    app.add_handlers(join.handlers(), group=0)
    app.add_handlers(decide.handlers(), group=0)
    app.add_handlers(head.handlers(), group=0)
    app.add_handlers(report.handlers(), group=0)
    app.add_handlers(review.handlers(), group=0)
    app.add_handlers(listeners.handlers(), group=0)
    app.add_handlers(reminders.handlers(), group=0)
    # An event's co-partners, their promises, /partners_stats (issue 9).
    app.add_handlers(copartners.handlers(), group=0)
    # Partners' requests (info support, promo materials, promotions…) and the vendor's
    # invitations; their forms register with the form engine when imported.
    support.configure(app.bot_data)
    app.add_handlers(requests.handlers(), group=0)
    app.add_handlers(support.handlers(), group=0)
    app.add_handlers(request_flow.handlers(), group=0)
    app.add_handlers(request_cards.handlers(), group=0)
    app.add_handlers(invitations.handlers(), group=0)
    # /balance, /rating, /bonus, /correct; a reply to a /bonus question before form answers.
    app.add_handlers(balance.handlers(), group=0)
    # /stats and /export: the program's figures, chart and records (issue 10).
    app.add_handlers(stats.handlers(), group=0)
    app.add_handlers(forms.handlers(), group=0)
    app.add_handlers(inputs.handlers(), group=0)
    # Last in the same group (a later group would see every update again): a /command no
    # handler above took gets a short answer.
    app.add_handlers(common.fallback_handlers(), group=0)

    app.add_error_handler(errors.on_error)

    # Jobs re-read their work from the database on every run, so a restart loses nothing.
    assert app.job_queue is not None
    app.job_queue.run_repeating(decide.escalate_stalled, interval=ESCALATION_CHECK_SECONDS,
                                first=ESCALATION_CHECK_SECONDS, name="escalation")
    app.job_queue.run_repeating(listeners.purge_expired, interval=listeners.PURGE_SECONDS,
                                first=60, name="personal-data-purge")
    # Ledger lots past their last valid day are written off (idempotent, so hourly is safe).
    app.job_queue.run_repeating(balance.expire_job, interval=balance.EXPIRY_CHECK_SECONDS,
                                first=120, name="ledger-expiry")
    # The outbox of reminders and messages (bot/storage/reminders.py): due rows claimed and
    # sent every run, and at once after a commit that wrote some (Runtime.outbox).
    app.job_queue.run_repeating(reminders.dispatch_job, interval=settings.reminders_interval,
                                first=settings.reminders_interval, name="reminders")
    # Forget old update ids, personal-data retention, the daily backup (bot/handlers/upkeep.py).
    upkeep.schedule(app.job_queue, settings)
    presence.schedule(app.job_queue)
    return app


async def _open(app: AnyApplication) -> None:
    rt = runtime_of(app)
    applied = await rt.open_database()
    if applied:
        log.info("database %s migrated: %s", rt.settings.database, ", ".join(applied))
    await set_default_commands(app.bot, rt)
    if rt.settings.charts_at_start:
        chart_worker.warm_up()
    # A commit that wrote messages wakes the outbox at once; the repeating job is the safety
    # net. Roles nobody can reach yet are named in the log and the ops chat.
    job_queue = app.job_queue
    assert job_queue is not None
    rt.outbox.waker = lambda delay: _wake(job_queue, delay)
    if released := await reminders_service.release_claims_of_a_stopped_bot(rt.db,
                                                                            rt.clock.now()):
        log.warning("outbox: %d claim(s) left by a stopped bot released", released)
    rt.outbox.wake()  # what a stop left in the outbox goes out now, not at the first tick
    await outbox.report_unreachable(app.bot, rt)
    how = "webhook" if rt.settings.webhook_url else "polling for updates"
    log.info("Partner Desk @%s is up; %s", app.bot.username, how)


def _wake(job_queue: JobQueue[Any], delay: float) -> None:
    job_queue.run_once(reminders.wake_job, delay, name="outbox-wake")


async def _close(app: AnyApplication) -> None:
    rt = runtime_of(app)
    rt.outbox.waker = None
    chart_worker.stop()
    await rt.close_database()


@asynccontextmanager
async def polling(app: AnyApplication, *, poll_timeout: int = 10) -> AsyncIterator[AnyApplication]:
    """Run the bot with long polling inside a running event loop (`partnerdesk run`, the tests,
    the demo): what a kill left in the inbox first, then each batch stored before the next
    getUpdates confirms it (bot/intake.py). On the way out polling stops first, then the
    updates in hand are finished."""
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    intake = Intake(app)
    await intake.resume()
    poller = Poller(intake, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES)
    await poller.start()
    await app.start()
    try:
        yield app
    finally:
        await poller.stop()
        await app.stop()
        if app.post_shutdown:
            await app.post_shutdown(app)
        await app.shutdown()


def run_polling(app: AnyApplication) -> None:
    """`partnerdesk run` without a webhook: poll until SIGINT or SIGTERM, then stop cleanly."""

    async def poll_until_stopped() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        async with polling(app):
            await stop.wait()
            log.info("polling: stopping; finishing the updates in hand")
        log.info("polling: stopped")

    asyncio.run(poll_until_stopped())
