"""`partnerdesk` as a deployment runs it: a separate process, configured by the environment."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.localapi import LocalBotApi
from tests.e2e.test_inbox import offsets

PARTNERDESK = Path(sys.executable).with_name("partnerdesk")


@asynccontextmanager
async def bot_process(env: dict[str, str], log: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    """`partnerdesk run` in a child process, yielded once it says it is polling."""
    with log.open("ab") as out:
        process = await asyncio.create_subprocess_exec(
            str(PARTNERDESK), "run", env={**os.environ, **env}, stdout=out, stderr=out,
        )
    try:
        for _ in range(200):
            if "polling for updates" in log.read_text(errors="replace"):
                break
            if process.returncode is not None:
                raise AssertionError(f"the bot exited early:\n{log.read_text()}")
            await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"the bot never started polling:\n{log.read_text()}")
        yield process
    finally:
        if process.returncode is None:
            process.terminate()
            await asyncio.wait_for(process.wait(), 15)


async def run_cli(*args: str, env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        str(PARTNERDESK), *args, env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 30)
    return process.returncode or 0, output.decode()


async def test_the_installed_command_polls_and_answers_start(
    api: LocalBotApi, bot_env: dict[str, str], tmp_path: Path
) -> None:
    async with bot_process(bot_env, tmp_path / "bot.log") as process:
        user = api.user(201, first_name="Анна", language_code="ru")
        await api.send_text(user, "/start")
        assert "Здравствуйте, Анна" in (await api.next_message(user.id, timeout=15)).text
        process.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(process.wait(), 15) == 0


async def test_killing_the_bot_loses_nothing_it_had_committed(
    api: LocalBotApi, bot_env: dict[str, str], tmp_path: Path
) -> None:
    users = [api.user(300 + i, first_name=f"User{i}", language_code="en") for i in range(5)]
    async with bot_process(bot_env, tmp_path / "bot.log") as process:
        for user in users:
            await api.send_text(user, "/start")
        for user in users:
            welcome = (await api.next_message(user.id, timeout=15)).text
            assert "Hello" in welcome and "partner ID" in welcome
        process.kill()  # SIGKILL: no shutdown hooks, no checkpoint
        await process.wait()

    with sqlite3.connect(bot_env["PARTNERDESK_DATABASE"]) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        ids = {row[0] for row in db.execute("SELECT telegram_id FROM users")}
    assert ids == {u.id for u in users}

    async with bot_process(bot_env, tmp_path / "bot.log"):
        await api.send_text(users[0], "/start")
        again = await api.next_message(users[0].id, timeout=15)
        assert again.text.startswith("Let's finish introducing you")


async def test_a_kill_while_updates_are_fetched_and_not_yet_handled_loses_none(
    api: LocalBotApi, bot_env: dict[str, str], tmp_path: Path
) -> None:
    """The bot has fetched five messages and is busy answering the first (its sendMessage
    hangs) while it already polls for more — which tells Telegram to forget the five. Killed
    then, it answers all five when it starts again: they were stored before that poll."""
    users = [api.user(320 + i, first_name=f"User{i}", language_code="en") for i in range(5)]
    async with bot_process(bot_env, tmp_path / "first.log") as process:
        api.hold("sendMessage")
        for user in users:
            await api.send_text(user, "/help")
        last = api.state.updates[-1]["update_id"]
        await api.wait_until(lambda: bool(api.calls("sendMessage"))
                             and max(offsets(api), default=0) > last, timeout=15)
        process.kill()
        await process.wait()
    api.release("sendMessage")
    assert api.state.updates == []  # Telegram holds none of them any more
    assert all(api.bot_messages(user.id) == [] for user in users)

    async with bot_process(bot_env, tmp_path / "second.log"):
        for user in users:
            assert "/cancel" in (await api.next_message(user.id, timeout=15)).text
    assert all(len(api.bot_messages(user.id)) == 1 for user in users)
    assert "5 update(s) stored before the last stop" in (tmp_path / "second.log").read_text()


async def test_without_a_token_run_exits_2_and_says_how_to_get_one(
    bot_env: dict[str, str],
) -> None:
    code, output = await run_cli("run", env={**bot_env, "TELEGRAM_BOT_TOKEN": ""})
    assert code == 2
    assert "TELEGRAM_BOT_TOKEN" in output and "@BotFather" in output


async def test_a_non_numeric_manager_id_stops_the_bot_naming_the_variable(
    bot_env: dict[str, str],
) -> None:
    code, output = await run_cli("run", env={**bot_env, "PARTNERDESK_MANAGERS": "head=12a"})
    assert code == 2
    assert "PARTNERDESK_MANAGERS: '12a' in role head is not a numeric Telegram user id" in output


async def test_an_unknown_timezone_stops_the_bot_naming_the_variable(
    bot_env: dict[str, str],
) -> None:
    code, output = await run_cli("run", env={**bot_env, "PARTNERDESK_TIMEZONE": "Moscow"})
    assert code == 2
    assert "PARTNERDESK_TIMEZONE: unknown timezone 'Moscow'" in output


async def test_db_migrate_and_backup_from_the_command_line(
    bot_env: dict[str, str], tmp_path: Path
) -> None:
    code, output = await run_cli("db", "migrate", env=bot_env)
    assert code == 0 and "0001_users_and_audit.sql" in output
    code, output = await run_cli("db", "migrate", env=bot_env)
    assert code == 0 and "up to date" in output
    code, output = await run_cli("db", "backup", str(tmp_path / "b" / "copy.sqlite3"), env=bot_env)
    assert code == 0 and "integrity_check: ok" in output
    with sqlite3.connect(tmp_path / "b" / "copy.sqlite3") as copy:
        assert copy.execute("PRAGMA user_version").fetchone()[0] >= 1
