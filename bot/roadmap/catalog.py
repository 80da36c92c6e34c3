"""Tracks as the rest of the bot reads them: ordered steps, lookups, "did you mean"."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.errors import UserError
from bot.markup import code
from bot.roadmap.kaggle import ChallengeCatalogue
from bot.roadmap.schema import Choice, Phase, Step, TrackSpec

CLOSE_ENOUGH = 0.75  # difflib ratio from which a word is taken for a typo of another


@dataclass(frozen=True)
class PlacedStep:
    """A step with where it sits: its phase and its position in the whole track."""

    step: Step
    phase: Phase
    index: int

    @property
    def id(self) -> str:
        return self.step.id

    @property
    def choice(self) -> Choice | None:
        """The choice an optional step belongs to ("Pick one or two specialisations")."""
        return self.phase.choice(self.step.choice)


class Track:
    def __init__(self, spec: TrackSpec, *, source: Path) -> None:
        self.spec = spec
        self.source = source
        self.steps: tuple[PlacedStep, ...] = tuple(
            PlacedStep(step, phase, index)
            for index, (phase, step) in enumerate(
                (phase, step) for phase in spec.phases for step in phase.steps
            )
        )
        self._by_id = {placed.id: placed for placed in self.steps}

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def phases(self) -> list[Phase]:
        return self.spec.phases

    def get(self, step_id: str) -> PlacedStep | None:
        return self._by_id.get(step_id)

    def find_step(self, text: str) -> PlacedStep:
        """The step `text` names (its id or its exact title), or a UserError that suggests
        the closest ones."""
        wanted = text.strip().strip("`").lower()
        if not wanted:
            msg = "Which step? Give its id, like `python-basics`. `/roadmap` lists them all."
            raise UserError(msg)
        if wanted in self._by_id:
            return self._by_id[wanted]
        for placed in self.steps:
            if placed.step.title.lower() == wanted:
                return placed
        guesses = self.suggest(wanted)
        hint = f" Did you mean `{guesses[0]}`?" if guesses else ""
        msg = f"No step called {code(text)} in {self.title}.{hint} `/roadmap` lists them all."
        raise UserError(msg)

    def suggest(self, text: str, limit: int = 1) -> list[str]:
        """Step ids close to a mistyped `text`: compared with each id and title, and with
        their single words, so `pythn` finds `python-basics`; ties go to the earlier step."""
        wanted = text.lower().strip()
        forms = {wanted, *wanted.split()[:1]}  # "python-basics right now" counts its first word
        scored = []
        for index, placed in enumerate(self.steps):
            title = placed.step.title.lower()
            candidates = [placed.id, *placed.id.split("-"), title, *title.split()]
            score = max(
                difflib.SequenceMatcher(None, form, c).ratio() for form in forms for c in candidates
            )
            if score >= CLOSE_ENOUGH:
                scored.append((-score, index, placed.id))
        found = [step_id for _, _, step_id in sorted(scored)]
        if not found:
            found = [p.id for p in self.steps if wanted in p.id or wanted in p.step.title.lower()]
        return list(dict.fromkeys(found))[:limit]

    def search(self, text: str, limit: int = 25) -> list[PlacedStep]:
        """Steps whose id or title contains `text`, in roadmap order (for autocomplete)."""
        wanted = text.strip().lower()
        return [p for p in self.steps if wanted in p.id or wanted in p.step.title.lower()][:limit]

    def phase_steps(self, phase_id: str) -> list[PlacedStep]:
        return [p for p in self.steps if p.phase.id == phase_id]


class Catalog:
    """Every track the bot knows, the first one being the default."""

    def __init__(
        self, tracks: Iterable[Track], challenges: ChallengeCatalogue | None = None
    ) -> None:
        self._tracks = {track.id: track for track in tracks}
        self.challenges = challenges or ChallengeCatalogue()
        if not self._tracks:
            msg = "a catalog needs at least one track"
            raise ValueError(msg)

    @property
    def tracks(self) -> list[Track]:
        return list(self._tracks.values())

    @property
    def default(self) -> Track:
        return next(iter(self._tracks.values()))

    def get(self, track_id: str) -> Track | None:
        return self._tracks.get(track_id)

    def track_or_default(self, track_id: str) -> Track:
        """The track a group or a session names, or the default one when the community's
        content no longer has it."""
        return self._tracks.get(track_id) or self.default

    def find(self, text: str) -> Track:
        wanted = text.strip().lower()
        if wanted in self._tracks:
            return self._tracks[wanted]
        guesses = difflib.get_close_matches(wanted, list(self._tracks), n=1, cutoff=0.5)
        known = ", ".join(f"`{t}`" for t in self._tracks)
        hint = f" Did you mean `{guesses[0]}`?" if guesses else ""
        msg = f"No track called {code(text)}.{hint} Tracks: {known}."
        raise UserError(msg)
