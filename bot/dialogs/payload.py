"""Reading numbers from card payloads and inputs, which are never trusted: any JSON value may
arrive (a huge number, a negative one, a float, a string, a boolean)."""

from __future__ import annotations

# Record ids are INTEGER columns: 32-bit signed on PostgreSQL. A number outside 0..INT_MAX
# cannot name a record, and passing it to the database would overflow (asyncpg and sqlite3
# both raise), so it is treated like a record that no longer exists.
INT_MAX = 2**31 - 1


def as_int(value: object) -> int | None:
    """A non-negative integer that fits the database's integer columns, from an int or a
    string of digits; None for anything else (the caller answers as for a stale card)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        digits = value.strip()
        if not (digits.isascii() and digits.isdigit()) or len(digits) > len(str(INT_MAX)):
            return None
        value = int(digits)
    if isinstance(value, int) and 0 <= value <= INT_MAX:
        return value
    return None
