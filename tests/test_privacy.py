"""Hidden means hidden everywhere: a member who chose `/me privacy hidden` is named in no
scheduled post and in no reply anyone else sees, however much they do; counts that include
them say "privately". Their own replies still answer them, privately."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from bot.bootstrap import App, accountability_engine
from bot.clock import ManualClock
from bot.markup import plain_text
from bot.messages import Actor, Place, Platform, Reply
from bot.scheduler.calendar import Kind
from tests.conftest import GENERAL, Cohort
from tests.scheduler.conftest import Desk, RecordingPoster

HIDDEN = Actor(user_id="U777", display_name="Quillon")  # the id never spells the name
MENTION = "<@U777>"
ELSEWHERE = Place(Platform.DISCORD, "guild-1", "random")  # not a group: community-wide
WED = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
KIND_OF_TITLE = {
    "📚": Kind.DAILY,
    "📝": Kind.CHECKIN,
    "📊": Kind.SUMMARY,
    "🏁": Kind.KAGGLE,
    "⏰": Kind.REMINDER,
    "👋": Kind.NUDGE,
    "🍅": Kind.FOCUS,
    "🧠": Kind.REVIEW,
    "🆘": Kind.HELP_POST,
    "🤝": Kind.HELP_DM,
    "🙌": Kind.HELP_NEWS,
}


@dataclass
class Seen:
    """Every reply, with who asked for it, in order."""

    replies: list[tuple[str, Reply]] = field(default_factory=list)


def words(reply: Reply) -> str:
    """Everything a reader of `reply` can see, as plain text."""
    parts = [reply.title, reply.body, *(f"{f.name}\n{f.value}" for f in reply.fields)]
    parts += [b.label for b in reply.buttons]
    if reply.image is not None:
        parts.append(reply.image.alt_text)
    return "\n".join(plain_text(part) for part in parts)


def names_hidden(text: str) -> bool:
    return HIDDEN.display_name.lower() in text.lower()


@pytest.fixture
def desk(app: App, cohort: Cohort, clock: ManualClock) -> Desk:
    cohort.admins.add("admin")
    poster = RecordingPoster(clock)
    return Desk(cohort, accountability_engine(app, poster, instance="test"), poster, clock)


async def test_a_hidden_member_who_does_everything_is_never_named_to_anyone_else(
    desk: Desk, app: App, clock: ManualClock
) -> None:
    seen = Seen()

    async def run(line: str, *, as_: str, place: Place = GENERAL) -> Reply:
        actor = HIDDEN if as_ == HIDDEN.display_name else desk.cohort.actor(as_)
        reply = await app.dispatcher.run_line(line, actor=actor, place=place)
        reply = await reply.drawn()  # its picture's alt text is read too
        assert not reply.is_error or "private" in reply.body, reply.body
        seen.replies.append((as_, reply))
        return reply

    hidden = HIDDEN.display_name
    clock.set(WED)
    await desk.cohort.make_group(name="#ml-study")
    await run("/me privacy hidden", as_=hidden)
    for name in ("ana", "ben", "cy"):
        await run("/next", as_=name)
    # The hidden member does everything there is to do, and is a group admin.
    await run("/group admin add ana", as_="admin")
    await run(f"/group admin add {MENTION}", as_="admin")
    again = await run(f"/group admin add {MENTION}", as_="admin")
    own_done = await run("/done python-basics built a quiz game", as_=hidden)
    await run("/done dev-tools", as_=hidden)
    await run(
        "/checkin finished: linear-algebra next: sql-databases blockers: stuck on sql-databases "
        "hours: 5",
        as_=hidden,
    )
    own_attempt = await run(
        "/kaggle submit https://www.kaggle.com/code/quillon/titanic-first 0.81", as_=hidden
    )
    # Others do some of it, and their blockers name steps only the hidden member finished
    # (linear-algebra), or that a public member finished too (python-basics).
    await run("/done python-basics", as_="ana")
    await run("/checkin blockers: lost in linear-algebra", as_="ana")
    await run("/checkin blockers: python-basics loops hours: 2", as_="ben")
    await run("/kaggle submit https://www.kaggle.com/code/ben/titanic-v1 0.7", as_="ben")
    # Help: the hidden member mentors (and is never asked), asks (and is never named), and
    # offers to help ana (who hears "someone"); ana mentors, and is asked.
    await run("/me mentor on", as_=hidden)
    await run("/me mentor on", as_="ana")
    await run("/stuck python-basics what is a list comprehension for?", as_=hidden)
    await run("/offer 1", as_=hidden)  # ana's blocker, about linear algebra
    await desk.engine.run_due()  # the questions posted, mentors asked, ana told
    clock.set(WED + timedelta(days=1))
    await run("/start sql-databases", as_=hidden)  # a two-day streak
    clock.set(WED + timedelta(days=2))
    await run("/done sql-databases", as_=hidden)  # three days
    await run("/focus 25", as_=hidden)
    clock.set(WED + timedelta(days=2, minutes=25))
    await desk.engine.run_due()  # the session ends: a DM to them alone

    # Everything that names other members, asked by others.
    boards = [
        await run(f"/leaderboard {period} {metric}", as_=asker, place=place)
        for period in ("week", "month", "all")
        for metric in ("steps", "streak", "kaggle", "helped")
        for asker, place in (("ana", GENERAL), ("cy", ELSEWHERE))
    ]
    await run(f"/progress {MENTION}", as_="ana")
    await run("/progress ana", as_="ben")
    admins = await run("/group admins", as_="ben")
    await run("/group show", as_="ben")
    await run("/kaggle", as_="ben")
    own_board = await run("/leaderboard week streak", as_=hidden)
    await run(f"/group admin remove {MENTION}", as_="admin")

    # Two and a half weeks of posts: every kind the scheduler has.
    await desk.run_until(WED + timedelta(days=18))
    posts = desk.poster.sent
    kinds = {KIND_OF_TITLE.get(p.reply.title[:1]) for p in posts}
    assert kinds == set(Kind), "the walk must cover every kind of scheduled post"

    others_see = [
        (f"a reply to {who}", reply)
        for who, reply in seen.replies
        if who != hidden or not reply.ephemeral
    ]
    others_see += [
        (f"{p.reply.title} to {p.to or 'the channel'}", p.reply) for p in posts if p.to != hidden
    ]
    leaks = [where for where, reply in others_see if names_hidden(words(reply))]
    assert leaks == []

    # The hidden member's own doings are answered to them alone, and still make sense.
    assert own_done.ephemeral
    assert "finished **Python fundamentals**" in own_done.body
    assert own_attempt.ephemeral
    assert own_board.ephemeral
    assert "You're hidden from leaderboards" in own_board.body
    assert all(hidden not in words(b) for b in boards)
    assert "That member already helps run this group." in again.body
    assert plain_text(admins.body) == "Group admins: ana and 1 member privately."
    news = next(p.reply for p in posts if p.reply.title.startswith("🙌") and p.to == "ana")
    assert plain_text(news.body).startswith("Someone in your group will help")
    asked = [p for p in posts if p.reply.title.startswith("🤝")]
    assert hidden not in {p.to for p in asked}, "a hidden mentor is never asked"
    assert any(
        plain_text(p.reply.body).startswith("Hi ana! A member who keeps their progress private")
        for p in asked
    ), "the hidden member's own question reached ana without their name"
    nudges = [p for p in posts if p.reply.title.startswith("👋") and p.to == hidden]
    assert nudges, "a DM to the hidden member may still greet them"
    assert names_hidden(nudges[0].reply.body)

    # The summary counts what the hidden member did without naming them.
    summary = next(p.reply for p in posts if p.reply.title.startswith("📊"))
    fields = {f.name: plain_text(f.value) for f in summary.fields}
    assert fields["Checked in (3 of 3, 1 privately)"] == "ana, ben and 1 member privately"
    assert fields["Who studied (3)"].splitlines() == [
        "ana · ✅ Python fundamentals",
        "ben · 2 h",
        "and 1 member privately",
    ]
    assert fields["Blockers"].splitlines() == [
        "ana: lost in linear-algebra",
        "ben: python-basics loops · can help: ana",
        "and 1 blocker privately",
    ]
    assert fields["Kaggle attempts"].splitlines() == [
        "ben: titanic (0.7)",
        "and 1 attempt privately",
    ]
    assert fields["This week's leaderboard (steps)"].splitlines() == ["1. ana · 1"]
