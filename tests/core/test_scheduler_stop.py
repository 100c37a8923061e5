"""A stop gives the sweep under way its time before cancelling it: APScheduler's own shutdown
cancels a running job at once, mid-statement, and a connection handed back half-reset is
thrown away with a traceback in the log."""

from __future__ import annotations

import asyncio

from bot.dialogs.base import Context
from bot.scheduler.jobs import Scheduler
from tests.conftest import BotEnv


async def test_a_stop_lets_the_sweep_under_way_finish_within_its_time(env: BotEnv) -> None:
    bot = env.runtime.bot
    started, finished = asyncio.Event(), asyncio.Event()

    async def slow_sweep(ctx: Context) -> None:
        started.set()
        async with ctx.session.begin_nested():
            await asyncio.sleep(0.3)
        finished.set()

    bot.router.sweeps["test.slow"] = slow_sweep
    scheduler = Scheduler(bot, interval_seconds=3600)
    scheduler.start()  # the first tick runs at once
    try:
        await asyncio.wait_for(started.wait(), 10)
        await scheduler.close(within=5.0)
    finally:
        del bot.router.sweeps["test.slow"]
    assert finished.is_set(), "the tick under way was cancelled by the stop"
