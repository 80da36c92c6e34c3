"""/start, /done, /skip and /reset: what the member is told and what is stored."""

from __future__ import annotations

from tests.conftest import Cohort


async def test_done_marks_the_step_and_celebrates_in_the_channel(cohort: Cohort) -> None:
    reply = await cohort("/done python-basics built a quiz game")

    assert not reply.ephemeral, "finishing a step is shared with the group"
    assert "**ana** finished **Python fundamentals**" in reply.body
    assert "1 of 40 steps" in reply.body  # the path: optional steps count once started
    assert "> built a quiz game" in reply.body
    assert "Next up: **Git, the command line" in reply.body
    assert await cohort.statuses("ana") == {"python-basics": "done"}


async def test_done_offers_buttons_for_the_next_step(cohort: Cohort) -> None:
    reply = await cohort("/done python-basics")
    started = await cohort.press(reply, "Start")

    assert "Started: Git, the command line" in started.title
    assert await cohort.statuses("ana") == {"python-basics": "done", "dev-tools": "in_progress"}


async def test_start_then_done_then_reset_walks_the_states(cohort: Cohort) -> None:
    assert "Started" in (await cohort("/start linear-algebra")).title
    assert (await cohort.statuses("ana"))["linear-algebra"] == "in_progress"
    await cohort("/done linear-algebra")
    assert (await cohort.statuses("ana"))["linear-algebra"] == "done"
    reply = await cohort("/reset linear-algebra")
    assert "back to not started" in reply.body
    assert (await cohort.statuses("ana"))["linear-algebra"] == "not_started"
    assert await cohort.event_count() == 3


async def test_repeating_a_change_writes_nothing_new(cohort: Cohort) -> None:
    await cohort("/start pytorch")
    again = await cohort("/start pytorch")
    await cohort("/done pytorch")
    done_again = await cohort("/done pytorch")

    assert "already working on" in again.body
    assert "already done" in done_again.body
    assert await cohort.event_count() == 2


async def test_a_finished_step_must_be_reset_before_it_is_started_or_skipped(
    cohort: Cohort,
) -> None:
    await cohort("/done sql-databases")
    start = await cohort("/start sql-databases")
    skip = await cohort("/skip sql-databases")

    assert start.is_error
    assert "`/reset sql-databases` first" in start.body
    assert skip.is_error
    assert "already done" in skip.body
    assert (await cohort.statuses("ana"))["sql-databases"] == "done"


async def test_skip_takes_a_step_out_of_the_count(cohort: Cohort) -> None:
    def career(reply):  # type: ignore[no-untyped-def]
        return next(bar for bar in reply.progress if bar.label == "Portfolio and career")

    before = await cohort("/progress")
    reply = await cohort("/skip certifications")
    await cohort("/skip networking")
    progress = await cohort("/progress")

    assert "Skipped **Certifications (optional)**" in reply.body
    assert "2 skipped" in progress.body
    # Six steps on every path (the optional certification never counted), less networking.
    assert (career(before).total, career(progress).total) == (6, 5)


async def test_reset_of_an_untouched_step_says_there_is_nothing_to_do(cohort: Cohort) -> None:
    reply = await cohort("/reset nlp")
    assert "nothing to reset" in reply.body
    assert await cohort.event_count() == 0


async def test_a_step_can_be_named_by_its_title(cohort: Cohort) -> None:
    await cohort("/start Probability and statistics")
    assert await cohort.statuses("ana") == {"probability-statistics": "in_progress"}


async def test_unknown_step_suggests_the_closest_one(cohort: Cohort) -> None:
    reply = await cohort("/done pyton-basics")

    assert reply.is_error
    assert reply.ephemeral
    assert "No step called `pyton-basics`" in reply.body
    assert "Did you mean `python-basics`?" in reply.body
    assert "`/roadmap` lists them all" in reply.body
    assert await cohort.event_count() == 0


async def test_missing_step_shows_the_usage(cohort: Cohort) -> None:
    for command in ("/start", "/done", "/skip", "/reset"):
        reply = await cohort(command)
        assert reply.is_error
        assert f"`{command}` needs a step" in reply.body
        assert f"Usage: `{command} <step>" in reply.body


async def test_a_note_that_is_too_long_is_refused_and_nothing_is_stored(cohort: Cohort) -> None:
    reply = await cohort("/done python-basics " + "x" * 501)

    assert reply.is_error
    assert "too long (501 characters); keep it under 500" in reply.body
    assert await cohort.event_count() == 0
    assert await cohort.statuses("ana") == {}


async def test_extra_words_after_a_step_still_point_to_the_step(cohort: Cohort) -> None:
    reply = await cohort("/start python-basics right now")
    assert reply.is_error
    assert "Did you mean `python-basics`?" in reply.body


async def test_extra_words_after_a_choice_are_refused_with_the_usage(cohort: Cohort) -> None:
    reply = await cohort("/leaderboard week steps please")
    assert reply.is_error
    assert "got more than it takes. Usage: `/leaderboard [week|month|all]" in reply.body
