"""Deployment settings (environment, .env) and the authority's framework file (TOML).

Both are validated on start-up; a wrong value gives one clear message naming the setting or
the key and line of the framework file, never a traceback.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.domain.framework import Framework

PRESETS = ("somerset", "dudley", "west-sussex", "somerset-partnership", "north-somerset")
DEFAULT_PRESET = "somerset"


class ConfigError(Exception):
    """A setting or framework file is wrong; the message says which and how to fix it."""


def _env(name: str) -> AliasChoices:
    return AliasChoices(name)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    database_url: str = Field(
        default="sqlite+aiosqlite:///qabot.db", validation_alias=_env("QABOT_DATABASE_URL")
    )
    framework: str = Field(default=DEFAULT_PRESET, validation_alias=_env("QABOT_FRAMEWORK"))
    port: int = Field(default=3978, ge=1, le=65535, validation_alias=_env("QABOT_PORT"))
    host: str = Field(default="127.0.0.1", validation_alias=_env("QABOT_HOST"))
    timezone: str = Field(default="Europe/London", validation_alias=_env("QABOT_TIMEZONE"))
    log_level: str = Field(default="INFO", validation_alias=_env("QABOT_LOG_LEVEL"))
    log_format: Literal["text", "json"] = Field(
        default="text", validation_alias=_env("QABOT_LOG_FORMAT")
    )
    public_url: str = Field(
        default="https://qabot.example.org", validation_alias=_env("QABOT_PUBLIC_URL")
    )
    # The browser try-out page at /try on a movable demo clock (`qabot demo` switches it on).
    tryout: bool = Field(default=False, validation_alias=_env("QABOT_TRYOUT"))

    slack_bot_token: str | None = Field(default=None, validation_alias=_env("SLACK_BOT_TOKEN"))
    slack_signing_secret: str | None = Field(
        default=None, validation_alias=_env("SLACK_SIGNING_SECRET")
    )
    slack_app_token: str | None = Field(default=None, validation_alias=_env("SLACK_APP_TOKEN"))
    slack_api_url: str = Field(
        default="https://slack.com/api/", validation_alias=_env("SLACK_API_URL")
    )

    microsoft_app_id: str = Field(default="", validation_alias=_env("MICROSOFT_APP_ID"))
    microsoft_app_password: str = Field(default="", validation_alias=_env("MICROSOFT_APP_PASSWORD"))
    microsoft_app_type: Literal["MultiTenant", "SingleTenant", "UserAssignedMSI"] = Field(
        default="SingleTenant", validation_alias=_env("MICROSOFT_APP_TYPE")
    )
    microsoft_app_tenant_id: str = Field(
        default="", validation_alias=_env("MICROSOFT_APP_TENANT_ID")
    )

    # Operations: how much backlog /readyz tolerates, how stale the scheduler may be.
    outbox_backlog_limit: int = Field(
        default=5000, ge=1, validation_alias=_env("QABOT_OUTBOX_BACKLOG_LIMIT")
    )
    sweep_interval_seconds: int = Field(
        default=300, ge=1, validation_alias=_env("QABOT_SWEEP_INTERVAL_SECONDS")
    )
    # How often a process looks for saved requests no live process is handling (another
    # replica stopped or died).
    reclaim_interval_seconds: float = Field(
        default=30.0, gt=0, validation_alias=_env("QABOT_RECLAIM_INTERVAL_SECONDS")
    )
    # How long a stop may take: requests and sends under way get this long to finish; what
    # is queued is handed back for the next start.
    stop_seconds: float = Field(
        default=4.0, gt=0, le=60, validation_alias=_env("QABOT_STOP_SECONDS")
    )
    # Retention (bot/store/retention.py, docs/operations.md): days a finished message keeps
    # its content, and days audit entries are kept (0: indefinitely).
    outbox_retention_days: int = Field(
        default=30, ge=0, validation_alias=_env("QABOT_OUTBOX_RETENTION_DAYS")
    )
    audit_retention_days: int = Field(
        default=0, ge=0, validation_alias=_env("QABOT_AUDIT_RETENTION_DAYS")
    )
    delivery_max_attempts: int = Field(
        default=8, ge=1, validation_alias=_env("QABOT_DELIVERY_MAX_ATTEMPTS")
    )

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        return async_database_url(value)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (try Europe/London)") from exc
        return value

    @model_validator(mode="after")
    def _teams_complete(self) -> Settings:
        if self.microsoft_app_id and self.microsoft_app_type == "SingleTenant":
            if not self.microsoft_app_tenant_id:
                raise ValueError(
                    "MICROSOFT_APP_TENANT_ID is required when MICROSOFT_APP_ID is set and "
                    "MICROSOFT_APP_TYPE is SingleTenant"
                )
        if self.microsoft_app_id and self.microsoft_app_type != "UserAssignedMSI":
            if not self.microsoft_app_password:
                raise ValueError("MICROSOFT_APP_PASSWORD is required when MICROSOFT_APP_ID is set")
        if bool(self.slack_bot_token) != bool(self.slack_signing_secret):
            missing = "SLACK_SIGNING_SECRET" if self.slack_bot_token else "SLACK_BOT_TOKEN"
            raise ValueError(f"{missing} is required too when Slack is configured")
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_signing_secret and self.slack_bot_token)

    @property
    def teams_authenticated(self) -> bool:
        return bool(self.microsoft_app_id)


_ENV_NAMES = {
    "database_url": "QABOT_DATABASE_URL",
    "framework": "QABOT_FRAMEWORK",
    "port": "QABOT_PORT",
    "host": "QABOT_HOST",
    "timezone": "QABOT_TIMEZONE",
    "microsoft_app_type": "MICROSOFT_APP_TYPE",
}


def async_database_url(url: str) -> str:
    """Map plain SQLAlchemy URLs to the async drivers the bot uses."""
    url = url.strip()
    if not url:
        raise ValueError("is empty")
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError(f"{url!r} is not a database URL (e.g. sqlite:///qabot.db)")
    mapping = {
        "sqlite": "sqlite+aiosqlite",
        "postgresql": "postgresql+asyncpg",
        "postgres": "postgresql+asyncpg",
        "postgresql+psycopg2": "postgresql+asyncpg",
    }
    scheme = mapping.get(scheme, scheme)
    if scheme not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
        raise ValueError(f"unsupported database {scheme!r}: use sqlite:/// or postgresql://")
    return f"{scheme}://{rest}"


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            if not err["loc"]:
                problems.append(err["msg"].removeprefix("Value error, "))
                continue
            field = str(err["loc"][0])
            env = _ENV_NAMES.get(field, field.upper())
            problems.append(f"{env}: {err['msg'].removeprefix('Value error, ')}")
        raise ConfigError("Invalid setting " + "; ".join(problems)) from None


# --- the framework file -------------------------------------------------------------------


def framework_path(name_or_path: str, *, source: str = "QABOT_FRAMEWORK") -> Path:
    """A preset name (``somerset``) or a path to a TOML file; ``source`` names where the value
    came from (the setting, or a command's ``--framework`` option) in the error."""
    if name_or_path in PRESETS:
        ref = resources.files("bot.presets").joinpath(f"{name_or_path}.toml")
        return Path(str(ref))
    path = Path(name_or_path).expanduser()
    if not path.exists():
        raise ConfigError(
            f"{source}: {name_or_path!r} is neither a preset "
            f"({', '.join(PRESETS)}) nor an existing file"
        )
    return path


def load_framework(
    name_or_path: str = DEFAULT_PRESET, *, source: str = "QABOT_FRAMEWORK"
) -> Framework:
    path = framework_path(name_or_path, source=source)
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    try:
        return Framework.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = [p for p in err["loc"] if not isinstance(p, str) or not p.startswith("function-")]
            key = _dotted(loc)
            line = find_key_line(text, loc)
            where = f"line {line}, " if line else ""
            lines.append(f"{path}: {where}key {key}: {err['msg']}")
        raise ConfigError("\n".join(lines)) from None


def _dotted(loc: list[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def find_key_line(text: str, loc: list[int | str]) -> int | None:
    """Best-effort line number (1-based) of a key path in a TOML document."""
    lines = text.splitlines()
    tables = [p for p in loc if isinstance(p, str)]
    if not tables:
        return None
    # Walk the path: find the deepest [table] / [[array]] header that matches a prefix.
    best_line = None
    search_from = 0
    consumed = 0
    for depth in range(len(loc), 0, -1):
        prefix = loc[:depth]
        names = [p for p in prefix if isinstance(p, str)]
        header = ".".join(names)
        index = next((p for p in prefix if isinstance(p, int)), None)
        pattern = re.compile(rf"^\s*\[\[?\s*{re.escape(header)}\s*\]\]?\s*(#.*)?$")
        hits = [i for i, line in enumerate(lines) if pattern.match(line)]
        if hits:
            hit = hits[min(index, len(hits) - 1)] if index is not None else hits[0]
            best_line, search_from, consumed = hit + 1, hit + 1, depth
            break
    rest = [p for p in loc[consumed:] if isinstance(p, str)]
    if rest:
        key_pattern = re.compile(rf"^\s*{re.escape(rest[0])}\s*=")
        for i in range(search_from, len(lines)):
            if i > search_from and lines[i].lstrip().startswith("[") and consumed:
                break
            if key_pattern.match(lines[i]):
                return i + 1
    return best_line
