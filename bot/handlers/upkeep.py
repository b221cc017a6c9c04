"""Housekeeping jobs: prune the inbox of updates, apply the retention of personal data, and write
the daily backup. Each re-reads its work from the database, so a restart loses nothing."""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import ContextTypes, JobQueue

from bot.config import Settings
from bot.handlers import dedupe
from bot.runtime import runtime
from bot.services import backups, privacy

log = logging.getLogger(__name__)

HOUR = 3600
RETENTION_SECONDS = 6 * HOUR
# Hourly, writing only when today's file is missing: a restart or a sleeping laptop never
# skips a day, and a day never gets two.
BACKUP_CHECK_SECONDS = HOUR


def schedule(job_queue: JobQueue[Any], settings: Settings) -> None:
    job_queue.run_repeating(dedupe.prune_job, interval=HOUR, first=30,
                            name="inbox-prune")
    job_queue.run_repeating(retention_job, interval=RETENTION_SECONDS, first=90,
                            name="personal-data-retention")
    if settings.backup_dir is not None:
        job_queue.run_repeating(backup_job, interval=BACKUP_CHECK_SECONDS, first=120,
                                name="daily-backup")


async def retention_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Phones of employees gone quiet, and accounting scans past their years, are deleted."""
    rt = runtime(context)
    done = await privacy.apply_retention(
        rt.db, rt.settings.data_dir, now=rt.clock.now(), phone_days=rt.settings.phone_days,
        scan_years=rt.settings.scan_years,
    )
    if done.phones or done.scans:
        log.info("retention: %d phone(s) and %d scan(s) deleted", done.phones, done.scans)


async def backup_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    folder = rt.settings.backup_dir
    if folder is None:
        return
    result = await backups.daily(rt.db, folder, today=rt.clock.now().date(),
                                 keep=rt.settings.backup_keep)
    if result.written is not None:
        log.info("backup written to %s (integrity_check: ok); %d old one(s) removed",
                 result.written, len(result.removed))
