"""The shipped track loads and carries the roadmap's facts; a broken pack reports every
problem at once, with file, line and location."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.roadmap.catalog import Track
from bot.roadmap.loader import SHIPPED_CONTENT_DIR, ContentError, load_catalog, validate_path
from bot.roadmap.schema import Cost, QuestionKind, ResourceType, ReviewQuestion


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
        "ai-engineering",
        "specialization",
        "career",
    ]
    assert len(track.steps) == 46
    assert all(placed.step.resources for placed in track.steps)


# The step ids of the track as first shipped: members' progress is stored under them.
FIRST_SHIPPED_STEPS = [
    "python-basics",
    "dev-tools",
    "linear-algebra",
    "calculus-optimization",
    "probability-statistics",
    "python-data-stack",
    "sql-databases",
    "ml-concepts",
    "supervised-learning",
    "unsupervised-learning",
    "model-evaluation",
    "feature-engineering",
    "gradient-boosting",
    "scikit-learn",
    "neural-networks",
    "pytorch",
    "computer-vision-cnns",
    "sequence-models",
    "transformers",
    "model-serving",
    "docker-kubernetes",
    "experiment-tracking",
    "cloud-ml",
    "ci-cd-monitoring",
    "data-engineering",
    "end-to-end-project",
    "llm-engineering",
    "computer-vision",
    "nlp",
    "recommender-systems",
    "reinforcement-learning",
    "portfolio",
    "networking",
    "certifications",
    "interview-prep",
    "job-search",
    "keep-learning",
]


def test_no_step_a_member_may_have_progress_on_was_renamed_or_removed(track) -> None:  # type: ignore[no-untyped-def]
    assert [step for step in FIRST_SHIPPED_STEPS if track.get(step) is None] == []


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
        "Google Colab",
        "JobHire.AI",
        "Upwork",
        "Toptal",
        "Turing",
        "Framer",
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


def test_what_was_retired_or_closed_says_so_and_names_what_replaced_it(track) -> None:  # type: ignore[no-untyped-def]
    resources = {r.title: r for placed in track.steps for r in placed.step.resources}
    links = {r.url for r in resources.values()}
    assert not any("paperswithcode.com" in (url or "") for url in links)
    trending = resources["Hugging Face Trending Papers"]
    assert "Papers with Code" in (trending.note or "")
    assert "July 2025" in (trending.note or "")
    assert "Papers with Code" in track.get("keep-learning").step.summary

    certifications = track.get("certifications").step
    assert "closed the exam in 2024" in certifications.summary  # TensorFlow Developer
    assert "retired 31 March 2026" in certifications.summary  # AWS ML Specialty
    assert "retired 30 June 2026" in certifications.summary  # Azure AI Engineer
    assert "certified-machine-learning-specialty" not in " ".join(filter(None, links))
    aws = resources["AWS Certified Machine Learning Engineer - Associate"]
    assert "Machine Learning - Specialty" in (aws.note or "")
    tensorflow = resources["DeepLearning.AI TensorFlow Developer Professional Certificate"]
    assert "closed in 2024" in (tensorflow.note or "")
    assert "AI-901" in (resources["Microsoft Azure AI Fundamentals"].note or "")


def test_every_resource_was_checked_and_has_a_link(track) -> None:  # type: ignore[no-untyped-def]
    resources = [r for placed in track.steps for r in placed.step.resources]
    assert all(r.url for r in resources)
    assert {r.checked for r in resources} == {"2026-11"}


def test_free_and_paid_follow_one_rule(track) -> None:  # type: ignore[no-untyped-def]
    """Free when all the learning material is free (a Coursera course one can audit);
    paid when learning from it costs money at all (a certification exam, a cloud service)."""
    resources = [r for placed in track.steps for r in placed.step.resources]
    coursera = [r for r in resources if "coursera.org" in (r.url or "")]
    assert len(coursera) >= 8
    assert {r.cost for r in coursera} == {Cost.FREE}
    exams = [r for r in resources if "/certification" in (r.url or "")]
    assert len(exams) >= 3
    assert {r.cost for r in exams} == {Cost.PAID}
    assert all(any(r.cost is Cost.FREE for r in placed.step.resources) for placed in track.steps)


@pytest.mark.parametrize(
    ("step", "topic"),
    [
        ("embeddings-vector-search", "vector"),
        ("rag", "retriev"),
        ("agents-tool-use", "tool"),
        ("llm-evaluation", "evaluation"),
        ("responsible-ai", "privacy"),
        ("explainability", "shap"),
        ("regularization", "cross-validation"),
        ("interview-prep", "system design"),
        ("coding-interview", "coding"),
    ],
)
def test_the_steps_an_ai_engineer_needs_in_2026(track, step: str, topic: str) -> None:  # type: ignore[no-untyped-def]
    placed = track.get(step)
    assert placed is not None
    found = placed.step
    assert topic in f"{found.title} {found.summary}".lower()
    assert not found.optional, "every learner takes it"
    assert found.hours > 0
    assert found.projects
    assert found.resources[0].cost is Cost.FREE, "free resources first"
    assert 3 <= len(found.review) <= 5


def test_the_dev_tools_step_links_what_it_promises(track) -> None:  # type: ignore[no-untyped-def]
    step = track.get("dev-tools").step
    covered = " ".join(f"{r.title} {r.note or ''}" for r in step.resources).lower()
    for promise in ("git", "bash", "pytest", "fastapi"):
        assert promise in covered


def _position(track: Track, step_id: str) -> int:
    placed = track.get(step_id)
    assert placed is not None, step_id
    return placed.index


def test_steps_come_in_an_order_a_learner_can_follow(track) -> None:  # type: ignore[no-untyped-def]
    assert _position(track, "python-data-stack") < _position(track, "linear-algebra")
    assert _position(track, "scikit-learn") < _position(track, "gradient-boosting")
    assert _position(track, "embeddings-vector-search") < _position(track, "rag")
    for placed in track.steps:
        for required in placed.step.requires:
            assert _position(track, required) < placed.index, (placed.id, required)


def test_optional_steps_belong_to_a_choice_their_phase_offers(track) -> None:  # type: ignore[no-untyped-def]
    optional = {p.id: p.choice for p in track.steps if p.step.optional}
    assert set(optional) == {
        "llm-engineering",
        "computer-vision",
        "nlp",
        "recommender-systems",
        "reinforcement-learning",
        "certifications",
    }
    specialisation = optional["nlp"]
    assert specialisation is not None
    assert (specialisation.title, specialisation.pick) == (
        "Pick one or two specialisations",
        "pick 1 or 2",
    )
    certification = optional["certifications"]
    assert certification is not None
    assert certification.pick == "pick up to 1"


def test_every_step_has_review_questions_with_answers_that_fit_a_button(track) -> None:  # type: ignore[no-untyped-def]
    for placed in track.steps:
        questions = placed.step.review
        assert 3 <= len(questions) <= 5, placed.id
        for question in questions:
            assert question.explanation
            assert question.is_right(question.answer)
            if question.kind is QuestionKind.CHOICE:
                assert question.answer in question.choices
                assert all(len(choice) <= 75 for choice in question.choices)


def test_a_short_answer_accepts_its_alternatives_whatever_the_case() -> None:
    question = ReviewQuestion(
        id="chain",
        kind=QuestionKind.SHORT,
        prompt="Which rule gives the derivative of f(g(x))?",
        answer="chain rule",
        accept=["the chain rule"],
        explanation="Backpropagation applies it layer by layer.",
    )
    assert question.is_right("  Chain   Rule ")
    assert question.is_right("THE CHAIN RULE")
    assert not question.is_right("product rule")


def test_the_kaggle_catalogue_reaches_the_later_phases() -> None:
    challenges = load_catalog().challenges
    skills = {
        phase: " ".join(s for c in challenges.for_phase(phase) for s in c.skills)
        for phase in ("deep-learning", "ai-engineering", "specialization")
    }
    assert "retrieval-augmented generation" in skills["ai-engineering"]
    assert "natural language inference" in skills["specialization"]
    assert "object detection" in skills["specialization"]
    assert "recommender systems" in skills["specialization"]
    core = " ".join(s for c in challenges.for_phase("core-ml") for s in c.skills)
    assert "gradient boosting" in core
    assert all(c.skills for c in challenges.challenges)


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
