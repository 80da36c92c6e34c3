"""The fonts cards are set in, and text in any script made drawable with them.

The fonts ship with a package (`manimgx-fonts`: Noto Sans for Latin, Greek and Cyrillic,
Noto Sans for nineteen more scripts, Noto Sans Symbols and monochrome Noto Emoji), never
from the system, so a card looks the same on every machine. Each character is drawn in the
first of those fonts that has it; one that none has (Chinese, Japanese and Korean among
them) becomes "?", and invisible characters that nothing draws are left out, so no name
ever shows a box or breaks a card.

Fonts are not shared between threads (FreeType faces are not thread-safe): each worker
thread that renders keeps its own."""

from __future__ import annotations

import functools
import importlib.resources
import struct
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

from PIL import ImageFont

FONT_DIR = Path(str(importlib.resources.files("manimgx_fonts")))
PRIMARY = "NotoSans[wght].ttf"
# Tried in this order after the primary font, for what it lacks.
FALLBACKS = (
    "NotoSansSymbols[wght].ttf",
    "NotoSansArabic[wght].ttf",
    "NotoSansHebrew[wght].ttf",
    "NotoSansDevanagari[wght].ttf",
    "NotoSansBengali[wght].ttf",
    "NotoSansTamil[wght].ttf",
    "NotoSansTelugu[wght].ttf",
    "NotoSansGujarati[wght].ttf",
    "NotoSansGurmukhi[wght].ttf",
    "NotoSansKannada[wght].ttf",
    "NotoSansMalayalam[wght].ttf",
    "NotoSansOriya[wght].ttf",
    "NotoSansSinhala[wght].ttf",
    "NotoSansThai[wght].ttf",
    "NotoSansLao[wght].ttf",
    "NotoSansKhmer[wght].ttf",
    "NotoSansMyanmar[wght].ttf",
    "NotoSansArmenian[wght].ttf",
    "NotoSansGeorgian[wght].ttf",
    "NotoSansEthiopic[wght].ttf",
    "NotoEmoji[wght].ttf",
)
MISSING = "?"
LONGEST = 200  # characters of one text that are laid out at all; a card never shows more
# Characters that belong to the one before them whatever font has them: joiners, variation
# selectors, skin tones and combining marks ride along in their base character's font.
_JOINERS = frozenset({0x200C, 0x200D, 0xFE0E, 0xFE0F, 0x20E3})
_KEPT_FORMAT = frozenset({0x200C, 0x200D})  # zero-width (non-)joiners: they shape letters


class Weight(IntEnum):
    REGULAR = 400
    MEDIUM = 500
    SEMIBOLD = 600
    BOLD = 700


@dataclass(frozen=True)
class Run:
    """Part of a text drawn in one font."""

    text: str
    font: str  # a file name in FONT_DIR


def drawable(text: str) -> str:
    """`text` as cards can show it: on one line, at most `LONGEST` characters, without
    control characters, lone surrogates or invisible format characters (a right-to-left
    override would turn the rest of a name around), but with the joiners emoji and some
    scripts need."""
    kept = []
    for char in text[:LONGEST]:
        category = unicodedata.category(char)
        if category in {"Zl", "Zp"} or char in "\t\n\r\v\f":
            kept.append(" ")
        elif category not in {"Cc", "Cs", "Co", "Cn", "Cf"} or ord(char) in _KEPT_FORMAT:
            kept.append(char)
    return " ".join("".join(kept).split())


def runs(text: str) -> list[Run]:
    """`text` (see `drawable`) cut where the font drawing it changes. A character no font
    has becomes `MISSING`; an invisible one no font has is left out."""
    return list(_runs(text))


@functools.lru_cache(maxsize=4096)  # a card shows the same labels and names again and again
def _runs(text: str) -> tuple[Run, ...]:
    found: list[Run] = []
    current = ""
    font = PRIMARY
    for char in drawable(text):
        point = ord(char)
        rides = point in _JOINERS or 0x1F3FB <= point <= 0x1F3FF or unicodedata.combining(char)
        if rides and current:
            current += char
            continue
        chosen = font_for(point)
        if chosen is None:
            if unicodedata.category(char) in {"Cf", "Mn", "Me"} or rides:
                continue
            char, chosen = MISSING, PRIMARY
        if chosen != font and current:
            found.append(Run(current, font))
            current = ""
        font = chosen
        current += char
    if current:
        found.append(Run(current, font))
    return tuple(found)


def font_for(point: int) -> str | None:
    """The first font that has a glyph for code point `point`."""
    if chr(point).isspace():
        return PRIMARY
    for name in (PRIMARY, *FALLBACKS):
        if point in coverage(name):
            return name
    return None


def initials(name: str) -> str:
    """Up to two letters for an avatar: the first letter of the first and last words, if
    any font draws them; "?" when none can be drawn."""
    words = [w for w in drawable(name).split() if any(c.isalnum() for c in w)]
    letters = []
    for word in words[:1] + words[1:][-1:]:
        letter = next((c for c in word if c.isalnum()), "")
        if letter and font_for(ord(letter)) is not None:
            letters.append(letter.upper() if len(letter.upper()) == 1 else letter)
    return "".join(letters) or MISSING


def font(name: str, size: int, weight: Weight = Weight.REGULAR) -> ImageFont.FreeTypeFont:
    """The font file `name` at `size` pixels and `weight`, this thread's own copy."""
    cache: dict[tuple[str, int, Weight], ImageFont.FreeTypeFont] = _local.__dict__.setdefault(
        "fonts", {}
    )
    key = (name, size, weight)
    if key not in cache:
        loaded = ImageFont.truetype(str(FONT_DIR / name), size, layout_engine=ImageFont.Layout.RAQM)
        axes = loaded.get_variation_axes()
        if axes:
            loaded.set_variation_by_axes(
                [
                    float(min(max(weight, a["minimum"] or weight), a["maximum"] or weight))
                    if _axis_name(a) in {"weight", "wght"}
                    else float(a["default"] or 0)
                    for a in axes
                ]
            )
        cache[key] = loaded
    return cache[key]


_local = threading.local()


@functools.lru_cache(maxsize=4096)
def length(name: str, size: int, weight: Weight, text: str) -> float:
    """How far `text` set in font file `name` at `size` pixels and `weight` advances, in
    pixels. Laying text out is most of what measuring costs, and cards measure the same
    labels on every draw, so each answer is kept (it is the same in every thread)."""
    return font(name, size, weight).getlength(text)


def _axis_name(axis: object) -> str:
    name = axis["name"] if isinstance(axis, dict) else ""
    return (name.decode("ascii", "replace") if isinstance(name, bytes) else str(name)).lower()


# --- which characters a font has: its cmap table -------------------------------------------


@functools.cache
def coverage(name: str) -> frozenset[int]:
    """The code points font file `name` maps to a glyph (its Unicode cmap subtable)."""
    data = (FONT_DIR / name).read_bytes()
    return frozenset(point for point in _cmap_points(data) if point)


def _cmap_points(data: bytes) -> Iterator[int]:
    (tables,) = struct.unpack_from(">H", data, 4)
    offset = None
    for index in range(tables):
        tag, _, start, _ = struct.unpack_from(">4sIII", data, 12 + 16 * index)
        if tag == b"cmap":
            offset = start
    if offset is None:
        return
    _, count = struct.unpack_from(">HH", data, offset)
    subtables = {}
    for index in range(count):
        platform, encoding, start = struct.unpack_from(">HHI", data, offset + 4 + 8 * index)
        subtables[(platform, encoding)] = offset + start
    for key in ((3, 10), (0, 4), (3, 1), (0, 3)):
        if key in subtables:
            yield from _subtable(data, subtables[key])
            return


def _subtable(data: bytes, at: int) -> Iterator[int]:
    (kind,) = struct.unpack_from(">H", data, at)
    if kind == 12:
        (groups,) = struct.unpack_from(">I", data, at + 12)
        for index in range(groups):
            first, last, glyph = struct.unpack_from(">III", data, at + 16 + 12 * index)
            for offset, point in enumerate(range(first, last + 1)):
                if glyph + offset:
                    yield point
    elif kind == 4:
        (doubled,) = struct.unpack_from(">H", data, at + 6)
        segments = doubled // 2
        ends = struct.unpack_from(f">{segments}H", data, at + 14)
        starts = struct.unpack_from(f">{segments}H", data, at + 16 + doubled)
        deltas = struct.unpack_from(f">{segments}h", data, at + 16 + 2 * doubled)
        range_at = at + 16 + 3 * doubled
        offsets = struct.unpack_from(f">{segments}H", data, range_at)
        for index in range(segments):
            for point in range(starts[index], ends[index] + 1):
                if point == 0xFFFF:
                    continue
                if offsets[index] == 0:
                    glyph = (point + deltas[index]) & 0xFFFF
                else:
                    where = range_at + 2 * index + offsets[index] + 2 * (point - starts[index])
                    (glyph,) = struct.unpack_from(">H", data, where)
                    glyph = (glyph + deltas[index]) & 0xFFFF if glyph else 0
                if glyph:
                    yield point


def may_cut_before(char: str) -> bool:
    """Whether text may be cut before `char` (not when it belongs to the one before)."""
    point = ord(char)
    return not (point in _JOINERS or 0x1F3FB <= point <= 0x1F3FF or unicodedata.combining(char))
