"""/roadmap, /step and /next."""

from __future__ import annotations

from tests.conftest import Cohort


async def test_roadmap_shows_the_callers_phase_and_a_bar_for_every_phase(cohort: Cohort) -> None:
    await cohort("/done python-basics")
    await cohort("/done dev-tools")
    reply = await cohort("/roadmap")

    assert reply.title == "🗺️ Machine Learning Engineer"
    assert [bar.label for bar in reply.progress] == [
        "1. Foundations",
        "2. Core machine learning",
        "3. Deep learning",
        "4. Production and MLOps",
        "5. AI engineering with LLMs",
        "6. Specialisation",
        "7. Portfolio and career",
    ]
    assert (reply.progress[0].done, reply.progress[0].total) == (2, 7)
    assert "You've done **2 of 40** steps (5%)" in reply.body  # optional ones left out
    foundations = reply.fields[0]
    assert foundations.name == "1. Foundations · 2/7"
    assert "✅ `python-basics` Python fundamentals" in foundations.value
    assert "⬜ `linear-algebra` Linear algebra" in foundations.value


async def test_roadmap_shows_timelines_and_career_path(cohort: Cohort) -> None:
    text = await cohort.text("/roadmap ml-engineer")
    assert "Part-time, 10-15 hours a week: 12-18 months" in text
    assert "Full-time learner: 6-9 months" in text
    assert "Junior ML Engineer → Mid-level ML Engineer → Senior ML Engineer" in text


async def test_roadmap_progress_is_per_member(cohort: Cohort) -> None:
    await cohort("/done python-basics", as_="ana")
    reply = await cohort("/roadmap", as_="ben")
    assert reply.progress[0].done == 0


async def test_unknown_track_names_the_tracks_there_are(cohort: Cohort) -> None:
    reply = await cohort("/roadmap ml-enginer")
    assert reply.is_error
    assert "No track called `ml-enginer`. Did you mean `ml-engineer`?" in reply.body


async def test_step_shows_summary_why_resources_by_type_and_projects(cohort: Cohort) -> None:
    reply = await cohort("/step python-basics")
    fields = {f.name: f.value for f in reply.fields}

    assert reply.title == "Python fundamentals"
    assert "**Why it matters:**" in reply.body
    assert "Python Crash Course" in fields["Books"]
    assert "by Eric Matthes" in fields["Books"]
    assert (
        "[Python for Everybody](https://www.coursera.org/specializations/python)"
        in (fields["Courses"])
    )
    assert "Corey Schafer" in fields["Videos"]
    assert "Study-log command-line tool" in fields["Project ideas"]
    assert fields["You"] == "not started"
    assert [b.label for b in reply.buttons] == ["Start", "Done"]


async def test_step_buttons_follow_the_members_state(cohort: Cohort) -> None:
    await cohort("/start dev-tools")
    started = await cohort("/step dev-tools")
    await cohort("/done dev-tools")
    finished = await cohort("/step dev-tools")

    assert [b.label for b in started.buttons] == ["Done"]
    assert finished.buttons == ()
    assert {f.name: f.value for f in finished.fields}["You"] == "✅ done"


async def test_pressing_done_on_a_step_marks_it(cohort: Cohort) -> None:
    reply = await cohort("/step linear-algebra")
    done = await cohort.press(reply, "Done")
    assert "finished **Linear algebra**" in done.body
    assert await cohort.statuses("ana") == {"linear-algebra": "done"}


async def test_step_with_an_unknown_id_suggests_one(cohort: Cohort) -> None:
    reply = await cohort("/step transformer")
    assert reply.is_error
    assert "Did you mean `transformers`?" in reply.body


async def test_next_is_the_first_unfinished_step_with_one_resource(cohort: Cohort) -> None:
    first = await cohort("/next")
    assert first.title == "Next up: Python fundamentals"
    # The step's first resource is a paid book; a free one comes first.
    start_with = {f.name: f.value for f in first.fields}["Start with"]
    assert "Python for Everybody" in start_with
    assert "· free" in start_with

    await cohort("/done python-basics")
    await cohort("/skip dev-tools")
    await cohort("/start python-data-stack")
    after = await cohort("/next")
    assert after.title == "Keep going with NumPy, Pandas and plotting"


async def test_next_mentions_other_steps_in_progress(cohort: Cohort) -> None:
    await cohort("/start pytorch")
    reply = await cohort("/next")
    assert {f.name: f.value for f in reply.fields}["Also in progress"] == "`pytorch`"


async def test_next_after_the_whole_track_congratulates(cohort: Cohort) -> None:
    for placed in cohort.app.catalog.default.steps:
        await cohort(f"/skip {placed.id}")
    reply = await cohort("/next")
    assert "finished the whole roadmap" in reply.title


async def test_a_typo_in_one_word_of_a_step_id_is_still_recognised(cohort: Cohort) -> None:
    reply = await cohort("/step pythn")
    assert "Did you mean `python-basics`?" in reply.body


async def test_optional_steps_are_marked_with_the_choice_they_belong_to(cohort: Cohort) -> None:
    specialisation = (await cohort("/roadmap phase:specialisation")).fields[0]
    assert "⬜ `reinforcement-learning` Reinforcement learning · _optional_" in specialisation.value
    foundations = (await cohort("/roadmap phase:foundations")).fields[0]
    assert "optional" not in foundations.value
    step = await cohort("/step nlp")
    optional = {f.name: f.value for f in step.fields}["Optional"]
    assert optional.startswith("Pick one or two specialisations.")
