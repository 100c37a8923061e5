"""The quotas' cards with sample data, for ``qabot cards gallery`` and the schema tests."""

from __future__ import annotations

from datetime import date

from bot.cards.model import Card, Choice
from bot.quotas.cards import (
    FormChoices,
    Section,
    SummarySection,
    calendar_card,
    cycles_to_start,
    feed_card,
    held_card,
    item_logged,
    item_withdrawn,
    log_form,
    log_menu,
    my_logs,
    period_summary,
    progress_card,
    unknown_team_names,
)
from bot.quotas.rules import FORM_FIELDS, CalendarEntry
from bot.quotas.schedule import Member, Turn


def samples() -> list[Card]:
    choices = FormChoices(
        people=[Choice(title="Sam Social (Taunton CP)", value="3")],
        teams=[Choice(title="Taunton CP", value="2")],
        themes=[Choice(title="Child's voice", value="Child's voice")],
    )
    forms = [
        log_form(kind, choices, {}, case_label="LCS number", case_example="2045871")
        for kind in FORM_FIELDS
    ]
    progress = progress_card(
        "Quotas",
        [
            Section(
                "Family feedback, your team: Q3 2026-27",
                [("People who have it", 3, 5)],
                [("Priya Patel", "✗ 0 of 1"), ("Sam Social", "✓ 2")],
                [],
            )
        ],
        empty="No quota counts you or your team this period.",
    )
    return [
        *forms,
        log_menu(["feedback", "dip_review", "observation"]),
        item_logged(7, "family or professional feedback for Sam Social (parent, 12 Nov 2026)"),
        item_withdrawn("family or professional feedback for Sam Social (parent, 12 Nov 2026)"),
        my_logs([(7, "dip review for Taunton CP (12 Nov 2026)")]),
        progress,
        period_summary(
            [SummarySection("Family feedback", "Q3 2026-27", [("SW", 40, 52)], ["Priya Patel"])]
        ),
        calendar_card(
            "February 2027",
            [_PE, _SPOTLIGHT],
            [("Family feedback (Q4 2026-27)", "ends Wed 31 Mar: 1 per practitioner")],
            quiet=False,
            held={_SPOTLIGHT.cycle_key: "Held Thu 18 Feb 2027, marked by Ade Assistant."},
        ),
        cycles_to_start("February 2027", [_PE, _SPOTLIGHT]),
        held_card(
            "Stocktake (January 2027)",
            date(2027, 1, 20),
            "Hana Head",
            "Themes agreed for the quarter",
            new=True,
            marked_on=date(2027, 1, 20),
        ),
        held_card(
            "Stocktake (January 2027)",
            date(2027, 1, 20),
            "Hana Head",
            None,
            new=False,
            marked_on=date(2027, 1, 21),
        ),
        feed_card("your own", "https://qabot.example.org/calendar/abc.ics"),
        unknown_team_names(
            [("Team Spotlight", "CDT"), ("Team Spotlight", "YOS")],
            ["Children in Care", "Front Door", "Fostering"],
        ),
    ]


_PE = CalendarEntry(
    key="practice_evaluation",
    name="Practice Evaluation",
    opens_on=date(2027, 2, 1),
    due_on=date(2027, 2, 22),
    quotas="60 in Social Work; 10 in Family Intervention Service",
)
_SPOTLIGHT = CalendarEntry(
    key="team_spotlight",
    name="Team Spotlight",
    opens_on=date(2027, 2, 1),
    due_on=date(2027, 2, 1),
    quotas="",
    cadence="Feb, Mar, Apr, May, Jun, Jul, Sep, Oct, Nov",
    turns=(
        Turn("team", "team", Member("CDT", "CDT")),
        Turn("lead", "lead", Member("4", "Ade Assistant")),
    ),
    cycle_on=date(2027, 2, 1),
)
