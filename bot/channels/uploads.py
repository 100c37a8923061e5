"""Files people upload in chat (an allocation CSV): the size limit and how the bytes are read."""

from __future__ import annotations

import logging

import aiohttp

log = logging.getLogger(__name__)
FILE_TIMEOUT = aiohttp.ClientTimeout(total=20)

# A file is read when it is at most this big; a bigger one is refused with a clear message.
MAX_UPLOAD_BYTES = 1_000_000


def decode_upload(data: bytes) -> str:
    """Uploaded text as UTF-8 (a spreadsheet's BOM dropped), else Windows-1252; "" if too big."""
    if len(data) > MAX_UPLOAD_BYTES:
        return ""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


async def download_text(
    session: aiohttp.ClientSession, url: str, *, headers: dict[str, str], what: str
) -> str:
    """Fetch an uploaded file, reading at most one byte past the limit; "" on any failure."""
    try:
        async with session.get(url, headers=headers, timeout=FILE_TIMEOUT) as response:
            if response.status != 200:
                log.warning("downloading %s failed: HTTP %s", what, response.status)
                return ""
            data = b""
            async for chunk in response.content.iter_chunked(65536):
                data += chunk
                if len(data) > MAX_UPLOAD_BYTES:
                    break
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("downloading %s failed: %s", what, type(exc).__name__)
        return ""
    return decode_upload(data)
