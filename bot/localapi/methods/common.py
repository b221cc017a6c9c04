"""Helpers shared by the sending and editing methods."""

from __future__ import annotations

from bot.localapi.errors import bad_request
from bot.localapi.files import is_image
from bot.localapi.models import BotMessage, Chat, StoredFile, UserMessage
from bot.localapi.params import Params, Upload
from bot.localapi.state import BotState
from bot.localapi.validate import FormattedText, Markup, parse_reply_markup

MARKUP_JSON_ERROR = "can't parse reply keyboard markup JSON object"


def reply_markup(p: Params, *, inline_only: bool = False) -> Markup | None:
    raw = p.get_json("reply_markup", bad_request(MARKUP_JSON_ERROR))
    return parse_reply_markup(raw, inline_only=inline_only)


def reply_target(state: BotState, chat: Chat, p: Params) -> int | None:
    """The message the new one replies to (reply_parameters or legacy reply_to_message_id)."""
    parameters = p.get_json("reply_parameters")
    allow_missing = p.get_bool("allow_sending_without_reply")
    message_id = p.get_int("reply_to_message_id")
    if isinstance(parameters, dict):
        message_id = parameters.get("message_id")
        allow_missing = bool(parameters.get("allow_sending_without_reply"))
    elif parameters is not None:
        raise bad_request("can't parse reply parameters JSON object")
    if message_id is None:
        return None
    target = state.get_message(chat.id, int(message_id))
    if target is None or (isinstance(target, BotMessage) and target.deleted):
        if allow_missing:
            return None
        raise bad_request("message to be replied not found")
    return int(message_id)


def apply_markup(state: BotState, message: BotMessage, markup: Markup | None) -> None:
    """Attach reply_markup to a message being sent or edited."""
    message.reply_markup = markup.raw if markup else None
    message.buttons = markup.buttons if markup and markup.kind == "inline" else []
    message.force_reply = bool(markup and markup.kind == "force_reply")
    if markup is None:
        return
    if markup.kind == "keyboard":
        message.keyboard = markup.buttons
        state.keyboards[message.chat_id] = message
    elif markup.kind == "remove":
        state.keyboards.pop(message.chat_id, None)


def new_bot_message(
    state: BotState,
    chat: Chat,
    kind: str,
    formatted: FormattedText,
    markup: Markup | None,
    reply_to: int | None,
    file: StoredFile | None = None,
    media_group_id: str | None = None,
) -> BotMessage:
    message = BotMessage(
        message_id=state.next_message_id(chat.id),
        chat_id=chat.id,
        kind=kind,
        date=state.now(),
        text=formatted.text,
        html=formatted.raw,
        parse_mode=formatted.parse_mode,
        entities=formatted.entities,
        reply_to_message_id=reply_to,
        file=file,
        media_group_id=media_group_id,
    )
    apply_markup(state, message, markup)
    state.store_message(message)
    return message


def editable_message(state: BotState, p: Params) -> BotMessage:
    if p.get_str("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")  # no inline mode here
    chat = state.lookup_chat(p.chat_id())
    message_id = p.require_int("message_id", bad_request("message identifier is not specified"))
    message = state.get_message(chat.id, message_id)
    if isinstance(message, UserMessage):
        raise bad_request("message can't be edited")
    if message is None or message.deleted:
        raise bad_request("message to edit not found")
    return message


def current_inline_markup(message: BotMessage) -> dict[str, object] | None:
    markup = message.reply_markup
    return markup if markup is not None and "inline_keyboard" in markup else None


def store_input_file(state: BotState, p: Params, field: str, kind: str) -> StoredFile:
    """The file a send method names in `field`: an upload, attach://, or an existing file_id."""
    upload = p.files.get(field)
    if upload is not None:
        return store_upload(state, upload, kind)
    value = p.get_str(field)
    if not value:
        raise bad_request(f"there is no {field} in the request")
    return resolve_file_reference(state, p, value, kind)


def resolve_file_reference(state: BotState, p: Params, value: str, kind: str) -> StoredFile:
    if value.startswith("attach://"):
        upload = p.files.get(value.removeprefix("attach://"))
        if upload is None:
            raise bad_request(f"file of type {kind} must be uploaded as {value}")
        return store_upload(state, upload, kind)
    if value.startswith(("http://", "https://")):
        # Local limitation: the server never fetches URLs.
        raise bad_request("failed to get HTTP URL content")
    stored = state.files.get(value)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if stored.kind != kind:
        raise bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
    return stored.sizes[-1] if stored.sizes else stored


def store_upload(state: BotState, upload: Upload, kind: str) -> StoredFile:
    if not upload.body:
        raise bad_request("file must be non-empty")
    if kind == "photo":
        if not is_image(upload.body):
            raise bad_request("IMAGE_PROCESS_FAILED")
        return state.files.add_photo(upload.body)
    return state.files.add_document(upload.body, upload.filename, upload.content_type)
