"""Loading content packs, reporting every problem in them at once.

Two levels. A problem stops a pack from loading: it breaks the schema, or refers to what is
not there or not yet taught (a duplicate id, a step that requires a later one, a choice the
phase does not offer). A gap leaves the pack usable but short of what a learner should get
(a step with no free resource, no project ideas or too few review questions, an optional
step in no choice, a resource without a link or a check date, the same link twice);
`cohort content validate` reports gaps too, and the shipped pack has none."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from pydantic import ValidationError

from bot.roadmap.catalog import Catalog, Track
from bot.roadmap.kaggle import ChallengeCatalogue, load_challenges
from bot.roadmap.schema import REVIEW_MAX, REVIEW_MIN, Cost, TrackSpec

SHIPPED_CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class ContentProblem:
    file: Path
    location: str
    message: str
    line: int | None = None
    gap: bool = False  # found only by the full check: Cohort still loads the pack

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        loc = f" {self.location}:" if self.location else ""
        return f"{where}:{loc} {self.message}"


class ContentError(Exception):
    """A pack has problems; `problems` lists every one of them."""

    def __init__(self, problems: list[ContentProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def track_files(path: Path) -> list[Path]:
    """The track files a path names: the file itself, or `tracks/*.yaml` under a folder."""
    if path.is_file():
        return [path]
    folder = path / "tracks" if (path / "tracks").is_dir() else path
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])


def load_catalog(path: Path = SHIPPED_CONTENT_DIR) -> Catalog:
    """Every track under `path`; raises ContentError listing all problems found (gaps
    do not stop a pack from loading)."""
    tracks, challenges, problems = _read(path)
    problems = [problem for problem in problems if not problem.gap]
    if problems:
        raise ContentError(problems)
    return Catalog(tracks, challenges)


def validate_path(path: Path) -> list[ContentProblem]:
    """Every problem and every gap in the pack at `path`, in file order."""
    return _read(path)[2]


def _read(path: Path) -> tuple[list[Track], ChallengeCatalogue, list[ContentProblem]]:
    files = track_files(path)
    if not files:
        return (
            [],
            ChallengeCatalogue(),
            [ContentProblem(path, "", "no track files (*.yaml) found here")],
        )
    tracks: list[Track] = []
    problems: list[ContentProblem] = []
    for file in files:
        track, found = _load_track(file)
        problems.extend(found)
        if track is not None:
            tracks.append(track)
    seen: dict[str, Path] = {}
    for track in tracks:
        if track.id in seen:
            problems.append(
                ContentProblem(
                    track.source, "id", f"track id {track.id!r} is also used in {seen[track.id]}"
                )
            )
        seen.setdefault(track.id, track.source)
    challenges, challenge_problems = load_challenges(path)
    problems += [
        ContentProblem(file, where, message) for file, where, message in challenge_problems
    ]
    kaggle_links: dict[str, str] = {}
    for challenge in challenges.challenges:
        seen_at = kaggle_links.setdefault(_same_page(challenge.url), challenge.id)
        if seen_at != challenge.id:
            message = f"{challenge.url} is also the page of challenge {seen_at!r}"
            problems.append(ContentProblem(path, f"kaggle.{challenge.id}.url", message, gap=True))
    phases = {phase.id for track in tracks for phase in track.phases}
    for challenge in challenges.challenges:
        for phase_id in challenge.phases:
            if tracks and phase_id not in phases:
                problems.append(
                    ContentProblem(
                        path,
                        f"kaggle.{challenge.id}.phases",
                        f"no track has a phase called {phase_id!r}",
                    )
                )
    return tracks, challenges, problems


def _load_track(file: Path) -> tuple[Track | None, list[ContentProblem]]:
    try:
        text = file.read_text(encoding="utf-8")
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as error:
        return None, [ContentProblem(file, "", f"cannot read the file: {error}")]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        return None, [ContentProblem(file, "", f"not valid YAML: {error}", line)]
    lines = dict(_node_lines(node, ())) if node is not None else {}

    def problem(loc: Loc, message: str, *, gap: bool = False) -> ContentProblem:
        return ContentProblem(file, _format_loc(loc), message, _nearest_line(lines, loc), gap)

    if not isinstance(data, dict):
        return None, [problem((), "a track file must be a mapping with id, title and phases")]
    problems = [problem(loc, msg) for loc, msg in _duplicate_ids(data)]
    try:
        spec = TrackSpec.model_validate(data)
    except ValidationError as error:
        for item in error.errors():
            problems.append(problem(tuple(item["loc"]), _friendly(item)))
        return None, problems
    known_phases = {phase.id for phase in spec.phases}
    for t, timeline in enumerate(spec.timelines):
        for m, milestone in enumerate(timeline.milestones):
            for p, phase_id in enumerate(milestone.phases):
                if phase_id not in known_phases:
                    loc = ("timelines", t, "milestones", m, "phases", p)
                    problems.append(problem(loc, f"no phase called {phase_id!r} in this track"))
    problems += [problem(loc, msg) for loc, msg in _choice_problems(spec)]
    problems += [problem(loc, msg) for loc, msg in _requirement_problems(spec)]
    gaps = [problem(loc, msg, gap=True) for loc, msg in _gaps(spec)]
    if problems:
        return None, problems + gaps
    return Track(spec, source=file), gaps


def _choice_problems(spec: TrackSpec) -> Iterator[tuple[Loc, str]]:
    """Each optional step belongs to a choice its phase offers, and each choice can be
    made: it has steps, and no more are asked for than it has."""
    for p, phase in enumerate(spec.phases):
        defined: set[str] = set()
        for c, choice in enumerate(phase.choices):
            if choice.id in defined:
                yield ("phases", p, "choices", c, "id"), f"duplicate choice id {choice.id!r}"
            defined.add(choice.id)
        for s, step in enumerate(phase.steps):
            if step.choice is not None and step.choice not in defined:
                offered = ", ".join(repr(c) for c in sorted(defined)) or "none"
                yield (
                    ("phases", p, "steps", s, "choice"),
                    f"step {step.id!r} belongs to choice {step.choice!r}, which phase "
                    f"{phase.id!r} does not offer (it offers: {offered}); define it under the "
                    "phase's `choices`",
                )
        for c, choice in enumerate(phase.choices):
            count = sum(step.choice == choice.id for step in phase.steps)
            wanted = max(choice.at_least, choice.at_most or 0)
            if count == 0:
                yield (
                    ("phases", p, "choices", c),
                    f"choice {choice.id!r} has no steps: mark its steps with "
                    f"`optional: true` and `choice: {choice.id}`",
                )
            elif wanted > count:
                yield (
                    ("phases", p, "choices", c),
                    f"choice {choice.id!r} asks to {choice.pick} but has only {count} steps",
                )


def _requirement_problems(spec: TrackSpec) -> Iterator[tuple[Loc, str]]:
    """A step requires only steps taught before it, and a step every learner takes never
    requires one they may not pick."""
    order: dict[str, int] = {}
    for phase in spec.phases:
        for step in phase.steps:
            order.setdefault(step.id, len(order))
    optional = {step.id for phase in spec.phases for step in phase.steps if step.optional}
    total = len(order)
    for p, phase in enumerate(spec.phases):
        for s, step in enumerate(phase.steps):
            here = order[step.id]
            for r, required in enumerate(step.requires):
                loc: Loc = ("phases", p, "steps", s, "requires", r)
                if required not in order:
                    yield loc, f"step {step.id!r} requires {required!r}, which is no step here"
                elif order[required] >= here:
                    yield (
                        loc,
                        f"step {step.id!r} requires {required!r}, which comes later (step "
                        f"{order[required] + 1} of {total}; this is step {here + 1}): move "
                        "one of them, so nothing is used before it is taught",
                    )
                elif required in optional and not step.optional:
                    yield (
                        loc,
                        f"step {step.id!r} requires {required!r}, an optional step not every "
                        "learner takes",
                    )


def _gaps(spec: TrackSpec) -> Iterator[tuple[Loc, str]]:
    """What a learner would miss: free resources, projects, review questions, links and
    check dates for every step, and each link once."""
    links: dict[str, Loc] = {}
    for p, phase in enumerate(spec.phases):
        for s, step in enumerate(phase.steps):
            at: Loc = ("phases", p, "steps", s)
            if not any(resource.cost is Cost.FREE for resource in step.resources):
                yield (
                    (*at, "resources"),
                    f"step {step.id!r} has no free resource: list one that anyone can learn "
                    "from without paying",
                )
            if not step.projects:
                yield (*at, "id"), f"step {step.id!r} has no project ideas"
            if step.optional and step.choice is None:
                yield (
                    (*at, "optional"),
                    f"step {step.id!r} is optional but belongs to no choice: add `choice: "
                    "<id>` of one of its phase's choices, so learners see what they pick from",
                )
            if len(step.review) < REVIEW_MIN:
                count = len(step.review)
                have = "no review questions"
                if count:
                    have = f"only {count} review question{'s' * (count > 1)}"
                yield (
                    (*at, "review") if count else (*at, "id"),
                    f"step {step.id!r} has {have}; give each step {REVIEW_MIN} to "
                    f"{REVIEW_MAX} for spaced review",
                )
            for r, resource in enumerate(step.resources):
                where: Loc = (*at, "resources", r)
                if resource.url is None:
                    yield where, f"resource {resource.title!r} has no link"
                else:
                    first = links.setdefault(_same_page(resource.url), (*where, "url"))
                    if first != (*where, "url"):
                        yield (
                            (*where, "url"),
                            f"{resource.url} is also linked at {_format_loc(first)}: list a "
                            "resource once, or link the part of it this step uses",
                        )
                if resource.checked is None:
                    yield (
                        where,
                        (
                            f"resource {resource.title!r} has no check date: add the month it was "
                            "last checked, like `checked: 2026-11`"
                        ),
                    )


def _same_page(url: str) -> str:
    """A link as compared for duplicates: scheme, `www.`, case of the host, a trailing
    slash and the fragment make no difference."""
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    return f"{host}{path}?{parts.query}" if parts.query else f"{host}{path}"


def _duplicate_ids(data: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    phases = data.get("phases")
    if not isinstance(phases, list):
        return
    phase_seen: dict[str, int] = {}
    step_seen: dict[str, tuple[str | int, ...]] = {}
    for p, phase in enumerate(phases):
        if not isinstance(phase, dict):
            continue
        pid = phase.get("id")
        if isinstance(pid, str):
            if pid in phase_seen:
                yield (
                    ("phases", p, "id"),
                    f"duplicate phase id {pid!r} (also phases[{phase_seen[pid]}])",
                )
            phase_seen.setdefault(pid, p)
        steps = phase.get("steps")
        if not isinstance(steps, list):
            continue
        for s, step in enumerate(steps):
            sid = step.get("id") if isinstance(step, dict) else None
            if not isinstance(sid, str):
                continue
            loc: tuple[str | int, ...] = ("phases", p, "steps", s, "id")
            if sid in step_seen:
                yield loc, f"duplicate step id {sid!r} (also {_format_loc(step_seen[sid])})"
            step_seen.setdefault(sid, loc)


def _friendly(item: Any) -> str:
    kind = item.get("type", "")
    if kind == "missing":
        return "this field is required"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling)"
    if kind == "enum":
        expected = item.get("ctx", {}).get("expected", "")
        return f"{item.get('input')!r} is not allowed here; use one of {expected}"
    message = str(item.get("msg", "invalid value"))
    return message.removeprefix("Value error, ")


def _format_loc(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _node_lines(
    node: yaml.Node, loc: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], int]]:
    yield loc, node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                child = (*loc, key.value)
                yield child, key.start_mark.line + 1
                yield from _node_lines(value, child)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _node_lines(item, (*loc, index))


def _nearest_line(
    lines: dict[tuple[str | int, ...], int], loc: tuple[str | int, ...]
) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None
