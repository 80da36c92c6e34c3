"""The core stays platform-free: nothing under bot/ imports a chat platform's library."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLATFORM_LIBRARIES = {"discord", "slack_bolt", "slack_sdk"}


def platform_imports(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        found += [n for n in names if n.split(".")[0] in PLATFORM_LIBRARIES]
    return found


def test_the_core_imports_no_platform_library() -> None:
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in sorted((ROOT / "bot").rglob("*.py"))
        if (found := platform_imports(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


@pytest.mark.parametrize(
    "source",
    [
        "import discord",
        "from slack_bolt.async_app import AsyncApp",
        "import slack_sdk.web as w",
        "def f():\n    import discord.ext.commands",
    ],
)
def test_the_check_catches_each_form_of_import(source: str) -> None:
    assert platform_imports(source)


def test_only_the_cli_reaches_for_the_adapters() -> None:
    """The CLI is the composition root that starts adapters; the rest of the core never
    knows they exist."""
    for path in (ROOT / "bot").rglob("*.py"):
        if path.name == "cli.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("adapters"), path
