"""A broadcast to many channels and people against fakes that enforce the platforms' limits.

    python -m bench.broadcast [--channels 500] [--people 2000] [--database sqlite|postgres]

The bot runs in this process (``bot.runtime.Runtime``, its real delivery worker and outbox) on
a fresh database. The fake Slack Web API and Bot Connector answer 429 with ``Retry-After``
whenever a documented limit is exceeded (Slack: 1 message a second per channel and a
workspace cap of 400 a minute, at most 10 in any second; Teams: 7 a second / 8 in 2 s per
conversation and 50 a second per app). Every channel is on both platforms; half the people
use Slack and half Teams (direct messages). Printed: the time against the limit-bound minimum,
the share of the limit-bound rate reached, 429s received, Teams token fetches, peak memory
(this process: the bot and the fakes), and recipients lost or sent more than once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import tempfile
import time
from collections import Counter, defaultdict, deque
from pathlib import Path
from typing import Any

from aiohttp import web

SLACK_CHANNEL = ((1.0, 1),)
SLACK_WORKSPACE = ((60.0, 400), (1.0, 10))
TEAMS_CONVERSATION = ((1.0, 7), (2.0, 8))
TEAMS_APP = ((1.0, 50),)
POSTGRES_URL = os.environ.get(
    "QABOT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


class Window:
    """The limits of one conversation or app: sends the fake accepted, by time."""

    def __init__(self, limits: tuple[tuple[float, int], ...]) -> None:
        self.limits = limits
        self.stamps: deque[float] = deque()

    def allow(self, now: float) -> float | None:
        """None when one more is allowed now (and counts it), else seconds to wait."""
        horizon = max(w for w, _ in self.limits)
        while self.stamps and self.stamps[0] <= now - horizon:
            self.stamps.popleft()
        wait = 0.0
        for window, limit in self.limits:
            inside = [t for t in self.stamps if t > now - window]
            if len(inside) >= limit:
                wait = max(wait, inside[-limit] + window - now)
        if wait > 0:
            return wait
        self.stamps.append(now)
        return None


class LimitedFakes:
    """Slack's chat.postMessage and the Connector's activities, enforcing the limits."""

    def __init__(self) -> None:
        self.accepted: Counter[str] = Counter()  # recipient conversation -> messages accepted
        self.throttled: Counter[str] = Counter()
        self.windows: dict[str, Window] = {}
        self.slack_app = Window(SLACK_WORKSPACE)
        self.teams_app = Window(TEAMS_APP)
        self.first: float | None = None
        self.last = 0.0
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._ids = 0

    def _window(self, key: str, limits: tuple[tuple[float, int], ...]) -> Window:
        if key not in self.windows:
            self.windows[key] = Window(limits)
        return self.windows[key]

    def _accepted(self, key: str) -> None:
        now = time.monotonic()
        self.first = self.first if self.first is not None else now
        self.last = now
        self.accepted[key] += 1
        self._ids += 1

    async def slack(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        data = await request.post() if request.content_type != "application/json" else {}
        params: dict[str, Any] = dict(data) if data else await _json(request)
        if method != "chat.postMessage":
            return web.json_response({"ok": True})
        channel = str(params.get("channel"))
        now = time.monotonic()
        wait = self._window(f"s:{channel}", SLACK_CHANNEL).allow(now)
        if wait is None:
            wait = self.slack_app.allow(now)
            if wait is not None:  # give the channel's slot back
                self.windows[f"s:{channel}"].stamps.pop()
        if wait is not None:
            self.throttled["slack"] += 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(max(1, round(wait)))},
            )
        self._accepted(f"slack:{channel}:{_part(params.get('text'))}")
        return web.json_response({"ok": True, "channel": channel, "ts": f"{self._ids}.000"})

    async def connector(self, request: web.Request) -> web.Response:
        tail = request.match_info["tail"]
        body = await request.json() if request.can_read_body else {}
        parts = tail.split("/")
        if request.method != "POST" or parts[-1] != "activities":
            return web.json_response({"id": "x"})
        conversation = parts[1]
        now = time.monotonic()
        wait = self._window(f"t:{conversation}", TEAMS_CONVERSATION).allow(now)
        if wait is None:
            wait = self.teams_app.allow(now)
            if wait is not None:
                self.windows[f"t:{conversation}"].stamps.pop()
        if wait is not None:
            self.throttled["teams"] += 1
            return web.json_response(
                {"error": {"code": "Throttled"}},
                status=429,
                headers={"Retry-After": f"{max(wait, 0.1):.2f}"},
            )
        self._accepted(f"teams:{conversation}:{_part(body.get('summary'))}")
        return web.json_response({"id": f"activity-{self._ids}"})

    async def start(self) -> None:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self.slack)
        app.router.add_route("*", "/v3/{tail:.*}", self.connector)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        found = await request.json()
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _part(text: object) -> str:
    """Which part of the broadcast a message is, from its fallback text."""
    text = str(text or "")
    return text.rsplit("(part ", 1)[1].split(" ", 1)[0] if "(part " in text else "1"


def staff_csv(people: int) -> str:
    lines = ["email,name,roles,team,service,manager_email,slack_user_id"]
    lines.append("quinn.qa@example.gov.uk,Quinn QA,qa_team,SIT,SW,,UQUINN")
    for i in range(people):
        slack = f"U{i:07d}" if i % 2 == 0 else ""
        lines.append(f"p{i}@example.gov.uk,Person {i},practitioner,Team {i % 50:03d},SW,,{slack}")
    return "\n".join(lines) + "\n"


async def run(options: argparse.Namespace) -> None:
    from sqlalchemy import func, select

    from bot.admin import import_staff
    from bot.broadcasts import flows, rules
    from bot.broadcasts.content import Content, ContentSection
    from bot.channels import teams as teams_channel
    from bot.config import load_framework, load_settings
    from bot.domain.framework import ChannelRoute
    from bot.runtime import Runtime
    from bot.store import directory
    from bot.store.models import OutboxMessage, Person

    fetches = 0

    def fetch(self: object) -> str:
        nonlocal fetches
        fetches += 1
        return "bench-token"

    teams_channel.TokenProvider._fetch = fetch  # type: ignore[method-assign]
    fakes = LimitedFakes()
    await fakes.start()
    workdir = Path(tempfile.mkdtemp(prefix="qabot-bench-broadcast-"))
    schema = None
    if options.database == "postgres":
        import uuid

        import asyncpg

        schema = f"b_{uuid.uuid4().hex[:10]}"
        conn = await asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg", "postgresql"))
        await conn.execute(f'CREATE SCHEMA "{schema}"')
        await conn.close()
        url = POSTGRES_URL
    else:
        url = f"sqlite+aiosqlite:///{workdir / 'qabot.db'}"
    framework = load_framework("somerset")
    names = [f"Team {i:03d}" for i in range(options.channels)]
    routes = {
        name: ChannelRoute(slack=f"C{i:07d}", teams=f"19:bench{i}@thread")
        for i, name in enumerate(names)
    }
    framework = framework.model_copy(
        update={"channels": framework.channels.model_copy(update={"teams": routes})}
    )
    settings = load_settings(
        database_url=url,
        framework="somerset",
        slack_bot_token="xoxb-bench",
        slack_signing_secret="bench-signing-secret-0123456789",
        slack_api_url=fakes.url + "/api/",
        microsoft_app_id="bench-app",
        microsoft_app_password="bench-password",
        microsoft_app_tenant_id="bench-tenant",
        public_url="",
    )
    runtime = Runtime(settings, framework, db_schema=schema, run_scheduler=False)
    await runtime.start()
    try:
        report = await import_staff(runtime, staff_csv(options.people))
        assert not report.errors, report.errors
        reference = {"serviceUrl": fakes.url, "channelId": "msteams"}
        async with runtime.db.session() as session:
            now = runtime.bot.clock()
            for i, name in enumerate(names):
                conv = f"19:bench{i}@thread"
                await directory.record_channel(
                    session,
                    platform="teams",
                    conversation_id=conv,
                    name=name,
                    team_external_id=f"team-{i}",
                    reference={**reference, "conversation": {"id": conv}},
                    now=now,
                )
            # The QA team's channel on Teams, where the delivery report goes.
            await directory.record_channel(
                session,
                platform="teams",
                conversation_id="19:qateam@thread",
                name="qa-team",
                team_external_id="team-qa",
                reference={**reference, "conversation": {"id": "19:qateam@thread"}},
                now=now,
            )
            people = (await session.execute(select(Person))).unique().scalars().all()
            for person in people:
                number = person.email.split("@")[0].removeprefix("p")
                if number.isdigit() and int(number) % 2 == 1:
                    conv = {**reference, "conversation": {"id": f"a:dm-{number}"}}
                    await directory.link_identity(
                        session, person, "teams", f"aad-{number}", now, {"reference": conv}
                    )
        content = Content(
            title="Winter practice newsletter",
            sections=[ContentSection(heading="Audits", body="Thank you for every audit. " * 20)],
        )
        audience = rules.Audience(all_teams=True, roles=("practitioner",))
        started = time.monotonic()
        async with runtime.db.session() as session:
            quinn = await directory.person_by_email(session, "quinn.qa@example.gov.uk")
            ctx = runtime.bot.context(session, quinn)
            broadcast = await flows.new_draft(ctx, content, audience)
            await flows.approve(ctx, broadcast)
            broadcast_id, recipients = broadcast.id, broadcast.recipients
        runtime.bot.outbox_signal.set()
        queued = time.monotonic() - started
        prefix = f"bcast:{broadcast_id}:"
        while True:
            await asyncio.sleep(1.0)
            async with runtime.db.session() as session:
                waiting = await session.execute(
                    select(func.count(OutboxMessage.id)).where(
                        OutboxMessage.dedupe_key.startswith(prefix),
                        OutboxMessage.status.in_(("pending", "sending")),
                    )
                )
                if waiting.scalar_one() == 0:
                    break
        # Until the platform accepted the last message (the wait above polls once a second).
        elapsed = fakes.last - started
        async with runtime.db.session() as session:
            ctx = runtime.bot.context(session, None)
            found = await session.get(flows.Broadcast, broadcast_id)
            assert found is not None
            tally = rules.tally(await flows.store.row_states(session, broadcast_id))
        _print(options, fakes, recipients, tally, queued, elapsed, fetches)
    finally:
        await runtime.stop()
        await fakes.stop()


def _print(
    options: argparse.Namespace,
    fakes: LimitedFakes,
    recipients: int,
    tally: Any,
    queued: float,
    elapsed: float,
    fetches: int,
) -> None:
    # Only the broadcast's recipients: not the report and notices in the QA team channel.
    accepted = {k: n for k, n in fakes.accepted.items() if "QATEAM" not in k and "qateam" not in k}
    by_platform: dict[str, int] = defaultdict(int)
    for key, count in accepted.items():
        by_platform[key.split(":", 1)[0]] += count
    slack_minimum = _slack_minimum(by_platform["slack"])
    teams_minimum = max(0, by_platform["teams"] - 1) / 50
    minimum = max(slack_minimum, teams_minimum)
    duplicated = sum(n - 1 for n in accepted.values() if n > 1)
    expected = {f"slack:C{i:07d}:1" for i in range(options.channels)}
    expected |= {f"teams:19:bench{i}@thread:1" for i in range(options.channels)}
    expected |= {f"slack:U{i:07d}:1" for i in range(0, options.people, 2)}
    expected |= {f"teams:a:dm-{i}:1" for i in range(1, options.people, 2)}
    lost = len(expected - set(accepted))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    slack, teams = by_platform["slack"], by_platform["teams"]
    throttled = f"Slack {fakes.throttled['slack']}, Teams {fakes.throttled['teams']}"
    totals = f"{tally.delivered} delivered, {tally.waiting} waiting, {tally.failed} failed"
    bound = f"Slack {slack_minimum:.1f} s, Teams {teams_minimum:.1f} s"
    print(f"broadcast to {options.channels} channels (Slack and Teams), {options.people} people")
    print(f"  recipients            {recipients} ({slack} Slack, {teams} Teams messages)")
    print(f"  queued in             {queued:.1f} s")
    print(f"  delivered in          {elapsed:.1f} s")
    print(f"  limit-bound minimum   {minimum:.1f} s ({bound})")
    print(f"  share of limit rate   {100 * minimum / elapsed:.0f}% (target at least 90%)")
    print(f"  429s answered         {throttled}")
    print(f"  Teams token fetches   {fetches}")
    print(f"  peak memory           {peak_mb:.0f} MB (bot and fakes, one process)")
    print(f"  report                {totals}")
    print(f"  lost                  {lost}")
    print(f"  duplicated            {duplicated}")


def _slack_minimum(messages: int) -> float:
    """When the last of ``messages`` can go at the earliest under the workspace cap: 10 in any
    second, 400 in any minute."""
    if messages <= 0:
        return 0.0
    minutes, rest = divmod(messages - 1, 400)
    return 60.0 * minutes + rest / 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=500)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
