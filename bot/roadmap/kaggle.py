"""The Kaggle challenge catalogue: competitions and datasets suited to each phase."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import Field, ValidationError

from bot.roadmap.schema import Slug, Text, Url, _Strict


class ChallengeKind(StrEnum):
    COMPETITION = "competition"
    DATASET = "dataset"


class Challenge(_Strict):
    id: Slug
    title: Text
    kind: ChallengeKind
    url: Url
    phases: list[Slug] = Field(min_length=1)
    skills: list[Text] = Field(min_length=1)
    summary: Text


class ChallengeCatalogue(_Strict):
    challenges: list[Challenge] = Field(default_factory=list)

    def for_phase(self, phase_id: str) -> list[Challenge]:
        return [c for c in self.challenges if phase_id in c.phases]

    def get(self, challenge_id: str) -> Challenge | None:
        return next((c for c in self.challenges if c.id == challenge_id), None)


def load_challenges(folder: Path) -> tuple[ChallengeCatalogue, list[tuple[Path, str, str]]]:
    """Every challenge under `folder/kaggle/*.yaml`, and the problems found as
    (file, location, message)."""
    challenges: list[Challenge] = []
    problems: list[tuple[Path, str, str]] = []
    directory = folder / "kaggle" if folder.is_dir() else folder.parent / "kaggle"
    for file in sorted(directory.glob("*.yaml")) if directory.is_dir() else []:
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
            challenges += ChallengeCatalogue.model_validate(data).challenges
        except yaml.YAMLError as error:
            problems.append((file, "", f"not valid YAML: {error}"))
        except ValidationError as error:
            for item in error.errors():
                where = ".".join(str(part) for part in item["loc"])
                problems.append((file, where, str(item["msg"]).removeprefix("Value error, ")))
    seen: set[str] = set()
    for challenge in challenges:
        if challenge.id in seen:
            problems.append((directory, challenge.id, f"duplicate challenge id {challenge.id!r}"))
        seen.add(challenge.id)
    return ChallengeCatalogue(challenges=challenges), problems
