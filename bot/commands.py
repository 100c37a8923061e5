"""Shared helpers for the ``qabot`` command and the areas' commands (no area imports here)."""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
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


# Exit codes, the same for every command: 0 it did what was asked; 1 it did only part of it, or
# nothing (rows left out, nothing to do, not confirmed); 2 it could not start (a wrong option,
# setting or file).
DONE, PARTLY_OR_NOT_DONE, CANNOT_START = 0, 1, 2


def framework_option(value: str | None) -> Framework:
    """The framework named by a ``--framework`` option (or the setting when not given)."""
    try:
        if value is None:
            return load_framework(load_settings().framework)
        return load_framework(value, source="--framework")
    except ConfigError as exc:
        raise configuration_problem(exc) from None


def read_file(path: Path) -> str:
    """A CSV the QA team saved: UTF-8 (with or without a byte-order mark), else Windows-1252."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def cannot_write(path: Path, exc: OSError) -> typer.Exit:
    """An ``--out`` that cannot be written: say which and why, never a traceback."""
    reason = exc.strerror or str(exc)
    console.print(
        f"[red]Cannot write to {path}:[/red] {reason}. Choose another place with --out.",
        highlight=False,
        soft_wrap=True,
    )
    return typer.Exit(CANNOT_START)


def port_problem(host: str, port: int, exc: OSError) -> typer.Exit:
    """The endpoints cannot listen: say which port and how to choose another."""
    if exc.errno == errno.EADDRINUSE:
        why = "is already in use (is another qabot running?)"
    elif exc.errno == errno.EACCES:
        why = "needs administrator rights"
    else:
        why = f"cannot be used ({exc.strerror or exc})"
    console.print(
        f"[red]Port {port} on {host} {why}.[/red] Choose another port with "
        f"--port {port + 1} or QABOT_PORT={port + 1}.",
        highlight=False,
        soft_wrap=True,
    )
    return typer.Exit(CANNOT_START)


def check_port(host: str, port: int) -> None:
    """Stop before anything starts when the endpoints could not listen on ``port``."""
    if port == 0:
        return
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise port_problem(host, port, exc) from None


def cli_settings(*, service: bool = False, **overrides: object) -> Settings:
    """The settings, checked with the framework file; a problem stops the command (exit 2).

    A one-off command (not ``service``) prints only warnings and errors to the terminal,
    unless QABOT_LOG_LEVEL asks for more: its person wants the answer, not the start-up."""
    try:
        settings = load_settings(**overrides)
        load_framework(settings.framework)
    except ConfigError as exc:
        raise configuration_problem(exc) from None
    quiet = not service and "log_level" not in settings.model_fields_set
    configure_logging(settings.log_level, settings.log_format, shown="WARNING" if quiet else None)
    return settings


def run(coro: Coroutine[Any, Any, object]) -> None:
    try:
        asyncio.run(coro)
    except KeyboardInterrupt:
        pass
    except ConfigError as exc:
        raise configuration_problem(exc) from None
