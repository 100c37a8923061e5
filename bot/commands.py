"""Shared helpers for the ``qabot`` command and the areas' commands (no area imports here)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol

import typer
from rich.console import Console

from bot.app import QABot
from bot.config import ConfigError, Settings, load_framework, load_settings
from bot.dialogs.base import Router
from bot.domain.framework import Framework
from bot.logs import configure_logging
from bot.store.db import Database

console = Console(stderr=True)


class BotHandle(Protocol):
    """The bot as a command uses it: its store and dialogs, without endpoints or sweeps."""

    framework: Framework
    db: Database
    bot: QABot

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


OpenBot = Callable[[Settings], BotHandle]


@dataclass(frozen=True)
class CommandGroups:
    """Where an area adds its commands: ``qabot X``, ``qabot import X``."""

    root: typer.Typer
    imports: typer.Typer
    # The router of every area, for commands that run the bot's dialogs and sweeps.
    build_router: Callable[[], Router]
    # The whole bot (every area) on the configured database, for commands that change data.
    open_bot: OpenBot


def configuration_problem(exc: ConfigError) -> typer.Exit:
    console.print(f"[red]Configuration problem:[/red] {exc}")
    return typer.Exit(2)


def cli_settings(**overrides: object) -> Settings:
    """The settings, checked with the framework file; a problem stops the command (exit 2)."""
    try:
        settings = load_settings(**overrides)
        load_framework(settings.framework)
    except ConfigError as exc:
        raise configuration_problem(exc) from None
    configure_logging(settings.log_level, settings.log_format)
    return settings


def run(coro: Coroutine[Any, Any, object]) -> None:
    try:
        asyncio.run(coro)
    except KeyboardInterrupt:
        pass
    except ConfigError as exc:
        raise configuration_problem(exc) from None
