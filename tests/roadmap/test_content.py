"""The shipped track loads and carries the roadmap's facts; a broken pack reports every
problem at once, with file, line and location."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.roadmap.loader import SHIPPED_CONTENT_DIR, ContentError, load_catalog, validate_path
from bot.roadmap.schema import ResourceType


@pytest.fixture(scope="module")
def track():  # type: ignore[no-untyped-def]
    return load_catalog().default


def test_the_shipped_pack_is_valid() -> None:
    assert validate_path(SHIPPED_CONTENT_DIR) == []


def test_the_track_runs_from_foundations_to_career(track) -> None:  # type: ignore[no-untyped-def]
    assert [p.id for p in track.phases] == [
        "foundations",
        "core-ml",
        "deep-learning",
        "production",
        "specialization",
        "career",
    ]
    assert len(track.steps) == 37
    assert all(placed.step.resources for placed in track.steps)


def test_every_resource_type_is_used(track) -> None:  # type: ignore[no-untyped-def]
    used = {r.type for placed in track.steps for r in placed.step.resources}
    assert used == set(ResourceType)


@pytest.mark.parametrize(
    "title",
    [
        "Python Crash Course",
        "Python for Everybody",
        "Corey Schafer's Python tutorials",
        "Essence of Linear Algebra",
        "Practical Statistics for Data Scientists",
        "StatQuest",
        "Machine Learning Specialization",
        "Machine Learning Yearning",
        "Machine Learning Crash Course",
        "Hands-On Machine Learning with Scikit-Learn, Keras, and TensorFlow",
        "CS50's Introduction to Artificial Intelligence with Python",
        "Deep Learning Specialization",
        "Practical Deep Learning for Coders",
        "MIT Introduction to Deep Learning",
        "Designing Machine Learning Systems",
        "AWS Machine Learning Foundations",
        "Reinforcement Learning Specialization",
        "Microsoft Azure AI Fundamentals",
        "Tech With Tim - TensorFlow guides",
        "Sentdex machine-learning series",
        "Applied Data Science with Python",
        "Introduction to Machine Learning",
        "Wellfound",
        "Remotive",
        "We Work Remotely",
        "MLflow documentation",
        "DVC documentation",
        "Papers with Code",
        "Google Colab",
    ],
)
def test_the_resources_the_guides_name_are_there(track, title: str) -> None:  # type: ignore[no-untyped-def]
    titles = {r.title for placed in track.steps for r in placed.step.resources}
    assert title in titles


@pytest.mark.parametrize(
    "project",
    [
        "Spam email classifier",
        "Movie recommendation system",
        "Handwritten digit recognition",
        "Sentiment analysis on tweets",
        "Fake news classifier",
        "Stock price prediction model",
        "Image recognition with CNNs",
        "LLM-powered application",
    ],
)
def test_the_project_ideas_are_there(track, project: str) -> None:  # type: ignore[no-untyped-def]
    projects = {p.title for placed in track.steps for p in placed.step.projects}
    assert project in projects


def test_timelines_and_career_stages(track) -> None:  # type: ignore[no-untyped-def]
    durations = {t.id: t.duration for t in track.spec.timelines}
    assert durations == {
        "full-time": "6-9 months",
        "part-time": "12-18 months",
        "twelve-month-plan": "12 months",
        "from-scratch": "12-24 months",
    }
    plan = next(t for t in track.spec.timelines if t.id == "twelve-month-plan")
    assert [m.when for m in plan.milestones] == [
        "Months 1-3",
        "Months 4-6",
        "Months 7-9",
        "Months 10-12",
    ]
    assert [s.title for s in track.spec.career_stages] == [
        "Junior ML Engineer",
        "Mid-level ML Engineer",
        "Senior ML Engineer",
        "Lead ML Engineer",
    ]


BROKEN = """\
id: broken-track
title: Broken
summary: A pack with one of each mistake.
phases:
  - id: basics
    title: Basics
    summary: First things.
    steps:
      - id: intro
        title: Intro
        summary: Hello.
        why: Because.
        hours: 3
        skills: [reading]
        resources:
          - type: podcast
            title: Some show
      - id: intro
        title: Intro again
        summary: Twice.
        why: Oops.
        hours: 2
        skills: [repeating]
        resources:
          - type: book
            title: A book
            url: not-a-web-address
      - id: No Spaces Allowed
        title: Missing why
        summary: Where is why?
        hours: 1
        skills: [x]
        colour: blue
        resources:
          - type: docs
            title: Docs
"""


def test_a_broken_pack_reports_every_problem_with_file_line_and_location(
    tmp_path: Path,
) -> None:
    (tmp_path / "tracks").mkdir()
    pack = tmp_path / "tracks" / "broken.yaml"
    pack.write_text(BROKEN, encoding="utf-8")

    with pytest.raises(ContentError) as caught:
        load_catalog(tmp_path)
    report = [str(p) for p in caught.value.problems]

    assert report == [
        f"{pack}:18: phases[0].steps[1].id: duplicate step id 'intro' (also phases[0].steps[0].id)",
        f"{pack}:16: phases[0].steps[0].resources[0].type: 'podcast' is not allowed here; "
        "use one of 'book', 'course', 'video', 'article', 'docs' or 'practice'",
        f"{pack}:27: phases[0].steps[1].resources[0].url: not a web address: "
        "'not-a-web-address' (it should start with https://)",
        f"{pack}:28: phases[0].steps[2].id: 'No Spaces Allowed' is not a valid id: "
        "use lowercase letters, digits and dashes",
        f"{pack}:28: phases[0].steps[2].why: this field is required",
        f"{pack}:33: phases[0].steps[2].colour: unknown field (check the spelling)",
    ]


def test_invalid_yaml_reports_the_line(tmp_path: Path) -> None:
    pack = tmp_path / "bad.yaml"
    pack.write_text("id: x\ntitle: [unclosed\nphases: []\n", encoding="utf-8")
    problems = validate_path(pack)
    assert len(problems) == 1
    assert problems[0].line is not None
    assert "not valid YAML" in problems[0].message


def test_the_validate_command_reports_and_fails(tmp_path: Path) -> None:
    pack = tmp_path / "broken.yaml"
    pack.write_text(BROKEN, encoding="utf-8")
    bad = subprocess.run(
        [sys.executable, "-m", "bot.cli", "content", "validate", str(pack)],
        capture_output=True,
        text=True,
        check=False,
    )
    good = subprocess.run(
        [sys.executable, "-m", "bot.cli", "content", "validate"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1
    assert "6 problems found" in bad.stdout
    assert "duplicate step id 'intro'" in bad.stdout
    assert good.returncode == 0
    assert "all good" in good.stdout
