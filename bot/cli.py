"""The `cohort` command."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.errors import ConfigError
from bot.roadmap.loader import SHIPPED_CONTENT_DIR, validate_path
from bot.settings import Settings, load_settings

log = logging.getLogger("cohort")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.action(args) or 0)
    except ConfigError as error:
        print(f"cohort: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cohort", description="Cohort: a study-group bot for Discord, Slack and the console."
    )
    sub = parser.add_subparsers(required=True, metavar="command")

    run = sub.add_parser("run", help="serve every platform whose credentials are set")
    run.add_argument("--migrate", action="store_true", help="upgrade the database first")
    run.add_argument("--as", dest="member", default=_login(), help="console member name")
    run.set_defaults(action=_run)

    console = sub.add_parser("console", help="talk to Cohort in this terminal")
    console.add_argument(
        "--as", dest="member", default=_login(), help="who you are (default: your login name)"
    )
    console.add_argument("--migrate", action="store_true", help="upgrade the database first")
    console.set_defaults(action=_console)

    db = sub.add_parser("db", help="database schema").add_subparsers(
        required=True, metavar="action"
    )
    up = db.add_parser("upgrade", help="upgrade the schema (to the newest by default)")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(action=_db_upgrade)
    down = db.add_parser("downgrade", help="downgrade the schema to a revision")
    down.add_argument("revision")
    down.set_defaults(action=_db_downgrade)
    db.add_parser("current", help="show the schema revision").set_defaults(action=_db_current)

    slack = sub.add_parser("slack", help="Slack app set-up").add_subparsers(
        required=True, metavar="action"
    )
    manifest = slack.add_parser("manifest", help="print the Slack app manifest (YAML)")
    where = manifest.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="where Cohort is reachable, like https://cohort.example.org")
    where.add_argument("--socket", action="store_true", help="use Socket Mode (no public URL)")
    manifest.set_defaults(action=_slack_manifest)

    discord = sub.add_parser("discord", help="Discord bot set-up").add_subparsers(
        required=True, metavar="action"
    )
    sync = discord.add_parser("sync", help="register Cohort's slash commands with Discord")
    sync.add_argument(
        "--guild", type=int, metavar="SERVER_ID", help="only in this server (shows at once)"
    )
    sync.set_defaults(action=_discord_sync)
    invite = discord.add_parser("invite", help="print the link that adds Cohort to a server")
    invite.add_argument(
        "--client-id", type=int, help="the application id (default: asked of Discord)"
    )
    invite.set_defaults(action=_discord_invite)

    content = sub.add_parser("content", help="roadmap content packs").add_subparsers(
        required=True, metavar="action"
    )
    check = content.add_parser("validate", help="check a pack and report every problem")
    check.add_argument("path", nargs="?", type=Path, help="a track file or content folder")
    check.set_defaults(action=_content_validate)
    return parser


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "you"


def _setup_logging(settings: Settings, *, quiet: bool = False) -> None:
    from bot.ops.logs import setup_logging

    setup_logging(settings, quiet=quiet)


def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    if not (settings.discord_enabled or settings.slack_enabled):
        return _console(args)
    from adapters.serve import serve_platforms
    from bot.bootstrap import build_app

    _setup_logging(settings)

    async def go() -> None:
        app = await build_app(settings, migrate_db=args.migrate)
        try:
            await serve_platforms(app)
        finally:
            await app.close()

    asyncio.run(go())
    return 0


def _slack_manifest(args: argparse.Namespace) -> int:
    from adapters.slack.manifest import manifest_yaml

    print(manifest_yaml(url=args.url, socket_mode=args.socket), end="")
    return 0


def _discord_sync(args: argparse.Namespace) -> int:
    from adapters.discord.setup import sync_commands
    from bot.commands import build_registry

    settings = load_settings()
    names = asyncio.run(sync_commands(settings, build_registry(), guild_id=args.guild))
    where = f"in server {args.guild}" if args.guild else "globally"
    print(f"Registered {len(names)} commands {where}: " + ", ".join(f"/{n}" for n in names))
    return 0


def _discord_invite(args: argparse.Namespace) -> int:
    from adapters.discord.setup import application_id, invite_url

    client_id = args.client_id or asyncio.run(application_id(load_settings()))
    print(invite_url(client_id))
    return 0


def _console(args: argparse.Namespace) -> int:
    from adapters.console.repl import serve_console
    from bot.bootstrap import build_app
    from bot.clock import ShiftedClock

    settings = load_settings()
    _setup_logging(settings, quiet=True)

    async def go() -> None:
        app = await build_app(settings, clock=ShiftedClock(), migrate_db=args.migrate)
        try:
            await serve_console(app, member=args.member)
        finally:
            await app.close()

    asyncio.run(go())
    return 0


def _with_engine(work: str, revision: str | None = None) -> int:
    from bot.db import migrate
    from bot.db.engine import make_engine

    settings = load_settings()

    async def go() -> str | None:
        engine = make_engine(settings.database_url)
        try:
            if work == "upgrade":
                await migrate.upgrade(engine, revision or "head")
            elif work == "downgrade":
                await migrate.downgrade(engine, revision or "base")
            return await migrate.current_revision(engine)
        finally:
            await engine.dispose()

    current = asyncio.run(go())
    print(f"database at revision {current or '(empty)'}; newest is {migrate.head_revision()}")
    return 0


def _db_upgrade(args: argparse.Namespace) -> int:
    return _with_engine("upgrade", args.revision)


def _db_downgrade(args: argparse.Namespace) -> int:
    return _with_engine("downgrade", args.revision)


def _db_current(_args: argparse.Namespace) -> int:
    return _with_engine("current")


def _content_validate(args: argparse.Namespace) -> int:
    path: Path = args.path or load_settings().content_dir or SHIPPED_CONTENT_DIR
    if not path.exists():
        print(f"cohort: {path} does not exist", file=sys.stderr)
        return 2
    problems = validate_path(path)
    for problem in problems:
        print(problem)
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        print(f"\n{len(problems)} {noun} found in {path}.")
        return 1
    print(f"{path}: all good.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
