"""The bot's HTTP client for the Bot API: PTB's `BaseRequest` over aiohttp.

PTB's default client (httpx) took more than half of the bot's CPU per update in
`bench/throughput.py` (every answer, edit and getUpdates is one request through it); aiohttp
does the same requests for much less (figures in BENCHMARKS.md). Behaviour is PTB's: the same
form-encoded parameters and multipart uploads, the same timeouts (aiohttp has no write timeout,
so the whole request is bounded instead), `TimedOut` and `NetworkError` as PTB raises them,
proxies from the environment.
"""

from __future__ import annotations

import urllib.request
from urllib.parse import urlencode, urlsplit

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_UNSET = type(BaseRequest.DEFAULT_NONE)  # PTB's "not given": use the default timeout


class AiohttpRequest(BaseRequest):
    def __init__(self, *, connection_pool_size: int = 256, read_timeout: float | None = 5.0,
                 write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 pool_timeout: float | None = 1.0, media_write_timeout: float | None = 20.0
                 ) -> None:
        self._pool_size = connection_pool_size
        self._read, self._write, self._connect, self._pool = (
            read_timeout, write_timeout, connect_timeout, pool_timeout)
        self._media_write = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:  # made in the loop that uses it
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size))

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data is not None and bool(request_data.multipart_data)
        timeout = self._timeout(
            _given(read_timeout, self._read),
            _given(write_timeout, self._media_write if files else self._write),
            _given(connect_timeout, self._connect), _given(pool_timeout, self._pool))
        body = _body(request_data)
        headers = {"User-Agent": self.USER_AGENT}
        if isinstance(body, bytes):
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            async with self._session.request(method, url, data=body,
                                             headers=headers, timeout=timeout,
                                             proxy=self._proxy_for(url)) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err

    def _proxy_for(self, url: str) -> str | None:
        """HTTPS_PROXY / HTTP_PROXY / NO_PROXY, read once per host (aiohttp's trust_env reads
        them, and ~/.netrc, on every request: a third of the client's time)."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            bypass = urllib.request.proxy_bypass(key[1])
            self._proxies[key] = None if bypass else (
                urllib.request.getproxies_environment().get(key[0]))
        return self._proxies[key]

    @staticmethod
    def _timeout(read: float | None, write: float | None, connect: float | None,
                 pool: float | None) -> aiohttp.ClientTimeout:
        parts = (read, write, connect, pool)
        return aiohttp.ClientTimeout(
            total=None if None in parts else sum(p for p in parts if p is not None),
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect, sock_read=read)


def _given(value: object, default: float | None) -> float | None:
    if isinstance(value, _UNSET):
        return default
    assert value is None or isinstance(value, int | float)
    return value


def _body(request_data: RequestData | None) -> aiohttp.FormData | bytes | None:
    """Form-encoded parameters, or multipart when there are files: what PTB's httpx client sends.
    The form-encoded body is made here: aiohttp's FormData builds (and drops) a multipart writer
    with a random boundary for every request."""
    if request_data is None:
        return None
    if not request_data.multipart_data:
        parameters = request_data.json_parameters
        return urlencode(parameters).encode() if parameters else None
    # quote_fields=False: file names go as UTF-8, as httpx sends them (aiohttp would %-encode
    # "отчёт.csv", and the partner would get a file named "%D0%BE…")
    form = aiohttp.FormData(request_data.json_parameters, quote_fields=False)
    for field, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(field, content, filename=filename, content_type=mime_type)
    return form
