"""Why a message waits: the bot only delivers in working hours on working days."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.framework import CalendarRules


def held_note(calendar: CalendarRules, due: datetime, tz: ZoneInfo) -> str:
    """One line for a person who sees a message before it is delivered to them."""
    local = due.astimezone(tz)
    start = calendar.working_hours_start.strftime("%H:%M")
    end = calendar.working_hours_end.strftime("%H:%M")
    return (
        f"Held until {local:%a %d %b %H:%M}: the bot delivers messages on working days "
        f"between {start} and {end} only, so nobody is messaged in the evening, at weekends "
        "or on bank holidays."
    )
