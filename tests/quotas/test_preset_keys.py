"""No dead preset keys: every key of every preset TOML must be a field the code reads somewhere
other than a validator or `framework explain` (a key only validated or only listed changes
nothing the bot does). The checker walks the TOML tree alongside the loaded pydantic model and
looks for reads of each field in the source; the tests of the checker prove it can fail."""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, field_validator

from bot.config import load_framework

PRESETS = ("somerset", "dudley", "west-sussex", "somerset-partnership", "north-somerset")
# Reading a key only here does not make it live.
NOT_A_USE = ("bot/domain/explain.py",)
# Models whose fields are read by name at run time (not visible as attributes).
READ_BY_NAME = {
    # bot/store/outbox.py: getattr(framework.channels, route) for "qa_team", "csw_group" ...
    "Channels": "getattr(channels, route)",
}
VALIDATORS = {"field_validator", "model_validator"}


def attribute_reads(files: Iterable[Path]) -> set[str]:
    """Every attribute name read (``x.name``, ``getattr(x, "name")``) outside validators."""
    names: set[str] = set()

    class Reads(ast.NodeVisitor):
        def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                name = getattr(target, "id", None) or getattr(target, "attr", "")
                if name in VALIDATORS:
                    return
            self.generic_visit(node)

        visit_AsyncFunctionDef = visit_FunctionDef

        def visit_Attribute(self, node: ast.Attribute) -> None:
            if isinstance(node.ctx, ast.Load):
                names.add(node.attr)
            self.generic_visit(node)

        def visit_Call(self, node: ast.Call) -> None:
            if (
                isinstance(node.func, ast.Name)
                and node.func.id == "getattr"
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
            ):
                names.add(node.args[1].value)
            self.generic_visit(node)

    for path in files:
        Reads().visit(ast.parse(path.read_text(encoding="utf-8")))
    return names


def toml_fields(
    table: dict[str, Any], model: BaseModel, path: str = ""
) -> list[tuple[str, str, str]]:
    """(TOML path, model class, field) of every key, following the loaded model so that a
    union (a deadline's kind) resolves to the class actually built."""
    found: list[tuple[str, str, str]] = []
    for key, raw in table.items():
        value = getattr(model, key)
        where = f"{path}.{key}" if path else key
        found.append((where, type(model).__name__, key))
        if isinstance(raw, dict) and isinstance(value, BaseModel):
            found += toml_fields(raw, value, where)
        elif isinstance(raw, dict) and isinstance(value, dict):
            for name, item in raw.items():
                if isinstance(item, dict) and isinstance(value[name], BaseModel):
                    found += toml_fields(item, value[name], f"{where}.{name}")
        elif isinstance(raw, list):
            for i, (item, built) in enumerate(zip(raw, value, strict=True)):
                if isinstance(item, dict) and isinstance(built, BaseModel):
                    found += toml_fields(item, built, f"{where}[{i}]")
    return found


def dead_keys(table: dict[str, Any], model: BaseModel, reads: set[str]) -> list[str]:
    return [
        f"{where} ({cls}.{field})"
        for where, cls, field in toml_fields(table, model)
        if field not in reads and cls not in READ_BY_NAME
    ]


def _source_reads() -> set[str]:
    files = [p for p in Path("bot").rglob("*.py") if p.as_posix() not in NOT_A_USE]
    return attribute_reads(files)


@pytest.mark.parametrize("preset", PRESETS)
def test_every_key_of_every_preset_is_read_by_the_code(preset: str) -> None:
    table = tomllib.loads(Path(f"bot/presets/{preset}.toml").read_text(encoding="utf-8"))
    assert dead_keys(table, load_framework(preset), _source_reads()) == []


# --- the checker can fail ----------------------------------------------------------------------


class _Synthetic(BaseModel):
    used_setting: int
    decorative_setting: int = 0
    nested: _Nested | None = None

    @field_validator("decorative_setting")
    @classmethod
    def _check(cls, value: int) -> int:
        return value


class _Nested(BaseModel):
    shown_only: str = ""


_Synthetic.model_rebuild()


def test_the_checker_finds_a_key_only_validated_or_only_explained(tmp_path: Path) -> None:
    code = tmp_path / "area.py"
    code.write_text(
        "def use(settings):\n"
        "    return settings.used_setting\n"
        "\n"
        "class Model:\n"
        "    @model_validator(mode='after')\n"
        "    def _valid(self):\n"
        "        return self.decorative_setting > 0\n"
    )
    explain = tmp_path / "explain.py"
    explain.write_text("def explain(s):\n    return s.nested.shown_only\n")
    table = {"used_setting": 1, "decorative_setting": 2, "nested": {"shown_only": "x"}}
    model = _Synthetic.model_validate(table)
    # Reads in a validator, or only in `framework explain`, do not count.
    assert dead_keys(table, model, attribute_reads([code])) == [
        "decorative_setting (_Synthetic.decorative_setting)",
        "nested (_Synthetic.nested)",
        "nested.shown_only (_Nested.shown_only)",
    ]
    assert dead_keys(table, model, attribute_reads([code, explain])) == [
        "decorative_setting (_Synthetic.decorative_setting)"
    ]


def test_the_checker_finds_an_unused_key_added_to_a_real_preset() -> None:
    text = Path("bot/presets/somerset.toml").read_text(encoding="utf-8")
    table = tomllib.loads(text)
    framework = load_framework("somerset")
    # A field that exists on the model (so the preset loads) but that no code reads.
    table["calendar"]["weekly_digest_weekday"] = "monday"
    reads = _source_reads() - {"weekly_digest_weekday"}
    assert dead_keys(table, framework, reads) == [
        "calendar.weekly_digest_weekday (CalendarRules.weekly_digest_weekday)"
    ]
