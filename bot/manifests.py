"""The Teams app package and the Slack app manifest, generated from the deployment's settings.

``qabot manifests --out DIR`` writes:

- ``DIR/qabot-teams.zip``: ``manifest.json`` (Teams app manifest schema 1.30), ``color.png``
  (192x192) and ``outline.png`` (32x32, white on transparent) at the zip's root, ready to upload
  in the Teams admin centre or the Developer Portal; the same three files loose in ``DIR/teams/``
  so they can be read before uploading;
- ``DIR/slack-manifest.json``: the app manifest to paste into "Create New App > From an app
  manifest" at api.slack.com/apps.

Everything comes from configuration: ``QABOT_PUBLIC_URL`` (endpoints, developer pages, valid
domains), ``MICROSOFT_APP_ID`` (the bot id; a placeholder and a warning when unset),
``SLACK_APP_TOKEN`` (Socket Mode), the framework's authority names and the router's commands.

The icons in ``bot/manifest_assets/`` are drawn by :func:`regenerate_icons` in pure Python
(``zlib`` and ``struct``); run it again after changing the drawing.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import struct
import uuid
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot import __version__
from bot.config import ConfigError, Settings
from bot.dialogs.base import Command, Router
from bot.domain.framework import Framework

TEAMS_MANIFEST_VERSION = "1.30"
TEAMS_SCHEMA_URL = (
    f"https://developer.microsoft.com/json-schemas/teams/v{TEAMS_MANIFEST_VERSION}"
    "/MicrosoftTeams.schema.json"
)
TEAMS_ZIP_NAME = "qabot-teams.zip"
SLACK_MANIFEST_NAME = "slack-manifest.json"
# The all-zero GUID: valid for the schema, obviously not a real app id.
PLACEHOLDER_APP_ID = "00000000-0000-0000-0000-000000000000"
ACCENT_COLOR = "#1E6B7B"
ASSETS = Path(__file__).parent / "manifest_assets"
COLOR_ICON = "color.png"
OUTLINE_ICON = "outline.png"
COLOR_SIZE = 192
OUTLINE_SIZE = 32

# Limits kept to the strictest published schema (1.17) so the package also suits older clients.
TEAMS_MAX_COMMANDS = 10
TEAMS_COMMAND_TITLE_MAX = 32
TEAMS_COMMAND_DESCRIPTION_MAX = 128
TEAMS_BOT_SCOPES = ("personal", "team", "groupChat")

SLACK_COMMAND = "/qa"
SLACK_BOT_SCOPES = (
    "commands",
    "chat:write",
    "im:write",
    # conversations.history: after a crash, whether a post cut off mid-send reached Slack
    # (docs/operations.md, "Exactly once").
    "im:history",
    "channels:history",
    "groups:history",
    "mpim:history",
    "users:read",
    "users:read.email",
    "files:read",
    "app_mentions:read",
    "channels:read",
    "groups:read",
)
SLACK_BOT_EVENTS = ("app_home_opened", "app_mention", "message.im")

_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_APP_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:qabot:teams-app")


@dataclass
class ManifestResult:
    teams_zip: Path
    teams_dir: Path
    slack_manifest: Path
    teams: dict[str, Any]
    slack: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


# --- helpers --------------------------------------------------------------------------------


def clip(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis when too long."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def public_base(settings: Settings) -> tuple[str, str]:
    """The public URL without a trailing slash, and its host; ConfigError when unusable."""
    base = settings.public_url.strip().rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"QABOT_PUBLIC_URL: {settings.public_url!r} is not an http(s) URL "
            "(e.g. https://qabot.example.gov.uk)"
        )
    if parts.query or parts.fragment:
        raise ConfigError("QABOT_PUBLIC_URL: must not have a query string or fragment")
    return base, parts.hostname


def stable_app_id(framework: Framework) -> str:
    """A GUID that stays the same for an authority, for the package id when no app id is set."""
    return str(uuid.uuid5(_APP_ID_NAMESPACE, framework.authority.name))


def manifest_commands(router: Router, limit: int = TEAMS_MAX_COMMANDS) -> list[Command]:
    """The commands to advertise: everyone's first, then role-restricted, in router order."""
    ordered = [c for c in router.commands if c.roles is None]
    ordered += [c for c in router.commands if c.roles is not None]
    return ordered[:limit]


def short_description(framework: Framework) -> str:
    return clip(
        f"{framework.authority.short_name} QA: audits, nominations, votes and reminders", 80
    )


def full_description(framework: Framework, router: Router, platform: str, where: str) -> str:
    authority = framework.authority
    commands = "; ".join(f"{c.name} ({c.summary.rstrip('.')})" for c in manifest_commands(router))
    text = (
        f"{authority.bot_name} runs the quality assurance framework of {authority.name} in "
        f"{platform}. It tells practitioners and managers which audits and practice evaluations "
        "are theirs and when they are due, collects good-practice nominations, runs the QA "
        "panel's ratification votes, and sends reminders, morning summaries and weekly digests "
        "on working days. Case details stay in the case management system: the bot records "
        f"only case reference numbers. Message it directly or mention it in {where}. "
        f"Commands: {commands}."
    )
    return clip(text, 4000)


def _warn_about_public_url(base: str, settings: Settings, warnings: list[str]) -> None:
    default = Settings.model_fields["public_url"].default
    if base == str(default).rstrip("/"):
        warnings.append(
            f"QABOT_PUBLIC_URL is not set: the manifests point at the example address {base}. "
            "Set it to the bot's public https address and generate them again."
        )
    elif not base.startswith("https://"):
        warnings.append(
            f"QABOT_PUBLIC_URL {base} is not https: Teams and Slack only call https endpoints."
        )


# --- Teams ----------------------------------------------------------------------------------


def teams_manifest(
    settings: Settings,
    framework: Framework,
    router: Router,
    *,
    privacy_url: str | None = None,
    terms_url: str | None = None,
    warnings: list[str] | None = None,
) -> dict[str, Any]:
    """The Teams app manifest (schema 1.30) as a dict."""
    warnings = warnings if warnings is not None else []
    base, host = public_base(settings)
    authority = framework.authority
    app_id = settings.microsoft_app_id.strip()
    if app_id and not _GUID.match(app_id):
        raise ConfigError(
            f"MICROSOFT_APP_ID: {app_id!r} is not a GUID (the Application (client) ID of the "
            "bot's Entra ID app registration, e.g. 0a1b2c3d-...)"
        )
    if not app_id:
        warnings.append(
            "MICROSOFT_APP_ID is not set: the Teams manifest uses the placeholder bot id "
            f"{PLACEHOLDER_APP_ID} and Teams will refuse the package. Set MICROSOFT_APP_ID "
            "(and MICROSOFT_APP_PASSWORD, MICROSOFT_APP_TENANT_ID) and generate it again."
        )
    for option, url in (("--privacy-url", privacy_url), ("--terms-url", terms_url)):
        if url is not None and not re.match(r"^https?://\S+$", url):
            raise ConfigError(f"{option}: {url!r} is not an http(s) URL")
    bot_id = app_id or PLACEHOLDER_APP_ID
    commands = [
        {
            "title": clip(c.name, TEAMS_COMMAND_TITLE_MAX),
            "description": clip(c.summary, TEAMS_COMMAND_DESCRIPTION_MAX),
        }
        for c in manifest_commands(router)
    ]
    developer_name = authority.name if len(authority.name) <= 32 else authority.short_name
    full_name = clip(f"{authority.bot_name} for {authority.name}", 100)
    return {
        "$schema": TEAMS_SCHEMA_URL,
        "manifestVersion": TEAMS_MANIFEST_VERSION,
        "version": __version__,
        "id": app_id or stable_app_id(framework),
        "developer": {
            "name": clip(developer_name, 32),
            "websiteUrl": base,
            "privacyUrl": privacy_url or f"{base}/privacy",
            "termsOfUseUrl": terms_url or f"{base}/terms",
        },
        "name": {"short": clip(authority.bot_name, 30), "full": full_name},
        "description": {
            "short": short_description(framework),
            "full": full_description(
                framework, router, "Microsoft Teams", "a team channel or group chat"
            ),
        },
        "icons": {"outline": OUTLINE_ICON, "color": COLOR_ICON},
        "accentColor": ACCENT_COLOR,
        "bots": [
            {
                "botId": bot_id,
                "scopes": list(TEAMS_BOT_SCOPES),
                "supportsFiles": True,  # the QA team can send an allocations CSV
                "isNotificationOnly": False,
                # One list per scope, as the schema recommends.
                "commandLists": [
                    {"scopes": [scope], "commands": commands} for scope in TEAMS_BOT_SCOPES
                ]
                if commands
                else [],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [host],
        "webApplicationInfo": {"id": bot_id, "resource": f"api://{host}/{bot_id}"},
    }


def write_teams_package(manifest: dict[str, Any], out: Path) -> tuple[Path, Path]:
    """``out/teams/`` with the three files, and ``out/qabot-teams.zip`` holding them at its root.

    The zip is byte-for-byte reproducible: fixed timestamps and order.
    """
    import zipfile

    folder = out / "teams"
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    (folder / "manifest.json").write_text(text, "utf-8")
    for name in (COLOR_ICON, OUTLINE_ICON):
        shutil.copyfile(ASSETS / name, folder / name)
    package = out / TEAMS_ZIP_NAME
    with zipfile.ZipFile(package, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in ("manifest.json", COLOR_ICON, OUTLINE_ICON):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, (folder / name).read_bytes())
    return package, folder


# --- Slack ----------------------------------------------------------------------------------


def slack_manifest(
    settings: Settings,
    framework: Framework,
    router: Router,
) -> dict[str, Any]:
    """The Slack app manifest (manifest schema v1) as a dict.

    With ``SLACK_APP_TOKEN`` set the app uses Socket Mode and the manifest has no request URLs:
    Slack sends everything over the socket the bot opens, so no public address is needed.
    """
    base, _host = public_base(settings)
    authority = framework.authority
    socket_mode = bool(settings.slack_app_token)
    events_url = f"{base}/slack/events"
    names = [c.name for c in manifest_commands(router)]
    usage = clip(" | ".join(names) or "help", 1000)
    command: dict[str, Any] = {"command": SLACK_COMMAND}
    if not socket_mode:
        command["url"] = events_url
    command |= {
        "description": clip(f"Talk to {authority.bot_name}: {', '.join(names) or 'help'}", 2000),
        "usage_hint": usage,
        "should_escape": False,
    }
    events: dict[str, Any] = {"bot_events": list(SLACK_BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if not socket_mode:
        events = {"request_url": events_url, **events}
        interactivity["request_url"] = events_url
    display: dict[str, Any] = {
        "name": clip(authority.bot_name, 35),
        "description": clip(short_description(framework), 140),
        "background_color": ACCENT_COLOR.lower(),
    }
    long_description = full_description(framework, router, "Slack", "a channel")
    if 175 <= len(long_description) <= 4000:
        display["long_description"] = long_description
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": display,
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": clip(authority.bot_name, 80), "always_online": True},
            "slash_commands": [command],
        },
        "oauth_config": {"scopes": {"bot": list(SLACK_BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }


# --- both -----------------------------------------------------------------------------------


def write_manifests(
    out: Path,
    settings: Settings,
    framework: Framework,
    router: Router,
    *,
    privacy_url: str | None = None,
    terms_url: str | None = None,
) -> ManifestResult:
    """Write the Teams package and the Slack manifest into ``out``; warnings are returned."""
    warnings: list[str] = []
    base, _host = public_base(settings)
    _warn_about_public_url(base, settings, warnings)
    teams = teams_manifest(
        settings,
        framework,
        router,
        privacy_url=privacy_url,
        terms_url=terms_url,
        warnings=warnings,
    )
    slack = slack_manifest(settings, framework, router)
    out.mkdir(parents=True, exist_ok=True)
    package, folder = write_teams_package(teams, out)
    slack_path = out / SLACK_MANIFEST_NAME
    slack_path.write_text(json.dumps(slack, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return ManifestResult(package, folder, slack_path, teams, slack, warnings)


# --- icons ----------------------------------------------------------------------------------

# A shape is a signed distance function in pixel units: negative inside.
Point = tuple[float, float]


def _segment_distance(p: Point, a: Point, b: Point) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


@dataclass(frozen=True)
class _Glyph:
    """A ring with a tick in it ("checked"), in coordinates from 0 to 1."""

    ring_radius: float
    ring_width: float
    tick: Sequence[Point]
    tick_width: float

    def distance(self, p: Point, size: int) -> float:
        x, y = p[0] / size, p[1] / size
        ring = abs(math.hypot(x - 0.5, y - 0.5) - self.ring_radius) - self.ring_width / 2
        tick = min(
            _segment_distance((x, y), a, b) for a, b in zip(self.tick, self.tick[1:], strict=False)
        )
        return min(ring, tick - self.tick_width / 2) * size


_COLOR_GLYPH = _Glyph(0.27, 0.062, ((0.385, 0.51), (0.47, 0.595), (0.625, 0.42)), 0.072)
_OUTLINE_GLYPH = _Glyph(0.40, 0.095, ((0.31, 0.52), (0.45, 0.655), (0.70, 0.37)), 0.11)


def _coverage(glyph: _Glyph, size: int, samples: int = 4) -> list[list[float]]:
    """How much of each pixel the glyph covers, from 0 to 1 (supersampled at the edges)."""
    rows: list[list[float]] = []
    for j in range(size):
        row: list[float] = []
        for i in range(size):
            d = glyph.distance((i + 0.5, j + 0.5), size)
            if d <= -0.71:
                row.append(1.0)
            elif d >= 0.71:
                row.append(0.0)
            else:
                hits = sum(
                    glyph.distance((i + (a + 0.5) / samples, j + (b + 0.5) / samples), size) < 0
                    for a in range(samples)
                    for b in range(samples)
                )
                row.append(hits / samples**2)
        rows.append(row)
    return rows


def png_bytes(width: int, height: int, rgba_rows: Iterable[bytes]) -> bytes:
    """An 8-bit RGBA, non-interlaced PNG from rows of ``width * 4`` bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + row for row in rgba_rows)  # filter type 0 (None) on every row
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def color_icon_rows() -> list[bytes]:
    """192x192: a white ring and tick on the accent colour, fully opaque."""
    bg = bytes.fromhex(ACCENT_COLOR[1:])
    rows = []
    for row in _coverage(_COLOR_GLYPH, COLOR_SIZE):
        out = bytearray()
        for a in row:
            out += bytes(round(c + (255 - c) * a) for c in bg) + b"\xff"
        rows.append(bytes(out))
    return rows


def outline_icon_rows() -> list[bytes]:
    """32x32: the same glyph in white on a transparent background, as Teams requires."""
    return [
        b"".join(b"\xff\xff\xff" + bytes([round(255 * a)]) for a in row)
        for row in _coverage(_OUTLINE_GLYPH, OUTLINE_SIZE)
    ]


def regenerate_icons(folder: Path = ASSETS) -> list[Path]:
    """Draw the icons into ``folder`` (``bot/manifest_assets`` by default)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, size, rows in (
        (COLOR_ICON, COLOR_SIZE, color_icon_rows()),
        (OUTLINE_ICON, OUTLINE_SIZE, outline_icon_rows()),
    ):
        path = folder / name
        path.write_bytes(png_bytes(size, size, rows))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in regenerate_icons():
        print(f"wrote {path}")
