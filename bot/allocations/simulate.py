"""The allocations' part of ``qabot simulate`` (``--allocations FILE.csv``): the file's
allocations confirmed at the start, as if the QA team had pressed Confirm."""

from __future__ import annotations

from bot.allocations.dialogs.propose import confirm_cycle, propose_from_rows
from bot.allocations.imports import CsvFormatError, parse_allocations_csv
from bot.dialogs.base import Context, Seeded
from bot.domain.simulation import SimulationError, SimulationInputs


async def seed(ctx: Context, inputs: SimulationInputs) -> Seeded:
    if inputs.allocations is None:
        return Seeded()
    try:
        parsed = parse_allocations_csv(inputs.allocations, ctx.framework)
    except CsvFormatError as exc:
        raise SimulationError(f"allocations file: {exc}", [f"allocations file: {exc}"]) from None
    proposal = await propose_from_rows(ctx, parsed.rows, parsed.errors)
    problems = [f"allocations file {e}" for e in proposal.errors]
    if problems:
        raise SimulationError("the allocations file has bad lines", problems)
    if proposal.cycle is None:
        raise SimulationError("no allocation", ["allocations file: no allocation in it"])
    told = await confirm_cycle(ctx, proposal.cycle)
    warnings = [
        f"allocations file {p}" for p in proposal.cycle.problems if not p.startswith("left out")
    ]
    lines = len(parsed.rows)
    return Seeded(
        done=[f"{lines} allocation line(s) confirmed, {told} people told"], warnings=warnings
    )
