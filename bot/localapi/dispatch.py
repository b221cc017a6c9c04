"""Run one Bot API call against the state and log it."""

from __future__ import annotations

import asyncio
import logging
from functools import cache
from typing import Any

from telegram import Bot

from bot.localapi.errors import ApiError, bad_request, not_found, unauthorized
from bot.localapi.methods import find_method
from bot.localapi.models import ApiRequest, Refusal
from bot.localapi.params import Params
from bot.localapi.state import BotState, InjectedFailure

logger = logging.getLogger(__name__)


async def call_method(
    state: BotState, token: str, name: str, params: Params
) -> tuple[int, dict[str, Any]]:
    """HTTP status and JSON body of the Bot API answer to `name(params)`."""
    found = find_method(name)
    canonical = found[0] if found else name
    view = params.log_view()
    state.log.requests.append(ApiRequest(canonical, view))
    try:
        if token != state.token:
            raise unauthorized()
        if found is None:
            if name.lower() in _bot_api_methods():
                # Telegram would answer it; a 404 would make PTB raise a misleading InvalidToken.
                raise bad_request(f"method {name} is not implemented by the local Bot API server")
            raise not_found()
        queued = state.failures.get(canonical.lower())
        if queued:
            failure = queued.popleft()
            state.log.injected.append(InjectedFailure(canonical, failure))
            raise failure
        gate = state.held.get(canonical.lower())
        if gate is not None:
            await gate.wait()
        result = await found[1](state, params)
        stalls = state.stalls.get(canonical.lower())
        if stalls:  # done, but the answer comes late: the client may time out first
            state.log.stalled.append(canonical)
            await asyncio.sleep(stalls.popleft())
    except ApiError as error:
        if error.bot_bug:
            state.log.refusals.append(Refusal(canonical, error.description, view, error.error_code))
        logger.debug("%s refused: %s", canonical, error.description)
        return error.error_code, error.payload()
    except Exception as exc:  # a bug of the local server itself: report, don't hide
        logger.exception("local Bot API failed in %s", canonical)
        state.log.server_errors.append(f"{canonical}: {exc!r}")
        return 500, ApiError(500, f"Internal Server Error: {exc!r}").payload()
    return 200, {"ok": True, "result": result}


@cache
def _bot_api_methods() -> frozenset[str]:
    """Every Bot API method name (lower case), from PTB's camelCase aliases on `Bot`."""
    return frozenset(
        name.lower()
        for name in dir(Bot)
        if name[:1].islower() and "_" not in name and any(c.isupper() for c in name)
    )
