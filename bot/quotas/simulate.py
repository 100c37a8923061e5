"""The quotas' part of ``qabot simulate`` (``--feedback FILE.csv``, the format of
``qabot import feedback``): each piece of feedback is logged on its own date as the simulated
clock reaches it, so the nudges before that day still name the gap. Without the file, nobody
logs anything and every quota nudge shows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.dialogs.base import Context, Planned, Seeded
from bot.domain.simulation import SimulationError, SimulationInputs
from bot.quotas import flows
from bot.quotas.imports import CsvFormatError, FeedbackRow
from bot.store import directory


async def seed(ctx: Context, inputs: SimulationInputs) -> Seeded:
    if inputs.feedback is None:
        return Seeded()
    if not any(quota.counts == "feedback" for quota in ctx.framework.quotas):
        raise _bad("this framework has no feedback quota")
    try:
        # Dates up to the simulation's last day are accepted: each is logged on its day.
        parsed, _ = await flows.read_feedback(ctx, inputs.feedback, inputs.end)
    except CsvFormatError as exc:
        raise _bad(str(exc)) from None
    if parsed.errors:
        problems = [f"feedback file {error}" for error in parsed.errors]
        raise SimulationError("the feedback file has bad lines", problems)
    later: list[Planned] = [(max(row.occurred_on, inputs.start), _log(row)) for row in parsed.rows]
    return Seeded(
        done=[f"{len(parsed.rows)} piece(s) of feedback, each logged on its date"], later=later
    )


def _log(row: FeedbackRow) -> Callable[[Context], Awaitable[None]]:
    async def log(ctx: Context) -> None:
        wanted = {row.practitioner_id} | ({row.logged_by_id} if row.logged_by_id else set())
        people = await directory.people_by_ids(ctx.session, wanted)
        flows.save_imported(ctx, row, people)

    return log


def _bad(problem: str) -> SimulationError:
    return SimulationError(f"feedback file: {problem}", [f"feedback file: {problem}"])
