"""The Kaggle challenge catalogue: competitions and datasets suited to each phase, and
the shapes of Kaggle links (a competition, a notebook or a dataset)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import Field, ValidationError, model_validator

from bot.errors import UserError
from bot.markup import code
from bot.roadmap.schema import Slug, Text, Url, _Strict


class ChallengeKind(StrEnum):
    COMPETITION = "competition"
    DATASET = "dataset"


class LinkKind(StrEnum):
    COMPETITION = "competition"
    NOTEBOOK = "notebook"
    DATASET = "dataset"


KAGGLE = "https://www.kaggle.com"
# The whole link, read strictly: http(s), the host exactly kaggle.com or www.kaggle.com (no
# user, no port), path segments of letters, digits, `-` and `_`, then at most a simple
# query and fragment (dropped: a notebook version or a tab's anchor).
_LINK = re.compile(
    r"(?i:https?)://(?i:(?:www\.)?kaggle\.com)"
    r"(?P<path>(?:/[A-Za-z0-9_-]{1,64}){2,4})/?"
    r"(?:\?[A-Za-z0-9._~=&%+-]*)?(?:#[A-Za-z0-9._~=&%+-]*)?"
)
# The pages of a competition, notebook or dataset that make sense to share.
_COMPETITION_TABS = frozenset(
    {"overview", "data", "code", "models", "discussion", "leaderboard", "rules", "submissions"}
)
_NOTEBOOK_TABS = frozenset({"notebook", "input", "output", "log", "comments"})
_DATASET_TABS = frozenset({"data", "code", "discussion", "versions"})


@dataclass(frozen=True)
class KaggleLink:
    """A link to one competition (`/competitions/<slug>`, or the short `/c/<slug>`), notebook
    (`/code/<user>/<slug>`) or dataset (`/datasets/<user>/<slug>`), optionally one of its
    tabs (`/leaderboard`, `/submissions`, ...)."""

    kind: LinkKind
    owner: str  # the notebook's or dataset's author; empty for a competition
    slug: str
    tab: str = ""

    @property
    def url(self) -> str:
        """The normalised link: https, www.kaggle.com, no query or fragment."""
        section = {
            LinkKind.COMPETITION: "competitions",
            LinkKind.NOTEBOOK: "code",
            LinkKind.DATASET: "datasets",
        }[self.kind]
        parts = [KAGGLE, section, self.owner, self.slug, self.tab]
        return "/".join(part for part in parts if part)

    @property
    def subject(self) -> tuple[LinkKind, str] | None:
        """What the link is about when it names a challenge itself (a competition or a
        dataset; Kaggle compares these case-insensitively); None for a notebook."""
        if self.kind is LinkKind.NOTEBOOK:
            return None
        return self.kind, f"{self.owner}/{self.slug}".lstrip("/").lower()


def kaggle_link(text: str) -> KaggleLink | None:
    """The Kaggle link `text` is, exactly; None if it is anything else."""
    found = _LINK.fullmatch(text.strip())
    if found is None:
        return None
    section, *rest = found["path"].strip("/").split("/")
    section = section.lower()
    if section in {"competitions", "c"} and len(rest) in {1, 2}:
        return _with_tab(KaggleLink(LinkKind.COMPETITION, "", rest[0]), rest[1:], _COMPETITION_TABS)
    if section == "code" and len(rest) in {2, 3}:
        return _with_tab(KaggleLink(LinkKind.NOTEBOOK, rest[0], rest[1]), rest[2:], _NOTEBOOK_TABS)
    if section == "datasets" and len(rest) in {2, 3}:
        return _with_tab(KaggleLink(LinkKind.DATASET, rest[0], rest[1]), rest[2:], _DATASET_TABS)
    return None


def _with_tab(link: KaggleLink, tab: list[str], tabs: frozenset[str]) -> KaggleLink | None:
    if not tab:
        return link
    wanted = tab[0].lower()
    return KaggleLink(link.kind, link.owner, link.slug, wanted) if wanted in tabs else None


class Score(_Strict):
    """How a challenge is scored, and the range a real score falls in (accuracy 0 to 1, an
    error 0 upwards), so a typo like 77 for 0.77 is caught."""

    metric: Text
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Score:
        if not self.low < self.high:
            msg = f"score range {self.low}..{self.high} is empty: low must be below high"
            raise ValueError(msg)
        return self

    def plausible(self, score: float) -> bool:
        return self.low <= score <= self.high


class Challenge(_Strict):
    id: Slug
    title: Text
    kind: ChallengeKind
    url: Url
    phases: list[Slug] = Field(min_length=1)
    skills: list[Text] = Field(min_length=1)
    summary: Text
    score: Score | None = None  # None: a dataset to explore, any number may be shared

    @model_validator(mode="after")
    def _url_is_its_own_page(self) -> Challenge:
        """A competition's url is its competition page and a dataset's its dataset page, so
        an attempt's link can be checked against it."""
        link = self.link
        if link is None or link.kind.value != self.kind.value:
            example = {
                ChallengeKind.COMPETITION: "https://www.kaggle.com/competitions/titanic",
                ChallengeKind.DATASET: "https://www.kaggle.com/datasets/mlg-ulb/creditcardfraud",
            }[self.kind]
            msg = f"url {self.url!r} is not a Kaggle {self.kind.value} page, like {example}"
            raise ValueError(msg)
        return self

    @property
    def link(self) -> KaggleLink | None:
        """The challenge's own page, read as a Kaggle link."""
        return kaggle_link(self.url)


class ChallengeCatalogue(_Strict):
    challenges: list[Challenge] = Field(default_factory=list)

    def for_phase(self, phase_id: str) -> list[Challenge]:
        return [c for c in self.challenges if phase_id in c.phases]

    def get(self, challenge_id: str) -> Challenge | None:
        return next((c for c in self.challenges if c.id == challenge_id), None)

    def find(self, text: str) -> Challenge:
        """The challenge `text` names by id or title; a UserError with a suggestion."""
        wanted = text.strip().lower()
        for challenge in self.challenges:
            if wanted in {challenge.id, challenge.title.lower()}:
                return challenge
        ids = [c.id for c in self.challenges]
        guesses = difflib.get_close_matches(wanted, ids, n=1, cutoff=0.6)
        hint = f" Did you mean `{guesses[0]}`?" if guesses else ""
        msg = f"No Kaggle challenge called {code(text)}.{hint} `/kaggle` shows the current one."
        raise UserError(msg)

    def about(self, link: KaggleLink) -> Challenge | None:
        """The challenge whose own competition or dataset `link` points to."""
        if link.subject is None:
            return None
        return next(
            (c for c in self.challenges if c.link is not None and c.link.subject == link.subject),
            None,
        )


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
