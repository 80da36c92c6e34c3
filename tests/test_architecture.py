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


def imported_modules(source: str, path: Path) -> list[str]:
    """Every module the source of `path` imports (a `from x import y` counts as both `x`
    and `x.y`), relative imports resolved, imports inside functions too."""
    package = list(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found += [module, *(f"{module}.{alias.name}" for alias in node.names)]
    return found


def command_imports(source: str, path: Path) -> list[str]:
    return [
        m
        for m in imported_modules(source, path)
        if m == "bot.commands" or m.startswith("bot.commands.")
    ]


def test_the_scheduler_imports_nothing_from_the_commands() -> None:
    """Scheduled posts and commands share their presentation through `bot.presentation`;
    the scheduler never reaches into the command layer."""
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in sorted((ROOT / "bot" / "scheduler").rglob("*.py"))
        if (found := command_imports(path.read_text(encoding="utf-8"), path))
    }
    assert offenders == {}


@pytest.mark.parametrize(
    "source",
    [
        "from bot.commands.registry import Registry",
        "import bot.commands.registry",
        "from bot import commands",
        "from ..commands import registry",
        "def f():\n    from bot.commands.context import CommandContext",
    ],
)
def test_the_layering_check_catches_each_form_of_import(source: str) -> None:
    assert command_imports(source, ROOT / "bot" / "scheduler" / "compose.py")


def test_the_layering_check_lets_the_scheduler_use_services_and_presentation() -> None:
    source = "from bot.presentation import step_label\nfrom ..services import groups"
    assert command_imports(source, ROOT / "bot" / "scheduler" / "compose.py") == []
