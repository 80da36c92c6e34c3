"""Learning together, on a controlled clock: a question reaches the right mentors at the
right local time (never a hidden member, never more than two a day), is asked again of
others after twelve hours, and finished steps come back for review 1, 7 and 30 days on,
sooner after a wrong answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.markup import plain_text
from bot.messages import Reply
from tests.scheduler.conftest import Desk, Posted

WED_0800 = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)  # 09:00 in Berlin, Wednesday
WED_0900 = WED_0800 + timedelta(hours=1)  # 10:00 Berlin, 18:00 Tokyo, 04:00 New York
HELP_DM = "🤝 Can you help?"


async def _group(desk: Desk) -> None:
    desk.clock.set(WED_0800)
    await desk.cohort("/group setup ml-engineer Europe/Berlin", as_="admin")


async def _mentor(desk: Desk, who: str, zone: str, *, step: str = "python-basics") -> None:
    await desk.cohort(f"/me timezone {zone}", as_=who)
    await desk.cohort(f"/done {step}", as_=who)
    reply = await desk.cohort("/me mentor on", as_=who)
    assert "Thanks!" in reply.body, reply.body


def _to(desk: Desk, title: str) -> list[str]:
    return sorted(p.to for p in desk.poster.titled(title) if p.to is not None)


def _posts(desk: Desk, title: str) -> list[Posted]:
    return [p for p in desk.poster.titled(title) if p.to is None]


async def _ask(desk: Desk, question: str = "how do I read a dict?", *, as_: str = "ana") -> Reply:
    reply = await desk.cohort(f"/stuck python-basics {question}", as_=as_)
    assert not reply.is_error, reply.body
    return reply


async def test_a_question_reaches_the_mentors_awake_in_daytime_and_no_one_hidden(
    desk: Desk,
) -> None:
    await _group(desk)
    await _mentor(desk, "ben", "Europe/Berlin")  # 10:00: daytime
    await _mentor(desk, "fay", "Asia/Tokyo")  # 18:00: daytime
    await desk.cohort("/me reminders off", as_="fay")  # a mentor still wants to be asked
    await _mentor(desk, "gus", "America/New_York")  # 04:00: in his quiet hours
    await _mentor(desk, "dee", "Europe/Berlin")
    await desk.cohort("/me privacy hidden", as_="dee")  # hidden: never asked
    await desk.cohort("/done python-basics", as_="eve")  # finished it, but no mentor
    await desk.cohort("/me mentor on", as_="hal")  # a mentor who never did the step
    desk.clock.set(WED_0900)
    answer = await _ask(desk)
    await desk.run_until(WED_0900 + timedelta(minutes=1))

    assert "I'm asking 2 of the 3 mentors" in answer.body
    [post] = _posts(desk, "🆘")
    assert post.at == WED_0900
    assert post.reply.title == "🆘 #1 · Stuck on Python fundamentals"
    assert post.reply.thread == "Help: Python fundamentals"
    assert "ana is stuck on" in plain_text(post.reply.body)
    assert "how do I read a dict?" in plain_text(post.reply.body)
    assert [b.label for b in post.reply.buttons] == ["I'll help", "Solved"]
    assert _to(desk, HELP_DM) == ["ben", "fay"]
    dm = next(p for p in desk.poster.titled(HELP_DM) if p.to == "ben")
    assert "Hi ben! ana in your study group is stuck on" in plain_text(dm.reply.body)
    assert "/me mentor off" in plain_text(dm.reply.body)


async def test_a_hidden_asker_is_not_named_anywhere(desk: Desk) -> None:
    await _group(desk)
    await _mentor(desk, "ben", "Europe/Berlin")
    await desk.cohort("/me privacy hidden", as_="ana")
    desk.clock.set(WED_0900)
    await _ask(desk)
    await desk.run_until(WED_0900 + timedelta(minutes=1))
    for sent in desk.poster.sent:
        if sent.to != "ana":
            assert "ana" not in plain_text(sent.reply.body)
    assert _to(desk, HELP_DM) == ["ben"]


async def test_least_recent_helpers_come_first_and_nobody_gets_more_than_two_a_day(
    desk: Desk,
) -> None:
    await _group(desk)
    for who in ("ben", "cal", "dan"):
        await _mentor(desk, who, "Europe/Berlin")
    desk.clock.set(WED_0900)
    await _ask(desk, "first", as_="ana")
    await desk.run_until(WED_0900 + timedelta(minutes=1))
    assert _to(desk, HELP_DM) == ["ben", "cal"]  # nobody helped yet: who joined first
    first = next(p for p in desk.poster.titled(HELP_DM) if p.to == "ben")
    thanks = await desk.cohort.press(first.reply, "I'll help", as_="ben")
    assert "I'm telling ana you'll help" in plain_text(thanks.body)

    desk.poster.sent.clear()
    await _ask(desk, "second", as_="ivy")
    await desk.run_until(desk.clock.now() + timedelta(minutes=1))
    assert _to(desk, HELP_DM) == ["cal", "dan"]  # ben helped most recently: last

    for question in ("third", "fourth", "fifth"):
        await _ask(desk, question, as_="jo")
    await desk.run_until(desk.clock.now() + timedelta(hours=6))
    per_mentor = {who: _to(desk, HELP_DM).count(who) for who in ("ben", "cal", "dan")}
    # cal was asked twice already today: the budget is spent; ben and dan have one each left
    assert per_mentor == {"ben": 1, "cal": 1, "dan": 2}


async def test_unanswered_for_twelve_hours_it_goes_once_to_other_mentors(desk: Desk) -> None:
    await _group(desk)
    await _mentor(desk, "ben", "Europe/Berlin")
    await _mentor(desk, "fay", "Asia/Tokyo")
    await _mentor(desk, "gus", "America/New_York")  # asleep now, 16:00 in twelve hours
    desk.clock.set(WED_0900)
    await _ask(desk)
    await desk.run_until(WED_0900 + timedelta(hours=11, minutes=59))
    assert _to(desk, HELP_DM) == ["ben", "fay"]
    await desk.run_until(WED_0900 + timedelta(days=3))
    repeat = [p for p in desk.poster.titled(HELP_DM) if p.to == "gus"]
    assert [p.at for p in repeat] == [WED_0900 + timedelta(hours=12)]
    assert _to(desk, HELP_DM) == ["ben", "fay", "gus"]  # once, and never to the first two again
    assert len(_posts(desk, "🆘")) == 1


async def test_an_offer_stops_the_repeat_and_tells_the_asker_and_solved_is_the_askers(
    desk: Desk,
) -> None:
    await _group(desk)
    await _mentor(desk, "ben", "Europe/Berlin")
    await _mentor(desk, "gus", "America/New_York")
    desk.clock.set(WED_0900)
    await _ask(desk)
    await desk.run_until(WED_0900 + timedelta(hours=1))
    [post] = _posts(desk, "🆘")
    offered = await desk.cohort.press(post.reply, "I'll help", as_="ben")
    assert "you'll help" in offered.body
    again = await desk.cohort.press(post.reply, "I'll help", as_="ben")
    assert "already offered" in again.body
    own = await desk.cohort.press(post.reply, "I'll help", as_="ana")
    assert own.is_error
    assert "your own question" in own.body
    await desk.run_until(WED_0900 + timedelta(days=2))
    [news] = desk.poster.titled("🙌 Help is coming")
    assert news.to == "ana"
    assert "ben will help" in plain_text(news.reply.body)
    assert "gus" not in _to(desk, HELP_DM)  # help came: no repeat
    refused = await desk.cohort.press(post.reply, "Solved", as_="ben")
    assert refused.is_error
    assert "Only the member who asked" in refused.body
    done = await desk.cohort.press(news.reply, "Solved", as_="ana")
    assert "Marked solved" in done.body
    board = await desk.cohort("/leaderboard week helped", as_="ana")
    assert "ben" in plain_text(board.body)
    assert "1 request" in plain_text(board.body)


async def test_a_blocker_in_a_checkin_asks_for_help_once(desk: Desk) -> None:
    await _group(desk)
    await _mentor(desk, "ben", "Europe/Berlin", step="linear-algebra")
    desk.clock.set(datetime(2026, 11, 20, 16, 30, tzinfo=UTC))  # Friday, check-in is open
    reply = await desk.cohort("/checkin blockers: stuck on eigenvectors", as_="ana")
    assert "asked the group for help with" in plain_text(reply.body)
    await desk.cohort("/checkin blockers: stuck on eigenvectors still", as_="ana")
    await desk.run_until(desk.clock.now() + timedelta(hours=1))
    assert len(_posts(desk, "🆘")) == 1
    assert _to(desk, HELP_DM) == ["ben"]


async def test_the_summary_counts_help_and_reviews_and_lists_what_waits(desk: Desk) -> None:
    await _group(desk)
    await desk.cohort("/done python-basics", as_="ana")
    desk.clock.set(WED_0900)
    await _ask(desk, "nobody will answer this", as_="bo")
    await desk.run_until(datetime(2026, 11, 19, 17, 1, tzinfo=UTC))  # Thursday's review
    [question] = desk.poster.titled("🧠 Review")
    await desk.cohort.press(question.reply, "list", as_="ana")
    await desk.run_until(datetime(2026, 11, 22, 16, 1, tzinfo=UTC))  # Sunday's summary
    [summary] = desk.poster.titled("📊 Weekly summary")
    fields = {f.name: plain_text(f.value) for f in summary.reply.fields}
    helping = fields["Helping each other"]
    assert "1 question asked, 0 solved" in helping
    assert "Python fundamentals (python-basics), asked by bo (/offer 1)" in helping
    assert "1 review question answered" in helping


# Spaced review ---------------------------------------------------------------------------


def _reviews(desk: Desk, who: str = "ana") -> list[Posted]:
    return [p for p in desk.poster.titled("🧠 Review") if p.to == who]


async def test_a_finished_step_comes_back_after_one_seven_and_thirty_days(desk: Desk) -> None:
    await _group(desk)
    await desk.cohort("/me reminders off", as_="ana")  # Saturdays' reminders keep their day
    await desk.cohort("/done python-basics", as_="ana")  # Wednesday 09:00 Berlin
    await desk.run_until(datetime(2026, 11, 19, 16, 59, tzinfo=UTC))
    assert _reviews(desk) == []
    await desk.run_until(datetime(2026, 11, 19, 17, 1, tzinfo=UTC))  # Thursday 18:00 Berlin
    [first] = _reviews(desk)
    assert "Which of these built-in Python types can be changed" in plain_text(first.reply.body)
    assert [b.label for b in first.reply.buttons] == ["tuple", "str", "list", "frozenset"]
    right = await desk.cohort.press(first.reply, "list", as_="ana")
    assert "✅ Right!" in right.body
    assert "comes back 26 Nov 2026" in plain_text(right.body)
    stale = await desk.cohort.press(first.reply, "tuple", as_="ana")
    assert stale.is_error
    assert "answered already" in stale.body

    await desk.run_until(datetime(2026, 11, 26, 17, 1, tzinfo=UTC))
    second = _reviews(desk)[1]
    assert second.at == datetime(2026, 11, 26, 17, 0, tzinfo=UTC)
    assert [b.label for b in second.reply.buttons] == ["Answer"]  # a short answer: a form
    assert second.reply.buttons[0].form == "text"
    answered = await desk.cohort.app.dispatcher.press(
        second.reply.buttons[0].action_id,
        actor=desk.cohort.actor("ana"),
        place=desk.cohort.place,
        typed="  Dict ",
    )
    assert "✅ Right!" in answered.body, answered.body
    assert "comes back" in plain_text(answered.body)

    for day in range(1, 30, 5):  # ana keeps studying, so she is never left alone as quiet
        await desk.run_until(datetime(2026, 11, 27, 12, tzinfo=UTC) + timedelta(days=day))
        await desk.cohort("/log 30m", as_="ana")
    await desk.run_until(datetime(2026, 12, 26, 17, 1, tzinfo=UTC))
    third = _reviews(desk)[2]
    assert third.at == datetime(2026, 12, 26, 17, 0, tzinfo=UTC)  # 30 days on
    await desk.run_until(datetime(2026, 12, 28, 17, 1, tzinfo=UTC))
    assert len(_reviews(desk)) == 3  # unanswered, and she has not studied since: it waits
    await desk.cohort("/log 30m", as_="ana")
    await desk.run_until(datetime(2026, 12, 31, 17, 1, tzinfo=UTC))
    days = [p.at for p in _reviews(desk)]
    # Studying again brings it back, three days after the last (never twice a day)
    assert days[3:] == [datetime(2026, 12, 29, 17, 0, tzinfo=UTC)]
    progress = await desk.cohort("/progress", as_="ana")
    review_field = next(f.value for f in progress.fields if f.name == "Review")
    assert "1 step due for review" in plain_text(review_field)


async def test_a_wrong_answer_brings_the_question_back_the_next_day(desk: Desk) -> None:
    await _group(desk)
    await desk.cohort("/done python-basics", as_="ana")
    await desk.run_until(datetime(2026, 11, 19, 17, 1, tzinfo=UTC))
    [first] = _reviews(desk)
    wrong = await desk.cohort.press(first.reply, "tuple", as_="ana")
    assert "Not quite: the answer is list" in plain_text(wrong.body)
    assert "comes back 20 Nov 2026" in plain_text(wrong.body)
    await desk.run_until(datetime(2026, 11, 20, 17, 1, tzinfo=UTC))
    again = _reviews(desk)[1]
    assert again.at == datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
    assert "Which of these built-in Python types" in plain_text(again.reply.body)


async def test_review_off_stops_the_dms_and_review_asks_at_once(desk: Desk) -> None:
    await _group(desk)
    await desk.cohort("/done python-basics", as_="ana")
    off = await desk.cohort("/review off", as_="ana")
    assert "Review is off" in off.body
    await desk.run_until(datetime(2026, 11, 24, tzinfo=UTC))
    assert _reviews(desk) == []
    now = await desk.cohort("/review", as_="ana")
    assert now.title == "🧠 Review · Python fundamentals"
    assert now.ephemeral
    await desk.cohort("/review on", as_="ana")
    await desk.run_until(datetime(2026, 11, 24, 17, 1, tzinfo=UTC))
    assert len(_reviews(desk)) == 1


async def test_a_review_shares_the_days_one_dm_with_reminders(desk: Desk) -> None:
    await _group(desk)
    await desk.cohort("/done python-basics", as_="ana")
    # Saturday: the check-in reminder (17:00 Berlin) takes the day's DM, so a review due
    # that day waits for Sunday.
    await desk.cohort("/review off", as_="ana")
    await desk.run_until(datetime(2026, 11, 21, 8, 0, tzinfo=UTC))
    await desk.cohort("/review on", as_="ana")
    await desk.run_until(datetime(2026, 11, 22, 17, 1, tzinfo=UTC))
    titles = [(p.reply.title, p.at.date().isoformat()) for p in desk.poster.sent if p.to == "ana"]
    assert ("⏰ Check-in reminder", "2026-11-21") in titles
    assert ("🧠 Review · Python fundamentals", "2026-11-21") not in titles
    assert ("🧠 Review · Python fundamentals", "2026-11-22") in titles


async def test_a_paused_group_takes_no_questions_and_posts_none(desk: Desk) -> None:
    await _group(desk)
    await _mentor(desk, "ben", "Europe/Berlin")
    desk.clock.set(WED_0900)
    await _ask(desk, "asked before the pause")
    await desk.cohort("/group pause", as_="admin")
    refused = await desk.cohort("/stuck python-basics a question", as_="ana")
    assert refused.is_error
    assert "paused" in refused.body
    await desk.run_until(WED_0900 + timedelta(hours=2))
    assert _posts(desk, "🆘") == []
    assert _to(desk, HELP_DM) == []
    await desk.cohort("/group resume", as_="admin")
    await desk.run_until(WED_0900 + timedelta(hours=3))
    assert len(_posts(desk, "🆘")) == 1  # still open and still useful: it goes out now
    assert _to(desk, HELP_DM) == ["ben"]


async def test_a_hidden_members_checkin_blocker_stays_private(desk: Desk) -> None:
    await _group(desk)
    await _mentor(desk, "ben", "Europe/Berlin", step="linear-algebra")
    await desk.cohort("/me privacy hidden", as_="ana")
    desk.clock.set(datetime(2026, 11, 20, 16, 30, tzinfo=UTC))
    reply = await desk.cohort("/checkin blockers: stuck on eigenvectors", as_="ana")
    assert "asked the group" not in plain_text(reply.body)
    await desk.run_until(desk.clock.now() + timedelta(hours=1))
    assert _posts(desk, "🆘") == []
    assert _to(desk, HELP_DM) == []


async def test_quiet_hours_over_the_evening_move_the_review_to_the_morning(desk: Desk) -> None:
    await _group(desk)
    await desk.cohort("/me quiet 17-08", as_="ana")
    await desk.cohort("/done python-basics", as_="ana")
    await desk.run_until(datetime(2026, 11, 20, 9, tzinfo=UTC))
    assert [p.at for p in _reviews(desk)] == [datetime(2026, 11, 20, 7, 0, tzinfo=UTC)]


async def test_a_review_gives_way_to_a_reminder_later_the_same_day(desk: Desk) -> None:
    await _group(desk)  # check-ins in Berlin: the reminder comes Saturday 17:00 Berlin
    await desk.cohort("/me timezone Asia/Dubai", as_="ana")  # 20:00 for her, after 18:00
    await desk.cohort("/review off", as_="ana")
    await desk.cohort("/done python-basics", as_="ana")
    await desk.run_until(datetime(2026, 11, 21, 8, tzinfo=UTC))
    await desk.cohort("/review on", as_="ana")
    await desk.run_until(datetime(2026, 11, 22, 15, 1, tzinfo=UTC))
    titles = [(p.reply.title[:2], p.at) for p in desk.poster.sent if p.to == "ana"]
    assert titles == [
        ("⏰ ", datetime(2026, 11, 21, 16, 0, tzinfo=UTC)),  # the reminder kept its day
        ("🧠 ", datetime(2026, 11, 22, 14, 0, tzinfo=UTC)),  # 18:00 in Dubai, the next day
    ]


async def test_a_step_cannot_be_reviewed_before_its_day(desk: Desk) -> None:
    await _group(desk)
    await desk.cohort("/done python-basics", as_="ana")
    early = await desk.cohort("/answer 1 choice: 3", as_="ana")
    assert early.is_error
    assert "comes back for review 19 Nov 2026" in plain_text(early.body)
    huge = await desk.cohort("/answer 99999999999999999999 list", as_="ana")
    assert huge.is_error
    assert "isn't one of yours" in huge.body
    other = await desk.cohort("/answer 1 choice: 3", as_="ben")
    assert other.is_error
    assert "isn't one of yours" in other.body


async def test_reviews_come_back_when_a_paused_group_resumes(desk: Desk) -> None:
    await _group(desk)
    await desk.cohort("/done python-basics", as_="ana")
    await desk.cohort("/group pause", as_="admin")
    await desk.run_until(datetime(2026, 11, 20, tzinfo=UTC))
    assert _reviews(desk) == []
    await desk.cohort("/group resume", as_="admin")
    await desk.run_until(datetime(2026, 11, 20, 17, 1, tzinfo=UTC))
    assert [p.at for p in _reviews(desk)] == [datetime(2026, 11, 20, 17, 0, tzinfo=UTC)]


async def test_a_checkin_in_a_paused_group_is_saved_without_asking_for_help(desk: Desk) -> None:
    await _group(desk)
    await desk.cohort("/group pause", as_="admin")
    desk.clock.set(datetime(2026, 11, 20, 16, 30, tzinfo=UTC))
    reply = await desk.cohort("/checkin blockers: stuck on eigenvectors", as_="ana")
    assert not reply.is_error, reply.body
    assert "asked the group" not in plain_text(reply.body)


async def test_an_offer_before_any_mentor_was_asked_stops_the_asking(desk: Desk) -> None:
    await _group(desk)
    await _mentor(desk, "ben", "Europe/Berlin")
    desk.clock.set(datetime(2026, 11, 18, 5, 30, tzinfo=UTC))  # 06:30: ben's quiet hours
    await _ask(desk)
    await desk.run_until(datetime(2026, 11, 18, 6, 45, tzinfo=UTC))
    [post] = _posts(desk, "🆘")
    await desk.cohort.press(post.reply, "I'll help", as_="cal")  # from the channel
    await desk.run_until(datetime(2026, 11, 19, 12, tzinfo=UTC))
    assert _to(desk, HELP_DM) == [], "help was coming before ben woke up"
    assert [p.to for p in desk.poster.titled("🙌 Help is coming")] == ["ana"]


async def test_helped_and_reviews_count_for_their_own_group(desk: Desk) -> None:
    await _group(desk)
    other = desk.cohort.place.__class__(desk.cohort.place.platform, "guild-1", "other")
    await desk.cohort("/group setup ml-engineer Europe/Berlin", as_="admin", place=other)
    await _mentor(desk, "ben", "Europe/Berlin")
    await desk.cohort("/next", as_="ben", place=other)  # ben is in both groups
    desk.clock.set(WED_0900)
    asked = await desk.cohort("/stuck python-basics a question", as_="cy", place=other)
    assert not asked.is_error, asked.body
    offered = await desk.cohort("/offer 1", as_="ben", place=other)
    assert "you'll help" in offered.body
    here = await desk.cohort("/leaderboard week helped", as_="ana")
    there = await desk.cohort("/leaderboard week helped", as_="ana", place=other)
    assert "ben" not in plain_text(here.body)
    assert "ben · 1 request" in plain_text(there.body)


async def test_the_summary_lists_questions_still_waiting_after_their_repeat(desk: Desk) -> None:
    await _group(desk)
    desk.clock.set(WED_0900)
    await _ask(desk, "an old question", as_="bo")
    await desk.run_until(datetime(2026, 11, 22, 15, 30, tzinfo=UTC))  # Sunday, 16:30 Berlin
    await _ask(desk, "a question of a moment ago", as_="cy")
    await desk.run_until(datetime(2026, 11, 29, 16, 1, tzinfo=UTC))  # two summaries
    first, second = (
        {f.name: plain_text(f.value) for f in p.reply.fields}["Helping each other"]
        for p in desk.poster.titled("📊 Weekly summary")
    )
    assert "2 questions asked, 0 solved" in first
    assert "asked by bo (/offer 1)" in first
    assert "asked by cy" not in first  # half an hour old: its mentors have their turn first
    assert "asked by bo (/offer 1)" in second  # a week later, still waiting
    assert "asked by cy (/offer 2)" in second
