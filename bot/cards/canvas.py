"""Drawing a card: text in any script (through `fonts`), bars, circles and cells, on a
canvas measured in card pixels and drawn at twice that, then scaled down, so edges and
circles come out smooth."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from bot.cards import fonts
from bot.cards.fonts import Run, Weight
from bot.cards.theme import RGB, Theme

SCALE = 2  # drawn at this many pixels per card pixel, then scaled down
ELLIPSIS = "…"
COMPRESSION = 3  # zlib level: past this, files shrink little and take much longer


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
            face = fonts.font(run.font, size * SCALE, weight)
            at = (left * SCALE, baseline * SCALE)
            try:
                self.draw.text(at, run.text, font=face, fill=fill, anchor="ls")
            except OSError:  # a glyph too large for FreeType's rasteriser ("raster overflow")
                self.draw.text(at, "…", font=face, fill=fill, anchor="ls")
            left += face.getlength(run.text) / SCALE
        return width

    # --- shapes -------------------------------------------------------------------------

    def box(
        self, x: float, y: float, width: float, height: float, colour: RGB, radius: float = 0
    ) -> None:
        box = _scaled(x, y, x + width, y + height)
        if radius and width > 0 and height > 0:
            limit = min(radius, width / 2, height / 2) * SCALE
            self.draw.rounded_rectangle(box, radius=limit, fill=colour)
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
        self.draw.rounded_rectangle(
            _scaled(x, y, x + width, y + height),
            radius=radius * SCALE,
            outline=colour,
            width=SCALE,
        )

    # --- out ----------------------------------------------------------------------------

    def png(self) -> bytes:
        """The card as PNG bytes: the same bytes for the same drawing, every time."""
        shown = self.image.reduce(SCALE)  # a box filter: smooth, and fast
        out = io.BytesIO()
        shown.save(out, "PNG", compress_level=COMPRESSION)
        return out.getvalue()


def _scaled(*points: float) -> tuple[float, ...]:
    return tuple(p * SCALE for p in points)


def _width(shown: list[Run], size: int, weight: Weight) -> float:
    return sum(fonts.font(r.font, size * SCALE, weight).getlength(r.text) for r in shown) / SCALE


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
