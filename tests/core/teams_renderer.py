"""Microsoft's official Adaptive Cards renderer, run under Node, for the conformance tests.

``tests/core/renderer/render.mjs`` parses, validates and renders cards with the ``adaptivecards``
npm package in jsdom, with the Teams host configs from ``QABOT_SCHEMAS_DIR``. Its packages are
pinned by ``package-lock.json`` and installed once with ``npm ci`` into a cache directory
(``QABOT_RENDERER_CACHE``, default ``~/.cache/qabot/adaptivecards-renderer/<lock hash>``); they
are never committed.

Without node and npm the tests skip locally with the reason. In CI (``CI=true``) or with
``QABOT_REQUIRE_RENDERER=1`` they fail instead: a conformance check must not pass silently.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.schemas import schemas_dir

RENDERER = Path(__file__).parent / "renderer"
HOSTS = {
    "teams-light": "adaptivecards/hostconfig-microsoft-teams-light.json",
    "teams-dark": "adaptivecards/hostconfig-microsoft-teams-dark.json",
}
JSON = dict[str, Any]


def required() -> bool:
    ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    return ci or os.environ.get("QABOT_REQUIRE_RENDERER") == "1"


def unavailable(reason: str) -> None:
    """Fail in CI, skip elsewhere."""
    if required():
        pytest.fail(f"{reason} (CI or QABOT_REQUIRE_RENDERER=1: the renderer check must run)")
    pytest.skip(reason)


@dataclass(frozen=True)
class Renderer:
    node: str
    modules: Path

    def problems(self, cards: dict[str, JSON]) -> dict[tuple[str, str], list[str]]:
        """Every problem the official renderer reports, by (card name, host config)."""
        request = {
            "hostConfigs": {name: str(host_config(path)) for name, path in HOSTS.items()},
            "cards": [{"name": name, "card": card} for name, card in cards.items()],
        }
        result = subprocess.run(
            [self.node, str(RENDERER / "render.mjs"), str(self.modules)],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert result.returncode == 0, f"render.mjs failed: {result.stderr[-3000:]}"
        report = json.loads(result.stdout)
        assert len(report) == len(cards) * len(HOSTS), "render.mjs skipped some cards"
        return {(r["name"], r["host"]): r["problems"] for r in report}


def host_config(relpath: str) -> Path:
    path = schemas_dir() / relpath
    if not path.is_file():
        raise AssertionError(f"host config missing: {path}. Set QABOT_SCHEMAS_DIR.")
    return path


def cache_dir() -> Path:
    configured = os.environ.get("QABOT_RENDERER_CACHE")
    if configured:
        return Path(configured)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "qabot" / "adaptivecards-renderer"


def install() -> Renderer:
    """Node and the pinned packages, installed with ``npm ci`` on first use."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        unavailable(
            "node and npm are needed to run Microsoft's Adaptive Cards renderer "
            "(Debian: apt-get install nodejs npm)"
        )
    assert node is not None and npm is not None
    lock = (RENDERER / "package-lock.json").read_bytes() + (RENDERER / "package.json").read_bytes()
    target = cache_dir() / hashlib.sha256(lock).hexdigest()[:16]
    if not (target / "node_modules" / ".installed").exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="npm-ci-", dir=target.parent))
        for name in ("package.json", "package-lock.json"):
            shutil.copy(RENDERER / name, work / name)
        result = subprocess.run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if result.returncode != 0:
            shutil.rmtree(work, ignore_errors=True)
            unavailable(f"npm ci of the Adaptive Cards renderer failed: {result.stderr[-2000:]}")
        (work / "node_modules" / ".installed").touch()
        if target.exists():  # left half-installed by an interrupted run
            shutil.rmtree(target, ignore_errors=True)
        try:
            work.rename(target)
        except OSError:  # another run installed it first
            shutil.rmtree(work, ignore_errors=True)
    return Renderer(node=node, modules=target / "node_modules")


def report(problems: dict[tuple[str, str], list[str]]) -> str:
    """The problems, one line each, naming the card and the host config."""
    return "\n".join(
        f"{name} ({host}): {problem}"
        for (name, host), found in sorted(problems.items())
        for problem in found
    )
