"""Fixtures for the local Bot API tests: a running server, a PTB Bot on it, an httpx client."""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot

from bot.localapi import LocalBotApi

TOKEN = "123456:TEST-TOKEN"


def make_png(width: int = 4, height: int = 3, seed: int = 0) -> bytes:
    """A real (tiny) PNG; `seed` varies the pixels so different seeds give different files."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes((seed + x) % 256 for x in range(width * 3))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
async def api() -> AsyncIterator[LocalBotApi]:
    server = LocalBotApi(token=TOKEN, bot_username="partnerdesk_test_bot")
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
    assert not server.server_errors, server.server_errors


@pytest.fixture
async def bot(api: LocalBotApi) -> AsyncIterator[Bot]:
    client = Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url)
    await client.initialize()
    try:
        yield client
    finally:
        await client.shutdown()


@pytest.fixture
async def http(api: LocalBotApi) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{api.base_url}{TOKEN}/", timeout=5) as client:
        yield client
