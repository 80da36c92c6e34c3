"""The content-pack format: a track has phases, a phase has steps, a step has resources.

It also holds what a pack must respect so that no platform refuses or cuts what Cohort
builds from it: ids short enough for every button that carries one, titles short enough for
every header that shows one. `bot/` never imports the adapters, so the numbers live here,
each beside the platform limit it protects; tests/roadmap/test_platform_limits.py builds the
buttons and headers at these sizes through the adapters' own translation.
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
    PositiveInt,
    ValidationInfo,
    field_validator,
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


Url = Annotated[str, AfterValidator(_check_url)]
Slug = Annotated[str, AfterValidator(_check_slug)]
Text = Annotated[str, Field(min_length=1)]


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
    type: ResourceType
    title: Text
    author: str | None = None
    url: Url | None = None
    cost: Cost = Cost.FREE
    note: str | None = None


class Project(_Strict):
    title: Text
    description: Text


class Step(_Strict):
    id: Slug
    title: Text
    summary: Text
    why: Text
    hours: PositiveInt
    skills: list[Text] = Field(min_length=1)
    resources: list[Resource] = Field(min_length=1)
    projects: list[Project] = []
    # An optional step is one a learner chooses (a specialisation, a certification): it
    # stays out of their progress and forecast until they start it.
    optional: bool = False
    choice: str | None = None  # which choice it belongs to, like "pick one or two"

    @field_validator("id")
    @classmethod
    def _short_id(cls, value: str) -> str:
        return _id_fits_buttons("step", value)

    @field_validator("title")
    @classmethod
    def _short_title(cls, value: str, info: ValidationInfo) -> str:
        return _title_fits_headers("step", info, value, STEP_TITLE_MAX)


class Phase(_Strict):
    id: Slug
    title: Text
    summary: Text
    steps: list[Step] = Field(min_length=1)

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
