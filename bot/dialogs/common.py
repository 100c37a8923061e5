"""Help, my tasks, and the answers to the unexpected (unknown command, stale card, error)."""

from __future__ import annotations

import difflib

from bot.cards.model import Button, Card, Divider, Element, Facts, TextBlock
from bot.cards.shared import delivery_failed_card
from bot.dialogs.base import Action, Context, Reply, Router
from bot.domain.framework import Framework
from bot.domain.roles import ROLE_LABELS, Role


def register(router: Router) -> None:
    @router.command("help", "hi", "hello", "?", "what can you do", summary="What I can do for you")
    async def help_command(ctx: Context, _args: str) -> list[Reply]:
        return await show_help(ctx, router)

    @router.command(
        "my tasks", "tasks", "todo", "to do", summary="Your open QA work and its due dates"
    )
    async def tasks_command(ctx: Context, _args: str) -> list[Reply]:
        return [Reply(await my_tasks_card(ctx, router))]

    @router.action("help.show")
    async def help_action(ctx: Context, _action: Action) -> list[Reply]:
        return await show_help(ctx, router)

    @router.action("tasks.show")
    async def tasks_action(ctx: Context, _action: Action) -> list[Reply]:
        return [Reply(await my_tasks_card(ctx, router))]

    router.gallery(_gallery)


async def show_help(ctx: Context, router: Router) -> list[Reply]:
    return [Reply(help_card(ctx, router))]


def help_card(ctx: Context, router: Router) -> Card:
    person = ctx.person
    roles = sorted(person.role_names) if person else []
    role_text = ", ".join(ROLE_LABELS[Role(r)] for r in roles if r in Role._value2member_map_)
    allowed = [c for c in router.commands if c.listed(ctx) and c.name not in ("help",)]
    lines = [(f"{c.usage}", c.summary) for c in allowed]
    name = person.name.split()[0] if person else "there"
    bot_name = ctx.framework.authority.bot_name
    intro = (
        f"Hello {name}. I run {ctx.framework.authority.short_name}'s quality assurance framework "
        "where you already work: your allocations and deadlines, good-practice nominations "
        "and the team's QA news."
    )
    fallback = f"{bot_name} help. " + "; ".join(f"{u}: {s}" for u, s in lines)
    return Card(
        name="help",
        title=f"{bot_name}: what I can do for you",
        fallback=fallback[:2900],
        body=[
            TextBlock(text=intro),
            TextBlock(text=f"Your roles: {role_text or 'none recorded'}", style="subtle"),
            Divider(),
            TextBlock(text="Type one of these:", style="heading"),
            Facts(facts=lines),
            TextBlock(
                text="Children are referred to only by their case record number: "
                "please never type a child's name, date of birth or address here.",
                style="subtle",
            ),
        ],
        buttons=[Button(label="My tasks", verb="tasks.show", style="primary")],
    )


async def my_tasks_card(ctx: Context, router: Router) -> Card:
    sections: list[Card] = []
    for source in router.task_sources:
        sections.extend(await source(ctx))
    return tasks_card(sections)


def tasks_card(sections: list[Card]) -> Card:
    if not sections:
        return Card(
            name="my_tasks",
            title="My tasks",
            fallback="You have no open QA tasks.",
            body=[
                TextBlock(text="You have nothing open right now.", style="good"),
                TextBlock(
                    text="When the QA team allocates you an audit, evaluation or moderation, or "
                    "an action is assigned to you, it appears here with its due date, and I "
                    "will remind you in good time.",
                    style="subtle",
                ),
            ],
            buttons=[Button(label="Help", verb="help.show")],
        )
    body: list[Element] = []
    buttons: list[Button] = []
    for section in sections:
        body.append(TextBlock(text=section.title, style="heading"))
        body.extend(section.body)
        body.append(Divider())
        buttons.extend(section.buttons)
    fallback = "My tasks: " + "; ".join(s.fallback for s in sections)
    return Card(
        name="my_tasks",
        title="My tasks",
        fallback=fallback[:2900],
        body=body[:-1],
        buttons=buttons[:20],
    )


def not_in_directory_card(framework: Framework) -> Card:
    text = (
        "I can't find you in the staff directory, so I can't show you any QA work yet. "
        f"Please ask your QA team ({framework.authority.short_name}) to add you; "
        "they can import the staff list with `qabot import staff`."
    )
    return Card(
        name="not_in_directory",
        title="You are not in the directory yet",
        fallback=text,
        body=[TextBlock(text=text)],
    )


def unknown_command_card(text: str, router: Router, ctx: Context) -> Card:
    names = [n for c in router.commands if c.listed(ctx) for n in (c.name, *c.aliases)]
    first = " ".join(text.lower().split()[:2])
    guesses = difflib.get_close_matches(first, names, n=3, cutoff=0.5)
    hint = f"Did you mean: {', '.join(guesses)}?" if guesses else "Type help to see what I can do."
    message = "Sorry, I didn't understand that."
    return Card(
        name="unknown_command",
        title="I didn't understand that",
        fallback=f"{message} {hint}",
        body=[TextBlock(text=message), TextBlock(text=hint)],
        buttons=[Button(label="Help", verb="help.show", style="primary")],
    )


def not_allowed_card(command: str, roles: frozenset[Role]) -> Card:
    who = ", ".join(sorted(ROLE_LABELS[r] for r in roles)) or "other roles"
    text = f"Only {who} can use “{command}”. If you think you should, ask your QA team."
    return Card(
        name="not_allowed",
        title="That isn't available to you",
        fallback=text,
        body=[TextBlock(text=text, style="warning")],
    )


def stale_card() -> Card:
    text = (
        "That card is out of date or no longer available, so nothing was changed. "
        "Type help or my tasks for a fresh one."
    )
    return Card(
        name="stale_card",
        title="This card is out of date",
        fallback=text,
        body=[TextBlock(text=text, style="warning")],
        buttons=[Button(label="My tasks", verb="tasks.show")],
    )


def error_card(reference: str) -> Card:
    text = (
        "Something went wrong on my side and that last step was not completed. Anything you "
        "saved before it is safe. Please try again in a minute; if it keeps happening, tell "
        f"your QA team and quote reference {reference}."
    )
    return Card(
        name="error",
        title="Sorry, that didn't work",
        fallback=text,
        body=[TextBlock(text=text, style="attention")],
    )


def _gallery() -> list[Card]:
    empty = tasks_card([])
    return [
        empty,
        not_in_directory_card(_sample_framework()),
        stale_card(),
        error_card("3f9a1c2e"),
        not_allowed_card("export library", frozenset({Role.QA_TEAM})),
        delivery_failed_card(
            kind="reminder",
            card_name="allocation",
            recipient="sam.social@example.gov.uk",
            attempts=8,
            error="403 Forbidden: the bot was blocked by the user",
        ),
    ]


def _sample_framework() -> Framework:
    from bot.domain.framework import Authority

    return Framework(authority=Authority(name="Somerset Council", short_name="Somerset"))
