"""Random sequences of what a person may do on the phone; the bot always answers, never refused.

Hypothesis draws a list of actions: texts of any Unicode (emoji, zero-width, 5,000 characters),
photos and documents at whatever step, the first button of a random earlier bot message,
commands in the middle of a form, a shared contact; and after each, one of the messages the
bot does not read (a sticker, voice, video note, location, poll, dice, video, audio) and a
press with garbage callback data. Each example runs against its own local Bot API server and
the real bot (`build_application` + `polling`) with a fresh database. After every action the
bot must react within a timeout — a new message, an edit, or the answer to a button — and at
the end the server must have refused nothing and failed at nothing, and the bot must have
logged no error.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import build_application, polling
from bot.config import Role, load_settings
from bot.localapi import LocalBotApi
from bot.localapi.models import BotMessage, TgUser
from tests.conftest import HEAD, SPECIALIST, TOKEN
from tests.e2e.steps import OTHER_MESSAGES, garbage_data, join_new_partner
from tests.localapi.conftest import make_png

REACTION_SECONDS = 8.0
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
COMMANDS = ["/start", "/apply", "/cancel", "/events", "/report", "/help"]

texts = st.one_of(
    st.text(min_size=1, max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=300),
    st.sampled_from(["😀", "👍🏽" * 20, "\u200b", ".", "0", "-1", "31.02.2026", "12.12.2030",
                     "<b>&amp;</b>", "&", "<", "P-1", "+79991234567", "Казань", "1e9"]),
    st.integers(min_value=1, max_value=5000).map(lambda n: ("ж😀" * n)[:n]),
    st.just("x" * 5000),
)
actions = st.one_of(
    st.tuples(st.just("text"), texts),
    st.tuples(st.just("command"), st.sampled_from(COMMANDS)),
    st.tuples(st.just("photo"), st.integers(0, 3)),
    st.tuples(st.just("document"), st.sampled_from(["scan.pdf", "notes.txt", "a.exe"])),
    st.tuples(st.just("press"), st.integers(0, 1000)),
    st.tuples(st.just("contact"), st.just("+79991234567")),
)
# After each action: a message the bot does not read, and a press with garbage callback data.
steps_of = st.tuples(actions, st.sampled_from(sorted(OTHER_MESSAGES)),
                     st.sampled_from(garbage_data()))


@dataclass
class Seen:
    messages: int
    edits: int


def seen(api: LocalBotApi, user: TgUser) -> Seen:
    ours = api.state.bot_messages(user.id, include_deleted=True)
    return Seen(len(ours), sum(m.edit_count + m.deleted for m in ours))


async def act(api: LocalBotApi, user: TgUser, action: tuple[str, object]) -> str:
    """Do one action; wait until the bot reacts to it. Returns what was done."""
    kind, value = action
    before = seen(api, user)
    if kind == "garbage":
        ours = api.bot_messages(user.id)
        if ours:  # the callback answer is the reaction; press_data fails if it does not come
            await api.press_data(user, ours[-1], str(value), timeout=REACTION_SECONDS)
            return f"garbage press {value!r}"
        kind, value = "command", "/help"
    if kind == "press":
        pressable = [m for m in api.bot_messages(user.id) if m.buttons and any(
            b.callback_data for row in m.buttons for b in row)]
        if not pressable:
            kind, value = "command", "/help"
        else:
            message: BotMessage = pressable[int(str(value)) % len(pressable)]
            first = next(b for row in message.buttons for b in row if b.callback_data)
            # the callback answer is the reaction; press() fails if it does not come
            await api.press(user, message, first.callback_data or first.text,
                            timeout=REACTION_SECONDS)
            return f"press {first.text!r} on #{message.message_id}"
    if kind in ("text", "command"):
        await api.send_text(user, str(value))
    elif kind == "photo":
        await api.send_photo(user, make_png(seed=int(str(value))))
    elif kind == "document":
        name = str(value)
        await api.send_document(user, PDF if name.endswith(".pdf") else b"MZ\x00 data",
                                filename=name, mime_type="application/pdf"
                                if name.endswith(".pdf") else "application/octet-stream")
    elif kind == "contact":
        await api.send_contact(user, phone_number=str(value))
    elif kind == "other":
        await OTHER_MESSAGES[str(value)](api, user)
    else:
        raise AssertionError(kind)

    def reacted() -> bool:
        now = seen(api, user)
        return now.messages > before.messages or now.edits > before.edits

    try:
        await api.wait_until(reacted, timeout=REACTION_SECONDS)
    except TimeoutError:
        raise AssertionError(f"the bot stayed silent after {kind} {str(value)[:80]!r}") from None
    return f"{kind} {str(value)[:40]!r}"


class Errors(logging.Handler):
    """Every record of level ERROR or above, from any logger, while an example runs."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


Step = tuple[tuple[str, object], str, str]


async def scenario(joined: bool, steps: list[Step]) -> None:
    errors = Errors()
    logging.getLogger().addHandler(errors)
    try:
        await _run(joined, steps)
    finally:
        logging.getLogger().removeHandler(errors)
    logged = [f"{r.name}: {r.getMessage()[:200]} {r.exc_info[1] if r.exc_info else ''}"
              for r in errors.records]
    assert not logged, f"the bot logged errors: {logged[:3]}"


async def _run(joined: bool, steps: list[Step]) -> None:
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        api = LocalBotApi(token=TOKEN, bot_username="partnerdesk_test_bot")
        await api.start()
        done: list[str] = []
        try:
            settings_ = load_settings(
                telegram_bot_token=TOKEN, bot_api_url=api.base_url,
                database=Path(folder) / "fuzz.sqlite3", data_dir=Path(folder) / "data",
                timezone="Europe/Moscow", locale="ru",
                managers={Role.SPECIALIST: (SPECIALIST,), Role.HEAD: (HEAD,)})
            app = build_application(settings_)
            async with polling(app, poll_timeout=1):
                anna = api.user(7001, first_name="Анна", language_code="ru")
                if joined:
                    await join_new_partner(api, anna, code="P-7001")
                for action, other, garbage in steps:
                    done.append(await act(api, anna, action))
                    done.append(await act(api, anna, ("other", other)))
                    done.append(await act(api, anna, ("garbage", garbage)))
                await asyncio.sleep(0.2)  # let a reply still in flight land before stopping
        except BaseException as exc:
            exc.add_note("actions so far: " + " → ".join(done))
            raise
        finally:
            await api.stop()
        assert not api.refusals, f"refused: {api.refusals[:3]} after {done}"
        assert not api.server_errors, f"server failed: {api.server_errors[:3]} after {done}"


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(joined=st.booleans(), steps=st.lists(steps_of, min_size=1, max_size=12))
def test_random_actions_always_get_an_answer_and_nothing_is_refused(
    joined: bool, steps: list[Step]
) -> None:
    asyncio.run(scenario(joined, steps))
