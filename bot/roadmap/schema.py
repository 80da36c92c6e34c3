"""The content-pack format: a track has phases, a phase has steps, a step has resources."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PositiveInt

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


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


class Phase(_Strict):
    id: Slug
    title: Text
    summary: Text
    steps: list[Step] = Field(min_length=1)


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
