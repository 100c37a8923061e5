"""What nominations give the QA digest (issue 12): good practice ratified into the Good Practice
Library in the period (highlights with the library's reference, and only what the library
already shows: case-record numbers are never in it), nominations made and ratified, teams
nominated for a Good Practice Conversation, and the nominations' themes. Counts are aggregate
queries (``store``); the scope is the nominated team, or the directory's team or service of a
nominee.
"""

from __future__ import annotations

from bot.dialogs.base import Context, Router
from bot.domain.digest import (
    DigestPart,
    DigestPeriod,
    DigestScope,
    Figure,
    Highlight,
    Section,
)
from bot.nominations import store
from bot.nominations.store import LibraryEntry
from bot.store.scope import local_midnight

SOURCE = "nominations"
# West Sussex shares its "top ten learning highlights" (seed 002).
HIGHLIGHTS = 10
TEXT_MAX = 240


async def digest(ctx: Context, period: DigestPeriod, scope: DigestScope) -> list[DigestPart]:
    first, until = local_midnight(period.start, ctx.tz), local_midnight(period.end, ctx.tz)
    added, newest = await store.library_added(
        ctx.session, period.start, period.end, scope, HIGHLIGHTS
    )
    made = await store.nominations_made_by_theme(ctx.session, first, until, scope)
    ratified = await store.nominations_ratified(ctx.session, first, until, scope)
    figures = [
        Figure("Practice added to the Good Practice Library", added),
        Figure("Nominations made", sum(made.values())),
        Figure("Nominations ratified by the CSW group", ratified),
    ]
    if ctx.framework.nominations.team_conversations:
        teams = await store.team_nominations_made(ctx.session, first, until, scope)
        figures.append(Figure("Teams nominated for a Good Practice Conversation", teams))
    good_practice = DigestPart(
        Section.GOOD_PRACTICE,
        SOURCE,
        figures=tuple(figures),
        highlights=tuple(highlight(entry) for entry in newest),
    )
    themes = tuple(sorted(made.items(), key=lambda kv: (-kv[1], kv[0])))
    return [
        good_practice,
        # Themes are merged across areas by the digest (one chart of those that came up most).
        DigestPart(Section.THEMES, SOURCE, themes=themes),
    ]


def highlight(entry: LibraryEntry) -> Highlight:
    """A library entry as the digest shows it: its theme and team, the start of what happened
    and the difference it made, and its reference to look it up in full."""
    title = f"{entry.theme}: {entry.team_name}" if entry.team_name else entry.theme
    text = shorten(f"{entry.what_happened.strip()} {entry.difference_made.strip()}".strip())
    return Highlight(title=title, text=text, reference=entry.reference)


def shorten(text: str, limit: int = TEXT_MAX) -> str:
    """At most ``limit`` characters, cut at a word and marked, never mid-word."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.")
    return cut + "…"


def register(router: Router) -> None:
    router.digest(digest)
