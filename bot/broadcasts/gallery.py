"""The broadcasts' cards with sample data, for ``qabot cards gallery`` and the schema tests."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.broadcasts import cards
from bot.broadcasts.content import Chart, Content, ContentSection, Link
from bot.broadcasts.rules import RowState, tally
from bot.broadcasts.store import Broadcast
from bot.cards.model import Card
from bot.domain.digest import SEVEN_MINUTE_HEADINGS

SAMPLE = Content(
    title="Closing the Loop: Q2 2026-27",
    kind="digest",
    period="Q2 2026-27 (the whole authority), 1 July 2026 to 30 September 2026",
    editor_note="Thank you to every team that took part in this quarter's audits.",
    sections=[
        ContentSection(
            heading="How well did we do it?",
            figures=[("Moderation agreement", "41 of 48 (85%)")],
            charts=[
                Chart(
                    title="Audit grades",
                    counts=[("Outstanding", 4), ("Good", 21), ("Requires improvement", 9)],
                )
            ],
        ),
        ContentSection(
            heading="Learning resources",
            links=[Link(title="Practice guide", url="https://example.org/guide")],
        ),
    ],
)


def samples() -> list[Card]:
    now = datetime(2026, 10, 1, 9, tzinfo=UTC)
    broadcast = Broadcast(
        id=7, kind="digest", title=SAMPLE.title, status="draft", created_at=now, updated_at=now
    )
    report = tally(
        [
            RowState("team:Taunton CP@slack", "sent", True),
            RowState("team:Yeovil CiC@teams", "pending", False, 2, "HTTP 503"),
            RowState("team:Old team@slack", "dead", False, 1, "is_archived"),
        ]
    )
    chart_url = "https://qabot.example.org/charts/abcdefghijkl-0-0.png"
    scheduled = cards.scheduled(
        broadcast,
        "Monday 5 October 2026 at 09:00 (London time)",
        "Quinn Improvement",
        "every team channel",
        1,
        "1791190800",
    )
    return [
        *cards.broadcast_cards(7, SAMPLE, lambda s, c: chart_url),
        # With the time its author proposed and the note on charts shown as text: every fact,
        # note and button the card can have.
        cards.review(
            broadcast,
            "every team channel",
            3,
            "09:30 on 5 October 2026 (UK time)",
            charts_as_text=True,
        ),
        cards.edit_form(broadcast, SAMPLE),
        cards.schedule_form(broadcast, "2026-10-05", "09:00"),
        scheduled,
        cards.schedule_form(broadcast, "2026-10-05", "09:00", stamp="1791190800"),
        cards.cancelled(broadcast, "Quinn Improvement", "2 October 2026"),
        cards.compose_form("newsletter", ()),
        cards.compose_form("briefing", SEVEN_MINUTE_HEADINGS),
        cards.report(broadcast, report, [("Taunton CP", 3)]),
        cards.refusal("approve"),
        cards.privacy_problem([("Section 1 text", "Jayden Smith")]),
    ]
