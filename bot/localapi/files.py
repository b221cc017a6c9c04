"""Stored files: ids, paths, photo sizes."""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import secrets
import struct
from typing import Any, Literal

from bot.localapi.models import StoredFile

_PHOTO_PREFIX = "AgACAgIAAxkBAAI"
_DOCUMENT_PREFIX = "BQACAgIAAxkBAAI"
_MEDIA_PREFIX = "CAACAgIAAxkBAAI"
_THUMBNAIL_SIDE = 90
MediaKind = Literal["sticker", "voice", "video", "video_note", "audio"]
_DEFAULT_SIZE = (1280, 960)


class FileStore:
    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._counter = 0

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def by_path(self, path: str) -> StoredFile | None:
        return self._by_path.get(path)

    def add_document(self, data: bytes, filename: str | None, mime_type: str | None) -> StoredFile:
        if mime_type in (None, "", "application/octet-stream") and filename:
            mime_type = mimetypes.guess_type(filename)[0] or mime_type
        suffix = filename.rsplit(".", 1)[-1] if filename and "." in filename else "bin"
        stored = StoredFile(
            file_id=self._new_id(_DOCUMENT_PREFIX),
            file_unique_id=unique_id(data),
            kind="document",
            data=data,
            file_path=self._new_path("documents", suffix),
            filename=filename,
            mime_type=mime_type or None,
        )
        return self._remember(stored)

    def add_media(self, kind: MediaKind, data: bytes, mime_type: str | None) -> StoredFile:
        """A sticker, voice note, video, round video or audio file, as the user's app uploads it."""
        suffix = (mimetypes.guess_extension(mime_type) or ".bin")[1:] if mime_type else "bin"
        stored = StoredFile(
            file_id=self._new_id(_MEDIA_PREFIX),
            file_unique_id=unique_id(data),
            kind=kind,
            data=data,
            file_path=self._new_path(f"{kind}s", suffix),
            mime_type=mime_type,
        )
        return self._remember(stored)

    def add_photo(self, data: bytes) -> StoredFile:
        """Store a photo as Telegram does: a thumbnail and the full size (returned)."""
        width, height = image_size(data) or _DEFAULT_SIZE
        scale = _THUMBNAIL_SIDE / max(width, height, 1)
        thumb_size = (max(int(width * scale), 1), max(int(height * scale), 1))
        sizes: list[StoredFile] = []
        for index, (w, h) in enumerate([thumb_size, (width, height)]):
            stored = StoredFile(
                file_id=self._new_id(_PHOTO_PREFIX),
                file_unique_id=unique_id(data, variant=index),
                kind="photo",
                data=data,
                file_path=self._new_path("photos", "jpg"),
                width=w,
                height=h,
                sizes=sizes,  # shared list: every size knows the whole photo
            )
            sizes.append(self._remember(stored))
        return sizes[-1]

    def snapshot(self) -> dict[str, Any]:
        """Every file as plain data (the content base64), to be `restore`d by another store."""
        return {"counter": self._counter, "files": [
            {"file_id": f.file_id, "file_unique_id": f.file_unique_id, "kind": f.kind,
             "data": base64.b64encode(f.data).decode(), "file_path": f.file_path,
             "filename": f.filename, "mime_type": f.mime_type, "width": f.width,
             "height": f.height, "sizes": [size.file_id for size in f.sizes]}
            for f in self._by_id.values()]}

    def restore(self, snapshot: dict[str, Any]) -> None:
        """The files of a `snapshot`, under their old ids; new ones go on from its counter."""
        found: dict[str, tuple[StoredFile, list[str]]] = {}
        for item in snapshot["files"]:
            stored = StoredFile(
                file_id=item["file_id"], file_unique_id=item["file_unique_id"],
                kind=item["kind"], data=base64.b64decode(item["data"]),
                file_path=item["file_path"], filename=item["filename"],
                mime_type=item["mime_type"], width=item["width"], height=item["height"])
            found[stored.file_id] = (self._remember(stored), item["sizes"])
        for stored, sizes in found.values():  # a photo's sizes: one list shared by all
            if sizes and not stored.sizes:
                shared = [found[size][0] for size in sizes if size in found]
                for size in shared:
                    size.sizes = shared
        self._counter = max(self._counter, int(snapshot["counter"]))

    def _remember(self, stored: StoredFile) -> StoredFile:
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def _new_id(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}{self._counter:05d}" + secrets.token_urlsafe(24)

    def _new_path(self, folder: str, suffix: str) -> str:
        self._counter += 1
        return f"{folder}/file_{self._counter}.{suffix}"


def unique_id(data: bytes, variant: int = 0) -> str:
    """Like Telegram's file_unique_id: the same content always gets the same id."""
    digest = hashlib.sha256(bytes([variant]) + data).digest()
    return "AQAD" + base64.urlsafe_b64encode(digest[:12]).decode().rstrip("=")


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG image; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def is_image(data: bytes) -> bool:
    return image_size(data) is not None or data.startswith((b"RIFF", b"BM"))


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        length = int.from_bytes(data[index + 2 : index + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return int(width), int(height)
        index += 2 + length
    return None
