"""Settings and framework files: one clear message naming what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.config import PRESETS, ConfigError, async_database_url, load_framework, load_settings


def test_every_preset_loads_and_names_its_authority() -> None:
    names = {load_framework(p).authority.short_name for p in PRESETS}
    assert names == {"Somerset", "Dudley", "West Sussex", "SSCP", "North Somerset"}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///qabot.db", "sqlite+aiosqlite:///qabot.db"),
        ("sqlite+aiosqlite:////tmp/x.db", "sqlite+aiosqlite:////tmp/x.db"),
        ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
    ],
)
def test_database_urls_map_to_async_drivers(given: str, expected: str) -> None:
    assert async_database_url(given) == expected


def test_bad_settings_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QABOT_PORT", "eighty")
    with pytest.raises(ConfigError, match="QABOT_PORT"):
        load_settings()
    monkeypatch.setenv("QABOT_PORT", "3978")
    monkeypatch.setenv("QABOT_DATABASE_URL", "mysql://x")
    with pytest.raises(ConfigError, match=r"QABOT_DATABASE_URL: .*unsupported database"):
        load_settings()
    monkeypatch.delenv("QABOT_DATABASE_URL")
    monkeypatch.setenv("MICROSOFT_APP_ID", "00000000-0000-0000-0000-000000000001")
    monkeypatch.setenv("MICROSOFT_APP_PASSWORD", "secret")
    with pytest.raises(ConfigError, match="MICROSOFT_APP_TENANT_ID is required"):
        load_settings()


def test_framework_error_points_at_key_and_line(tmp_path: Path) -> None:
    text = (
        Path(load_framework.__code__.co_filename)
        .parent.joinpath("presets/somerset.toml")
        .read_text()
    )
    broken = text.replace("quorum = 3", "quorum = 0", 1)
    path = tmp_path / "authority.toml"
    path.write_text(broken)
    line = broken.splitlines().index("quorum = 0") + 1
    with pytest.raises(ConfigError) as caught:
        load_framework(str(path))
    assert f"line {line}, key voting.quorum" in str(caught.value)


def test_unknown_preset_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="neither a preset"):
        load_framework("atlantis")
    path = tmp_path / "bad.toml"
    path.write_text("[authority\nname = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_framework(str(path))


def test_cli_reports_configuration_problems_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QABOT_FRAMEWORK", "atlantis")
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2
    assert "Configuration problem" in result.output
    assert "Traceback" not in result.output


def test_db_upgrade_command_creates_the_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    db = tmp_path / "new.db"
    monkeypatch.setenv("QABOT_DATABASE_URL", f"sqlite:///{db}")
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    tables = {r[0] for r in sqlite3.connect(db).execute("select name from sqlite_master")}
    assert {"people", "outbox", "audit_log", "inbound_events", "platform_identities"} <= tables
