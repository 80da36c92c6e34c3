"""Who may be named where others can see. One rule, one owner: a member who chose
`/me privacy hidden` is named in no post and no reply that anyone else reads (leaderboards,
summaries, "can help", announcements, admin lists, someone else's `/progress`). Counts
that include them say so without naming them ("3 of 7, 1 privately"). Their own replies
still answer them, privately.

Every post or command that lists or names other members asks this module: `is_visible`
for a member in hand, `visible_clause` inside a query, `split` for a list to show.

What that means, decided once:
- A hidden member's own `/done`, `/kaggle submit` and `/leaderboard` are answered to them
  alone (ephemeral) and announce nothing to the channel.
- The weekly summary counts their check-in, finished steps, blocker and Kaggle attempts
  ("3 of 7, 1 privately", "and 2 steps privately") but shows neither their name nor their
  notes; they are never offered as "can help", and leaderboards leave them out.
- Someone else's `/progress` of them says only that it is private, echoing what was typed;
  an admin adding or removing them as a group admin gets a private answer naming nobody;
  `/group admins` counts them.
- DMs to them (reminders, nudges) may greet them by name: nobody else reads those."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement

from bot.db.models import Member, Privacy

T = TypeVar("T")


def is_visible(member: Member | None) -> bool:
    """Whether `member` may be named to others. Anyone not known to be public is not:
    an unknown member or a privacy value this code does not know stays hidden."""
    return member is not None and member.privacy == Privacy.PUBLIC.value


def visible_clause() -> ColumnElement[bool]:
    """The SQL condition on `Member` for queries that list members publicly."""
    return Member.privacy == Privacy.PUBLIC.value


@dataclass(frozen=True)
class Split(Generic[T]):
    """What may be shown, in the given order, and how many items were held back."""

    shown: list[T]
    hidden: int


def split(members: Iterable[Member]) -> Split[Member]:
    """The visible members, and how many are hidden."""
    return split_by(members, lambda member: member)


def split_by(items: Iterable[T], member_of: Callable[[T], Member | None]) -> Split[T]:
    """Items (check-ins, finished steps, attempts) whose member may be named, and how many
    belong to members who may not. An item whose member is unknown counts as hidden."""
    shown: list[T] = []
    hidden = 0
    for item in items:
        if is_visible(member_of(item)):
            shown.append(item)
        else:
            hidden += 1
    return Split(shown, hidden)
