"""Acting as Telegram users, beyond text and files: stickers, voice, video, audio, round
videos, locations, polls and dice, each as the user's app sends it."""

from __future__ import annotations

import secrets
from typing import Any

from bot.localapi.acting import UserActions
from bot.localapi.files import MediaKind
from bot.localapi.models import Chat, TgUser

# A few bytes stand for the media: the bot may download them, nothing decodes them.
_MEDIA_BYTES = b"\x1aE\xdf\xa3 local media"


class MediaActions(UserActions):
    """More of the write side of the driver (mixed into LocalBotApi)."""

    async def send_sticker(self, user: TgUser, emoji: str = "👍", *,
                           chat: Chat | None = None) -> dict[str, Any]:
        return self._media_message(user, chat, "sticker", "image/webp", {
            "type": "regular", "width": 512, "height": 512, "is_animated": False,
            "is_video": False, "emoji": emoji,
        })

    async def send_voice(self, user: TgUser, duration: int = 3, *,
                         chat: Chat | None = None) -> dict[str, Any]:
        return self._media_message(user, chat, "voice", "audio/ogg", {"duration": duration})

    async def send_video_note(self, user: TgUser, duration: int = 5, *,
                              chat: Chat | None = None) -> dict[str, Any]:
        return self._media_message(user, chat, "video_note", None,
                                   {"duration": duration, "length": 240})

    async def send_video(self, user: TgUser, duration: int = 10, caption: str | None = None, *,
                         chat: Chat | None = None) -> dict[str, Any]:
        return self._media_message(user, chat, "video", "video/mp4",
                                   {"duration": duration, "width": 640, "height": 360}, caption)

    async def send_audio(self, user: TgUser, title: str = "Track", duration: int = 180, *,
                         chat: Chat | None = None) -> dict[str, Any]:
        return self._media_message(user, chat, "audio", "audio/mpeg",
                                   {"duration": duration, "title": title})

    async def send_location(self, user: TgUser, latitude: float = 55.7539,
                            longitude: float = 37.6208, *,
                            chat: Chat | None = None) -> dict[str, Any]:
        return self._user_message(user, chat,
                                  {"location": {"latitude": latitude, "longitude": longitude}})

    async def send_poll(self, user: TgUser, question: str = "Which day?",
                        options: tuple[str, ...] = ("Monday", "Friday"), *,
                        chat: Chat | None = None) -> dict[str, Any]:
        if not 2 <= len(options) <= 10:
            raise ValueError("a poll has 2-10 options")
        poll = {
            "id": str(secrets.randbits(62)), "question": question,
            "options": [{"text": text, "voter_count": 0, "persistent_id": str(index)}
                        for index, text in enumerate(options)],
            "total_voter_count": 0, "is_closed": False, "is_anonymous": True,
            "type": "regular", "allows_multiple_answers": False,
            "allows_revoting": True, "members_only": False,  # required since Bot API 9.6, 10.0
        }
        return self._user_message(user, chat, {"poll": poll})

    async def send_dice(self, user: TgUser, emoji: str = "🎲", value: int = 4, *,
                        chat: Chat | None = None) -> dict[str, Any]:
        return self._user_message(user, chat, {"dice": {"emoji": emoji, "value": value}})

    def _media_message(self, user: TgUser, chat: Chat | None, kind: MediaKind,
                       mime_type: str | None, details: dict[str, Any],
                       caption: str | None = None) -> dict[str, Any]:
        stored = self.state.files.add_media(kind, _MEDIA_BYTES + kind.encode(), mime_type)
        media = {**stored.document_dict(), **details}
        fields: dict[str, Any] = {kind: media}
        if caption:
            fields["caption"] = caption
        return self._user_message(user, chat, fields)
