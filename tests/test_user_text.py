"""User text is text: a display name, a note, a blocker, a group name or a link somebody
typed reaches every reply and post as the words they typed, never as a link, a mention or
formatting of theirs. Each reply is rendered the way an adapter renders it (`bot.markup`),
with a style that records what became a link, code or plain text."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from bot.bootstrap import App, accountability_engine
from bot.clock import ManualClock
from bot.markup import Style, plain_text, render
from bot.messages import Actor, Invocation, OptionValue, Reply
from tests.conftest import GENERAL, Cohort
from tests.scheduler.conftest import Desk, RecordingPoster

EVIL = "evil.example"
HOSTILE = (
    "[prize](https://evil.example)",
    "**bold**",
    "<@123>",
    "@everyone",
    "<!channel>",
    "`tick` and ``two``",
    "x)**[phish](https://evil.example)",
    "_snake_case_",
)
GROUP_NAME = "[join](https://evil.example) **now**"
MEMBERS = [Actor(user_id=f"U{i}", display_name=text) for i, text in enumerate(HOSTILE, 1)]
ADMIN = Actor(user_id="U0", display_name="admin", is_admin=True)
WED = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
SAT_EVENING = datetime(2026, 11, 21, 18, 0, tzinfo=UTC)  # reminders went out at 17:00


@dataclass
class Rendered:
    """One piece of markup as a platform would get it: its plain-text runs, code spans and
    links, in order."""

    texts: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def of(cls, markup: str) -> Rendered:
        found = cls()

        def text(run: str) -> str:
            found.texts.append(run)
            return run

        def code(run: str) -> str:
            found.codes.append(run)
            return run

        def link(title: str, url: str) -> str:
            found.links.append((title, url))
            return title

        render(markup, Style(text=text, code=code, link=link, bold="", italic=""))
        return found


def pieces(reply: Reply) -> list[str]:
    return [reply.title, reply.body, *(part for f in reply.fields for part in (f.name, f.value))]


def links_in(reply: Reply) -> list[str]:
    return [url for piece in pieces(reply) for _, url in Rendered.of(piece).links]


def shows_as_typed(reply: Reply, typed: str) -> bool:
    """Whether a reader sees `typed` verbatim, and it reached the platform as plain text in
    one piece (not split by bold, a link or a code span)."""
    return any(typed in run for piece in pieces(reply) for run in Rendered.of(piece).texts)


def readable(reply: Reply) -> str:
    return "\n".join(plain_text(piece) for piece in pieces(reply))


@dataclass
class Community:
    app: App
    replies: list[Reply] = field(default_factory=list)

    async def run(self, name: str, actor: Actor, **options: OptionValue) -> Reply:
        reply = await self.app.dispatcher.run(Invocation(name, actor, GENERAL, options))
        self.replies.append(reply)
        return reply


@pytest.fixture
def desk(app: App, cohort: Cohort, clock: ManualClock) -> Desk:
    poster = RecordingPoster(clock)
    return Desk(cohort, accountability_engine(app, poster, instance="test"), poster, clock)


@pytest.fixture
async def hostile(desk: Desk, app: App, clock: ManualClock) -> Community:
    """A group with a hostile name whose members have hostile names, who each finish a step
    with a hostile note, submit a Kaggle attempt and are made group admins."""
    clock.set(WED)
    await desk.cohort.make_group(name=GROUP_NAME)
    community = Community(app)
    for member, note in zip(MEMBERS, reversed(HOSTILE), strict=True):
        await community.run("done", member, step="python-basics", note=note)
        url = f"https://www.kaggle.com/code/{member.user_id.lower()}/titanic-first"
        await community.run("kaggle submit", member, url=url, score="0.5")
        await community.run("group admin add", ADMIN, member=f"<@{member.user_id}>")
    assert not any(r.is_error for r in community.replies), [r.body for r in community.replies]
    return community


async def test_names_and_notes_in_command_replies_stay_text(hostile: Community) -> None:
    done, attempts, admins_added = (hostile.replies[i::3] for i in range(3))
    boards = [
        await hostile.run("leaderboard", ADMIN, period="week", metric=metric)
        for metric in ("steps", "streak", "kaggle")
    ]
    admins = await hostile.run("group admins", ADMIN)
    others = [
        await hostile.run("progress", ADMIN, member=f"<@{member.user_id}>") for member in MEMBERS
    ]
    by_name = await hostile.run("progress", ADMIN, member=HOSTILE[0])
    checkins = [
        await hostile.run(
            "checkin", member, finished=note, next=note, blockers=f"{note} in python-basics"
        )
        for member, note in zip(MEMBERS, HOSTILE, strict=True)
    ]

    for board in boards:
        assert shows_as_typed(board, GROUP_NAME), board.title
        for typed in HOSTILE:
            assert shows_as_typed(board, typed), (board.title, typed)
    for typed in HOSTILE:
        assert shows_as_typed(admins, typed)
    listed = plain_text(admins.body).removeprefix("Group admins: ").removesuffix(".")
    assert sorted(listed.split(", ")) == sorted(HOSTILE)
    for member, note, done_reply, attempt, added, progress, checkin in zip(
        MEMBERS,
        reversed(HOSTILE),
        done,
        attempts,
        admins_added,
        others,
        checkins,
        strict=True,
    ):
        typed = member.display_name
        assert shows_as_typed(done_reply, typed)
        assert shows_as_typed(done_reply, note)
        assert shows_as_typed(attempt, typed)
        assert shows_as_typed(added, typed)
        assert plain_text(progress.title).startswith(f"📈 {typed}'s progress")
        assert shows_as_typed(checkin, typed)  # their notes echo their own text
        assert {f.name: plain_text(f.value) for f in checkin.fields}["Blockers"] == (
            f"{typed} in python-basics"
        )
    assert shows_as_typed(by_name, HOSTILE[0])

    shown = [url for reply in hostile.replies for url in links_in(reply)]
    assert [url for url in shown if EVIL in url] == []
    attempt_links = [url for reply in attempts for url in links_in(reply)]
    assert attempt_links == [
        f"https://www.kaggle.com/code/{m.user_id.lower()}/titanic-first" for m in MEMBERS
    ], "a well-formed Kaggle link stays a link"


async def test_a_link_that_is_not_a_clean_kaggle_link_never_becomes_one(
    hostile: Community,
) -> None:
    member = MEMBERS[0]
    for url in (
        "https://www.kaggle.com/code/ana/t)**[phish](https://evil.example)",
        "https://www.kaggle.com/code/ana/t](https://evil.example)",
        "[x](https://evil.example)",
        "https://evil.example/www.kaggle.com/code/ana/t",
        "`[x](https://evil.example)`",
    ):
        reply = await hostile.run("kaggle submit", member, url=url, score="0.5")
        assert [u for u in links_in(reply) if EVIL in u] == [], (url, reply.body)
        if not reply.is_error:  # accepted as typed: then it is shown as typed, not linked
            assert url in readable(reply)


async def test_names_notes_and_group_names_in_scheduled_posts_stay_text(
    hostile: Community, desk: Desk
) -> None:
    await desk.run_until(SAT_EVENING)  # a reminder to each of them
    for member, note in zip(MEMBERS, HOSTILE, strict=True):
        reply = await hostile.run(
            "checkin", member, blockers=f"{note} with python-basics", hours="2"
        )
        assert not reply.is_error, reply.body
    await desk.run_until(WED + timedelta(days=17))  # the summary, then nudges
    posts = desk.poster.sent

    reminders = {p.to: p.reply for p in posts if p.reply.title.startswith("⏰")}
    nudges = {p.to: p.reply for p in posts if p.reply.title.startswith("👋")}
    summary = next(p.reply for p in posts if p.reply.title.startswith("📊"))
    for typed in HOSTILE:
        assert shows_as_typed(reminders[typed], typed)
        assert shows_as_typed(reminders[typed], GROUP_NAME)
        assert shows_as_typed(nudges[typed], typed)
        assert shows_as_typed(summary, typed)
    fields = {f.name: plain_text(f.value) for f in summary.fields}
    assert fields["Checked in (8 of 8)"] == ", ".join(sorted(HOSTILE, key=str.lower))
    # Each blocker with three of the seven others who finished python-basics (never its
    # author); escaped, the names take room enough that the last blocker is counted.
    *lines, more, where = fields["Blockers"].splitlines()
    assert more == "and 1 more blocker"
    assert where == "/group checkins shows every answer."
    expected = {f"{typed}: {typed} with python-basics": typed for typed in HOSTILE}
    for line in lines:
        said, _, helpers = line.partition(" · can help: ")
        assert said in expected
        assert helpers.endswith(" and 4 more")
        assert expected[said] not in helpers.removesuffix(" and 4 more").split(", ")
    assert [url for p in posts for url in links_in(p.reply) if EVIL in url] == []
    assert any("kaggle.com" in url for p in posts for url in links_in(p.reply)), (
        "the bot's own links are still links"
    )
