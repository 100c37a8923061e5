"""The platforms' official schemas, read from outside the project (never copied into it).

``QABOT_SCHEMAS_DIR`` names the directory; it defaults to ``<repo>/../shared/schemas``, which is
where ``.ci/run`` points it. A missing file fails the test that needs it: conformance tests must
not pass silently because a schema was not there.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def schemas_dir() -> Path:
    configured = os.environ.get("QABOT_SCHEMAS_DIR")
    return Path(configured) if configured else REPO.parent / "shared" / "schemas"


def load_schema(relpath: str) -> dict[str, Any]:
    """The JSON schema at ``relpath`` under ``schemas_dir()``; AssertionError if it is missing."""
    return _read(schemas_dir() / relpath)


@cache
def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise AssertionError(
            f"schema file missing: {path}. Set QABOT_SCHEMAS_DIR to the directory holding the "
            "platforms' official schemas (default: <repo>/../shared/schemas)."
        )
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema
