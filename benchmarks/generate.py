"""Fill a database with a large, realistic community: 10,000 members in 100 study groups
with 1,000,000 progress events over the past year (a few very active members, many
occasional ones, more activity lately), plus the step progress and the study days (what
streaks are counted from) those events add up to.

    python -m benchmarks.generate --url sqlite+aiosqlite:///benchmarks/.data/cohort.db
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, text

from bot.bootstrap import build_app
from bot.clock import ManualClock
from bot.db.models import (
    Community,
    EventKind,
    Group,
    GroupMember,
    Member,
    ProgressEvent,
    StepProgress,
    StepStatus,
    StreakMark,
    StudyDay,
)
from bot.services import streaks
from bot.settings import Settings
from bot.timeutil import local_date

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # the benchmark's "now", a Wednesday
GUILD = "bench-guild"
TIMEZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Tokyo")
BATCH = 20_000


def _activity_weights(members: int, rng: random.Random) -> list[float]:
    """How active each member is: a long tail (Pareto), as in real study groups."""
    return [rng.paretovariate(1.3) for _ in range(members)]


def _member_events(
    member_id: int, count: int, steps: list[str], rng: random.Random
) -> tuple[list[dict[str, Any]], dict[str, tuple[str, datetime]]]:
    """A member's events in time order, walking the roadmap: start, finish, sometimes skip
    or reset a step and come back to it. Returns the events and each step's final state."""
    # More recent days are likelier: the square root pulls samples towards now.
    moments = sorted(NOW - timedelta(days=365 * (rng.random() ** 2)) for _ in range(count))
    events: list[dict[str, Any]] = []
    state: dict[str, tuple[str, datetime]] = {}
    position = 0
    for moment in moments:
        step = steps[position % len(steps)]
        current = state.get(step, ("not_started", moment))[0]
        roll = rng.random()
        if current in {"not_started", "reset"}:
            kind = EventKind.SKIPPED if roll < 0.05 else EventKind.STARTED
        elif current == "started":
            kind = EventKind.RESET if roll < 0.03 else EventKind.DONE
        else:  # done or skipped: move on, or now and then reset it to study again
            if roll < 0.1:
                kind = EventKind.RESET
            else:
                position += 1
                step = steps[position % len(steps)]
                kind = EventKind.STARTED
        state[step] = (kind.value, moment)
        events.append(
            {
                "member_id": member_id,
                "step_id": step,
                "kind": kind.value,
                "occurred_at": moment,
            }
        )
        if kind in {EventKind.DONE, EventKind.SKIPPED}:
            position += 1
    return events, state


async def generate(url: str, *, members: int, groups: int, events: int, seed: int) -> None:
    rng = random.Random(seed)
    app = await build_app(Settings(database_url=url), clock=ManualClock(NOW), migrate_db=True)
    track = app.catalog.default
    steps = [placed.id for placed in track.steps]
    started = time.perf_counter()
    try:
        async with app.sessions() as session, session.begin():
            if await session.scalar(text("SELECT count(*) FROM members")):
                print(f"{url} already has members; generate into an empty database")
                return
            community = Community(
                platform="discord",
                external_id=GUILD,
                name="Bench",
                created_at=NOW - timedelta(days=400),
            )
            session.add(community)
            await session.flush()
            cid = community.id
            await session.execute(
                insert(Group),
                [
                    {
                        "community_id": cid,
                        "channel_id": f"bench-{g:03d}",
                        "name": f"#study-{g:03d}",
                        "track_id": track.id,
                        "timezone": TIMEZONES[g % len(TIMEZONES)],
                        "created_at": NOW - timedelta(days=400),
                    }
                    for g in range(groups)
                ],
            )
            await session.execute(
                insert(Member),
                [
                    {
                        "community_id": cid,
                        "platform_user_id": f"user-{m:05d}",
                        "display_name": f"member{m:05d}",
                        "timezone": TIMEZONES[m % len(TIMEZONES)],
                        "privacy": "hidden" if m % 20 == 0 else "public",
                        "joined_at": NOW - timedelta(days=rng.randint(1, 380)),
                    }
                    for m in range(members)
                ],
            )
            member_ids = list(await session.scalars(text("SELECT id FROM members ORDER BY id")))
            group_ids = list(await session.scalars(text("SELECT id FROM groups ORDER BY id")))
            await session.execute(
                insert(GroupMember),
                [
                    {
                        "group_id": group_ids[i % groups],
                        "member_id": member_id,
                        "community_id": cid,
                        "joined_at": NOW - timedelta(days=380),
                    }
                    for i, member_id in enumerate(member_ids)
                ],
            )
        weights = _activity_weights(members, rng)
        total = sum(weights)
        counts = [max(1, round(events * w / total)) for w in weights]
        busiest = max(range(members), key=counts.__getitem__)
        counts[busiest] += events - sum(counts)  # exactly `events` in all
        event_rows: list[dict[str, Any]] = []
        progress_rows: list[dict[str, Any]] = []
        day_rows: list[dict[str, Any]] = []
        mark_rows: list[dict[str, Any]] = []
        written = 0
        for m, (member_id, count) in enumerate(zip(member_ids, counts, strict=True)):
            made, state = _member_events(member_id, max(count, 1), steps, rng)
            for row in made:
                row.update(community_id=cid, track_id=track.id)
            event_rows += made
            studied = _study_days(made, ZoneInfo(TIMEZONES[m % len(TIMEZONES)]))
            day_rows += [
                {"member_id": member_id, "day": day, "community_id": cid} for day in studied
            ]
            if studied:
                mark_rows.append(_mark(member_id, cid, studied))
            for step, (kind, moment) in state.items():
                status = {
                    "started": StepStatus.IN_PROGRESS,
                    "done": StepStatus.DONE,
                    "skipped": StepStatus.SKIPPED,
                    "reset": StepStatus.NOT_STARTED,
                }[kind].value
                progress_rows.append(
                    {
                        "community_id": cid,
                        "member_id": member_id,
                        "track_id": track.id,
                        "step_id": step,
                        "status": status,
                        "started_at": moment,
                        "completed_at": moment if status in {"done", "skipped"} else None,
                        "updated_at": moment,
                    }
                )
            if len(event_rows) >= BATCH:
                written += await _write(
                    app.sessions, event_rows, progress_rows, day_rows, mark_rows
                )
                event_rows, progress_rows, day_rows, mark_rows = [], [], [], []
                print(f"  {written:>9,} events", end="\r", flush=True)
        written += await _write(app.sessions, event_rows, progress_rows, day_rows, mark_rows)
        async with app.engine.connect() as connection:
            await connection.execute(text("ANALYZE"))
            await connection.commit()
    finally:
        await app.close()
    print(
        f"{members:,} members, {groups} groups, {written:,} events "
        f"in {time.perf_counter() - started:.0f} s"
    )


def _study_days(events: list[dict[str, Any]], tz: ZoneInfo) -> set[date]:
    """The member's local days on which they moved a step (a reset is not study), as the
    app records them when members act."""
    return {local_date(e["occurred_at"], tz) for e in events if e["kind"] != EventKind.RESET.value}


def _mark(member_id: int, community_id: int, studied: set[date]) -> dict[str, Any]:
    """Where the member's streak stood at their latest study day, as the app keeps it."""
    through = max(studied)
    streak = streaks.walk(streaks.NONE, min(studied), through, studied=studied)
    return {
        "member_id": member_id,
        "community_id": community_id,
        "through": through,
        "days": streak.days,
        "freezes": streak.freezes,
        "saved": ",".join(day.isoformat() for day in streak.saved),
    }


async def _write(
    sessions: Any,
    events: list[dict[str, Any]],
    progress: list[dict[str, Any]],
    days: list[dict[str, Any]],
    marks: list[dict[str, Any]],
) -> int:
    async with sessions() as session, session.begin():
        if events:
            await session.execute(insert(ProgressEvent), events)
        if progress:
            await session.execute(insert(StepProgress), progress)
        if days:
            await session.execute(insert(StudyDay), days)
        if marks:
            await session.execute(insert(StreakMark), marks)
    return len(events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="an empty (or new SQLite) database")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    asyncio.run(
        generate(
            args.url, members=args.members, groups=args.groups, events=args.events, seed=args.seed
        )
    )


if __name__ == "__main__":
    main()
