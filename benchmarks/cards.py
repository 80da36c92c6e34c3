"""Measure how long drawing each picture takes and write the "Pictures" section of
benchmarks/RESULTS.md.

    python -m benchmarks.cards                 # 200 draws of each card
    python -m benchmarks.cards --draws 1000

Each card (the README's examples: `tests/cards/examples.py`) is drawn `--draws` times after
ten warm-up draws, first directly, then as commands draw it, through `bot.cards.picture` in
a worker thread (so the figure includes the hop to the thread and back). A card with a name
in four scripts and an emoji is drawn too, since names in other scripts come from fallback
fonts. Reported: p50, p99 and the largest time in milliseconds, and the PNG's size. Figures
only: nothing here passes or fails."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import time
from dataclasses import dataclass, replace
from pathlib import Path

import PIL

from benchmarks.run import write_section
from bot import cards
from tests.cards.examples import EXAMPLES, PROGRESS

HERE = Path(__file__).resolve().parent
SECTION = "## Pictures (`benchmarks/cards.py`)"
WARM_UP = 10
MIXED_NAME = "Zoë Ωμέγα Жанна محمد 👩🏽‍💻"


@dataclass(frozen=True)
class Timing:
    card: str
    direct: tuple[float, float, float]  # p50, p99, most, in ms
    threaded: tuple[float, float, float]
    size: int  # bytes of PNG


def _figures(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p99 * 1000, ordered[-1] * 1000


async def measure(name: str, card: cards.Card, theme: cards.Theme, draws: int) -> Timing:
    for _ in range(WARM_UP):
        cards.render(card, theme)
    direct = []
    for _ in range(draws):
        started = time.perf_counter()
        drawn = cards.render(card, theme)
        direct.append(time.perf_counter() - started)
    threaded = []
    for _ in range(draws):
        started = time.perf_counter()
        await cards.picture(card, theme)
        threaded.append(time.perf_counter() - started)
    return Timing(name, _figures(direct), _figures(threaded), len(drawn.png))


def report(timings: list[Timing], draws: int) -> str:
    cpu = platform.processor() or platform.machine()
    load = os.getloadavg()[0]
    lines = [
        SECTION,
        "",
        f"Each card drawn {draws} times after {WARM_UP} warm-up draws, on {os.cpu_count()} "
        f"cores ({cpu}) with a load average of {load:.1f} while it ran (other work on the "
        "machine shows in the p99 and the most), "
        f"Python {platform.python_version()}, Pillow {PIL.__version__}. "
        "*Direct* is `bot.cards.render` in the measuring thread; *in a worker thread* is "
        "`bot.cards.picture`, as commands and the weekly summary call it "
        "(`asyncio.to_thread`), hop included. Target: well under 100 ms.",
        "",
        "| card | direct p50 | p99 | most | in a worker thread p50 | p99 | PNG |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for t in timings:
        (d50, d99, dmax), (w50, w99, _) = t.direct, t.threaded
        lines.append(
            f"| {t.card} | {d50:.1f} ms | {d99:.1f} ms | {dmax:.1f} ms | {w50:.1f} ms | "
            f"{w99:.1f} ms | {t.size / 1024:.0f} KiB |"
        )
    return "\n".join(lines) + "\n"


async def main_async(draws: int) -> list[Timing]:
    named = {
        "progress-light.png": "Progress card, light",
        "progress-dark.png": "Progress card, dark",
        "leaderboard.png": "Leaderboard card (ten rows), dark",
        "week.png": "Week at a glance, light",
    }
    timings = [
        await measure(named[filename], card, theme, draws)
        for filename, (card, theme) in EXAMPLES.items()
    ]
    mixed = replace(PROGRESS, name=MIXED_NAME)
    timings.append(
        await measure(
            "Progress card, a name in four scripts and an emoji", mixed, cards.LIGHT, draws
        )
    )
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--draws", type=int, default=200, help="draws of each card")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    section = report(asyncio.run(main_async(args.draws)), args.draws)
    print(section)
    if not args.no_write:
        write_section(section)
        print(f"written to {HERE / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
