"""Looking at a card the way a person would: its size, whether anything is drawn, the
colour at a place, and how far it is from a reference picture."""

from __future__ import annotations

import io

from PIL import Image, ImageChops, ImageStat

from bot.cards.theme import RGB

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def opened(png: bytes) -> Image.Image:
    assert png.startswith(PNG_SIGNATURE), "a PNG file"
    image = Image.open(io.BytesIO(png))
    image.load()
    return image.convert("RGB")


def colours_used(image: Image.Image) -> int:
    """How many distinct colours the picture holds (a blank card holds one)."""
    found = image.getcolors(maxcolors=1 << 20)
    return len(found) if found is not None else 1 << 20


def near(colour: tuple[int, ...], wanted: RGB, tolerance: int = 24) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, wanted, strict=False))


def pixel(image: Image.Image, x: float, y: float) -> RGB:
    found = image.getpixel((int(x), int(y)))
    assert isinstance(found, tuple)
    return (int(found[0]), int(found[1]), int(found[2]))


def difference(one: Image.Image, other: Image.Image) -> tuple[float, float]:
    """How far apart two pictures of the same size are: the mean difference of a channel
    (0 to 255), and the share of pixels that differ visibly (by more than 64 in a channel)."""
    assert one.size == other.size, f"{one.size} != {other.size}"
    diff = ImageChops.difference(one, other)
    mean = sum(ImageStat.Stat(diff).mean) / 3
    visible = diff.convert("L").point(lambda value: 255 if value > 64 else 0)
    share = (ImageStat.Stat(visible).mean[0] / 255) if visible.getbbox() else 0.0
    return mean, share
