"""Progress against the quotas (`quotas`): your own; a grid of your team for a team manager;
your service for a head of service; everything for the QA team. Also the "my tasks" section."""

from __future__ import annotations

from collections import defaultdict

from bot.cards.model import Button, Card
from bot.dialogs.base import Context, Reply, Router
from bot.domain.roles import Role
from bot.quotas import flows
from bot.quotas.cards import Section, grid_rows, progress_card
from bot.quotas.flows import QuotaCount, service_of
from bot.quotas.rules import Counted
from bot.store import directory
from bot.store.models import Person


def register(router: Router) -> None:
    router.command(
        "quotas",
        "progress",
        summary="Progress against the quotas: yours, your team's, your service's",
        offered=lambda framework: bool(framework.quotas),
    )(quotas_command)
    router.tasks(quota_tasks)


async def quotas_command(ctx: Context, _args: str) -> list[Reply]:
    return [Reply(await progress_for(ctx))]


async def progress_for(ctx: Context) -> Card:
    me = ctx.person
    assert me is not None
    sections: list[Section] = []
    counts = [
        await flows.count_quota(ctx, q, flows.period_of(ctx, q)) for q in ctx.framework.quotas
    ]
    for result in counts:
        own = _own(result, me)
        if own is not None:
            sections.append(own)
    if ctx.has_role(Role.QA_TEAM):
        sections += [_everything(result) for result in counts]
    elif ctx.has_role(Role.HEAD_OF_SERVICE):
        sections += [s for r in counts if (s := _service(r, service_of(me))) is not None]
    elif ctx.has_role(Role.TEAM_MANAGER, Role.SERVICE_MANAGER):
        team = await _team_of(ctx, me)
        sections += [s for r in counts if (s := _team(r, team, me)) is not None]
    return progress_card("Quotas", sections, empty="No quota counts you or your team this period.")


def _heading(result: QuotaCount, whose: str) -> str:
    return f"{result.quota.name}, {whose}: {result.period.label}"


def _own(result: QuotaCount, me: Person) -> Section | None:
    mine = [c for c in result.counted if c.key == me.id and result.quota.per != "team"]
    if result.quota.per not in ("practitioner", "role") or not mine:
        return None
    c = mine[0]
    return Section(_heading(result, "you"), [("Logged", min(c.count, c.target), c.target)], [], [])


async def _team_of(ctx: Context, me: Person) -> set[int]:
    """Your team and your direct reports."""
    reports = await directory.direct_reports(ctx.session, me.id)
    return {p.id for p in reports} | (
        {p.id for p in await directory.team_members(ctx.session, me.team_id)}
        if me.team_id
        else set()
    )


def _team(result: QuotaCount, team: set[int], me: Person) -> Section | None:
    if result.quota.per == "team":
        mine = [c for c in result.counted if c.key == me.team_id]
        if not mine:
            return None
        bars = [(c.label, min(c.count, c.target), c.target) for c in mine]
        return Section(_heading(result, "your team"), bars, [], [])
    members = [c for c in result.counted if c.key in team and c.key != me.id]
    if not members or result.quota.per not in ("practitioner", "role"):
        return None
    met = sum(1 for c in members if c.met)
    return Section(
        _heading(result, "your team"),
        [("People who have it", met, len(members))],
        grid_rows(members),
        [],
    )


def _service(result: QuotaCount, service: str) -> Section | None:
    in_service = [c for c in result.counted if _service_of_counted(result, c) == service]
    if not in_service:
        return None
    return Section(_heading(result, service), _bars_by(result, in_service, "group"), [], [])


def _everything(result: QuotaCount) -> Section:
    if result.quota.per == "partnership":
        c = result.counted[0]
        return Section(_heading(result, "the partnership"), [("Logged", c.count, c.target)], [], [])
    return Section(
        _heading(result, "everyone"), _bars_by(result, result.counted, "service"), [], []
    )


def _service_of_counted(result: QuotaCount, counted: Counted) -> str:
    if counted.key in result.people:
        return service_of(result.people[counted.key])
    team = result.teams.get(counted.key) if counted.key is not None else None
    return team.service.name if team and team.service else ""


def _bars_by(result: QuotaCount, counted: list[Counted], by: str) -> list[tuple[str, int, int]]:
    groups: dict[str, list[Counted]] = defaultdict(list)
    for c in counted:
        key = c.group if by == "group" else _service_of_counted(result, c)
        groups[key or "Other"].append(c)
    return [
        (name, sum(1 for c in members if c.met), len(members))
        for name, members in sorted(groups.items())
    ]


async def quota_tasks(ctx: Context) -> list[Card]:
    """A "my tasks" section with the gaps this person owns: their own where the quota makes
    them responsible, their team's for a manager. Nothing when every quota they own is met."""
    me = ctx.person
    if me is None or not ctx.framework.quotas:
        return []
    sections: list[Section] = []
    team: set[int] | None = None
    for quota in ctx.framework.quotas:
        result = await flows.count_quota(ctx, quota, flows.period_of(ctx, quota))
        if quota.gap_owner == "self":
            own = _own(result, me)
            if own is not None and own.bars[0][1] < own.bars[0][2]:
                sections.append(own)
        elif quota.gap_owner in ("line_manager", "team_manager") and ctx.has_role(
            Role.TEAM_MANAGER, Role.SERVICE_MANAGER
        ):
            team = team if team is not None else await _team_of(ctx, me)
            section = _team(result, team, me)
            if section is not None and any(v < t for _, v, t in section.bars):
                sections.append(section)
    if not sections:
        return []
    card = progress_card("Quotas this period", sections, empty="")
    return [card.model_copy(update={"buttons": [Button(label="Log something", verb="quota.menu")]})]
