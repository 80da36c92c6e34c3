"""Posts matched to the people in the group: the daily resource follows the phases its
learners are in, free resources first; Kaggle prompts never run ahead of the group."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.db.models import Group
from bot.messages import Place
from bot.roadmap.kaggle import ChallengeCatalogue
from bot.services import kaggle
from tests.scheduler.conftest import Desk

WED_0700 = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
FOUNDATIONS = "📚 Today's resource · Foundations"
DEEP = "📚 Today's resource · Deep learning"
NEAR_FOUNDATIONS = {"titanic", "spaceship-titanic", "house-prices"}


async def _group(desk: Desk) -> None:
    desk.clock.set(WED_0700)
    await desk.cohort("/group setup ml-engineer Europe/Berlin", as_="admin")


async def _finish_phases(desk: Desk, who: str, *phases: str) -> None:
    track = desk.cohort.app.catalog.default
    for phase in phases:
        for placed in track.phase_steps(phase):
            await desk.cohort(f"/done {placed.id}", as_=who)


def _challenges(desk: Desk) -> list[str]:
    catalogue = desk.cohort.app.catalog.challenges
    found = []
    for post in desk.poster.titled("🏁"):
        title = post.reply.body.split("]")[0].removeprefix("**[")
        found.append(next(c.id for c in catalogue.challenges if c.title == title))
    return found


async def test_the_daily_resource_follows_every_phase_learners_are_in(desk: Desk) -> None:
    await _group(desk)
    for name in ("ana", "ben", "cy"):
        await desk.cohort("/log 30m", as_=name)  # learners on their foundations
    await _finish_phases(desk, "dee", "foundations", "core-ml")  # two phases ahead
    await desk.cohort("/me role organiser", as_="olga")  # counts for nothing
    await desk.run_until(WED_0700 + timedelta(days=7, hours=1))
    daily = desk.poster.titled("📚")
    assert [p.reply.title for p in daily] == [
        FOUNDATIONS,  # three learners in foundations, one in deep learning: 3 turns to 1
        FOUNDATIONS,
        DEEP,
        FOUNDATIONS,
        FOUNDATIONS,
        FOUNDATIONS,
        DEEP,
        FOUNDATIONS,
    ]
    firsts = [p.reply.body.split("\n")[0] for p in daily]
    assert len(set(firsts)) == len(firsts), "no resource twice"
    assert all(" · free" in line for line in firsts), "free ones first"
    # Kaggle keeps to the phase most learners are in, or the next: not dee's.
    assert _challenges(desk) == ["titanic"]


async def test_groups_said_in_one_sweep_each_follow_their_own_learners(desk: Desk) -> None:
    """A sweep says every group's resource from one read for all of them; what each
    group reads is still its own: its learners' phases and its own posts so far."""
    await _group(desk)
    here = desk.cohort.place
    ahead = Place(here.platform, here.workspace_id, "ahead-channel")
    await desk.cohort("/group setup ml-engineer Europe/Berlin", as_="admin", place=ahead)
    for name in ("ana", "ben", "cy"):
        await desk.cohort("/log 30m", as_=name)  # here: three learners on foundations
    await _finish_phases(desk, "dee", "foundations", "core-ml")  # and one two phases on
    track = desk.cohort.app.catalog.default
    for name in ("eve", "fay"):  # the other group: both in deep learning
        for phase in ("foundations", "core-ml"):
            for placed in track.phase_steps(phase):
                await desk.cohort(f"/done {placed.id}", as_=name, place=ahead)
    await desk.run_until(WED_0700 + timedelta(days=7, hours=1))
    daily = desk.poster.titled("📚")
    mine = [p.reply.title for p in daily if p.place.channel_id == here.channel_id]
    theirs = [p.reply.title for p in daily if p.place.channel_id == ahead.channel_id]
    assert mine == [FOUNDATIONS, FOUNDATIONS, DEEP, FOUNDATIONS] * 2
    assert theirs == [DEEP] * 8
    for channel in (here.channel_id, ahead.channel_id):
        firsts = [p.reply.body.split("\n")[0] for p in daily if p.place.channel_id == channel]
        assert len(set(firsts)) == len(firsts), "no resource twice in a group"
    same_day = {p.at for p in daily if p.place.channel_id == here.channel_id}
    assert same_day == {p.at for p in daily if p.place.channel_id == ahead.channel_id}


async def test_paid_resources_come_after_the_free_ones_of_a_phase(desk: Desk) -> None:
    await _group(desk)
    pool = [
        resource
        for placed in desk.cohort.app.catalog.default.phase_steps("foundations")
        for resource in placed.step.resources
    ]
    paid = sum(r.cost.value == "paid" for r in pool)
    await desk.run_until(WED_0700 + timedelta(days=len(pool) - 1, hours=1))
    costs = [" · paid" in p.reply.body.split("\n")[0] for p in desk.poster.titled("📚")]
    assert len(costs) == len(pool)
    assert costs == [False] * (len(pool) - paid) + [True] * paid


async def test_a_group_still_in_foundations_never_gets_a_production_challenge(
    desk: Desk,
) -> None:
    await _group(desk)
    for name in ("ana", "ben"):
        await desk.cohort("/log 1h", as_=name)
    await _finish_phases(desk, "cy", "foundations", "core-ml", "deep-learning")  # far ahead
    await desk.run_until(WED_0700 + timedelta(weeks=10))
    posted = _challenges(desk)
    assert len(posted) == 10
    assert set(posted) == NEAR_FOUNDATIONS, "the three that fit, in turn; nothing else"
    assert posted[:3] == ["titanic", "spaceship-titanic", "house-prices"]


async def test_kaggle_prompts_move_on_with_the_group(desk: Desk) -> None:
    await _group(desk)
    for name in ("ana", "ben"):
        await _finish_phases(desk, name, "foundations", "core-ml")
    await desk.run_until(WED_0700 + timedelta(weeks=3))
    # In deep learning now: its challenges, then the next phase's (production). Not those
    # that belong to a specialisation too, which comes after production.
    assert _challenges(desk) == ["digit-recognizer", "store-sales", "credit-card-fraud"]


async def test_no_challenge_is_posted_when_none_fits(desk: Desk) -> None:
    await _group(desk)
    app = desk.cohort.app
    track = app.catalog.default
    far_ahead = ChallengeCatalogue(
        challenges=[c for c in app.catalog.challenges.challenges if c.id == "store-sales"]
    )
    async with app.sessions() as session:
        group = await session.scalar(select(Group))
        assert group is not None
        found = await kaggle.challenge_for(session, group, far_ahead, track, track.phases[0])
        fitting = await kaggle.challenge_for(session, group, far_ahead, track, track.phases[2])
    assert found is None, "no 'any challenge' fallback"
    assert fitting is not None
    assert fitting.id == "store-sales"
