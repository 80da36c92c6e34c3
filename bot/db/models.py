"""Cohort's tables. Every row below `communities` carries its community's id, and every
query filters on it: no data crosses communities."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.db.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class StepStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    SKIPPED = "skipped"


class EventKind(StrEnum):
    STARTED = "started"
    DONE = "done"
    SKIPPED = "skipped"
    RESET = "reset"


class Role(StrEnum):
    """What a member said they are. Unset, a member is a learner from their first study
    action (see `bot.services.learners`)."""

    LEARNER = "learner"
    ORGANISER = "organiser"


class StudySource(StrEnum):
    LOG = "log"  # /log
    FOCUS = "focus"  # a focus session that ran its course or was stopped


class FocusStatus(StrEnum):
    RUNNING = "running"
    FINISHED = "finished"  # ran its full length
    STOPPED = "stopped"  # ended early with /focus stop


class Privacy(StrEnum):
    PUBLIC = "public"
    HIDDEN = "hidden"


def _in(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Community(Base):
    """One Discord guild, one Slack workspace, or the console's demo."""

    __tablename__ = "communities"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Group(Base):
    """A channel that studies a track together."""

    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("community_id", "channel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    channel_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100), default="")
    track_id: Mapped[str] = mapped_column(String(64))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The schedule, as wall-clock times in the group's timezone. Weekdays: 0 is Monday.
    daily_time: Mapped[str] = mapped_column(String(5), default="09:00")
    checkin_weekday: Mapped[int] = mapped_column(Integer, default=4)
    checkin_time: Mapped[str] = mapped_column(String(5), default="17:00")
    kaggle_cadence: Mapped[str] = mapped_column(String(10), default="weekly")
    kaggle_weekday: Mapped[int] = mapped_column(Integer, default=0)
    kaggle_time: Mapped[str] = mapped_column(String(5), default="10:00")
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    # Pictures (cards) with the group's replies and posts; off wins for everything here.
    # Deferred, with a server default only, so that rows can still be read and written
    # through this model in an older schema; `bot.services.pictures` loads it when needed.
    images: Mapped[bool] = mapped_column(Boolean, server_default=true(), deferred=True)
    __mapper_args__ = {"eager_defaults": False}  # noqa: RUF012 - read once by SQLAlchemy


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("community_id", "platform_user_id"),
        CheckConstraint(_in("privacy", Privacy), name="privacy"),
        CheckConstraint(_in("role", Role), name="role"),
        Index("ix_members_community_name_key", "community_id", "name_key"),
    )
    # No RETURNING of server defaults: inserting a member names `name_key` only when it is
    # set, so rows can still be written through this model into an older schema.
    __mapper_args__ = {"eager_defaults": False}  # noqa: RUF012 - read once by SQLAlchemy

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    platform_user_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(100))
    # The display name as names are looked up (`bot.services.tenancy.name_key`), written
    # with it: SQL's own lower() folds only ASCII letters on SQLite. A row inserted without
    # one gets '' from the database, which is not read back (see `__mapper_args__`).
    name_key: Mapped[str] = mapped_column(String(200), server_default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    privacy: Mapped[str] = mapped_column(String(16), default=Privacy.PUBLIC.value)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    quiet_start: Mapped[int] = mapped_column(Integer, default=22)
    quiet_end: Mapped[int] = mapped_column(Integer, default=8)
    # False while the timezone is only the group's (a default), True once they chose it.
    timezone_chosen: Mapped[bool] = mapped_column(Boolean, default=False)
    role: Mapped[str | None] = mapped_column(String(16))
    began_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # first study action
    # Pictures (cards) with the member's own replies (`/me images`); see `Group.images`.
    images: Mapped[bool] = mapped_column(Boolean, server_default=true(), deferred=True)
    # Happy to be asked for help on steps they finished (`/me mentor on`).
    mentor: Mapped[bool] = mapped_column(Boolean, server_default=false(), deferred=True)
    # Spaced review of finished steps by DM (`/review off` stops it).
    review: Mapped[bool] = mapped_column(Boolean, server_default=true(), deferred=True)


class GroupMember(Base):
    """A member takes part in a group once they use Cohort in its channel."""

    __tablename__ = "group_members"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StepProgress(Base):
    """Where a member stands on one step: the current state, derived from the events."""

    __tablename__ = "step_progress"
    __table_args__ = (
        UniqueConstraint("member_id", "track_id", "step_id"),
        CheckConstraint(_in("status", StepStatus), name="status"),
        Index("ix_step_progress_community_done", "community_id", "status", "completed_at"),
        # A group's week or month of steps: each member's done steps since a day.
        Index("ix_step_progress_member_done", "member_id", "status", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    track_id: Mapped[str] = mapped_column(String(64))
    step_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProgressEvent(Base):
    """Append-only: who changed which step to what, and when. Streaks, period
    leaderboards and pace come from here."""

    __tablename__ = "progress_events"
    __table_args__ = (
        CheckConstraint(_in("kind", EventKind), name="kind"),
        Index("ix_progress_events_member_time", "member_id", "occurred_at"),
        Index("ix_progress_events_community_time", "community_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    track_id: Mapped[str] = mapped_column(String(64))
    step_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StudyLog(Base):
    """Append-only: time a member studied, from /log or a focus session, optionally on a
    step. Hours, pace and study days come from here (and from check-in hours)."""

    __tablename__ = "study_logs"
    __table_args__ = (
        CheckConstraint("minutes > 0", name="minutes"),
        CheckConstraint(_in("source", StudySource), name="source"),
        Index("ix_study_logs_member_time", "member_id", "occurred_at"),
        Index("ix_study_logs_community_time", "community_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    track_id: Mapped[str | None] = mapped_column(String(64))
    step_id: Mapped[str | None] = mapped_column(String(64))
    minutes: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())  # when the study ended


class FocusSession(Base):
    """A focus session (a pomodoro): kept in the database so it survives a restart; when it
    ends, its time becomes a `StudyLog` and the member gets a short DM."""

    __tablename__ = "focus_sessions"
    __table_args__ = (
        CheckConstraint(_in("status", FocusStatus), name="status"),
        Index("ix_focus_sessions_status_ends", "status", "ends_at"),
        Index("ix_focus_sessions_member", "member_id", "status"),
        # One running session per member, even when two presses of "Another 25" race.
        Index(
            "uq_focus_sessions_running",
            "member_id",
            unique=True,
            sqlite_where=text("status = 'running'"),
            postgresql_where=text("status = 'running'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    channel_id: Mapped[str] = mapped_column(String(64))  # where it was started
    track_id: Mapped[str] = mapped_column(String(64))
    step_id: Mapped[str | None] = mapped_column(String(64))
    minutes: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DmDay(Base):
    """The one scheduled DM a member may get on a day of their own calendar. Claimed in
    the database before a reminder or nudge is sent, so two processes, or two groups,
    never both DM the same member that day."""

    __tablename__ = "dm_days"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # ISO date, member's zone
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    delivery_key: Mapped[str] = mapped_column(String(200))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StudyDay(Base):
    """A day of a member's own calendar on which they studied (logged time, a focus
    session, a step moved, a check-in): what streaks are counted from, kept as members
    act so that streaks never need to read the event history."""

    __tablename__ = "study_days"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)  # in the member's zone
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )


class StreakMark(Base):
    """Where a member's streak stood at the end of their latest study day: kept as they
    act, so that a streak is read from one row and the few days since, never from the
    whole history of study days."""

    __tablename__ = "streak_marks"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    through: Mapped[date] = mapped_column(Date)  # the latest study day, in the member's zone
    days: Mapped[int] = mapped_column(Integer)  # the streak's study days at its end
    freezes: Mapped[int] = mapped_column(Integer)  # freezes held then
    saved: Mapped[str] = mapped_column(Text, default="")  # missed days a freeze covered, ISO


class Vacation(Base):
    """A member away: no reminders or nudges, and their streak is frozen meanwhile."""

    __tablename__ = "vacations"
    __table_args__ = (Index("ix_vacations_member", "member_id", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Checkin(Base):
    """A member's answer to one weekly check-in of a group."""

    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("group_id", "member_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(32))
    finished: Mapped[str | None] = mapped_column(Text)
    next_up: Mapped[str | None] = mapped_column(Text)
    blockers: Mapped[str | None] = mapped_column(Text)
    hours: Mapped[float | None] = mapped_column(Float)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class KaggleAttempt(Base):
    __tablename__ = "kaggle_attempts"
    __table_args__ = (Index("ix_kaggle_attempts_community_time", "community_id", "submitted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    challenge_id: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(300))
    score: Mapped[float | None] = mapped_column(Float)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DeliveryStatus(StrEnum):
    CLAIMED = "claimed"  # someone is sending it, or a send failed and it waits for a retry
    SENT = "sent"
    SKIPPED = "skipped"  # no longer needed when its turn came (say, they checked in)


class Delivery(Base):
    """Every scheduled post and DM, claimed under a unique key before it is sent.
    The key (kind, group or member, period) is what makes delivery exactly-once."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("key"),
        CheckConstraint(_in("status", DeliveryStatus), name="status"),
        Index("ix_deliveries_group_kind", "group_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(10))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    detail: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(Text)


class UpcomingKind(StrEnum):
    POSTS = "posts"  # a group's daily resource, check-in, summary and Kaggle prompt
    REMINDERS = "reminders"  # one member's check-in reminders in one group
    NUDGES = "nudges"  # one member's nudges after they went quiet (whatever their groups)
    HELP = "help"  # one help request: its post, the mentors' DMs, the repeat, offers told
    REVIEWS = "reviews"  # one member's daily review question (whatever their groups)


class Upcoming(Base):
    """What is scheduled next, where one indexed query finds it: each group's next post,
    each group member's next check-in reminder, each member's next nudge.

    `due_at` is never later than the next thing really due, so a sweep reads only the rows
    whose time has come; it then reads the calendar from `checked_through` (None: not read
    yet) up to now, sends what is due and still useful, and moves both on. While a process
    sends a row's posts, `due_at` is its lease: another process takes the row only after."""

    __tablename__ = "upcoming"
    __table_args__ = (
        UniqueConstraint("scope"),
        CheckConstraint(_in("kind", UpcomingKind), name="kind"),
        Index("ix_upcoming_due", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(48))  # posts:g1, reminders:g1:m2, nudges:m2
    kind: Mapped[str] = mapped_column(String(10))
    platform: Mapped[str] = mapped_column(String(10))
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    checked_through: Mapped[datetime | None] = mapped_column(UTCDateTime())


class HelpSource(StrEnum):
    STUCK = "stuck"  # /stuck
    CHECKIN = "checkin"  # a blocker given in a weekly check-in


class HelpRequest(Base):
    """A member stuck on a step, asking their group for help: posted in the group's
    channel and sent to mentors who finished the step (`bot.services.helping`)."""

    __tablename__ = "help_requests"
    __table_args__ = (
        CheckConstraint(_in("source", HelpSource), name="source"),
        Index("ix_help_requests_group_time", "group_id", "asked_at"),
        Index("ix_help_requests_member", "member_id", "asked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    track_id: Mapped[str] = mapped_column(String(64))
    step_id: Mapped[str] = mapped_column(String(64))
    question: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(10))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    solved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class HelpAsk(Base):
    """A mentor asked to help with a request, in its first round or its repeat. A mentor
    is asked at most `slot` 1 and 2 of a day of their own calendar: the unique key is the
    daily budget, so two processes never both spend a mentor's last one."""

    __tablename__ = "help_asks"
    __table_args__ = (UniqueConstraint("member_id", "day", "slot"),)

    request_id: Mapped[int] = mapped_column(
        ForeignKey("help_requests.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    round: Mapped[int] = mapped_column(Integer)  # 1 at once, 2 the repeat
    day: Mapped[str] = mapped_column(String(10))  # ISO date, the mentor's zone
    slot: Mapped[int] = mapped_column(Integer)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HelpOffer(Base):
    """Someone said "I'll help" with a request: what the `helped` leaderboard counts."""

    __tablename__ = "help_offers"
    __table_args__ = (Index("ix_help_offers_community_time", "community_id", "offered_at"),)

    request_id: Mapped[int] = mapped_column(
        ForeignKey("help_requests.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReviewCard(Base):
    """A finished step coming back for review: `stage` 0, 1 and 2 are the reviews 1, 7 and
    30 days on, 3 is done. `question_id` is the question to ask next (None: the step's
    first). Kept as members answer (`bot.services.review`)."""

    __tablename__ = "review_cards"
    __table_args__ = (
        UniqueConstraint("member_id", "track_id", "step_id"),
        Index("ix_review_cards_member_due", "member_id", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    track_id: Mapped[str] = mapped_column(String(64))
    step_id: Mapped[str] = mapped_column(String(64))
    stage: Mapped[int] = mapped_column(Integer, default=0)
    due_on: Mapped[date | None] = mapped_column(Date)  # the member's day; None when done
    question_id: Mapped[str | None] = mapped_column(String(64))
    answers: Mapped[int] = mapped_column(Integer, default=0)  # answered so far
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReviewAnswer(Base):
    """Append-only: a review question answered, right or not. Review health and the
    weekly summary's count come from here."""

    __tablename__ = "review_answers"
    __table_args__ = (
        Index("ix_review_answers_member_time", "member_id", "answered_at"),
        Index("ix_review_answers_community_time", "community_id", "answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    track_id: Mapped[str] = mapped_column(String(64))
    step_id: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[str] = mapped_column(String(64))
    answer: Mapped[str] = mapped_column(Text)
    correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class GroupAdmin(Base):
    """Members a group trusts with its admin commands, beyond the platform's own admins."""

    __tablename__ = "group_admins"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SeenRequest(Base):
    """A signed request a platform sent us, remembered for a few minutes so that the same
    request sent again (a replay) is not carried out twice. Not community data: it holds
    only the request's signature and when it came."""

    __tablename__ = "seen_requests"

    signature: Mapped[str] = mapped_column(String(100), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
