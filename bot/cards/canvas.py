"""Drawing a card: text in any script (through `fonts`), bars, circles and cells, on a
canvas measured in card pixels and drawn at twice that, then scaled down, so edges and
circles come out smooth.

Cards repeat themselves (the same labels, cells and bars on every draw), so what costs
most to make is made once and kept: the width of a text, the coverage of its letters
(laid out and rasterised by FreeType) and of a rounded shape, each stamped onto the card
in its colour, pixel for pixel as Pillow would have drawn it there. The caches are
bounded and shared by the worker threads that draw; nothing changes what they hold."""

from __future__ import annotations

import functools
import math
import struct
import zlib
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw

from bot.cards import fonts
from bot.cards.fonts import Run, Weight
from bot.cards.theme import RGB, Theme

if TYPE_CHECKING:
    from PIL._imaging import ImagingCore  # the pixels of a mask, as `ImageFont` makes them

SCALE = 2  # drawn at this many pixels per card pixel, then scaled down
ELLIPSIS = "…"
COMPRESSION = 3  # zlib level: past this, files shrink little and take much longer
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_MARGIN = 2 * SCALE  # around a kept shape: an even number of pixels, wider than an outline


class Canvas:
    def __init__(self, width: int, height: int, theme: Theme) -> None:
        self.width, self.height, self.theme = width, height, theme
        self.image = Image.new("RGB", (width * SCALE, height * SCALE), theme.background)
        self.draw = ImageDraw.Draw(self.image)

    # --- text -------------------------------------------------------------------------

    def measure(self, text: str, size: int, weight: Weight = Weight.REGULAR) -> float:
        """The width `text` takes, in card pixels."""
        return _width(fonts.runs(text), size, weight)

    def text(
        self,
        x: float,
        baseline: float,
        text: str,
        size: int,
        *,
        colour: RGB | None = None,
        weight: Weight = Weight.REGULAR,
        max_width: float | None = None,
        align: str = "left",
    ) -> float:
        """Draw `text` with its baseline at `baseline`, starting at `x` (or ending there,
        or centred on it, by `align`), cut with "…" to `max_width`. Returns its width."""
        shown = fonts.runs(text)
        if max_width is not None:
            shown = _fitted(shown, size, weight, max_width)
        width = _width(shown, size, weight)
        left = {"left": x, "right": x - width, "centre": x - width / 2}[align]
        fill = colour or self.theme.text
        for run in shown:
            # As `ImageDraw.text` draws: the letters are laid out from the fraction of a
            # pixel where the text starts, and stamped from the whole pixel.
            at_x, at_y = left * SCALE, baseline * SCALE
            start = (math.modf(at_x)[0], math.modf(at_y)[0])
            try:
                mask, (dx, dy) = _lettering(run.font, size * SCALE, weight, run.text, start)
            except OSError:  # a glyph too large for FreeType's rasteriser ("raster overflow")
                mask, (dx, dy) = _lettering(run.font, size * SCALE, weight, ELLIPSIS, start)
            self._stamp(int(at_x) + dx, int(at_y) + dy, mask, fill)
            left += fonts.length(run.font, size * SCALE, weight, run.text) / SCALE
        return width

    # --- shapes -------------------------------------------------------------------------

    def box(
        self, x: float, y: float, width: float, height: float, colour: RGB, radius: float = 0
    ) -> None:
        box = _scaled(x, y, x + width, y + height)
        if radius and width > 0 and height > 0:
            limit = min(radius, width / 2, height / 2) * SCALE
            self._rounded(box, limit, colour, filled=True)
        elif width > 0 and height > 0:
            self.draw.rectangle(box, fill=colour)

    def bar(
        self,
        x: float,
        y: float,
        width: float,
        height: float,
        fraction: float,
        colour: RGB | None = None,
    ) -> None:
        """A rounded bar `fraction` full (0 to 1) on its empty track."""
        self.box(x, y, width, height, self.theme.track, radius=height / 2)
        filled = width * min(max(fraction, 0.0), 1.0)
        if filled > 0:
            self.box(x, y, max(filled, height), height, colour or self.theme.accent, height / 2)

    def circle(self, cx: float, cy: float, radius: float, colour: RGB) -> None:
        self.draw.ellipse(_scaled(cx - radius, cy - radius, cx + radius, cy + radius), fill=colour)

    def outline(
        self, x: float, y: float, width: float, height: float, colour: RGB, radius: float = 0
    ) -> None:
        self._rounded(_scaled(x, y, x + width, y + height), radius * SCALE, colour, filled=False)

    def _rounded(self, box: tuple[float, ...], radius: float, colour: RGB, *, filled: bool) -> None:
        """A rounded rectangle (filled, or its outline), stamped from its kept shape.

        A shape is kept by where it lies from an even pixel a little before it (the margin
        holds the outline of a box too thin for it): Pillow rounds a box's corners to whole
        pixels half to even, so a shape moved by an even number of pixels covers exactly
        the pixels it covered, moved by that much. Moving it towards 0 and no further keeps
        its coordinates exact, and so every comparison Pillow makes with them."""
        left = max(0, 2 * math.floor(box[0] / 2) - _MARGIN)
        top = max(0, 2 * math.floor(box[1] / 2) - _MARGIN)
        x0, y0, x1, y1 = box[0] - left, box[1] - top, box[2] - left, box[3] - top
        self._stamp(left, top, _rounded_shape((x0, y0, x1, y1), radius, filled), colour)

    def _stamp(self, x: int, y: int, mask: ImagingCore, colour: RGB) -> None:
        """`colour` through `mask` with its top left corner at pixel (`x`, `y`): what
        `ImageDraw` does last when it draws text, and the same for a shape."""
        self.draw.draw.draw_bitmap((x, y), mask, self.draw.draw.draw_ink(colour))

    # --- out ----------------------------------------------------------------------------

    def png(self) -> bytes:
        """The card as PNG bytes: the same bytes for the same drawing, every time."""
        return _png(self.image.reduce(SCALE))  # a box filter: smooth, and fast


def _scaled(*points: float) -> tuple[float, ...]:
    return tuple(p * SCALE for p in points)


def _width(shown: list[Run], size: int, weight: Weight) -> float:
    return sum(fonts.length(r.font, size * SCALE, weight, r.text) for r in shown) / SCALE


@functools.lru_cache(maxsize=1024)
def _lettering(
    name: str, size: int, weight: Weight, text: str, start: tuple[float, float]
) -> tuple[ImagingCore, tuple[int, int]]:
    """How much `text`'s letters cover each pixel when its baseline starts `start` (a
    fraction of a pixel) into one, and where that mask goes from the whole pixel: what
    `ImageDraw.text` makes and draws."""
    return fonts.font(name, size, weight).getmask2(text, "L", anchor="ls", start=start)


@functools.lru_cache(maxsize=256)
def _rounded_shape(
    box: tuple[float, float, float, float], radius: float, filled: bool
) -> ImagingCore:
    """Where a rounded rectangle with its corners in `box` (or its outline, `SCALE` wide)
    covers, as a one-bit mask: stamping it copies the colour, with no blending to do."""
    size = (max(math.ceil(box[2]) + _MARGIN, 1), max(math.ceil(box[3]) + _MARGIN, 1))
    mask = Image.new("1", size)
    if filled:
        ImageDraw.Draw(mask).rounded_rectangle(box, radius=radius, fill=1)
    else:
        ImageDraw.Draw(mask).rounded_rectangle(box, radius=radius, outline=1, width=SCALE)
    return mask.im


def _png(image: Image.Image) -> bytes:
    """`image` (RGB) as PNG bytes. Every row is stored unfiltered: a card is flat colour,
    whole rows repeat and zlib finds them as they are, while choosing a PNG filter for each
    row (as Pillow's encoder does) takes longer than compressing and makes a larger file."""
    width, height = image.size
    pixels = memoryview(image.tobytes())
    row = 3 * width
    rows = b"\0" + b"\0".join(pixels[y * row : (y + 1) * row] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return b"".join(
        (
            PNG_SIGNATURE,
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(rows, COMPRESSION)),
            _chunk(b"IEND", b""),
        )
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _fitted(shown: list[Run], size: int, weight: Weight, max_width: float) -> list[Run]:
    """`shown` cut between two characters (never inside a letter with its marks, nor an
    emoji with its joiners) so that it and "…" fit `max_width`."""
    if _width(shown, size, weight) <= max_width:
        return shown
    ellipsis = Run(ELLIPSIS, fonts.PRIMARY)
    chars = [(char, run.font) for run in shown for char in run.text]
    cuts = [
        n
        for n in range(1, len(chars))
        if fonts.may_cut_before(chars[n][0]) and chars[n - 1][0] != "\u200d"
    ]

    def kept(count: int) -> list[Run]:
        found: list[Run] = []
        for char, name in chars[:count]:
            if found and found[-1].font == name:
                found[-1] = Run(found[-1].text + char, name)
            else:
                found.append(Run(char, name))
        if found and not found[-1].text.rstrip():
            found.pop()
        elif found:
            found[-1] = Run(found[-1].text.rstrip(), found[-1].font)
        return [*found, ellipsis]

    low, high = 0, len(cuts) - 1
    best = [ellipsis]
    while low <= high:
        middle = (low + high) // 2
        candidate = kept(cuts[middle])
        if _width(candidate, size, weight) <= max_width:
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    return best
