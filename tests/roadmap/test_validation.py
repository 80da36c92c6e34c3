"""`cohort content validate` holds a pack to what the shipped one promises a learner: each
check below catches a pack broken in just that way, names where, and says what would be
right. Problems stop a pack from loading; gaps are reported but the pack still loads."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.roadmap.loader import ContentError, ContentProblem, load_catalog, validate_path


def question(number: int, **changes: Any) -> dict[str, Any]:
    return {
        "id": f"q{number}",
        "kind": "choice",
        "prompt": f"Question {number}?",
        "choices": ["yes", "no"],
        "answer": "yes",
        "explanation": "Because it is.",
    } | changes


def step(step_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "id": step_id,
        "title": step_id.replace("-", " ").capitalize(),
        "summary": "What it covers.",
        "why": "Why it matters.",
        "hours": 5,
        "skills": ["something"],
        "resources": [
            {
                "type": "docs",
                "title": f"{step_id} docs",
                "url": f"https://example.org/{step_id}",
                "cost": "free",
                "checked": "2026-11",
            }
        ],
        "projects": [{"title": "Build it", "description": "Build the thing."}],
        "review": [question(n) for n in (1, 2, 3)],
    } | changes


def complete_pack() -> dict[str, Any]:
    """A small track with nothing missing: it passes every check."""
    return {
        "id": "tiny",
        "title": "Tiny track",
        "summary": "Three phases, one choice.",
        "phases": [
            {
                "id": "basics",
                "title": "Basics",
                "summary": "First.",
                "steps": [step("first"), step("second", requires=["first"])],
            },
            {
                "id": "pick",
                "title": "Pick one",
                "summary": "Choose.",
                "choices": [{"id": "path", "title": "Pick one path", "at_most": 1}],
                "steps": [
                    step("left", optional=True, choice="path", requires=["second"]),
                    step("right", optional=True, choice="path"),
                ],
            },
            {
                "id": "last",
                "title": "Last",
                "summary": "Done.",
                "steps": [step("finish", requires=["first", "second"])],
            },
        ],
    }


def write(folder: Path, track: dict[str, Any], challenges: dict[str, Any] | None = None) -> Path:
    (folder / "tracks").mkdir(parents=True, exist_ok=True)
    (folder / "tracks" / "tiny.yaml").write_text(yaml.safe_dump(track), encoding="utf-8")
    if challenges is not None:
        (folder / "kaggle").mkdir(exist_ok=True)
        (folder / "kaggle" / "c.yaml").write_text(yaml.safe_dump(challenges), encoding="utf-8")
    return folder


def found(problems: list[ContentProblem]) -> dict[str, str]:
    return {problem.location: problem.message for problem in problems}


def test_the_complete_pack_passes(tmp_path: Path) -> None:
    assert validate_path(write(tmp_path, complete_pack())) == []


# Problems: the pack does not load -----------------------------------------------------------


def test_a_step_required_before_it_is_taught_is_a_problem(tmp_path: Path) -> None:
    track = complete_pack()
    track["phases"][0]["steps"][0]["requires"] = ["finish"]
    folder = write(tmp_path, track)
    problems = validate_path(folder)

    assert found(problems) == {
        "phases[0].steps[0].requires[0]": "step 'first' requires 'finish', which comes later "
        "(step 5 of 5; this is step 1): move one of them, so nothing is used before it is "
        "taught"
    }
    assert problems[0].line is not None
    assert not problems[0].gap
    with pytest.raises(ContentError):
        load_catalog(folder)


def test_a_requirement_on_no_step_or_on_an_optional_one_is_a_problem(tmp_path: Path) -> None:
    track = complete_pack()
    track["phases"][2]["steps"][0]["requires"] = ["first", "nowhere", "left"]
    problems = found(validate_path(write(tmp_path, track)))
    assert problems == {
        "phases[2].steps[0].requires[1]": "step 'finish' requires 'nowhere', which is no step here",
        "phases[2].steps[0].requires[2]": "step 'finish' requires 'left', an optional step "
        "not every learner takes",
    }


def test_an_optional_step_must_name_a_choice_its_phase_offers(tmp_path: Path) -> None:
    track = complete_pack()
    track["phases"][1]["steps"][1]["choice"] = "elsewhere"
    problems = found(validate_path(write(tmp_path, track)))
    assert problems == {
        "phases[1].steps[1].choice": "step 'right' belongs to choice 'elsewhere', which phase "
        "'pick' does not offer (it offers: 'path'); define it under the phase's `choices`"
    }


def test_a_step_in_a_choice_must_be_optional(tmp_path: Path) -> None:
    track = complete_pack()
    track["phases"][0]["steps"][0]["choice"] = "path"
    assert found(validate_path(write(tmp_path, track))) == {
        "phases[0].steps[0]": "step 'first' belongs to a choice, so it is optional: add "
        "`optional: true`"
    }


def test_a_choice_that_cannot_be_made_is_a_problem(tmp_path: Path) -> None:
    track = complete_pack()
    track["phases"][1]["choices"] = [
        {"id": "path", "title": "Pick three", "at_least": 3},
        {"id": "empty", "title": "Pick from nothing"},
    ]
    problems = found(validate_path(write(tmp_path, track)))
    assert problems == {
        "phases[1].choices[0]": "choice 'path' asks to pick 3 or more but has only 2 steps",
        "phases[1].choices[1]": "choice 'empty' has no steps: mark its steps with "
        "`optional: true` and `choice: empty`",
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"choices": ["yes"]},
            "question 'q1' has 1 choices; a multiple-choice question has 2 to 5 (one button "
            "each, and a Discord row holds five)",
        ),
        (
            {"choices": ["a", "b", "c", "d", "e", "yes"]},
            "question 'q1' has 6 choices; a multiple-choice question has 2 to 5 (one button "
            "each, and a Discord row holds five)",
        ),
        ({"answer": "maybe"}, "the answer to question 'q1' is not one of its choices"),
        ({"choices": ["yes", "Yes "]}, "question 'q1' lists the same choice twice"),
        (
            {"accept": ["y"]},
            "question 'q1' is multiple choice: its answer is one of the choices, so it takes "
            "no `accept` list",
        ),
        (
            {"kind": "short"},
            "question 'q1' is a short-answer question and has choices; make it `kind: "
            "choice`, or drop the choices",
        ),
    ],
)
def test_a_review_question_must_be_answerable(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    track = complete_pack()
    track["phases"][0]["steps"][0]["review"][0].update(change)
    assert found(validate_path(write(tmp_path, track))) == {"phases[0].steps[0].review[0]": message}


@pytest.mark.parametrize(
    ("field", "value", "where", "message"),
    [
        (
            "prompt",
            "x" * 301,
            "prompt",
            "a prompt is 301 characters long; it may have at most 300",
        ),
        (
            "explanation",
            "x" * 301,
            "explanation",
            "an explanation is 301 characters long; it may have at most 300",
        ),
        (
            "choices",
            ["yes", "n" * 76],
            "choices[1]",
            "a choice or answer (a button's text) is 76 characters long; it may have at most 75",
        ),
    ],
)
def test_review_texts_fit_where_they_are_shown(
    tmp_path: Path, field: str, value: Any, where: str, message: str
) -> None:
    track = complete_pack()
    track["phases"][0]["steps"][0]["review"][0][field] = value
    assert found(validate_path(write(tmp_path, track))) == {
        f"phases[0].steps[0].review[0].{where}": message
    }


def test_at_most_five_questions_each_with_its_own_id(tmp_path: Path) -> None:
    track = complete_pack()
    track["phases"][0]["steps"][0]["review"] = [question(n) for n in range(1, 7)]
    track["phases"][0]["steps"][1]["review"] = [question(1), question(1), question(2)]
    problems = found(validate_path(write(tmp_path, track)))
    assert problems["phases[0].steps[0].review"].startswith("List should have at most 5 items")
    assert problems["phases[0].steps[1]"] == "step 'second' has two review questions called 'q1'"


def test_a_check_date_is_a_year_and_a_month(tmp_path: Path) -> None:
    track = complete_pack()
    track["phases"][0]["steps"][0]["resources"][0]["checked"] = "2026-13"
    assert found(validate_path(write(tmp_path, track))) == {
        "phases[0].steps[0].resources[0].checked": "'2026-13' is not a year and month: write "
        "when it was checked like 2026-11"
    }


# Gaps: reported, and the pack still loads ----------------------------------------------------


def gaps_of(tmp_path: Path, track: dict[str, Any]) -> dict[str, str]:
    folder = write(tmp_path, track)
    problems = validate_path(folder)
    assert all(problem.gap and problem.line for problem in problems), problems
    load_catalog(folder)  # a gap never stops the pack from loading
    return found(problems)


def test_a_step_without_a_free_resource_is_a_gap(tmp_path: Path) -> None:
    track = complete_pack()
    track["phases"][0]["steps"][0]["resources"][0]["cost"] = "paid"
    assert gaps_of(tmp_path, track) == {
        "phases[0].steps[0].resources": "step 'first' has no free resource: list one that "
        "anyone can learn from without paying"
    }


def test_an_optional_step_in_no_choice_is_a_gap(tmp_path: Path) -> None:
    """A pack may mark a lone step optional; learners are better served by a choice that
    says what they pick from."""
    track = complete_pack()
    track["phases"][0]["steps"][1]["optional"] = True
    del track["phases"][2]["steps"][0]["requires"]  # no one else builds on it
    assert gaps_of(tmp_path, track) == {
        "phases[0].steps[1].optional": "step 'second' is optional but belongs to no choice: "
        "add `choice: <id>` of one of its phase's choices, so learners see what they pick "
        "from"
    }


def test_a_step_without_projects_is_a_gap(tmp_path: Path) -> None:
    track = complete_pack()
    track["phases"][2]["steps"][0]["projects"] = []
    assert gaps_of(tmp_path, track) == {
        "phases[2].steps[0].id": "step 'finish' has no project ideas"
    }


def test_a_step_with_too_few_review_questions_is_a_gap(tmp_path: Path) -> None:
    track = complete_pack()
    del track["phases"][0]["steps"][0]["review"]
    track["phases"][0]["steps"][1]["review"] = [question(1), question(2)]
    assert gaps_of(tmp_path, track) == {
        "phases[0].steps[0].id": "step 'first' has no review questions; give each step 3 to 5 "
        "for spaced review",
        "phases[0].steps[1].review": "step 'second' has only 2 review questions; give each "
        "step 3 to 5 for spaced review",
    }


def test_a_resource_without_a_link_or_a_check_date_is_a_gap(tmp_path: Path) -> None:
    track = complete_pack()
    resource = track["phases"][0]["steps"][0]["resources"][0]
    del resource["url"], resource["checked"]
    gaps_of(tmp_path, track)
    problems = validate_path(tmp_path)
    assert [(p.location, p.message) for p in problems] == [
        ("phases[0].steps[0].resources[0]", "resource 'first docs' has no link"),
        (
            "phases[0].steps[0].resources[0]",
            "resource 'first docs' has no check date: add the month it was last checked, "
            "like `checked: 2026-11`",
        ),
    ]


def test_the_same_link_twice_is_a_gap_however_it_is_written(tmp_path: Path) -> None:
    track = complete_pack()
    again = copy.deepcopy(track["phases"][0]["steps"][0]["resources"][0])
    again["url"] = "http://WWW.example.org/first/"  # scheme, www., case, trailing slash
    track["phases"][2]["steps"][0]["resources"].append(again)
    assert gaps_of(tmp_path, track) == {
        "phases[2].steps[0].resources[1].url": "http://WWW.example.org/first/ is also linked "
        "at phases[0].steps[0].resources[0].url: list a resource once, or link the part of it "
        "this step uses"
    }


def test_two_challenges_on_one_kaggle_page_is_a_gap(tmp_path: Path) -> None:
    def challenge(challenge_id: str) -> dict[str, Any]:
        return {
            "id": challenge_id,
            "title": challenge_id.title(),
            "kind": "competition",
            "url": "https://www.kaggle.com/competitions/titanic",
            "phases": ["basics"],
            "skills": ["classification"],
            "summary": "Who survived?",
        }

    folder = write(tmp_path, complete_pack(), {"challenges": [challenge("one"), challenge("two")]})
    [problem] = validate_path(folder)
    assert (problem.location, problem.message, problem.gap) == (
        "kaggle.two.url",
        "https://www.kaggle.com/competitions/titanic is also the page of challenge 'one'",
        True,
    )


def test_the_command_says_when_a_pack_would_still_load(tmp_path: Path) -> None:
    track = complete_pack()
    track["phases"][2]["steps"][0]["projects"] = []
    folder = write(tmp_path / "gaps", track)
    track["phases"][0]["steps"][0]["requires"] = ["finish"]
    broken = write(tmp_path / "broken", track)

    def run(path: Path) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "bot.cli", "content", "validate", str(path)]
        return subprocess.run(command, capture_output=True, text=True, check=False)

    gaps, both = run(folder), run(broken)
    assert gaps.returncode == 1
    assert "step 'finish' has no project ideas" in gaps.stdout
    assert "1 problem found" in gaps.stdout
    assert "Cohort would still load it" in gaps.stdout
    assert both.returncode == 1
    assert "2 problems found" in both.stdout
    assert "1 of them stop Cohort from loading it." in both.stdout
