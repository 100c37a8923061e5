"""Load test: ``qabot serve`` against a bare Bolt app and a bare botbuilder echo bot.

    .venv/bin/python -m bench.load                       # everything, about two minutes
    .venv/bin/python -m bench.load --slack-command help --count 1000
    .venv/bin/python -m bench.load --targets qabot-teams,botbuilder

What it does, all on 127.0.0.1:
1. serves a fake Slack Web API and a fake Bot Connector from this process (bench/fakes.py);
2. for each target in turn, on a quiet machine: seeds a fresh SQLite file with
   ``qabot import staff`` (the demo directory plus Slack user ids) and starts ``qabot serve``, or
   starts a baseline (bench/baselines/); waits until it answers;
3. runs the load generator (bench/client.py) in a separate process: a warm-up, then a fixed
   number of requests with a fixed number in flight; for Teams it first sends one message per
   person, one at a time, so the bot looks each new person up on the connector (members API);
4. for Teams, waits for the replies to reach the fake connector and matches them to the turns;
5. prints throughput and latency side by side, qabot's idle resident memory, and PASS/MISS
   against the targets; writes the raw figures to bench/results/.

Every process it starts is stopped when it ends, fails or is interrupted (children also get
SIGTERM if this process dies: PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import ctypes
import io
import json
import os
import platform
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from rich.console import Console
from rich.table import Table

from bench.client import summarise, system_busy_seconds
from bench.fakes import FakeApis

ROOT = Path(__file__).resolve().parents[1]
STAFF_CSV = ROOT / "bot" / "demo" / "staff.csv"
SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-bench-token"
TARGET_NAMES = ("qabot-slack", "bolt", "qabot-teams", "botbuilder")

# The targets (2-core machine, SQLite).
STALL_SECONDS = 10.0  # stop waiting for answers when none has arrived for this long
SLACK_P99_MS = 100.0
SLACK_RATE_VS_BOLT = 0.5
TEAMS_P99_MS = 150.0
TEAMS_RATE_VS_BOTBUILDER = 2.0
IDLE_RSS_MB = 200.0
QUIET_CORES = 0.15  # other processes' CPU above which the machine is too busy to measure
BUSY_DURING_CORES = 0.35  # more than the fakes need: something else ran during the measurement

console = Console(width=None if sys.stdout.isatty() else 140)


# --- processes ------------------------------------------------------------------------------


try:
    _LIBC: ctypes.CDLL | None = ctypes.CDLL(None, use_errno=True)
except OSError:
    _LIBC = None


def _die_with_parent() -> None:
    """Run in the child before exec: SIGTERM it if the bench process dies (Linux)."""
    if _LIBC is not None:
        _LIBC.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    url: str

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Processes:
    """Everything the bench started; ``stop_all`` ends each of them by its own pid."""

    servers: list[Server] = field(default_factory=list)

    def start(
        self, name: str, argv: Sequence[str], env: dict[str, str], cwd: Path, log: Path, url: str
    ) -> Server:
        handle = log.open("wb")
        try:
            process = subprocess.Popen(
                list(argv),
                env=env,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=handle,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
            )
        finally:
            handle.close()
        server = Server(name, process, log, url)
        self.servers.append(server)
        return server

    def stop(self, server: Server, timeout: float = 10.0) -> int | None:
        if server.alive():
            server.process.send_signal(signal.SIGTERM)
            try:
                server.process.wait(timeout)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait(5)
        if server in self.servers:
            self.servers.remove(server)
        return server.process.returncode

    def stop_all(self) -> None:
        for server in list(self.servers):
            self.stop(server, timeout=5.0)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def wait_ready(server: Server, path: str | None, within: float = 60.0) -> None:
    """Until the server accepts connections (and answers 200 on ``path``, if given)."""
    deadline = time.monotonic() + within
    host, port = server.url.removeprefix("http://").split(":")
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            if not server.alive():
                raise RuntimeError(
                    f"{server.name} exited with {server.process.returncode}:\n{server.log_tail()}"
                )
            try:
                if path is None:
                    _, writer = await asyncio.open_connection(host, int(port))
                    writer.close()
                    await writer.wait_closed()
                    return
                async with http.get(server.url + path) as response:
                    if response.status == 200:
                        return
            except (OSError, aiohttp.ClientError):
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{server.name} not ready after {within:.0f}s:\n{server.log_tail()}")


def proc_status_kb(pid: int, field_name: str) -> int | None:
    """A ``kB`` field of /proc/PID/status (VmRSS, VmHWM), or None when unreadable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def synthetic_staff(rows: list[dict[str, str]], count: int) -> list[dict[str, str]]:
    """``count`` practitioners spread over the demo's practitioner teams, each managed by
    their team's manager: a directory the size of a real department."""
    managers = {r["team"]: r["email"] for r in rows if "team_manager" in r["roles"]}
    teams = [(r["team"], r["service"]) for r in rows if "practitioner" in r["roles"]]
    teams = list(dict.fromkeys(teams)) or [("Bench Team", "Bench Service")]
    extra = []
    for n in range(1, count + 1):
        team, service = teams[n % len(teams)]
        extra.append(
            {
                "email": f"bench.person.{n:04d}@demo.somerset.gov.uk",
                "name": f"Bench Person {n:04d}",
                "roles": "practitioner",
                "team": team,
                "service": service,
                "manager_email": managers.get(team, ""),
            }
        )
    return extra


# --- the run --------------------------------------------------------------------------------


@dataclass
class Options:
    count: int
    warmup: int
    concurrency: int
    targets: list[str]
    slack_action: str
    slack_action_data: dict[str, Any]
    slack_command: str | None
    teams_text: str
    idle_seconds: float
    drain_timeout: float
    deadline: float
    log_level: str
    out: Path | None
    keep: bool
    quiet_timeout: float
    profile: Path | None
    qabot_command: list[str]
    extra_staff: int
    slack_outsiders: int = 0


@dataclass
class Outcome:
    name: str
    platform: str
    server: str
    result: dict[str, Any]
    idle_rss_kb: int | None = None
    peak_rss_kb: int | None = None
    replies: dict[str, Any] | None = None
    calls: dict[str, int] = field(default_factory=dict)
    background_cores: float | None = None  # CPU used by other processes just before the run

    @property
    def others_cores(self) -> float | None:
        """Cores used during the measured phase by everything but server and client
        (this process's fake APIs, and anything else running on the machine)."""
        m = self.measured
        machine, server = m.get("machine_cpu_s"), m.get("server_cpu_s")
        if machine is None or server is None or not m.get("elapsed_s"):
            return None
        others = float(machine) - float(server) - float(m.get("client_cpu_s", 0.0))
        return max(0.0, others) / float(m["elapsed_s"])

    @property
    def measured(self) -> dict[str, Any]:
        measured: dict[str, Any] = self.result["measured"]
        return measured

    @property
    def rate(self) -> float:
        return float(self.measured.get("rate") or 0.0)

    @property
    def p99(self) -> float:
        return float(self.measured["latency_ms"].get("p99", float("nan")))

    @property
    def disturbed(self) -> bool:
        """Another process used the CPU before or during the measurement: figures are low."""
        before, during = self.background_cores, self.others_cores
        return (before is not None and before > QUIET_CORES) or (
            during is not None and during > BUSY_DURING_CORES
        )

    @property
    def clean(self) -> bool:
        m = self.measured
        return not m["errors"] and m["ok"] == m["requests"] and not m["timed_out"]


class Bench:
    def __init__(self, options: Options, workdir: Path) -> None:
        self.options = options
        self.workdir = workdir
        self.fakes = FakeApis()
        self.processes = Processes()
        self.slack_users: dict[str, str] = {}
        self.teams_users: dict[str, str] = {}
        # Slack people who are not in the directory (``--slack-outsiders``): Slack knows
        # their email, the directory does not.
        self.slack_outsiders: dict[str, str] = {
            f"U0OUT{n:04d}": f"outsider.{n:04d}@elsewhere.example"
            for n in range(1, options.slack_outsiders + 1)
        }
        self.runs = 0

    # --- environment ------------------------------------------------------------------------

    def base_env(self) -> dict[str, str]:
        drop = ("QABOT_", "SLACK_", "MICROSOFT_")
        env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
        env.update(
            {
                "PYTHONPATH": str(ROOT),
                "PYTHONUNBUFFERED": "1",
                "NO_PROXY": "127.0.0.1,localhost",
                "no_proxy": "127.0.0.1,localhost",
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": self.fakes.url + "/api/",
                "MICROSOFT_APP_ID": "",
                "MICROSOFT_APP_PASSWORD": "",
            }
        )
        return env

    def qabot_env(self, database: Path) -> dict[str, str]:
        env = self.base_env()
        env["QABOT_DATABASE_URL"] = f"sqlite+aiosqlite:///{database}"
        env["QABOT_LOG_LEVEL"] = self.options.log_level
        return env

    def write_staff_csv(self) -> Path:
        """bot/demo/staff.csv plus a slack_user_id column (and ``--extra-staff`` practitioners);
        records who is who on each platform for the fakes and the load client."""
        rows = list(csv.DictReader(io.StringIO(STAFF_CSV.read_text("utf-8-sig"))))
        if not rows:
            raise RuntimeError(f"{STAFF_CSV} has no rows")
        rows += synthetic_staff(rows, self.options.extra_staff)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=[*rows[0].keys(), "slack_user_id"])
        writer.writeheader()
        for n, row in enumerate(rows, 1):
            slack_id, aad = f"U0BENCH{n:04d}", f"aad-bench-{n:04d}"
            writer.writerow({**row, "slack_user_id": slack_id})
            email = row["email"].strip().lower()
            self.slack_users[slack_id] = email
            self.teams_users[aad] = email
        path = self.workdir / "staff-with-slack-ids.csv"
        path.write_text(out.getvalue(), "utf-8")
        self.fakes.slack_users.update(self.slack_users)
        self.fakes.slack_users.update(self.slack_outsiders)
        self.fakes.teams_members.update({f"29:{aad}": e for aad, e in self.teams_users.items()})
        return path

    def qabot(self, *args: str) -> list[str]:
        return [*self.options.qabot_command, *args]

    # --- servers ----------------------------------------------------------------------------

    async def start_qabot(self, staff: Path) -> Server:
        self.runs += 1
        database = self.workdir / f"qabot-{self.runs}.db"
        env = self.qabot_env(database)
        seeding = await asyncio.create_subprocess_exec(
            *self.qabot("import", "staff", str(staff)),
            env=env,
            cwd=self.workdir,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        try:
            output, _ = await asyncio.wait_for(seeding.communicate(), 120)
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                seeding.kill()
            await seeding.wait()
            raise
        if seeding.returncode != 0:
            raise RuntimeError("qabot import staff failed:\n" + output.decode()[-2000:])
        port = free_port()
        server = self.processes.start(
            f"qabot serve #{self.runs}",
            self.qabot("serve", "--host", "127.0.0.1", "--port", str(port)),
            env,
            self.workdir,
            self.workdir / f"qabot-{self.runs}.log",
            f"http://127.0.0.1:{port}",
        )
        await wait_ready(server, "/healthz")
        return server

    async def start_baseline(self, module: str) -> Server:
        port = free_port()
        server = self.processes.start(
            module,
            [sys.executable, "-m", f"bench.baselines.{module}", "--port", str(port)],
            self.base_env(),
            self.workdir,
            self.workdir / f"{module}.log",
            f"http://127.0.0.1:{port}",
        )
        await wait_ready(server, None)
        return server

    # --- load -------------------------------------------------------------------------------

    def spec(self, kind: str, url: str) -> dict[str, Any]:
        o = self.options
        spec: dict[str, Any] = {
            "kind": kind,
            "url": url,
            "count": o.count,
            "warmup": o.warmup,
            "concurrency": o.concurrency,
            "deadline_s": o.deadline,
        }
        if kind.startswith("slack"):
            senders = self.slack_outsiders or self.slack_users
            spec |= {"users": sorted(senders), "secret": SIGNING_SECRET}
            if o.slack_command:
                spec |= {"text": o.slack_command}
            else:
                from bot.cards.blockkit import button_value

                value = button_value(o.slack_action, o.slack_action_data)
                spec |= {"action_id": f"{o.slack_action}:0", "action_value": value}
        else:
            spec |= {
                "users": sorted(self.teams_users),
                "service_url": self.fakes.url + "/",
                "text": o.teams_text,
                "register": True,
            }
        return spec

    async def fire(self, spec: dict[str, Any]) -> dict[str, Any]:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.client",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=ROOT,
            env=self.base_env(),
            preexec_fn=_die_with_parent,
        )
        limit = 3 * self.options.deadline + 60
        try:
            out, err = await asyncio.wait_for(process.communicate(json.dumps(spec).encode()), limit)
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            raise
        if process.returncode != 0:
            tail = err.decode()[-2000:]
            raise RuntimeError(f"load client failed ({process.returncode}):\n{tail}")
        result: dict[str, Any] = json.loads(out)
        return result

    async def wait_quiet(self, what: str) -> float | None:
        """Until the rest of the machine is quiet (bounded by --quiet-timeout); returns the
        cores the other processes used in the last second. The server is idle meanwhile."""
        busy = None
        deadline = time.monotonic() + self.options.quiet_timeout
        warned = False
        while True:
            before = system_busy_seconds()
            await asyncio.sleep(1.0)
            after = system_busy_seconds()
            if before is None or after is None:
                return None
            busy = after - before
            if busy <= QUIET_CORES or time.monotonic() >= deadline:
                break
            if not warned:
                console.print(
                    f"  the machine is busy ({busy:.2f} cores used by other processes): "
                    f"waiting up to {self.options.quiet_timeout:.0f}s before loading {what}"
                )
                warned = True
        if busy > QUIET_CORES:
            console.print(f"  [yellow]still busy ({busy:.2f} cores): figures will be low")
        return busy

    def match_replies(self, sent: dict[str, list[float]]) -> list[float]:
        """Reply latencies (ms): the k-th reply in a conversation answers its k-th turn."""
        latencies = []
        for conversation, times in sent.items():
            arrived = sorted(self.fakes.replies.get(conversation, []))
            latencies += [(a - t) * 1000 for t, a in zip(sorted(times), arrived, strict=False)]
        return latencies

    async def wait_replies(self, sent: dict[str, list[float]]) -> dict[str, Any]:
        """Wait (bounded) until every answered turn's reply reached the fake connector."""
        expected = sum(len(times) for times in sent.values())
        seen, stalled_since = -1, time.monotonic()
        for _ in range(int(self.options.drain_timeout / 0.2) + 1):
            if len(self.match_replies(sent)) >= expected:
                break
            # Anything arriving (answers to earlier phases too) is progress.
            arrived = sum(len(times) for times in self.fakes.replies.values())
            if arrived != seen:
                seen, stalled_since = arrived, time.monotonic()
            elif time.monotonic() - stalled_since > STALL_SECONDS:
                break  # nothing more is coming (an action that answers no modal, say)
            await asyncio.sleep(0.2)
        latencies = self.match_replies(sent)
        return {
            "expected": expected,
            "delivered": len(latencies),
            "latency_ms": summarise(latencies),
            "texts": dict(self.fakes.reply_texts.most_common(5)),
        }

    async def run_target(self, name: str, staff: Path) -> Outcome:
        console.print(f"[bold]{name}[/bold]: starting")
        platform_name = "slack" if name in ("qabot-slack", "bolt") else "teams"
        slack_kind = "slack-command" if self.options.slack_command else "slack-action"
        kind = slack_kind if platform_name == "slack" else "teams-message"
        idle_kb: int | None = None
        if name.startswith("qabot"):
            server = await self.start_qabot(staff)
        else:
            server = await self.start_baseline("bare_bolt" if name == "bolt" else "bare_botbuilder")
        try:
            await asyncio.sleep(self.options.idle_seconds)
            idle_kb = proc_status_kb(server.pid, "VmRSS")
            background = await self.wait_quiet(server.name)
            self.fakes.reset()
            spy = await self.start_profiler(name, server) if name.startswith("qabot") else None
            console.print(
                f"  {server.name} pid {server.pid}, idle RSS {_mb(idle_kb)}; "
                f"firing {self.options.warmup} + {self.options.count} {kind} requests, "
                f"{self.options.concurrency} in flight"
            )
            try:
                result = await self.fire(self.spec(kind, server.url) | {"server_pid": server.pid})
            finally:
                await self.stop_profiler(spy)
            outcome = Outcome(name, platform_name, server.name, result, idle_rss_kb=idle_kb)
            outcome.background_cores = background
            if (name.startswith("qabot") or platform_name == "teams") and result["measured"][
                "sent"
            ]:
                # Teams replies, or the modals the pressed Slack buttons open: the work done
                # after the acknowledgement, which the server must finish before it stops.
                outcome.replies = await self.wait_replies(result["measured"]["sent"])
            outcome.peak_rss_kb = proc_status_kb(server.pid, "VmHWM")
            outcome.calls = dict(self.fakes.calls)
            if not server.alive():
                raise RuntimeError(f"{server.name} died under load:\n{server.log_tail()}")
            return outcome
        finally:
            self.processes.stop(server)

    async def start_profiler(self, name: str, server: Server) -> asyncio.subprocess.Process | None:
        """py-spy on the server for the load phase (``--profile DIR``), as collapsed stacks."""
        if self.options.profile is None:
            return None
        spy_bin = Path(sys.executable).parent / "py-spy"
        if not spy_bin.exists():
            raise RuntimeError("--profile needs py-spy: .venv/bin/pip install py-spy")
        self.options.profile.mkdir(parents=True, exist_ok=True)
        out = self.options.profile / f"{name}.collapsed.txt"
        log = (self.workdir / f"py-spy-{name}.log").open("wb")
        spy = await asyncio.create_subprocess_exec(
            str(spy_bin),
            "record",
            "--pid",
            str(server.pid),
            "--rate",
            "250",
            "--threads",
            "--nonblocking",
            "--format",
            "raw",
            "--output",
            str(out),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=log,
            preexec_fn=_die_with_parent,
        )
        log.close()
        await asyncio.sleep(1.0)  # let it attach
        return spy

    async def stop_profiler(self, spy: asyncio.subprocess.Process | None) -> None:
        if spy is None or spy.returncode is not None:
            return
        spy.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(spy.wait(), 30)
        except TimeoutError:
            spy.kill()
            await spy.wait()

    async def run(self) -> list[Outcome]:
        await self.fakes.start()
        try:
            staff = self.write_staff_csv()
            outcomes = []
            for name in self.options.targets:
                outcomes.append(await self.run_target(name, staff))
            return outcomes
        finally:
            self.processes.stop_all()
            await self.fakes.stop()


# --- report ---------------------------------------------------------------------------------


def _mb(kb: int | None) -> str:
    return f"{kb / 1024:.0f} MB" if kb is not None else "?"


def _ms(value: float | None) -> str:
    return f"{value:.1f}" if value is not None and value == value else "-"


def _cores(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else "?"


def _per_request(measured: dict[str, Any]) -> str:
    done = measured.get("requests") or 0
    server, client = measured.get("server_cpu_s"), measured.get("client_cpu_s")
    if not done or server is None or client is None:
        return "?"
    return f"{1000 * server / done:.2f} / {1000 * client / done:.2f}"


def figures_table(outcomes: list[Outcome]) -> Table:
    table = Table(title="Throughput and latency (ms) of the acknowledgement / HTTP response")
    for column in ("target", "server", "ok / sent", "req/s", "p50", "p95", "p99", "max"):
        table.add_column(column, justify="left" if column in ("target", "server") else "right")
    table.add_column("CPU ms/req server / client", justify="right")
    table.add_column("other cores before / during", justify="right")
    table.add_column("RSS idle / peak", justify="right")
    for o in outcomes:
        m, lat = o.measured, o.measured["latency_ms"]
        problems = [f"{k} {v}" for k, v in m["errors"].items()]
        problems += [f"HTTP {k}: {v}" for k, v in m["statuses"].items() if not k.startswith("2")]
        if o.disturbed:
            problems.append("machine busy")
        table.add_row(
            o.name + (f" [red]({', '.join(problems)})[/red]" if problems else ""),
            o.server,
            f"{m['ok']} / {m['requests']}",
            f"{o.rate:.0f}",
            _ms(lat.get("p50")),
            _ms(lat.get("p95")),
            _ms(lat.get("p99")),
            _ms(lat.get("max")),
            _per_request(m),
            f"{_cores(o.background_cores)} / {_cores(o.others_cores)}",
            f"{_mb(o.idle_rss_kb)} / {_mb(o.peak_rss_kb)}",
        )
    return table


def replies_table(outcomes: list[Outcome]) -> Table | None:
    teams = [o for o in outcomes if o.replies is not None]
    if not teams:
        return None
    table = Table(
        title="Handled: from sending the request to the bot's answer reaching the platform (ms): "
        "the Teams reply, or the modal the Slack button opens (views.open)"
    )
    for column in ("target", "delivered", "p50", "p95", "p99", "max", "reply texts"):
        table.add_column(column, justify="left" if column in ("target", "reply texts") else "right")
    for o in teams:
        r = o.replies or {}
        lat = r.get("latency_ms") or {}
        texts = "; ".join(f"{t!r} x{n}" for t, n in (r.get("texts") or {}).items())
        table.add_row(
            o.name,
            f"{r.get('delivered')} / {r.get('expected')}",
            _ms(lat.get("p50")),
            _ms(lat.get("p95")),
            _ms(lat.get("p99")),
            _ms(lat.get("max")),
            texts[:120],
        )
    return table


def verdicts(outcomes: list[Outcome]) -> list[tuple[str, str, str, bool]]:
    by = {o.name: o for o in outcomes}
    rows: list[tuple[str, str, str, bool]] = []
    qs, bolt, qt, bb = (by.get(n) for n in TARGET_NAMES)
    if qs is not None:
        rows.append(
            (
                "Slack interaction acknowledged, p99",
                f"< {SLACK_P99_MS:.0f} ms",
                f"{qs.p99:.1f} ms",
                qs.clean and qs.p99 < SLACK_P99_MS,
            )
        )
        if bolt is not None:
            ratio = qs.rate / bolt.rate if bolt.rate else 0.0
            rows.append(
                (
                    "Slack rate vs bare Bolt",
                    f">= {SLACK_RATE_VS_BOLT:.1f}x",
                    f"{ratio:.2f}x ({qs.rate:.0f} vs {bolt.rate:.0f}/s)",
                    qs.clean and ratio >= SLACK_RATE_VS_BOLT,
                )
            )
    if qt is not None:
        delivered = qt.replies is not None and qt.replies["delivered"] == qt.replies["expected"]
        rows.append(
            (
                "Teams turn answered, p99",
                f"< {TEAMS_P99_MS:.0f} ms",
                f"{qt.p99:.1f} ms" + ("" if delivered else " (replies missing)"),
                qt.clean and delivered and qt.p99 < TEAMS_P99_MS,
            )
        )
        if bb is not None:
            ratio = qt.rate / bb.rate if bb.rate else 0.0
            rows.append(
                (
                    "Teams rate vs bare botbuilder",
                    f">= {TEAMS_RATE_VS_BOTBUILDER:.1f}x",
                    f"{ratio:.2f}x ({qt.rate:.0f} vs {bb.rate:.0f}/s)",
                    qt.clean and delivered and ratio >= TEAMS_RATE_VS_BOTBUILDER,
                )
            )
    idle = next((o.idle_rss_kb for o in outcomes if o.name.startswith("qabot")), None)
    if idle is not None:
        rows.append(
            (
                "qabot serve idle RSS",
                f"< {IDLE_RSS_MB:.0f} MB",
                f"{idle / 1024:.0f} MB",
                idle / 1024 < IDLE_RSS_MB,
            )
        )
    return rows


def verdict_table(rows: list[tuple[str, str, str, bool]]) -> Table:
    table = Table(title="Targets (2 cores, SQLite)")
    for column in ("target", "needed", "measured", "result"):
        table.add_column(column)
    for what, needed, measured, ok in rows:
        table.add_row(what, needed, measured, "[green]PASS[/green]" if ok else "[red]MISS[/red]")
    return table


def machine() -> dict[str, Any]:
    return {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "code": _code_version(),
    }


def _code_version() -> str:
    """The commit measured, and whether the working tree had changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "bot"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "?"
    return f"{head or '?'}{' + uncommitted changes in bot/' if dirty else ''}"


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


# --- entry point ----------------------------------------------------------------------------


def default_qabot() -> list[str]:
    found = Path(sys.executable).parent / "qabot"
    return [str(found) if found.exists() else (shutil.which("qabot") or "qabot")]


def absolute(command: list[str]) -> list[str]:
    """The servers run in a scratch folder: make a relative program path absolute."""
    if command and os.sep in command[0] and not os.path.isabs(command[0]):
        command[0] = os.path.abspath(command[0])
    return command


def parse_args(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--count", type=int, default=2000, help="measured requests per target")
    parser.add_argument("--warmup", type=int, default=200, help="warm-up requests per target")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight")
    parser.add_argument(
        "--targets",
        default=",".join(TARGET_NAMES),
        help=f"comma-separated, from {', '.join(TARGET_NAMES)}",
    )
    parser.add_argument(
        "--slack-action",
        metavar="VERB",
        default="nominate.save",
        help="the button pressed in the Slack block_actions (default nominate.save: saves the "
        "person's nomination draft, a write, then opens the form); the bare Bolt app gets "
        "the same interaction",
    )
    parser.add_argument(
        "--slack-action-data", default="{}", help="JSON data carried by that button"
    )
    parser.add_argument(
        "--slack-command",
        metavar="TEXT",
        help="fire the slash command /qa TEXT instead of the button (e.g. help: read-only)",
    )
    parser.add_argument(
        "--slack-outsiders",
        type=int,
        default=0,
        metavar="N",
        help="send the Slack requests from N people who are not in the directory (Slack "
        "knows their email, the directory does not) instead of from the directory's people",
    )
    parser.add_argument("--teams-text", default="help", help="text of the Teams messages")
    parser.add_argument(
        "--extra-staff",
        type=int,
        default=0,
        metavar="N",
        help="add N synthetic practitioners to the demo directory (a department-sized "
        "directory); every person in it sends requests",
    )
    parser.add_argument(
        "--idle-seconds", type=float, default=5.0, help="idle time before reading RSS"
    )
    parser.add_argument(
        "--drain-timeout",
        type=float,
        default=90.0,
        help="max wait for Teams replies and Slack modals after the load (s)",
    )
    parser.add_argument("--deadline", type=float, default=180.0, help="max seconds per phase")
    parser.add_argument("--log-level", default="INFO", help="qabot's QABOT_LOG_LEVEL")
    parser.add_argument("--out", type=Path, help="results JSON (default bench/results/<time>.json)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, db)")
    parser.add_argument(
        "--quiet-timeout",
        type=float,
        default=120.0,
        help="wait up to this long for other processes to go quiet before each target (s)",
    )
    parser.add_argument(
        "--qabot-command",
        help="how to run the qabot CLI (default: the qabot script beside this Python), "
        "e.g. to measure another install",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="record qabot under load with py-spy (collapsed stacks in DIR; skews the figures)",
    )
    args = parser.parse_args(argv)
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = [t for t in targets if t not in TARGET_NAMES]
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}")
    if args.count < 1 or args.concurrency < 1 or args.warmup < 0:
        parser.error("--count and --concurrency must be positive, --warmup not negative")
    try:
        data = json.loads(args.slack_action_data)
    except json.JSONDecodeError as exc:
        parser.error(f"--slack-action-data is not JSON: {exc}")
    if not isinstance(data, dict):
        parser.error("--slack-action-data must be a JSON object")
    return Options(
        count=args.count,
        warmup=args.warmup,
        concurrency=args.concurrency,
        targets=targets,
        slack_action=args.slack_action,
        slack_action_data=data,
        slack_command=args.slack_command,
        teams_text=args.teams_text,
        idle_seconds=args.idle_seconds,
        drain_timeout=args.drain_timeout,
        deadline=args.deadline,
        log_level=args.log_level,
        out=args.out,
        keep=args.keep,
        quiet_timeout=args.quiet_timeout,
        profile=args.profile,
        qabot_command=absolute(shlex.split(args.qabot_command))
        if args.qabot_command
        else default_qabot(),
        extra_staff=max(0, args.extra_staff),
        slack_outsiders=max(0, args.slack_outsiders),
    )


def report(options: Options, outcomes: list[Outcome], info: dict[str, Any]) -> bool:
    console.print()
    console.print(
        f"Machine: {info['nproc']} cores ({info['cpu']}), Python {info['python']}, "
        f"{info['platform']}. Code: {info['code']}."
    )
    slack_what = (
        f"slash command /qa {options.slack_command!r}"
        if options.slack_command
        else f"block_actions pressing {options.slack_action!r}"
    )
    people = int(info.get("people") or 0)
    console.print(
        f"Directory: bot/demo/staff.csv ({people - options.extra_staff} people)"
        + (f" + {options.extra_staff} synthetic practitioners" if options.extra_staff else "")
        + ", every one with a Slack id and a Teams id; requests cycle through them."
    )
    if options.slack_outsiders:
        console.print(
            f"Slack requests come from {options.slack_outsiders} people not in the directory."
        )
    console.print(
        f"Load: {options.warmup} warm-up + {options.count} measured requests per target, "
        f"{options.concurrency} in flight. Slack: {slack_what}. Teams: message "
        f"{options.teams_text!r}."
    )
    console.print(figures_table(outcomes))
    replies = replies_table(outcomes)
    if replies is not None:
        console.print(replies)
    rows = verdicts(outcomes)
    console.print(verdict_table(rows))
    for o in outcomes:
        calls = ", ".join(f"{k} x{v}" for k, v in sorted(o.calls.items()))
        console.print(f"{o.name}: calls to the fake APIs: {calls or 'none'}")
    if any(o.disturbed for o in outcomes):
        console.print(
            "[yellow]Other processes used the CPU while a target was measured (column 'other "
            "cores'): its figures are low; run again on a quiet machine."
        )
    for o in outcomes:
        sample = o.measured.get("sample", "")
        if not o.clean:
            console.print(f"[yellow]{o.name}: not every request succeeded; first answer: {sample}")
    return all(ok for *_, ok in rows)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="qabot-bench-"))
    bench = Bench(options, workdir)

    def on_term(_sig: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    info = machine()
    try:
        outcomes = asyncio.run(bench.run())
        info["people"] = len(bench.slack_users)
    except KeyboardInterrupt:
        console.print("[yellow]Interrupted: stopped everything the bench started.")
        return 130
    except (RuntimeError, OSError) as exc:
        console.print(f"[red]Bench failed:[/red] {exc}")
        return 1
    finally:
        bench.processes.stop_all()
        if options.keep:
            console.print(f"Work folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    passed = report(options, outcomes, info)
    out = options.out or ROOT / "bench" / "results" / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    for o in outcomes:  # the per-turn send times are only needed to match the replies
        o.measured.pop("sent", None)
        for phase in ("register", "warmup"):
            if phase in o.result:
                o.result[phase].pop("sent", None)
    payload = {
        "machine": info,
        "options": {k: str(v) for k, v in vars(options).items()},
        "outcomes": [vars(o) for o in outcomes],
        "verdicts": [
            {"target": w, "needed": n, "measured": m, "pass": ok}
            for w, n, m, ok in verdicts(outcomes)
        ],
    }
    out.write_text(json.dumps(payload, indent=2, default=str))
    console.print(f"Raw figures: {out}")
    return 0 if passed else 2


if __name__ == "__main__":
    sys.exit(main())
