"""The Teams app package and the Slack app manifest, checked against the platforms' own schemas.

The schemas are read from ``$QABOT_SCHEMAS_DIR`` (``tests/schemas.py``); a missing file fails the
test. Every validator is first shown to reject a bad document, so no test passes vacuously.
"""

from __future__ import annotations

import io
import json
import re
import struct
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator, Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7
from typer.testing import CliRunner

from bot import __version__
from bot.areas import build_router
from bot.cli import app
from bot.config import ConfigError, Settings, load_framework
from bot.dialogs.base import Context, Reply, Router
from bot.manifests import (
    ASSETS,
    PLACEHOLDER_APP_ID,
    SLACK_BOT_EVENTS,
    SLACK_BOT_SCOPES,
    TEAMS_MANIFEST_VERSION,
    color_icon_rows,
    outline_icon_rows,
    stable_app_id,
    teams_manifest,
    write_manifests,
)
from tests.schemas import load_schema

APP_ID = "3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b"
TENANT_ID = "7d1e2f3a-4b5c-4d6e-9f80-112233445566"
PUBLIC_URL = "https://qabot.somerset.gov.uk/qa"
TEAMS_SCHEMA = f"teams/MicrosoftTeams.schema.v{TEAMS_MANIFEST_VERSION}.json"
SLACK_DIR = "slack/manifest"
# Where the top-level Slack schema points; mapped to the local copies of the same tag.
SLACK_REMOTE = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/"
SLACK_VERSIONED = ("manifest.schema.1.0.0.json", "manifest.schema.2.0.0.json")
ZIP_FILES = {"manifest.json", "color.png", "outline.png"}
SETTINGS_ENV = (
    "QABOT_PUBLIC_URL",
    "QABOT_FRAMEWORK",
    "MICROSOFT_APP_ID",
    "MICROSOFT_APP_PASSWORD",
    "MICROSOFT_APP_TYPE",
    "MICROSOFT_APP_TENANT_ID",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No developer .env or exported setting leaks into these tests."""
    for name in SETTINGS_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def make_settings(**values: Any) -> Settings:
    base: dict[str, Any] = {
        "public_url": PUBLIC_URL,
        "microsoft_app_id": APP_ID,
        "microsoft_app_password": "secret",
        "microsoft_app_tenant_id": TENANT_ID,
        "slack_app_token": None,
    }
    base.update(values)
    return Settings(_env_file=None, **base)


# --- validators -----------------------------------------------------------------------------


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def teams_validator(relpath: str = TEAMS_SCHEMA) -> Draft4Validator:
    schema = load_schema(relpath)
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#", schema["$schema"]
    external = sorted({r for r in _refs(schema) if not r.startswith("#")})
    assert not external, f"{relpath} now refers to other files: {external}"
    # Without format checks: the 1.30 schema has ECMAScript patterns (\p{L}, in Office add-in
    # extensions this bot does not use) that Python's re cannot compile.
    Draft4Validator.check_schema(schema, format_checker=None)
    return Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


def teams_errors(manifest: dict[str, Any], relpath: str = TEAMS_SCHEMA) -> list[str]:
    validator = teams_validator(relpath)
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
        for e in validator.iter_errors(manifest)
    ]


def slack_validator() -> Draft7Validator:
    top = load_schema(f"{SLACK_DIR}/manifest.schema.json")
    resources = {
        SLACK_REMOTE + name: Resource.from_contents(
            load_schema(f"{SLACK_DIR}/{name}"), default_specification=DRAFT7
        )
        for name in SLACK_VERSIONED
    }
    external = {r for r in _refs(top) if not r.startswith("#")}
    assert external == set(resources), (
        f"the Slack schema's references changed: {sorted(external)}; map them to local files"
    )
    # No retrieve function: anything not mapped here is an error, never a network fetch.
    registry: Registry[Any] = Registry().with_resources(resources.items())
    Draft7Validator.check_schema(top)
    return Draft7Validator(top, registry=registry, format_checker=Draft7Validator.FORMAT_CHECKER)


def slack_errors(manifest: dict[str, Any]) -> list[str]:
    return [e.message for e in slack_validator().iter_errors(manifest)]


def example(name: str) -> dict[str, Any]:
    return load_schema(f"{SLACK_DIR}/examples/{name}")


# --- PNG ------------------------------------------------------------------------------------


def read_png(data: bytes) -> tuple[dict[str, int], list[bytes]]:
    """IHDR fields and the unfiltered rows of an 8-bit, non-interlaced PNG (CRCs checked)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        pos += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    w, h, depth, ctype, comp, filt, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    ihdr = {"width": w, "height": h, "depth": depth, "color_type": ctype, "interlace": interlace}
    assert (depth, comp, filt, interlace) == (8, 0, 0, 0), ihdr
    bpp = {2: 3, 6: 4}[ctype]
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = w * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(h):
        ftype, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 0xFF
            elif ftype == 2:
                line[x] = (line[x] + b) & 0xFF
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    return ihdr, rows


def pixels(rows: list[bytes]) -> Iterator[tuple[int, int, int, int]]:
    for row in rows:
        for i in range(0, len(row), 4):
            yield row[i], row[i + 1], row[i + 2], row[i + 3]


def check_icons(color: bytes, outline: bytes) -> None:
    ihdr, rows = read_png(color)
    assert (ihdr["width"], ihdr["height"]) == (192, 192), ihdr
    assert ihdr["color_type"] == 6
    assert all(px[3] == 255 for px in pixels(rows)), "the colour icon should be opaque"
    assert len(set(pixels(rows))) > 2, "the colour icon is blank"

    ihdr, rows = read_png(outline)
    assert (ihdr["width"], ihdr["height"]) == (32, 32), ihdr
    assert ihdr["color_type"] == 6, "the outline icon needs an alpha channel (RGBA)"
    drawn = [px for px in pixels(rows) if px[3] > 0]
    assert all(px[:3] == (255, 255, 255) for px in drawn), "the outline icon must be white only"
    alphas = [px[3] for px in pixels(rows)]
    assert alphas.count(0) > 32 * 32 // 3, "the outline icon's background must be transparent"
    assert alphas.count(255) > 40, "the outline icon has almost nothing drawn"
    assert alphas[0] == alphas[31] == alphas[-1] == 0, "the corners must be transparent"


# --- the validators themselves --------------------------------------------------------------


def test_slack_validator_accepts_slacks_valid_examples_and_rejects_the_invalid_ones() -> None:
    for version in ("v1", "v2"):
        assert slack_errors(example(f"{version}.manifest.valid.json")) == [], version
        assert slack_errors(example(f"{version}.manifest.invalid.json")), version


def test_teams_validator_rejects_broken_manifests() -> None:
    good = teams_manifest(make_settings(), load_framework("somerset"), build_router())
    assert teams_errors(good) == []
    mutations: list[Callable[[dict[str, Any]], object]] = [
        lambda m: m["name"].update(short="x" * 31),
        lambda m: m["bots"][0].update(botId="not-a-guid"),
        lambda m: m.update(unexpected=True),
        lambda m: m.pop("developer"),
        lambda m: m["bots"][0].update(scopes=["everywhere"]),
    ]
    for mutate in mutations:
        bad = json.loads(json.dumps(good))
        mutate(bad)
        assert teams_errors(bad), bad


# --- generating -----------------------------------------------------------------------------


def test_teams_package_is_valid_for_schema_1_30(tmp_path: Path) -> None:
    settings = make_settings()
    framework = load_framework("somerset")
    result = write_manifests(tmp_path / "out", settings, framework, build_router())
    manifest = result.teams
    schema = load_schema(TEAMS_SCHEMA)

    assert teams_errors(manifest) == []
    # Draft-04 has no "const", so the schema's version pin is checked by hand.
    assert manifest["manifestVersion"] == schema["properties"]["manifestVersion"]["const"]
    assert manifest["manifestVersion"] == "1.30"
    assert manifest["$schema"] == (
        "https://developer.microsoft.com/json-schemas/teams/v1.30/MicrosoftTeams.schema.json"
    )
    assert manifest["version"] == __version__
    assert manifest["id"] == APP_ID
    assert manifest["developer"]["websiteUrl"] == PUBLIC_URL
    assert manifest["developer"]["privacyUrl"].startswith(PUBLIC_URL + "/")
    assert manifest["name"]["short"] == framework.authority.bot_name
    assert framework.authority.name in manifest["name"]["full"]
    assert len(manifest["description"]["short"]) <= 80
    assert 0 < len(manifest["description"]["full"]) <= 4000
    bot = manifest["bots"][0]
    assert bot["botId"] == APP_ID
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    assert bot["supportsFiles"] is True and bot["isNotificationOnly"] is False
    scopes = {s for lst in bot["commandLists"] for s in lst["scopes"]}
    assert {"personal", "team"} <= scopes
    # Everyone's commands first, then role-restricted ones, in router order (manifest_commands).
    router = build_router()
    names = [c.name for c in router.commands if c.roles is None]
    names += [c.name for c in router.commands if c.roles is not None]
    for lst in bot["commandLists"]:
        assert [c["title"] for c in lst["commands"]] == names[:10]
    assert manifest["permissions"] == ["identity", "messageTeamMembers"]
    assert manifest["validDomains"] == ["qabot.somerset.gov.uk"]
    assert manifest["webApplicationInfo"] == {
        "id": APP_ID,
        "resource": f"api://qabot.somerset.gov.uk/{APP_ID}",
    }
    assert result.warnings == []

    # The zip: exactly the three files, at the root, the same as the loose copies.
    with zipfile.ZipFile(result.teams_zip) as archive:
        assert set(archive.namelist()) == ZIP_FILES
        assert len(archive.namelist()) == 3
        assert archive.testzip() is None
        assert json.loads(archive.read("manifest.json")) == manifest
        assert {manifest["icons"]["color"], manifest["icons"]["outline"]} <= ZIP_FILES
        check_icons(archive.read("color.png"), archive.read("outline.png"))
        for name in ZIP_FILES:
            assert archive.read(name) == (result.teams_dir / name).read_bytes()


def test_teams_manifest_also_fits_the_stricter_1_17_schema() -> None:
    """The limits are the older, stricter ones (10 commands, title 32, description 128)."""
    manifest = teams_manifest(make_settings(), load_framework("dudley"), build_router())
    manifest["manifestVersion"] = "1.17"
    manifest["$schema"] = manifest["$schema"].replace("v1.30", "v1.17")
    assert teams_errors(manifest, "teams/MicrosoftTeams.schema.v1.17.json") == []


def test_without_an_app_id_a_placeholder_and_a_stable_package_id(tmp_path: Path) -> None:
    settings = make_settings(microsoft_app_id="", microsoft_app_password="")
    somerset, dudley = load_framework("somerset"), load_framework("dudley")
    result = write_manifests(tmp_path, settings, somerset, build_router())
    manifest = result.teams
    assert teams_errors(manifest) == []
    assert manifest["bots"][0]["botId"] == PLACEHOLDER_APP_ID
    assert manifest["webApplicationInfo"]["id"] == PLACEHOLDER_APP_ID
    assert manifest["id"] == stable_app_id(somerset) != stable_app_id(dudley)
    assert uuid.UUID(manifest["id"]).version == 5
    assert (
        write_manifests(tmp_path / "again", settings, somerset, build_router()).teams["id"]
        == manifest["id"]
    )
    assert any("MICROSOFT_APP_ID is not set" in w for w in result.warnings), result.warnings


def test_a_bad_app_id_or_public_url_is_a_configuration_error(tmp_path: Path) -> None:
    framework = load_framework("somerset")
    with pytest.raises(ConfigError, match="MICROSOFT_APP_ID"):
        write_manifests(
            tmp_path, make_settings(microsoft_app_id="my-bot"), framework, build_router()
        )
    with pytest.raises(ConfigError, match="QABOT_PUBLIC_URL"):
        write_manifests(
            tmp_path, make_settings(public_url="qabot.example"), framework, build_router()
        )


def test_the_example_public_url_gives_a_warning(tmp_path: Path) -> None:
    settings = make_settings(public_url=Settings.model_fields["public_url"].default)
    result = write_manifests(tmp_path, settings, load_framework("somerset"), build_router())
    assert any("QABOT_PUBLIC_URL is not set" in w for w in result.warnings)


def test_many_long_commands_are_cut_to_the_teams_limits() -> None:
    router = Router()

    async def handler(ctx: Context, args: str) -> list[Reply]:
        return []

    for i in range(15):
        router.command(f"command number {i} with a very long name indeed", summary="s" * 300)(
            handler
        )
    manifest = teams_manifest(make_settings(), load_framework("somerset"), router)
    assert teams_errors(manifest) == []
    assert (
        teams_errors(
            {**manifest, "manifestVersion": "1.17"}, "teams/MicrosoftTeams.schema.v1.17.json"
        )
        == []
    )
    for lst in manifest["bots"][0]["commandLists"]:
        assert len(lst["commands"]) == 10
        assert all(len(c["title"]) <= 32 for c in lst["commands"])
        assert all(len(c["description"]) <= 128 for c in lst["commands"])


def test_slack_manifest_over_http(tmp_path: Path) -> None:
    result = write_manifests(
        tmp_path, make_settings(), load_framework("west-sussex"), build_router()
    )
    manifest = json.loads(result.slack_manifest.read_text("utf-8"))
    assert manifest == result.slack
    assert slack_errors(manifest) == []

    events_url = f"{PUBLIC_URL}/slack/events"
    display = manifest["display_information"]
    assert display["name"] == "West Sussex QA" and len(display["name"]) <= 35
    # The schema spells this check "regex", which JSON Schema ignores: check it here.
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", display["background_color"])
    features = manifest["features"]
    assert features["bot_user"] == {"display_name": "West Sussex QA", "always_online": True}
    assert features["app_home"] == {
        "home_tab_enabled": True,
        "messages_tab_enabled": True,
        "messages_tab_read_only_enabled": False,
    }
    (command,) = features["slash_commands"]
    assert command["command"] == "/qa" and command["url"] == events_url
    assert command["should_escape"] is False and command["usage_hint"]
    assert manifest["oauth_config"]["scopes"]["bot"] == list(SLACK_BOT_SCOPES)
    # The QA team uploads allocation CSVs in a DM: the bot must be able to read the file.
    assert "files:read" in manifest["oauth_config"]["scopes"]["bot"]
    settings = manifest["settings"]
    assert settings["event_subscriptions"] == {
        "request_url": events_url,
        "bot_events": list(SLACK_BOT_EVENTS),
    }
    assert settings["interactivity"] == {"is_enabled": True, "request_url": events_url}
    assert settings["socket_mode_enabled"] is False
    assert settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False


def test_slack_manifest_in_socket_mode_has_no_request_urls(tmp_path: Path) -> None:
    settings = make_settings(
        slack_app_token="xapp-1-test", slack_bot_token="xoxb-test", slack_signing_secret="s"
    )
    manifest = write_manifests(tmp_path, settings, load_framework("somerset"), build_router()).slack
    assert slack_errors(manifest) == []
    assert manifest["settings"]["socket_mode_enabled"] is True
    text = json.dumps(manifest)
    assert '"request_url"' not in text and '"url"' not in text
    assert manifest["settings"]["interactivity"] == {"is_enabled": True}


def test_committed_icons_match_the_drawing() -> None:
    check_icons((ASSETS / "color.png").read_bytes(), (ASSETS / "outline.png").read_bytes())
    _, color = read_png((ASSETS / "color.png").read_bytes())
    _, outline = read_png((ASSETS / "outline.png").read_bytes())
    assert color == color_icon_rows(), "run python -m bot.manifests to redraw the icons"
    assert outline == outline_icon_rows(), "run python -m bot.manifests to redraw the icons"


# --- through the command line ---------------------------------------------------------------


def test_cli_writes_both_manifests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QABOT_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv("QABOT_FRAMEWORK", "north-somerset")
    monkeypatch.setenv("MICROSOFT_APP_ID", APP_ID)
    monkeypatch.setenv("MICROSOFT_APP_PASSWORD", "secret")
    monkeypatch.setenv("MICROSOFT_APP_TENANT_ID", TENANT_ID)
    out = tmp_path / "build"
    result = CliRunner().invoke(app, ["manifests", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output

    with zipfile.ZipFile(out / "qabot-teams.zip") as archive:
        assert set(archive.namelist()) == ZIP_FILES
        manifest = json.loads(archive.read("manifest.json"))
        check_icons(archive.read("color.png"), archive.read("outline.png"))
    assert teams_errors(manifest) == []
    assert manifest["name"]["short"] == "North Somerset QA"
    assert manifest["bots"][0]["botId"] == APP_ID
    slack = json.loads((out / "slack-manifest.json").read_text("utf-8"))
    assert slack_errors(slack) == []
    assert slack["display_information"]["name"] == "North Somerset QA"


def test_cli_warns_without_an_app_id_and_fails_on_a_bad_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QABOT_PUBLIC_URL", PUBLIC_URL)
    runner = CliRunner()
    result = runner.invoke(app, ["manifests", "--out", str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    assert "MICROSOFT_APP_ID is not set" in " ".join(result.output.split())
    manifest = json.loads((tmp_path / "a" / "teams" / "manifest.json").read_text("utf-8"))
    assert manifest["bots"][0]["botId"] == PLACEHOLDER_APP_ID
    assert teams_errors(manifest) == []

    monkeypatch.setenv("MICROSOFT_APP_ID", "not-a-guid")
    monkeypatch.setenv("MICROSOFT_APP_PASSWORD", "secret")
    monkeypatch.setenv("MICROSOFT_APP_TENANT_ID", TENANT_ID)
    result = runner.invoke(app, ["manifests", "--out", str(tmp_path / "b")])
    assert result.exit_code == 2, result.output
    assert "MICROSOFT_APP_ID" in result.output
    assert not (tmp_path / "b" / "qabot-teams.zip").exists()


def test_read_png_handles_every_filter() -> None:
    """The PNG reader above is itself checked on a hand-made image using all five filters."""
    width = 3
    rows = [
        b"".join(
            bytes([(x * 97 + y * 11) % 256, (x * 13 + y * 129) % 256, x * y * 50 % 256, 255 - y])
            for x in range(width)
        )
        for y in range(5)
    ]
    raw = bytearray()
    prev = bytes(width * 4)
    for ftype, row in enumerate(rows):
        out = bytearray()
        for x in range(len(row)):
            a = row[x - 4] if x >= 4 else 0
            b, c = prev[x], prev[x - 4] if x >= 4 else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pred = [0, a, b, (a + b) // 2, a if pa <= pb and pa <= pc else (b if pb <= pc else c)]
            out.append((row[x] - pred[ftype]) & 0xFF)
        raw += bytes([ftype]) + out
        prev = row

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        return struct.pack(">I", len(data)) + kind + data + crc

    png = io.BytesIO()
    png.write(b"\x89PNG\r\n\x1a\n")
    png.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, len(rows), 8, 6, 0, 0, 0)))
    png.write(chunk(b"IDAT", zlib.compress(bytes(raw))))
    png.write(chunk(b"IEND", b""))
    _, decoded = read_png(png.getvalue())
    assert decoded == rows
