"""Files people upload in chat (an allocation CSV): the size limit and how the bytes are read."""

from __future__ import annotations

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
