"""`qabot cards gallery`: every card the bot can send, valid on both platforms."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from typer.testing import CliRunner

from bot.areas import build_router
from bot.cli import app
from bot.config import PRESETS, load_framework
from bot.gallery import gallery_cards
from tests.schemas import load_schema


def test_gallery_writes_both_renderings_of_every_card(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["cards", "gallery", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = {p.name.split(".")[0] for p in tmp_path.glob("*.json")}
    cards = gallery_cards(load_framework("somerset"), build_router())
    assert len(names) == len({c.name for c in cards})
    for name in names:
        assert (tmp_path / f"{name}.adaptive.json").exists()
        assert (tmp_path / f"{name}.blockkit.json").exists()
    assert {"help", "my_tasks", "not_in_directory", "stale_card", "error"} <= names


def test_every_gallery_card_is_valid_on_teams_and_slack(tmp_path: Path) -> None:
    schema = load_schema("adaptivecards/adaptive-card-1.5.0.json")
    validator = jsonschema.Draft6Validator(schema)
    for preset in PRESETS:
        out = tmp_path / preset
        result = CliRunner().invoke(
            app, ["cards", "gallery", "--out", str(out), "--framework", preset]
        )
        assert result.exit_code == 0, result.output
        for path in sorted(out.glob("*.adaptive.json")):
            card = json.loads(path.read_text())
            errors = sorted(validator.iter_errors(card), key=str)
            assert not errors, f"{preset}/{path.name}: {errors[0].message}"
            assert card["version"] == "1.5" and card["fallbackText"]
        for path in sorted(out.glob("*.blockkit.json")):
            payload = json.loads(path.read_text())
            blocks = payload["blocks"]
            limit = 100 if payload.get("type") in ("modal", "home") else 50
            assert 0 < len(blocks) <= limit, path.name
            for block in blocks:
                parsed = Block.parse(block)
                assert parsed is not None, f"{path.name}: unknown block {block.get('type')}"
                parsed.validate_json()
            if payload.get("type") == "modal":
                View(**payload).validate_json()
            else:
                assert payload["text"], f"{path.name} has no fallback text"
