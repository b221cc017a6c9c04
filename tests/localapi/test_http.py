"""The HTTP surface, spoken to with plain httpx: routes, encodings, errors, long polling."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from bot.localapi import LocalBotApi
from tests.localapi.conftest import TOKEN


async def test_get_me_by_get_and_post_with_any_method_case(
    api: LocalBotApi, http: httpx.AsyncClient
) -> None:
    for response in (await http.get("getMe"), await http.post("GETME")):
        assert response.status_code == 200
        body = response.json()
        assert body["ok"] is True
        assert body["result"]["username"] == "partnerdesk_test_bot"
        assert body["result"]["is_bot"] is True
        assert body["result"]["id"] == 123456
    assert [r.method for r in api.requests] == ["getMe", "getMe"]


async def test_wrong_token_is_401_and_unknown_method_is_404(api: LocalBotApi) -> None:
    async with httpx.AsyncClient() as client:
        wrong = await client.post(f"{api.base_url}999:WRONG/getMe")
        unknown = await client.post(f"{api.base_url}{TOKEN}/sendTelepathy")
        unimplemented = await client.post(f"{api.base_url}{TOKEN}/sendDice")
    assert wrong.status_code == 401
    assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert unknown.status_code == 404
    assert unknown.json()["description"] == "Not Found"
    assert unimplemented.status_code == 400
    assert unimplemented.json()["description"] == (
        "Bad Request: method sendDice is not implemented by the local Bot API server"
    )
    assert [r.description for r in api.refusals][:2] == ["Unauthorized", "Not Found"]


async def test_form_json_and_query_parameters_are_all_understood(
    api: LocalBotApi, http: httpx.AsyncClient
) -> None:
    anna = api.user(111, "Anna", started=True)
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    as_form = await http.post(
        "sendMessage", data={"chat_id": "111", "text": "form", "reply_markup": json.dumps(markup)}
    )
    as_json = await http.post(
        "sendMessage", json={"chat_id": 111, "text": "json", "reply_markup": markup}
    )
    as_query = await http.get("sendMessage", params={"chat_id": "111", "text": "query"})
    for response in (as_form, as_json, as_query):
        assert response.status_code == 200, response.text
    assert [m.text for m in api.bot_messages(anna)] == ["form", "json", "query"]
    assert api.bot_messages(anna)[1].button_texts() == ["Go"]
    assert as_json.json()["result"]["reply_markup"] == markup


async def test_refusal_payload_shape_and_log(api: LocalBotApi, http: httpx.AsyncClient) -> None:
    response = await http.post("sendMessage", data={"chat_id": "777", "text": "hi"})
    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: chat not found",
    }
    (refusal,) = api.refusals
    assert refusal.method == "sendMessage"
    assert refusal.params == {"chat_id": "777", "text": "hi"}
    with pytest.raises(AssertionError, match="chat not found"):
        api.assert_no_refusals()


async def test_missing_parameters_use_telegrams_wording(
    api: LocalBotApi, http: httpx.AsyncClient
) -> None:
    api.user(111, "Anna", started=True)
    cases = [
        ("sendMessage", {"text": "hi"}, "Bad Request: chat_id is empty"),
        ("sendMessage", {"chat_id": "111"}, "Bad Request: message text is empty"),
        ("sendPhoto", {"chat_id": "111"}, "Bad Request: there is no photo in the request"),
        ("getFile", {}, 'Bad Request: parameter "file_id" is required'),
        ("answerCallbackQuery", {}, 'Bad Request: parameter "callback_query_id" is required'),
        ("setMyCommands", {}, 'Bad Request: parameter "commands" is required'),
    ]
    for method, params, description in cases:
        response = await http.post(method, data=params)
        assert response.status_code == 400, method
        assert response.json()["description"] == description
    assert len(api.refusals) == len(cases)


async def test_long_poll_returns_as_soon_as_a_user_writes(
    api: LocalBotApi, http: httpx.AsyncClient
) -> None:
    anna = api.user(111, "Anna")
    started = time.monotonic()
    poll = asyncio.create_task(http.post("getUpdates", data={"timeout": "5"}))
    await asyncio.sleep(0.2)
    assert not poll.done()
    await api.send_text(anna, "hello")
    response = await poll
    assert time.monotonic() - started < 2
    (update,) = response.json()["result"]
    assert update["message"]["text"] == "hello"
    assert update["message"]["from"]["id"] == 111
    assert update["message"]["chat"] == {"id": 111, "type": "private", "first_name": "Anna"}


async def test_empty_long_poll_waits_for_its_timeout(http: httpx.AsyncClient) -> None:
    started = time.monotonic()
    response = await http.post("getUpdates", data={"timeout": "0.3"})
    assert response.json() == {"ok": True, "result": []}
    assert time.monotonic() - started >= 0.3


async def test_offset_confirms_and_limit_caps(api: LocalBotApi, http: httpx.AsyncClient) -> None:
    anna = api.user(111, "Anna")
    for text in ("one", "two", "three"):
        await api.send_text(anna, text)
    first = (await http.post("getUpdates", data={"limit": "2"})).json()["result"]
    assert [u["message"]["text"] for u in first] == ["one", "two"]
    again = (await http.post("getUpdates")).json()["result"]
    assert len(again) == 3  # nothing confirmed yet
    ids = [u["update_id"] for u in again]
    assert ids == sorted(ids) and len(set(ids)) == 3
    rest = (await http.post("getUpdates", data={"offset": str(ids[1] + 1)})).json()["result"]
    assert [u["message"]["text"] for u in rest] == ["three"]
    done = (await http.post("getUpdates", data={"offset": str(ids[2] + 1)})).json()["result"]
    assert done == []


async def test_allowed_updates_filters_kinds(api: LocalBotApi, http: httpx.AsyncClient) -> None:
    anna = api.user(111, "Anna")
    await api.send_text(anna, "hi")
    api.block(anna)  # a my_chat_member update
    only = await http.post("getUpdates", data={"allowed_updates": json.dumps(["my_chat_member"])})
    (update,) = only.json()["result"]
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"


async def test_a_poll_whose_client_hung_up_does_not_swallow_the_update(
    api: LocalBotApi, http: httpx.AsyncClient
) -> None:
    anna = api.user(111, "Anna")
    with pytest.raises(httpx.ReadTimeout):
        await http.post("getUpdates", data={"timeout": "5"}, timeout=0.2)
    await api.wait_until(lambda: api.requests_in_flight == 0, timeout=1)
    await api.send_text(anna, "still here")
    response = await http.post("getUpdates", data={"timeout": "1"})
    assert [u["message"]["text"] for u in response.json()["result"]] == ["still here"]


async def test_a_newer_poll_terminates_the_older_one_without_a_refusal(
    api: LocalBotApi, http: httpx.AsyncClient
) -> None:
    older = asyncio.create_task(http.post("getUpdates", data={"timeout": "5"}))
    await asyncio.sleep(0.1)
    newer = await http.post("getUpdates", data={"timeout": "0"})
    assert newer.json()["ok"] is True
    response = await older
    assert response.status_code == 409
    assert "terminated by other getUpdates request" in response.json()["description"]
    assert api.refusals == []


async def test_get_updates_while_a_webhook_is_set_is_a_conflict(
    api: LocalBotApi, http: httpx.AsyncClient
) -> None:
    bad = await http.post("setWebhook", data={"url": "http://example.com/hook"})
    assert bad.json()["description"] == (
        "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
    )
    assert (await http.post("setWebhook", data={"url": "https://example.com/hook"})).is_success
    info = (await http.post("getWebhookInfo")).json()["result"]
    assert info["url"] == "https://example.com/hook"
    response = await http.post("getUpdates")
    assert response.status_code == 409
    assert response.json()["description"].startswith(
        "Conflict: can't use getUpdates method while webhook is active"
    )
    assert (await http.post("deleteWebhook")).json()["result"] is True
    assert (await http.post("getUpdates")).status_code == 200


async def test_file_download_route(api: LocalBotApi, http: httpx.AsyncClient) -> None:
    anna = api.user(111, "Anna")
    message = await api.send_document(anna, b"%PDF-1.4 scan", filename="scan.pdf")
    file_id = message["document"]["file_id"]
    assert message["document"]["mime_type"] == "application/pdf"
    file = (await http.post("getFile", data={"file_id": file_id})).json()["result"]
    assert file["file_size"] == len(b"%PDF-1.4 scan")
    async with httpx.AsyncClient() as client:
        download = await client.get(f"{api.base_file_url}{TOKEN}/{file['file_path']}")
        missing = await client.get(f"{api.base_file_url}{TOKEN}/documents/nope.pdf")
        wrong_token = await client.get(f"{api.base_file_url}1:X/{file['file_path']}")
    assert download.content == b"%PDF-1.4 scan"
    assert missing.status_code == 404
    assert wrong_token.status_code == 401


async def test_stop_ends_pending_long_polls_promptly(
    api: LocalBotApi, http: httpx.AsyncClient
) -> None:
    poll = asyncio.create_task(http.post("getUpdates", data={"timeout": "30"}))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    await api.stop()
    with pytest.raises(httpx.HTTPError):
        await poll
    assert time.monotonic() - started < 2
    assert api.requests_in_flight == 0


async def test_more_refusals_by_plain_http(api: LocalBotApi, http: httpx.AsyncClient) -> None:
    api.user(111, "Anna", started=True)
    cases = [
        (
            "sendChatAction",
            {"chat_id": "111", "action": "dancing"},
            "Bad Request: wrong parameter action in request",
        ),
        (
            "sendMessage",
            {"chat_id": "111", "text": "hi", "reply_parameters": '{"message_id": 99}'},
            "Bad Request: message to be replied not found",
        ),
        (
            "sendMessage",
            {"chat_id": "111", "text": "hi", "reply_markup": "{not json"},
            "Bad Request: can't parse reply keyboard markup JSON object",
        ),
        (
            "editMessageText",
            {"chat_id": "111", "message_id": "1", "text": "x", "reply_markup": '{"keyboard": []}'},
            "Bad Request: inline keyboard expected",
        ),
        (
            "sendMessage",
            {"chat_id": "111", "text": "*hi*", "parse_mode": "MarkdownV2"},
            "Bad Request: can't parse entities: parse_mode MarkdownV2 is not supported by the "
            "local Bot API server; use HTML",
        ),
    ]
    for method, params, description in cases:
        response = await http.post(method, data=params)
        assert response.json()["description"] == description
    allowed = await http.post(
        "sendMessage",
        data={
            "chat_id": "111",
            "text": "hi",
            "reply_parameters": '{"message_id": 99, "allow_sending_without_reply": true}',
        },
    )
    assert allowed.json()["ok"] is True
    assert "reply_to_message" not in allowed.json()["result"]
