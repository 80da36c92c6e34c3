"""Loading content packs, reporting every problem in them at once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.roadmap.catalog import Catalog, Track
from bot.roadmap.kaggle import load_challenges
from bot.roadmap.schema import TrackSpec

SHIPPED_CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"


@dataclass(frozen=True)
class ContentProblem:
    file: Path
    location: str
    message: str
    line: int | None = None

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
    """Every track under `path`; raises ContentError listing all problems found."""
    files = track_files(path)
    if not files:
        raise ContentError([ContentProblem(path, "", "no track files (*.yaml) found here")])
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
    if problems:
        raise ContentError(problems)
    return Catalog(tracks, challenges)


def validate_path(path: Path) -> list[ContentProblem]:
    try:
        load_catalog(path)
    except ContentError as error:
        return error.problems
    return []


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

    def problem(loc: tuple[str | int, ...], message: str) -> ContentProblem:
        return ContentProblem(file, _format_loc(loc), message, _nearest_line(lines, loc))

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
    if problems:
        return None, problems
    return Track(spec, source=file), []


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
