"""The `cohort` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.errors import ConfigError
from bot.roadmap.loader import SHIPPED_CONTENT_DIR, validate_path
from bot.settings import Settings, load_settings

log = logging.getLogger("cohort")
# Who you are in the console unless `--as` says otherwise: a friendly name of the demo's
# own, rather than a login name (often `root` in a container) the tour cannot predict.
DEMO_MEMBER = "ana"


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
    run.add_argument(
        "--as",
        dest="member",
        default=DEMO_MEMBER,
        help=f"who you are in the console (default: {DEMO_MEMBER})",
    )
    run.set_defaults(action=_run, start=None)

    console = sub.add_parser("console", help="talk to Cohort in this terminal")
    console.add_argument(
        "--as", dest="member", default=DEMO_MEMBER, help=f"who you are (default: {DEMO_MEMBER})"
    )
    console.add_argument("--migrate", action="store_true", help="upgrade the database first")
    console.add_argument(
        "--start",
        type=_moment,
        metavar="WHEN",
        help="start the console's clock at this moment, like 2026-11-16T09:00+01:00",
    )
    console.set_defaults(action=_console)

    db = sub.add_parser("db", help="database schema").add_subparsers(
        required=True, metavar="action"
    )
    up = db.add_parser("upgrade", help="upgrade the schema (to the newest by default)")
    up.add_argument("revision", nargs="?", default="head")
    up.add_argument("-v", "--verbose", action="store_true", help="also show schema revisions")
    up.set_defaults(action=_db_upgrade)
    down = db.add_parser("downgrade", help="downgrade the schema to a revision")
    down.add_argument("revision")
    down.set_defaults(action=_db_downgrade)
    db.add_parser(
        "current", aliases=["status"], help="show the schema revision and the newest one"
    ).set_defaults(action=_db_current)

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


def _moment(text: str) -> datetime:
    """An ISO 8601 moment with its UTC offset, for `--start`."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        msg = (
            f"{text!r} is not a date and time with a UTC offset; "
            "write it like 2026-11-16T09:00+01:00 (or 2026-11-16T08:00Z for UTC)"
        )
        raise argparse.ArgumentTypeError(msg)
    return moment


def _setup_logging(settings: Settings, *, quiet: bool = False) -> None:
    from bot.ops.logs import setup_logging

    setup_logging(settings, quiet=quiet)


def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    if not (settings.discord_enabled or settings.slack_enabled):
        return _console(args)
    from adapters.serve import serve_platforms
    from bot.bootstrap import build_app, settle

    _setup_logging(settings)

    async def go() -> None:
        app = await build_app(settings, migrate_db=args.migrate)
        ready = asyncio.Event()

        async def settle_once_ready() -> None:
            await ready.wait()
            settle()  # what the bot runs on, platform clients included, is all there now

        settling = asyncio.create_task(settle_once_ready())
        try:
            await serve_platforms(app, ready=ready)
        finally:
            settling.cancel()
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
            await serve_console(app, member=args.member, start=args.start)
        finally:
            await app.close()

    asyncio.run(go())
    return 0


def _with_engine(work: str, revision: str | None = None) -> tuple[str | None, str | None]:
    """The schema revision before and after `work` (upgrade, downgrade or just looking)."""
    from bot.db import migrate
    from bot.db.engine import make_engine

    settings = load_settings()

    async def go() -> tuple[str | None, str | None]:
        engine = make_engine(settings.database_url)
        try:
            before = await migrate.current_revision(engine)
            if work == "upgrade":
                await migrate.upgrade(engine, revision or "head")
            elif work == "downgrade":
                await migrate.downgrade(engine, revision or "base")
            return before, await migrate.current_revision(engine)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def _where_data_lives() -> str:
    """The database as a person would name it: a file, or a server's database (no password)."""
    url = make_url(load_settings().database_url)
    if url.get_backend_name() == "sqlite":
        return url.database if url.database and url.database != ":memory:" else "memory"
    return f"the PostgreSQL database {url.database} on {url.host or 'this machine'}"


def _db_upgrade(args: argparse.Namespace) -> int:
    from bot.db.migrate import head_revision

    before, after = _with_engine("upgrade", args.revision)
    head, where = head_revision(), _where_data_lives()
    if after != head:  # an older revision was asked for by name
        print(f"The database in {where} is at revision {after}; this Cohort needs {head}.")
        return 0
    if before is None:
        print(f"New database ready for your study data in {where}.")
    elif before == head:
        print(f"Your study data is in {where} (up to date).")
    else:
        print(f"Updated the database in {where} for this version of Cohort; your data is kept.")
    if args.verbose:
        print(f"  schema revision {before or '(empty)'} -> {after}; newest is {head}")
    return 0


def _db_downgrade(args: argparse.Namespace) -> int:
    from bot.db.migrate import head_revision

    _before, after = _with_engine("downgrade", args.revision)
    print(
        f"The database in {_where_data_lives()} is now at revision {after or '(empty)'}; "
        f"this Cohort needs {head_revision()} (`cohort db upgrade` brings it back)."
    )
    return 0


def _db_current(_args: argparse.Namespace) -> int:
    from bot.db.migrate import head_revision

    _before, current = _with_engine("current")
    head = head_revision()
    state = "up to date" if current == head else "run `cohort db upgrade` to bring it up to date"
    print(
        f"database at revision {current or '(empty)'}; newest is {head} "
        f"({_where_data_lives()}: {state})"
    )
    return 0


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
        blocking = sum(not problem.gap for problem in problems)
        if not blocking:
            print("Cohort would still load it; each is something a learner would miss.")
        elif blocking < len(problems):
            print(f"{blocking} of them stop Cohort from loading it.")
        return 1
    print(f"{path}: all good.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
