"""getMe, getUpdates, webhooks, close, logOut."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

from bot.localapi.errors import ApiError, bad_request, conflict, missing
from bot.localapi.methods.registry import method
from bot.localapi.params import Params
from bot.localapi.state import BotState

_WEBHOOK_PORTS = (80, 88, 443, 8443)


@method("getMe")
async def get_me(state: BotState, p: Params) -> dict[str, Any]:
    return {
        **state.bot.to_dict(),
        "can_join_groups": True,
        "can_read_all_group_messages": not state.privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@method("getUpdates")
async def get_updates(state: BotState, p: Params) -> list[dict[str, Any]]:
    if state.webhook is not None:
        raise conflict(
            "can't use getUpdates method while webhook is active; use deleteWebhook to delete "
            "the webhook first"
        )
    offset = p.get_int("offset")
    limit = min(max(p.get_int("limit") or 100, 1), 100)
    timeout = _seconds(p.get_str("timeout"))
    allowed = p.get_json("allowed_updates")
    if allowed is not None:
        if not isinstance(allowed, list):
            raise bad_request("can't parse allowed_updates JSON object")
        state.allowed_updates = [str(kind) for kind in allowed]
    if offset:
        state.confirm(offset)

    state.poll_generation += 1
    generation = state.poll_generation
    state.poll_wake.fire()  # lets an older long poll notice it was superseded
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if generation != state.poll_generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot "
                "instance is running",
                bot_bug=False,
            )
        updates = state.deliverable(limit)
        remaining = deadline - loop.time()
        if updates or remaining <= 0:
            return updates
        await state.poll_wake.wait(remaining)


def _seconds(value: str | None) -> float:
    if not value:
        return 0.0
    try:
        return max(float(value), 0.0)
    except ValueError:
        raise bad_request('field "timeout" must be of type Integer') from None


@method("setWebhook")
async def set_webhook(state: BotState, p: Params) -> bool:
    url = p.get_str("url")
    if url is None:
        raise missing("url")
    if p.get_bool("drop_pending_updates"):
        state.updates.clear()
    if url == "":
        state.webhook = None
        return True
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if (parts.port or 443) not in _WEBHOOK_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    allowed = p.get_json("allowed_updates")
    if isinstance(allowed, list):
        state.allowed_updates = [str(kind) for kind in allowed]
    state.webhook = {
        "url": url,
        "max_connections": p.get_int("max_connections") or 40,
        "ip_address": p.get_str("ip_address"),
        "secret_token": p.get_str("secret_token"),
    }
    return True


@method("deleteWebhook")
async def delete_webhook(state: BotState, p: Params) -> bool:
    state.webhook = None
    if p.get_bool("drop_pending_updates"):
        state.updates.clear()
    return True


@method("getWebhookInfo")
async def get_webhook_info(state: BotState, p: Params) -> dict[str, Any]:
    info: dict[str, Any] = {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": len(state.updates),
    }
    if state.webhook is not None:
        info["url"] = state.webhook["url"]
        info["max_connections"] = state.webhook["max_connections"]
        if state.webhook["ip_address"]:
            info["ip_address"] = state.webhook["ip_address"]
        if state.allowed_updates:
            info["allowed_updates"] = state.allowed_updates
    return info


@method("close")
async def close(state: BotState, p: Params) -> bool:
    return True


@method("logOut")
async def log_out(state: BotState, p: Params) -> bool:
    return True
