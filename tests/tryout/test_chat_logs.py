"""While a person chats in the terminal, log lines go to a file, never between the messages."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.logs import configure_logging, logs_to_file


def test_log_lines_go_to_the_file_while_chatting_and_back_to_stderr_after(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO")
    log = logging.getLogger("bot.test")
    path = tmp_path / "qabot-chat.log"
    with logs_to_file(path):
        log.warning("delivery failed for message 42")
    assert "delivery failed for message 42" not in capsys.readouterr().err
    assert "delivery failed for message 42" in path.read_text("utf-8")
    log.warning("after the chat")
    assert "after the chat" in capsys.readouterr().err
