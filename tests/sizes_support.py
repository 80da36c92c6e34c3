"""What the size stress tests (tests/test_sizes.py) are built from: a 100-step content pack
at the schema's limits, 64 long unicode names, and readers that turn what each adapter
would send back into the words a member reads, so a test can say nothing was lost.

Nothing here is a fixture; tests/test_sizes.py builds the community once per module."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from adapters.discord import translate as discord
from bot.markup import plain_text
from bot.messages import Reply
from bot.roadmap import schema

# --- the content pack ------------------------------------------------------------------------

# Steps per phase: one phase long enough that /roadmap must list it compactly and end with
# "and N more", the others of ordinary sizes. 100 in all.
PHASE_SIZES = (9, 36, 20, 14, 12, 9)
STEPS = sum(PHASE_SIZES)
# The step given the most of everything, so that /step has the longest answer to split.
LONGEST_STEP = 17

# Words for titles and prose: accents, other scripts, emoji, and the characters each
# platform writes with an escape (Discord's markdown, Slack's &, < and >), which make a
# text longer once sent than it is in the pack.
TITLE_WORDS = (
    "Transformers",
    "&",
    "<attention>",
    "Ünïcödé",
    "[heads]",
    "|",
    "Σύνοψη",
    "~",
    "注意力",
    "*",
    "✨",
    "Größe",
    "→",
    "données",
)
PROSE = (
    "Work through the maths by hand first, then in code: matrix products, softmax and the "
    "gradient of each layer. Keep notes of what surprised you & share them with <the group>; "
    "a question asked early saves a week later. Größere Modelle brauchen mehr Daten, aber "
    "nicht immer. Les données d'abord, le modèle ensuite. 先理解数据，再训练模型。 "
    "Use **bold** sparingly and `code spans` for names like `torch.nn.MultiheadAttention`. "
)


def _fill(head: str, size: int, words: Iterable[str] = TITLE_WORDS) -> str:
    """`head`, then words until exactly `size` characters (the last word cut to fit, with
    no space left at either end)."""
    text = head
    for word in itertools.cycle(words):
        if len(text) >= size:
            break
        text = f"{text} {word}"
    text = text[:size]
    if text.endswith(" "):
        text = text[:-1] + "x"
    return text


def _prose(size: int, seed: int) -> str:
    """About `size` characters of prose, ending at a whole sentence."""
    sentences = PROSE.split(". ")
    start = seed % len(sentences)
    parts: list[str] = []
    for sentence in itertools.islice(itertools.cycle(sentences), start, None):
        if sum(map(len, parts)) + len(sentence) > size and parts:
            break
        parts.append(sentence.strip().rstrip(".") + ".")
    return " ".join(parts)


def _id(head: str) -> str:
    """An id of exactly `schema.ID_MAX` characters starting with `head`."""
    filler = "attention-transformers-and-more-words"
    found = (head + filler)[: schema.ID_MAX]
    return found if not found.endswith("-") else found[:-1] + "x"


def step_id(number: int) -> str:
    return _id(f"s{number:03d}-")


def phase_id(number: int) -> str:
    return _id(f"phase-{number}-")


TRACK_ID = _id("stress-track-")


def _url(step: int, resource: int, length: int) -> str:
    """A long address with the parts that break links: parentheses, underscores, a query
    string with `&`, percent escapes and a fragment."""
    head = (
        f"https://en.wikipedia.org/wiki/Transformer_(deep_learning_architecture)/step_{step}"
        f"/resource_({resource})?lang=en_GB&ref=cohort_stress&q=(a%20b)&list=1,2,3"
    )
    padding = "&section_" + "_".join(f"part({n})" for n in range(200))
    return (head + padding)[: length - len("#History_(early)")] + "#History_(early)"


def _resource(step: int, number: int, *, long: bool) -> dict[str, Any]:
    kinds = ("article", "course", "book", "video", "docs", "practice")
    return {
        "type": kinds[number % len(kinds)],
        "title": _fill(f"Resource {number} for step {step}:", 160 if long else 90),
        "author": _fill(f"Author {number}", 60),
        "url": _url(step, number, 420 if long else 200),
        "cost": "paid" if number % 3 == 2 else "free",
        "note": _prose(240 if long else 60, step + number),
        "checked": "2026-11",
    }


def _question(step: int, number: int) -> dict[str, Any]:
    """A multiple-choice review question with every text at the schema's limits."""
    choices = [
        _fill(f"{number}{letter}", schema.REVIEW_ANSWER_MAX)
        for letter in "abcde"[: schema.REVIEW_CHOICES_MAX]
    ]
    return {
        "id": _id(f"q{number}-"),
        "kind": "choice",
        "prompt": _fill(f"Question {number} of step {step}?", schema.REVIEW_PROMPT_MAX),
        "choices": choices,
        "answer": choices[step % len(choices)],
        "explanation": _fill(f"Because {number}", schema.REVIEW_EXPLANATION_MAX),
    }


def _step(number: int) -> dict[str, Any]:
    long = number == LONGEST_STEP
    return {
        "id": step_id(number),
        "title": _fill(f"{number:03d}", schema.STEP_TITLE_MAX),
        "summary": _prose(3000 if long else 500, number),
        "why": _prose(1200 if long else 300, number + 1),
        "hours": 3 + number % 20,
        "skills": [_fill(f"skill {n} of step {number}", 40) for n in range(14 if long else 5)],
        "resources": [_resource(number, n, long=long) for n in range(14 if long else 4)],
        "projects": [
            {
                "title": _fill(f"Project {n}", 80),
                "description": _prose(900 if long else 250, number + n),
            }
            for n in range(6 if long else 2)
        ],
        "review": [
            _question(number, n) for n in range(schema.REVIEW_MAX if long else schema.REVIEW_MIN)
        ],
        **({"optional": True} if number % 11 == 0 else {}),
    }


def _phase(number: int, steps: list[dict[str, Any]]) -> dict[str, Any]:
    """A phase whose optional steps (every eleventh of the track) make one choice."""
    picks = [step for step in steps if step.get("optional")]
    choice = _id(f"pick-{number}-")
    for step in picks:
        step["choice"] = choice
    return {
        "id": phase_id(number),
        "title": _fill(f"P{number}", schema.PHASE_TITLE_MAX),
        "summary": _prose(1500, number),
        **(
            {
                "choices": [
                    {
                        "id": choice,
                        "title": _fill("Pick one or two", schema.CHOICE_TITLE_MAX),
                        "at_most": min(2, len(picks)),
                    }
                ]
            }
            if picks
            else {}
        ),
        "steps": steps,
    }


def stress_track() -> dict[str, Any]:
    """A 100-step track with every id and title at the schema's limits and long texts."""
    numbers = iter(range(1, STEPS + 1))
    return {
        "id": TRACK_ID,
        "title": _fill("Stress track", schema.TRACK_TITLE_MAX),
        "summary": _prose(2000, 0),
        "audience": _prose(600, 3),
        "timelines": [
            {
                "id": _id(f"timeline-{n}-"),
                "title": _fill(f"Timeline {n}", 80),
                "hours_per_week": "10-15",
                "duration": _fill(f"{n * 6}-{n * 9} months", 140),
                "notes": _prose(500, n),
                "milestones": [
                    {
                        "when": f"Months {m}-{m + 2}",
                        "focus": _prose(300, m),
                        "phases": [phase_id(m)],
                    }
                    for m in range(1, len(PHASE_SIZES) + 1)
                ]
                if n == 1
                else [],
            }
            for n in range(1, 9)
        ],
        "career_stages": [
            {"title": _fill(f"Stage {n}", 90), "focus": _prose(300, n)} for n in range(1, 10)
        ],
        "phases": [
            _phase(p, [_step(next(numbers)) for _ in range(size)])
            for p, size in enumerate(PHASE_SIZES, start=1)
        ],
    }


def stress_challenges() -> dict[str, Any]:
    """Kaggle challenges for every phase, with long titles and summaries."""
    return {
        "challenges": [
            {
                "id": f"stress-challenge-{p}-{n}",
                "title": _fill(f"Challenge {p}.{n}:", 120),
                "kind": "competition",
                "score": {"metric": "accuracy", "low": 0, "high": 1},
                "url": f"https://www.kaggle.com/competitions/stress-challenge-{p}-{n}",
                "phases": [phase_id(p)],
                "skills": [_fill(f"skill {s}", 50) for s in range(8)],
                "summary": _prose(900, p + n),
            }
            for p in range(1, len(PHASE_SIZES) + 1)
            for n in (1, 2)
        ]
    }


def write_stress_pack(folder: Path) -> Path:
    """The stress pack written as a content folder (tracks/ and kaggle/), as
    `cohort content validate` and `Settings(content_dir=...)` read one."""
    (folder / "tracks").mkdir(parents=True)
    (folder / "kaggle").mkdir()

    def dump(data: dict[str, Any]) -> str:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)

    (folder / "tracks" / "stress.yaml").write_text(dump(stress_track()), encoding="utf-8")
    (folder / "kaggle" / "challenges.yaml").write_text(dump(stress_challenges()), encoding="utf-8")
    return folder


# --- the people ------------------------------------------------------------------------------

NAME_LIMIT = 100  # what Cohort keeps of a display name (bot.services.tenancy.ensure_member)
NAME_BASES = (
    "Łukasz Żółtowski-Brzęczyszczykiewicz",
    "Zoë Ångström",
    "Smith, Jo",  # a comma inside a name
    "Ｚｅｎ ｍａｓｔｅｒ ＦＵＬＬＷＩＤＴＨ",
    "Nguyễn Thị Minh Khai",
    "Ана-Мария Достоевская",
    "李小龍 の 友達",
    "O'Neil_the*Great [admin]",  # markdown characters, shown as text
    "👩🏽‍💻 Dev Queen",
    "محمد عبد الله الفارسي",  # right to left
    "יעל בת־שבע כהן",  # right to left
    "Ζωή Παπαδοπούλου",
    "अनुष्का शर्मा",  # vowel signs that combine with their letters
    "สมชาย ใจดี",
    "Z̷a̶l̵g̸o̴ t̶e̵x̸t̴",  # a combining mark on every letter
    "<@123456789012345678> @everyone",  # a mention, shown as text
    "Tom & Jerry <b>bold</b>",
    "`code` **bold** ~~strike~~ ||spoiler||",
    "[click me](https://evil.example/(x)) | pipe",
    "# Heading > quote - list + plus",
    "🏳️‍🌈 família 👨‍👩‍👧‍👦 🧑🏿‍🤝‍🧑🏻",
    "Straße Weiß",
    "İstanbul Iğdır ı",
    "김민준 한국어",
    "Ἀριστοτέλης ὁ Σταγειρίτης",
    "Mixed عربي English עברית 中文",
    "ǅemal Ǉubović",
    "Björk Guðmundsdóttir",
    "\u200fRLM mark name",
    "Smith\\, Jo; back\\slash",
    "Ａｍｙ &amp; &lt;escaped&gt;",
    "ⓒⓘⓡⓒⓛⓔ Ⓓ Ⓔ",
    "*_~`|<>[]\\&#" * 8,  # nothing but characters a platform escapes: twice as long there
)
# How a long name goes on: words of its own script, so it still reads as one name.
NAME_PADDING = ("Maria-José", "Ñandú", "خالد", "Ωmega", "東京", "~tilde~", "*star*", "ąę")


def member_names(count: int = 64) -> list[str]:
    """`count` different names (also once case-folded), a third of them exactly
    `NAME_LIMIT` characters long."""
    names = []
    for n in range(count):
        base = f"{NAME_BASES[n % len(NAME_BASES)]} №{n:02d}"
        if n % 3 == 0:
            base = _fill(base, NAME_LIMIT, NAME_PADDING)
        names.append(base[:NAME_LIMIT])
    assert len({unicodedata.normalize("NFKC", n).casefold() for n in names}) == count
    return names


BLOCKER_LIMIT = 500  # what `/checkin blockers:` takes (bot/commands/checkin.py)


def blocker(n: int, steps: list[str]) -> str:
    """A blocker near the check-in limit that names steps (so the summary offers helpers)."""
    head = f"Stuck on {steps[n % len(steps)]} and {steps[(n + 7) % len(steps)]}: "
    text = head + _prose(BLOCKER_LIMIT, n)
    return text[:BLOCKER_LIMIT].rsplit(" ", 1)[0]


# --- reading back what a platform shows ----------------------------------------------------


def squash(text: str) -> str:
    """Text with all whitespace runs made one space (a split may fall at a line break)."""
    return " ".join(text.replace(discord.BLANK, " ").split())


def reply_lines(reply: Reply) -> list[str]:
    """Every line a reply says, as plain text: title, body, progress bars, fields and the
    image's alt text."""
    parts = [reply.title, f"⚠️ {reply.body}" if reply.is_error else reply.body]
    parts += [f"{bar.label} · {bar.done}/{bar.total}" for bar in reply.progress]
    for field in reply.fields:
        parts += [field.name, field.value]
    if reply.image is not None:
        parts.append(reply.image.alt_text)
    lines = [squash(line) for part in parts for line in plain_text(part).split("\n")]
    return [line for line in lines if line]


_DISCORD_TOKEN = re.compile(
    r"`(?P<code>[^`]*)`"
    r"|\[(?P<title>(?:\\.|[^\\\[\]])*)\]\((?P<url>[^)\s]*)\)"
    r"|\\(?P<escaped>.)"
    r"|(?P<mark>\*\*|_)",
    re.DOTALL,
)


def discord_plain(markdown: str) -> str:
    """What Discord shows for our markdown, as plain text: escapes resolved, a link's
    title for the link, code spans' text, no bold or italic marks."""

    def shown(found: re.Match[str]) -> str:
        if found["code"] is not None:
            return found["code"]
        if found["title"] is not None:
            return re.sub(r"\\(.)", r"\1", found["title"])
        if found["escaped"] is not None:
            return found["escaped"]
        return ""

    return _DISCORD_TOKEN.sub(shown, markdown)


def discord_texts(payload: Mapping[str, Any]) -> Iterator[str]:
    """The texts of one Discord message in reading order."""
    if payload.get("content"):
        yield str(payload["content"])
    for embed in payload.get("embeds") or []:
        yield from (embed.get("title") or "", embed.get("description") or "")
        for field in embed.get("fields") or []:
            yield from (field["name"], field["value"])


def discord_footers(payload: Mapping[str, Any]) -> Iterator[str]:
    """The footers of one Discord message (a picture's alt text): plain text, which
    Discord shows as it is, markdown characters and backslashes included."""
    for embed in payload.get("embeds") or []:
        yield (embed.get("footer") or {}).get("text") or ""


def discord_shown(payloads: Iterable[Mapping[str, Any]]) -> str:
    """All a member reads of a reply sent as these Discord messages, squashed."""
    texts = [discord_plain(t) for p in payloads for t in discord_texts(p)]
    texts += [footer for p in payloads for footer in discord_footers(p)]
    return squash("\n".join(texts))


_SLACK_TOKEN = re.compile(r"<(?P<url>[^|>]*)\|(?P<title>[^>]*)>|&(?P<entity>amp|lt|gt);")
_SLACK_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
# Slack's mrkdwn writes bold, italic and code with these and has no escape for them, so a
# name holding one reads the same as formatting: comparisons leave them out on both sides.
SLACK_MARKS = str.maketrans("", "", "*_`")


def slack_plain(mrkdwn: str) -> str:
    """What Slack shows for our mrkdwn, as plain text (formatting characters aside)."""

    def shown(found: re.Match[str]) -> str:
        if found["entity"] is not None:
            return _SLACK_ENTITIES[found["entity"]]
        return slack_plain(found["title"])

    return _SLACK_TOKEN.sub(shown, mrkdwn).translate(SLACK_MARKS)


def slack_texts(blocks: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """The texts of Slack blocks in reading order, as plain text."""
    for block in blocks:
        kind = block["type"]
        if kind == "header":
            yield block["text"]["text"].translate(SLACK_MARKS)  # plain_text: never parsed
        elif kind == "section":
            if "text" in block:
                yield slack_plain(block["text"]["text"])
            for field in block.get("fields", []):
                yield slack_plain(field["text"])
        elif kind == "context":
            for element in block["elements"]:
                yield slack_plain(element["text"])


def slack_shown(messages: Iterable[Mapping[str, Any]]) -> str:
    """All a member reads of a reply sent as these Slack messages (or views), squashed."""
    return squash("\n".join(t for m in messages for t in slack_texts(m["blocks"])))


def missing_lines(lines: Iterable[str], shown: str, *, slack: bool = False) -> list[str]:
    """The lines of a reply that are not to be found whole in what the platform shows."""
    if slack:
        return [line for line in lines if squash(line.translate(SLACK_MARKS)) not in shown]
    return [line for line in lines if line not in shown]
