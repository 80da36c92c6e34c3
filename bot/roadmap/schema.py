"""The content-pack format: a track has phases, a phase has steps, a step has resources,
project ideas and review questions; a phase may offer choices (pick one or two of its
optional steps), and a step may require earlier ones.

It also holds what a pack must respect so that no platform refuses or cuts what Cohort
builds from it: ids short enough for every button that carries one, titles short enough for
every header that shows one, review answers short enough for a button. `bot/` never imports
the adapters, so the numbers live here, each beside the platform limit it protects;
tests/roadmap/test_platform_limits.py builds the buttons and headers at these sizes through
the adapters' own translation.

What refers across steps (a requirement, a choice) is checked by the loader, which knows
the whole track and the line each problem is on.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot.messages import ACTION_PREFIX
from bot.seals import MAC_LENGTH

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Step, phase and track ids ride in buttons. The longest button that carries one is a
# "Start" button sent by DM, whose id carries the group's sealed place (bot.seals):
#     cohort:start?step=<id>#<guild id>/<channel id>.<mac>
# Discord takes a custom_id of at most 100 characters (its components reference); guild and
# channel ids are snowflakes, 64-bit integers of at most 20 digits; the mac has 12:
#     100 - len("cohort:start?step=") - len("#") - (20 + 1 + 20 + 1 + 12)
#   = 100 - 18 - 1 - 54 = 27
# Slack carries the action id as action_id (at most 255) and the seal in the value (at most
# 2,000), so Discord is the one that binds.
DISCORD_CUSTOM_ID = 100
SNOWFLAKE_DIGITS = 20
LONGEST_BUTTON_WITH_AN_ID = f"{ACTION_PREFIX}start?step="
SEALED_PLACE = len("#") + SNOWFLAKE_DIGITS + len("/") + SNOWFLAKE_DIGITS + len(".") + MAC_LENGTH
ID_MAX = DISCORD_CUSTOM_ID - len(LONGEST_BUTTON_WITH_AN_ID) - SEALED_PLACE  # 27

# Titles appear in headers: a Slack header block holds 150 characters and a Discord embed
# title 256, where each markdown character (* _ ~ ` | < > [ ]) takes a backslash too, so a
# title may need twice its length. Step titles also name Discord autocomplete choices,
# "<title> · <id>", which hold 100 characters:
#     70 + 3 + 27 = 100
# and the longest header around one, the focus timer's "🍅 Focus: 180 minutes on <title>
# (<id>)", then takes 24 + 70 + 2 + 27 + 1 = 124 of Slack's 150, and at most
# 24 + 4 + 2 × 70 + 2 + 29 + 1 = 200 of Discord's 256.
STEP_TITLE_MAX = 70
# A track and a phase title share a header, "🗺️ <track> · <phase>" on a roadmap page:
# 3 + 60 + 3 + 60 = 126 of Slack's 150 (room for a page count), and at most
# 3 + 2 × 60 + 3 + 2 × 60 = 246 of Discord's 256.
PHASE_TITLE_MAX = 60
TRACK_TITLE_MAX = 60
# A choice's title is the first words of the "Optional" field of each of its steps (a
# field value holds 1,024 characters on Discord, 2,000 on Slack): one line.
CHOICE_TITLE_MAX = 100

# Review questions are asked one at a time, by DM or in a reply. A multiple-choice answer
# is a button: Slack's button text holds 75 characters and Discord's label 80, so 75; a
# Discord action row holds 5 buttons, so 2 to 5 choices. A short answer is typed, and
# shown back beside the right one, so it keeps the same length. Prompt and explanation
# are a sentence or two each.
REVIEW_PROMPT_MAX = 300
REVIEW_ANSWER_MAX = 75
REVIEW_EXPLANATION_MAX = 300
REVIEW_CHOICES_MIN = 2
REVIEW_CHOICES_MAX = 5
# Enough questions to review a step from more than one side, few enough for one sitting.
REVIEW_MIN = 3
REVIEW_MAX = 5

# When a resource was last checked against its page: a year and a month, like 2026-11.
CHECKED = re.compile(r"^(?P<year>20\d\d)-(?P<month>0[1-9]|1[0-2])$")


def _check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc or " " in value:
        msg = f"not a web address: {value!r} (it should start with https://)"
        raise ValueError(msg)
    return value


def _check_slug(value: str) -> str:
    if not SLUG.match(value):
        msg = f"{value!r} is not a valid id: use lowercase letters, digits and dashes"
        raise ValueError(msg)
    return value


def _id_fits_buttons(kind: str, value: str) -> str:
    if len(value) > ID_MAX:
        msg = (
            f"{kind} id {value!r} is {len(value)} characters long; an id may have at most "
            f"{ID_MAX}, so that every button carrying it fits in Discord's "
            f"{DISCORD_CUSTOM_ID}-character custom id"
        )
        raise ValueError(msg)
    return value


def _title_fits_headers(kind: str, info: ValidationInfo, value: str, limit: int) -> str:
    if len(value) > limit:
        owner = info.data.get("id")
        whose = f"{kind} {owner!r}" if isinstance(owner, str) else f"this {kind}"
        msg = (
            f"the title of {whose} is {len(value)} characters long; a {kind} title may have "
            f"at most {limit}, so that it fits in the headers that show it (Slack's hold 150 "
            "characters, Discord's 256)"
        )
        raise ValueError(msg)
    return value


def _check_month(value: str) -> str:
    if not CHECKED.match(value):
        msg = f"{value!r} is not a year and month: write when it was checked like 2026-11"
        raise ValueError(msg)
    return value


def _fits(limit: int, what: str) -> AfterValidator:
    def check(value: str) -> str:
        if len(value) > limit:
            msg = f"{what} is {len(value)} characters long; it may have at most {limit}"
            raise ValueError(msg)
        return value

    return AfterValidator(check)


Url = Annotated[str, AfterValidator(_check_url)]
Slug = Annotated[str, AfterValidator(_check_slug)]
Text = Annotated[str, Field(min_length=1)]
Month = Annotated[str, AfterValidator(_check_month)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ResourceType(StrEnum):
    BOOK = "book"
    COURSE = "course"
    VIDEO = "video"
    ARTICLE = "article"
    DOCS = "docs"
    PRACTICE = "practice"


class Cost(StrEnum):
    FREE = "free"
    PAID = "paid"


class Resource(_Strict):
    """A book, course, video, article, documentation or practice site. `cost` follows the
    rule a pack states in its header (the shipped one: free when all of the learning
    material can be used without paying); `checked` is the month someone last made sure
    the link works and the facts about it still hold."""

    type: ResourceType
    title: Text
    author: str | None = None
    url: Url | None = None
    cost: Cost = Cost.FREE
    note: str | None = None
    checked: Month | None = None


class Project(_Strict):
    title: Text
    description: Text


class QuestionKind(StrEnum):
    SHORT = "short"  # typed: the answer, or one of the accepted alternatives
    CHOICE = "choice"  # multiple choice: one of the choices, each a button


ReviewAnswer = Annotated[
    str, Field(min_length=1), _fits(REVIEW_ANSWER_MAX, "a choice or answer (a button's text)")
]


def _normal(text: str) -> str:
    """An answer as it is compared: case, surrounding spaces and repeated spaces ignored."""
    return " ".join(text.casefold().split())


class ReviewQuestion(_Strict):
    """One question for spaced review of a step, with its answer and why it is right."""

    id: Slug  # unique within its step
    kind: QuestionKind
    prompt: Annotated[str, Field(min_length=1), _fits(REVIEW_PROMPT_MAX, "a prompt")]
    choices: list[ReviewAnswer] = []
    answer: ReviewAnswer
    accept: list[ReviewAnswer] = []  # a short answer's other accepted spellings
    explanation: Annotated[
        str, Field(min_length=1), _fits(REVIEW_EXPLANATION_MAX, "an explanation")
    ]

    @field_validator("id")
    @classmethod
    def _short_id(cls, value: str) -> str:
        return _id_fits_buttons("question", value)

    @model_validator(mode="after")
    def _answerable(self) -> ReviewQuestion:
        if self.kind is QuestionKind.CHOICE:
            if not REVIEW_CHOICES_MIN <= len(self.choices) <= REVIEW_CHOICES_MAX:
                msg = (
                    f"question {self.id!r} has {len(self.choices)} choices; a multiple-choice "
                    f"question has {REVIEW_CHOICES_MIN} to {REVIEW_CHOICES_MAX} (one button "
                    "each, and a Discord row holds five)"
                )
                raise ValueError(msg)
            normal = [_normal(choice) for choice in self.choices]
            if len(set(normal)) != len(normal):
                msg = f"question {self.id!r} lists the same choice twice"
                raise ValueError(msg)
            if _normal(self.answer) not in normal:
                msg = f"the answer to question {self.id!r} is not one of its choices"
                raise ValueError(msg)
            if self.accept:
                msg = (
                    f"question {self.id!r} is multiple choice: its answer is one of the "
                    "choices, so it takes no `accept` list"
                )
                raise ValueError(msg)
        elif self.choices:
            msg = (
                f"question {self.id!r} is a short-answer question and has choices; make it "
                "`kind: choice`, or drop the choices"
            )
            raise ValueError(msg)
        return self

    @property
    def answers(self) -> tuple[str, ...]:
        """Every answer counted right: the answer, then the accepted alternatives."""
        return (self.answer, *self.accept)

    def is_right(self, given: str) -> bool:
        """Whether `given` is a right answer, ignoring case and spacing."""
        return _normal(given) in {_normal(answer) for answer in self.answers}


class Step(_Strict):
    id: Slug
    title: Text
    summary: Text
    why: Text
    hours: PositiveInt
    skills: list[Text] = Field(min_length=1)
    # Earlier steps of the track this one builds on: the loader checks that each comes
    # before it, so nothing is used before it is taught.
    requires: list[Slug] = []
    resources: list[Resource] = Field(min_length=1)
    projects: list[Project] = []
    review: list[ReviewQuestion] = Field(default_factory=list, max_length=REVIEW_MAX)
    # An optional step is one a learner chooses (a specialisation, a certification): it
    # stays out of their progress and forecast until they start it. It should belong to
    # one of its phase's choices, named by id (`content validate` says when it does not).
    optional: bool = False
    choice: Slug | None = None

    @field_validator("id")
    @classmethod
    def _short_id(cls, value: str) -> str:
        return _id_fits_buttons("step", value)

    @field_validator("title")
    @classmethod
    def _short_title(cls, value: str, info: ValidationInfo) -> str:
        return _title_fits_headers("step", info, value, STEP_TITLE_MAX)

    @model_validator(mode="after")
    def _consistent(self) -> Step:
        if self.choice is not None and not self.optional:
            msg = f"step {self.id!r} belongs to a choice, so it is optional: add `optional: true`"
            raise ValueError(msg)
        if self.id in self.requires:
            msg = f"step {self.id!r} requires itself"
            raise ValueError(msg)
        ids = [question.id for question in self.review]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            msg = f"step {self.id!r} has two review questions called {twice[0]!r}"
            raise ValueError(msg)
        return self


class Choice(_Strict):
    """A pick among a phase's optional steps, like "Pick one or two specialisations"."""

    id: Slug
    title: Annotated[str, Field(min_length=1), _fits(CHOICE_TITLE_MAX, "a choice's title")]
    at_least: NonNegativeInt = 1
    at_most: PositiveInt | None = None  # None: as many as the learner likes

    @model_validator(mode="after")
    def _ordered(self) -> Choice:
        if self.at_most is not None and self.at_least > self.at_most:
            msg = (
                f"choice {self.id!r} asks for at least {self.at_least} and at most "
                f"{self.at_most}: at_least must not be above at_most"
            )
            raise ValueError(msg)
        return self

    @property
    def pick(self) -> str:
        """How many to pick, in words: "pick 1 or 2", "pick up to 1", "pick 2"."""
        low, high = self.at_least, self.at_most
        if high is None:
            return f"pick {low} or more" if low else "pick any"
        if low == high:
            return f"pick {low}"
        if low == 0:
            return f"pick up to {high}"
        joined = " or " if high == low + 1 else " to "
        return f"pick {low}{joined}{high}"


class Phase(_Strict):
    id: Slug
    title: Text
    summary: Text
    choices: list[Choice] = []
    steps: list[Step] = Field(min_length=1)

    def choice(self, choice_id: str | None) -> Choice | None:
        """The phase's choice called `choice_id`, if it has one."""
        return next((c for c in self.choices if c.id == choice_id), None)

    @field_validator("id")
    @classmethod
    def _short_id(cls, value: str) -> str:
        return _id_fits_buttons("phase", value)

    @field_validator("title")
    @classmethod
    def _short_title(cls, value: str, info: ValidationInfo) -> str:
        return _title_fits_headers("phase", info, value, PHASE_TITLE_MAX)


class Milestone(_Strict):
    when: Text
    focus: Text
    phases: list[Slug] = []


class Timeline(_Strict):
    id: Slug
    title: Text
    hours_per_week: Text
    duration: Text
    notes: str = ""
    milestones: list[Milestone] = []


class CareerStage(_Strict):
    title: Text
    focus: Text


class TrackSpec(_Strict):
    """A track exactly as written in its YAML file."""

    id: Slug
    title: Text
    summary: Text
    audience: str = ""
    timelines: list[Timeline] = []
    career_stages: list[CareerStage] = []
    phases: list[Phase] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _short_id(cls, value: str) -> str:
        return _id_fits_buttons("track", value)

    @field_validator("title")
    @classmethod
    def _short_title(cls, value: str, info: ValidationInfo) -> str:
        return _title_fits_headers("track", info, value, TRACK_TITLE_MAX)
