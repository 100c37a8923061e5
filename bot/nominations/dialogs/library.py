"""The Good Practice Library: ratified practice, searchable by words, theme, team and date.

``library [words] [theme:…] [team:…] [since:YYYY-MM-DD] [until:YYYY-MM-DD]`` lists the
matching entries newest first, five to a page. Entries are copies made at ratification with
case record numbers removed; nothing here ever shows a case number.
"""

from __future__ import annotations

import logging
import shlex
from dataclasses import replace
from datetime import date

from bot.cards.model import (
    Button,
    Card,
    Choice,
    ChoiceInput,
    DateInput,
    Divider,
    Element,
    Facts,
    TextBlock,
    TextInput,
)
from bot.cards.shared import clip
from bot.dialogs.base import Action, Context, Reply, Router
from bot.dialogs.forms import as_int, as_text, form_problems, input_value
from bot.nominations import store
from bot.nominations.cards import day
from bot.nominations.store import LibraryEntry, LibraryQuery
from bot.store import directory

log = logging.getLogger("bot.nominations.dialogs")

PAGE_SIZE = 5
MAX_QUERY = 200
_KEYS = {"theme": "theme", "team": "team", "since": "since", "from": "since", "until": "until"}
_KEYS |= {"to": "until", "before": "until", "after": "since"}


def register(router: Router) -> None:
    router.command(
        "library",
        "good practice library",
        "gp library",
        summary="Search the Good Practice Library (words, theme:, team:, since:)",
        usage="library [words]",
    )(library_command)
    router.action("library.page")(page_action)
    router.action("library.show")(show_action)
    router.action("library.filter")(filter_action)
    router.action("library.search")(search_action)
    router.gallery(_gallery)


# --- adding ratified practice ------------------------------------------------------------------


# --- the query ---------------------------------------------------------------------------------


def parse_query(
    text: str, themes: tuple[str, ...], teams: list[str]
) -> tuple[LibraryQuery, str | None]:
    """A query from ``words theme:voice team:"Taunton CP" since:2026-01-01``, and a problem."""
    text = text.strip()[:MAX_QUERY]
    try:
        tokens = shlex.split(text)
    except ValueError:
        tokens = text.replace('"', " ").split()
    words: list[str] = []
    query = LibraryQuery()
    for token in tokens:
        key, sep, value = token.partition(":")
        key = _KEYS.get(key.lower(), "") if sep else ""
        if not key:
            words.append(token.lower())
            continue
        value = value.strip()
        if key == "theme":
            theme = _pick(value, list(themes))
            if theme is None:
                return query, f"No theme matches “{value}”. Themes: {', '.join(themes)}."
            query = replace(query, theme=theme)
        elif key == "team":
            team = _pick(value, teams) or value
            query = replace(query, team=team)
        else:
            try:
                when = date.fromisoformat(value)
            except ValueError:
                return query, f"“{value}” is not a date: write it as YYYY-MM-DD, e.g. 2026-04-01."
            query = replace(query, since=when) if key == "since" else replace(query, until=when)
    return replace(query, words=tuple(w for w in words if w)[:10]), None


def _pick(value: str, options: list[str]) -> str | None:
    wanted = value.lower()
    exact = [o for o in options if o.lower() == wanted]
    if exact:
        return exact[0]
    partial = [o for o in options if wanted and wanted in o.lower()]
    return partial[0] if partial else None


def describe_query(query: LibraryQuery) -> str:
    parts = []
    if query.words:
        parts.append("“" + " ".join(query.words) + "”")
    if query.theme:
        parts.append(f"theme {query.theme}")
    if query.team:
        parts.append(f"team {query.team}")
    if query.since:
        parts.append(f"since {day(query.since)}")
    if query.until:
        parts.append(f"until {day(query.until)}")
    return ", ".join(parts)


def query_text(query: LibraryQuery) -> str:
    """The query written back as text (it travels in the paging buttons)."""
    parts = list(query.words)
    if query.theme:
        parts.append(f'theme:"{query.theme}"')
    if query.team:
        parts.append(f'team:"{query.team}"')
    if query.since:
        parts.append(f"since:{query.since.isoformat()}")
    if query.until:
        parts.append(f"until:{query.until.isoformat()}")
    return " ".join(parts)[:MAX_QUERY]


async def _teams(ctx: Context) -> list[str]:
    return await directory.team_names(ctx.session)


# --- commands and actions -----------------------------------------------------------------------


async def library_command(ctx: Context, args: str) -> list[Reply]:
    if args.strip() and store.parse_reference(args) is not None:
        return await _show(ctx, args.strip())
    return await _results(ctx, args, 0)


async def page_action(ctx: Context, action: Action) -> list[Reply]:
    page = max(as_int(action.data.get("page")) or 0, 0)
    replies = await _results(ctx, as_text(action.data.get("q")), page)
    return [Reply(r.card, replace=True) for r in replies]


async def show_action(ctx: Context, action: Action) -> list[Reply]:
    return await _show(ctx, as_text(action.data.get("ref")))


async def filter_action(ctx: Context, action: Action) -> list[Reply]:
    teams = await store.library_teams(ctx.session)
    query, _ = parse_query(as_text(action.data.get("q")), ctx.framework.nominations.themes, teams)
    return [Reply(search_form(ctx.framework.nominations.themes, teams, query))]


async def search_action(ctx: Context, action: Action) -> list[Reply]:
    words = as_text(input_value(action.inputs, action.data, "words"))[:MAX_QUERY]
    theme = as_text(input_value(action.inputs, action.data, "theme"))
    team = as_text(input_value(action.inputs, action.data, "team"))
    since = as_text(input_value(action.inputs, action.data, "since"))
    themes = ctx.framework.nominations.themes
    teams = await store.library_teams(ctx.session)
    errors: dict[str, str] = {}
    query = LibraryQuery(words=tuple(w.lower() for w in words.split())[:10])
    if theme and theme != "any":
        if theme not in themes:
            errors["theme"] = "Please choose one of the themes."
        query = replace(query, theme=theme)
    if team and team != "any":
        query = replace(query, team=team)
    if since:
        try:
            query = replace(query, since=date.fromisoformat(since))
        except ValueError:
            errors["since"] = "Please give a date as YYYY-MM-DD."
    if errors:
        form = search_form(themes, teams, query)
        values: dict[str, object] = {"words": words, "theme": theme, "team": team, "since": since}
        return form_problems(form, errors, values)
    replies = await _results(ctx, query_text(query), 0)
    return [Reply(r.card, replace=True, close_form=True) for r in replies]


async def _results(ctx: Context, text: str, page: int) -> list[Reply]:
    teams = await store.library_teams(ctx.session)
    query, problem = parse_query(text, ctx.framework.nominations.themes, teams)
    if problem:
        return [Reply(library_problem(problem))]
    total, entries = await store.search_library(
        ctx.session, query, offset=page * PAGE_SIZE, limit=PAGE_SIZE
    )
    if entries == [] and page > 0 and total:
        page = (total - 1) // PAGE_SIZE
        total, entries = await store.search_library(
            ctx.session, query, offset=page * PAGE_SIZE, limit=PAGE_SIZE
        )
    return [Reply(results_card(list(entries), total, query, page))]


async def _show(ctx: Context, reference: str) -> list[Reply]:
    entry = await store.library_entry_by_reference(ctx.session, reference[:24])
    if entry is None:
        text = (
            f"There is no library entry {reference[:24]}. It may not be ratified yet, or it was "
            "not shared. Type library to see everything."
        )
        return [Reply(library_problem(text))]
    return [Reply(entry_card(entry))]


# --- cards ---------------------------------------------------------------------------------------


def library_problem(text: str) -> Card:
    return Card(
        name="library_problem",
        title="Good Practice Library",
        fallback=text,
        body=[TextBlock(text=text, style="warning")],
        buttons=[Button(label="Search the library", verb="library.filter")],
    )


def results_card(entries: list[LibraryEntry], total: int, query: LibraryQuery, page: int) -> Card:
    described = describe_query(query)
    if not entries:
        text = (
            f"Nothing in the library matches {described} yet. Try fewer words, or type library "
            "to see everything."
            if described
            else "The Good Practice Library is empty so far. Ratified nominations appear here."
        )
        return Card(
            name="library",
            title="Good Practice Library",
            fallback=text,
            body=[TextBlock(text=text)],
            buttons=[Button(label="Search", verb="library.filter")],
        )
    first = page * PAGE_SIZE + 1
    last = first + len(entries) - 1
    heading = f"{total} example{'s' if total != 1 else ''}" + (
        f" matching {described}" if described else ""
    )
    body: list[Element] = [TextBlock(text=f"{heading}, newest first ({first}–{last}).")]
    buttons: list[Button] = []
    for entry in entries:
        body += [
            Divider(),
            TextBlock(text=f"{entry.theme}: {clip(entry.nominees, 140)}", style="heading"),
            TextBlock(text=clip(entry.what_happened, 400)),
            TextBlock(text="Difference made: " + clip(entry.difference_made, 300), style="subtle"),
            Facts(
                facts=[
                    ("Reference", entry.reference),
                    ("Ratified", day(entry.ratified_on)),
                    ("Family's voice", "Yes" if entry.family_voice else "No"),
                ]
            ),
        ]
        buttons.append(
            Button(
                label=f"Read {entry.reference}", verb="library.show", data={"ref": entry.reference}
            )
        )
    q = query_text(query)
    if page > 0:
        buttons.append(Button(label="Newer", verb="library.page", data={"q": q, "page": page - 1}))
    if last < total:
        buttons.append(
            Button(
                label="Older", verb="library.page", data={"q": q, "page": page + 1}, style="primary"
            )
        )
    buttons.append(Button(label="Search", verb="library.filter", data={"q": q}))
    fallback = f"Good Practice Library: {heading}. " + "; ".join(
        f"{e.reference} {e.theme}" for e in entries
    )
    return Card(
        name="library", title="Good Practice Library", fallback=fallback, body=body, buttons=buttons
    )


def entry_card(entry: LibraryEntry) -> Card:
    body: list[Element] = [
        Facts(
            facts=[
                ("Who", entry.nominees),
                ("Theme", entry.theme),
                ("Seen in", entry.evidence_source),
                ("Family's voice", "Yes" if entry.family_voice else "No"),
                ("Ratified", day(entry.ratified_on)),
            ]
        ),
        TextBlock(text="What happened", style="heading"),
        TextBlock(text=entry.what_happened),
        TextBlock(text="The difference it made", style="heading"),
        TextBlock(text=entry.difference_made),
    ]
    if entry.evidence:
        body += [TextBlock(text="Evidence", style="heading"), TextBlock(text=entry.evidence)]
    if entry.more_information:
        body += [
            TextBlock(text="More information", style="heading"),
            TextBlock(text=entry.more_information),
        ]
    return Card(
        name="library_entry",
        title=f"Good practice {entry.reference}",
        fallback=f"Good practice {entry.reference}: {entry.theme}, {entry.nominees}.",
        body=body,
        buttons=[Button(label="Back to the library", verb="library.page", data={"page": 0})],
    )


def search_form(themes: tuple[str, ...], teams: list[str], query: LibraryQuery) -> Card:
    theme_choices = [Choice(title="Any theme", value="any")]
    theme_choices += [Choice(title=t, value=t) for t in themes]
    team_choices = [Choice(title="Any team", value="any")]
    team_choices += [Choice(title=t, value=t) for t in teams[:99]]
    return Card(
        name="library_search",
        title="Search the library",
        fallback="Search the Good Practice Library by words, theme, team and date.",
        body=[
            TextInput(
                id="words",
                label="Words",
                placeholder="e.g. kinship, direct work",
                value=" ".join(query.words) or None,
                max_length=MAX_QUERY,
            ),
            ChoiceInput(
                id="theme",
                label="Theme",
                choices=theme_choices,
                value=[query.theme] if query.theme else [],
            ),
            ChoiceInput(
                id="team",
                label="Team",
                choices=team_choices,
                value=[query.team] if query.team in teams else [],
            ),
            DateInput(
                id="since",
                label="Ratified since",
                value=query.since.isoformat() if query.since else None,
            ),
        ],
        buttons=[Button(label="Search", verb="library.search", style="primary", submits=True)],
    )


def _sample_entry() -> LibraryEntry:
    return LibraryEntry(
        id=1,
        nomination_id=42,
        reference="GP-2026-0042",
        theme="Child's voice and lived experience",
        team_name="Taunton CP",
        nominees="Sam Social (Taunton CP)",
        what_happened="Sam used a three houses exercise over four visits so the child could say "
        "what worried them at home, and brought their words to the conference.",
        difference_made="The plan was rewritten around what the child said; school attendance "
        "has improved and the family feel listened to.",
        evidence="Family feedback form; the conference chair's note.",
        evidence_source="Family feedback",
        more_information="",
        family_voice=True,
        ratified_on=date(2026, 11, 30),
        search_text="",
    )


def _gallery() -> list[Card]:
    entry = _sample_entry()
    themes = ("Child's voice and lived experience", "Direct work with children")
    return [
        results_card([entry], 7, LibraryQuery(words=("voice",)), 0),
        entry_card(entry),
        search_form(themes, ["Taunton CP", "Yeovil CiC"], LibraryQuery()),
    ]
