"""The load generator: runs in its own process so it never shares an event loop with a server.

It reads a JSON spec on stdin, fires a fixed number of requests with a fixed number in flight
over one keep-alive aiohttp session, and prints a JSON result on stdout:

    echo '{"kind": "teams-message", "url": "http://127.0.0.1:3978", ...}' | python -m bench.client

Kinds: ``slack-command`` (a signed ``/qa`` slash command), ``slack-action`` (a signed
``block_actions`` interaction pressing one button) and ``teams-message`` (a Bot Framework
message activity, no token). Each phase is bounded by ``deadline_s``; requests by
``request_timeout_s``. Everything is built at send time (Slack signatures carry a timestamp),
but cheaply: a JSON template and one HMAC per request.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import math
import os
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import aiohttp

KINDS = ("slack-command", "slack-action", "teams-message")


@dataclass
class Spec:
    kind: str
    url: str
    users: list[str]
    count: int = 2000
    warmup: int = 200
    concurrency: int = 32
    secret: str = ""
    command: str = "/qa"
    text: str = "help"
    action_id: str = "help.show:0"
    action_value: str = '{"verb":"help.show","data":{}}'
    service_url: str = ""
    tenant_id: str = "tenant-bench"
    register: bool = False  # send one message per user, one at a time, before the warm-up
    deadline_s: float = 120.0
    request_timeout_s: float = 10.0
    server_pid: int | None = None  # to read the server's CPU time around each phase


@dataclass
class PhaseResult:
    requests: int = 0
    ok: int = 0
    elapsed_s: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    latency_ms: dict[str, float] = field(default_factory=dict)
    sample: str = ""
    # conversation id -> monotonic send times of its answered turns (Teams only: the bench
    # matches them, in order, with the replies that reach the fake connector)
    sent: dict[str, list[float]] = field(default_factory=dict)
    timed_out: bool = False
    client_cpu_s: float = 0.0  # this process's CPU time during the phase
    server_cpu_s: float | None = None  # the server's, from /proc (Linux)
    machine_cpu_s: float | None = None  # every process's (so others = machine - server - client)

    @property
    def rate(self) -> float:
        return self.ok / self.elapsed_s if self.elapsed_s > 0 else 0.0


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarise(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {}
    return {
        "p50": percentile(ordered, 50),
        "p95": percentile(ordered, 95),
        "p99": percentile(ordered, 99),
        "max": ordered[-1],
        "mean": sum(ordered) / len(ordered),
    }


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of a process so far, from /proc/PID/stat (Linux)."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def system_busy_seconds() -> float | None:
    """CPU seconds all cores have spent busy since boot, from /proc/stat (Linux)."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def slack_signature(secret: str, timestamp: int, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class Requests:
    """Builds request number ``i`` of a phase: (body, headers, conversation id or None)."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self._ids = itertools.count(1)

    def build(self, phase: str, i: int, user: str) -> tuple[bytes, dict[str, str], str | None]:
        """The request, its headers, and the key its outcome is recorded under at the fakes
        (the Teams conversation, or the trigger_id of a pressed Slack button)."""
        if self.spec.kind == "teams-message":
            return self._teams(phase, i, user)
        trigger_id = f"trigger-{next(self._ids)}"
        if self.spec.kind == "slack-command":
            body, key = self._slack_command(user, trigger_id), None
        else:
            body, key = self._press(user, trigger_id), trigger_id
        ts = int(time.time())
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": slack_signature(self.spec.secret, ts, body),
        }
        return body.encode(), headers, key

    def _slack_command(self, user: str, trigger_id: str) -> str:
        return urlencode(
            {
                "token": "legacy",
                "team_id": "T0BENCH",
                "channel_id": "C0BENCH",
                "channel_name": "general",
                "user_id": user,
                "user_name": user.lower(),
                "command": self.spec.command,
                "text": self.spec.text,
                "response_url": "http://127.0.0.1:9/response",
                "trigger_id": trigger_id,
                "api_app_id": "A0BENCH",
            }
        )

    def _press(self, user: str, trigger_id: str) -> str:
        now = f"{time.time():.6f}"
        channel = "D" + user[1:]
        payload = {
            "type": "block_actions",
            "team": {"id": "T0BENCH", "domain": "bench"},
            "api_app_id": "A0BENCH",
            "token": "legacy",
            "user": {"id": user, "username": user.lower(), "team_id": "T0BENCH"},
            "trigger_id": trigger_id,
            "channel": {"id": channel, "name": "directmessage"},
            "container": {"type": "message", "message_ts": "1700000000.000001"},
            "message": {"ts": "1700000000.000001", "type": "message"},
            "state": {"values": {}},
            "actions": [
                {
                    "type": "button",
                    "action_id": self.spec.action_id,
                    "block_id": "actions",
                    "value": self.spec.action_value,
                    "text": {"type": "plain_text", "text": "Press"},
                    "action_ts": now,
                }
            ],
            "response_url": "http://127.0.0.1:9/response",
        }
        return urlencode({"payload": json.dumps(payload, separators=(",", ":"))})

    def _teams(self, phase: str, i: int, user: str) -> tuple[bytes, dict[str, str], str]:
        # Each person's 1:1 chat with the bot (one per phase, so late replies to the warm-up
        # are never taken for replies to the measured turns).
        conversation = f"a:personal-{user}-{phase}"
        activity = {
            "type": "message",
            "id": f"act-{phase}-{i}",
            "timestamp": datetime.now(UTC).isoformat(),
            "serviceUrl": self.spec.service_url,
            "channelId": "msteams",
            "from": {"id": f"29:{user}", "aadObjectId": user, "name": user},
            "recipient": {"id": "28:qabot", "name": "QA bot"},
            "conversation": {
                "id": conversation,
                "conversationType": "personal",
                "tenantId": self.spec.tenant_id,
            },
            "channelData": {"tenant": {"id": self.spec.tenant_id}},
            "locale": "en-GB",
            "text": self.spec.text,
        }
        body = json.dumps(activity, separators=(",", ":")).encode()
        return body, {"Content-Type": "application/json"}, conversation


async def run_phase(
    http: aiohttp.ClientSession,
    spec: Spec,
    builder: Requests,
    phase: str,
    count: int,
    concurrency: int,
    users: list[str],
) -> PhaseResult:
    result = PhaseResult()
    path = "/api/messages" if spec.kind == "teams-message" else "/slack/events"
    endpoint = spec.url.rstrip("/") + path
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    numbers = iter(range(count))
    timeout = aiohttp.ClientTimeout(total=spec.request_timeout_s)

    async def worker() -> None:
        for i in numbers:
            user = users[i % len(users)]
            body, headers, conversation = builder.build(phase, i, user)
            sent_at = time.monotonic()
            started = time.perf_counter()
            try:
                async with http.post(endpoint, data=body, headers=headers, timeout=timeout) as r:
                    text = await r.text()
                    status = r.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                errors[type(exc).__name__] += 1
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[str(status)] += 1
            if 200 <= status < 300:
                result.ok += 1
                if conversation is not None:
                    result.sent.setdefault(conversation, []).append(sent_at)
            if not result.sample:
                result.sample = f"{status} {text[:300]}"

    server_began, machine_began = cpu_seconds(spec.server_pid), system_busy_seconds()
    began, cpu_began = time.perf_counter(), time.process_time()
    tasks = [asyncio.create_task(worker()) for _ in range(max(1, concurrency))]
    done, pending = await asyncio.wait(tasks, timeout=spec.deadline_s)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        if task.exception() is not None:
            errors[type(task.exception()).__name__] += 1
    result.elapsed_s = time.perf_counter() - began
    result.client_cpu_s = time.process_time() - cpu_began
    server_ended, machine_ended = cpu_seconds(spec.server_pid), system_busy_seconds()
    if machine_began is not None and machine_ended is not None:
        result.machine_cpu_s = machine_ended - machine_began
    if server_began is not None and server_ended is not None:
        result.server_cpu_s = server_ended - server_began
    result.timed_out = bool(pending)
    result.requests = len(latencies) + sum(errors.values())
    result.statuses = dict(statuses)
    result.errors = dict(errors)
    result.latency_ms = summarise(latencies)
    return result


async def run(spec: Spec) -> dict[str, Any]:
    if spec.kind not in KINDS:
        raise SystemExit(f"unknown kind {spec.kind!r}: one of {', '.join(KINDS)}")
    builder = Requests(spec)
    connector = aiohttp.TCPConnector(limit=spec.concurrency, force_close=False)
    out: dict[str, Any] = {}
    async with aiohttp.ClientSession(connector=connector) as http:
        if spec.register:
            reg = await run_phase(http, spec, builder, "reg", len(spec.users), 1, spec.users)
            out["register"] = asdict(reg)
        warm = await run_phase(
            http, spec, builder, "warm", spec.warmup, spec.concurrency, spec.users
        )
        out["warmup"] = asdict(warm)
        measured = await run_phase(
            http, spec, builder, "run", spec.count, spec.concurrency, spec.users
        )
        out["measured"] = asdict(measured) | {"rate": measured.rate}
        out["measured_end"] = time.monotonic()
    return out


def main() -> None:
    spec = Spec(**json.loads(sys.stdin.read()))
    result = asyncio.run(run(spec))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
