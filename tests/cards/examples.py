"""The example cards the README shows (docs/cards/*.png), drawn from fixed data. The tests
compare every card drawn now with these files, so a change to how cards look is seen.

Regenerate them after a deliberate change: `.venv/bin/python -m tests.cards.examples`."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from bot import cards
from bot.cards import (
    DARK,
    LIGHT,
    Entry,
    LeaderboardCard,
    PhaseBar,
    ProgressCard,
    Theme,
    WeekCard,
    WeekDay,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cards"
TODAY = date(2026, 11, 23)  # a Monday
STUDIED = frozenset(
    TODAY - timedelta(days=n) for n in range(84) if (n % 3 != 1 and n % 7 != 5) or n < 12
)

PROGRESS = ProgressCard(
    name="Ana Müller",
    track="Machine Learning Engineer",
    done=16,
    total=37,
    percent=43,
    phases=(
        PhaseBar("Foundations", 7, 7),
        PhaseBar("Core machine learning", 5, 8),
        PhaseBar("Deep learning", 2, 6),
        PhaseBar("Production and MLOps", 1, 6),
        PhaseBar("AI engineering with LLMs", 1, 5),
        PhaseBar("Specialisation", 0, 2),
        PhaseBar("Portfolio and career", 0, 3),
    ),
    streak_days=12,
    freezes=1,
    hours_this_week=5.5,
    today=TODAY,
    study_days=STUDIED,
    next_step="Linear algebra",
)

_BOARD = [
    ("Ana Müller", 9),
    ("Ben Carter", 7),
    ("Chidi Okafor", 7),
    ("Дмитрий Иванов", 5),
    ("Ελένη Παπαδοπούλου", 4),
    ("Kofi Mensah", 3),
    ("Zoë Laurent", 3),
    ("Priya Raman", 2),
    ("Mateo Rossi", 2),
    ("Yusuf Demir", 1),
]
LEADERBOARD = LeaderboardCard(
    title="Steps finished",
    period="this week (since Mon 16 Nov)",
    where="#ml-study",
    entries=tuple(
        Entry(
            rank=rank,
            member_id=index + 1,
            name=who,
            value=steps,
            shown=f"{steps} step{'s' if steps != 1 else ''}",
            is_caller=who == "Ben Carter",
        )
        for index, ((who, steps), rank) in enumerate(
            zip(_BOARD, (1, 2, 2, 4, 5, 6, 6, 8, 8, 10), strict=True)
        )
    ),
    caller=None,
)
WEEK = WeekCard(
    group="#ml-study",
    days=tuple(
        WeekDay(date(2026, 11, 16) + timedelta(days=n), hours, steps)
        for n, (hours, steps) in enumerate(
            [(2.5, 1), (0.0, 0), (4.0, 3), (1.5, 0), (6.0, 2), (0.5, 0), (3.0, 1)]
        )
    ),
    checked_in=5,
    expected=7,
)

EXAMPLES: dict[str, tuple[cards.Card, Theme]] = {
    "progress-light.png": (PROGRESS, LIGHT),
    "progress-dark.png": (PROGRESS, DARK),
    "leaderboard.png": (LEADERBOARD, DARK),
    "week.png": (WEEK, LIGHT),
}


def main() -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    for filename, (card, theme) in EXAMPLES.items():
        (DOCS / filename).write_bytes(cards.render(card, theme).png)
        print(DOCS / filename)


if __name__ == "__main__":
    main()
