"""/checkin and /kaggle: what members tell their group each week."""

from __future__ import annotations

from bot.commands.context import CommandContext
from bot.commands.registry import CommandSet, Option, OptionKind
from bot.db.models import Group
from bot.errors import UserError
from bot.markup import literal
from bot.messages import Button, ButtonStyle, Field, Reply
from bot.presentation import challenge_reply, link_to_attempt, name, step_label, their_time
from bot.roadmap.kaggle import Challenge
from bot.scheduler.calendar import Schedule, checkin_window
from bot.services import checkins, kaggle, privacy
from bot.services.groups import current_phase

commands = CommandSet()
TEXT_LIMIT = 500


def _group(ctx: CommandContext, what: str) -> Group:
    if ctx.group is None:
        msg = f"{what} belong to a study group: use this in your group's channel."
        raise UserError(msg)
    return ctx.group


@commands.command(
    "checkin",
    Option(
        "finished",
        "What you finished (step ids here are marked done)",
        OptionKind.TEXT,
        max_length=TEXT_LIMIT,
    ),
    Option("next", "What you'll do next", OptionKind.TEXT, max_length=TEXT_LIMIT),
    Option("blockers", "Anything in your way", OptionKind.TEXT, max_length=TEXT_LIMIT),
    Option("hours", "Hours studied this week", OptionKind.NUMBER, min_value=0, max_value=168),
    examples=(
        "/checkin finished: python-basics and a quiz app next: dev-tools hours: 6",
        "/checkin blockers: stuck on eigenvectors in linear-algebra",
    ),
)
async def check_in(ctx: CommandContext) -> Reply:
    """Tell your group how your week went: finished, next, blockers, hours."""
    group = _group(ctx, "Check-ins")
    finished, next_up = ctx.text("finished"), ctx.text("next")
    blockers, hours = ctx.text("blockers"), ctx.text("hours")
    window = checkin_window(Schedule.of(group), ctx.now)
    closes = their_time(window.deadline, ctx.member, "%A at %H:%M")
    if not any((finished, next_up, blockers, hours)):
        return Reply(
            title="📝 Weekly check-in",
            body=(
                "Tell the group at least one thing: what you finished, what's next, what's in "
                "your way, or how many hours you studied. For example:\n"
                "`/checkin finished: python-basics next: dev-tools hours: 6`\n"
                f"This week's check-in closes {closes}."
            ),
            ephemeral=True,
        )
    saved = await checkins.save(
        ctx.session,
        group=group,
        member=ctx.member,
        track=ctx.track,
        period=window.period,
        finished=finished,
        next_up=next_up,
        blockers=blockers,
        hours=float(hours) if hours is not None else None,
        now=ctx.now,
    )
    lines = ["Updated your check-in." if saved.updated else "Thanks for checking in! 🙌"]
    if saved.marked_done:
        lines.append("Marked done: " + ", ".join(step_label(p) for p in saved.marked_done) + ".")
    if saved.help_on is not None:
        lines.append(
            f"I've asked the group for help with {step_label(saved.help_on)}: mentors who "
            "finished it will hear from me, and I'll DM you when someone offers."
        )
    lines.append(f"The summary goes to the group {closes}.")
    fields = [
        Field(heading, value)
        for heading, value in (
            ("Finished", _literal(saved.checkin.finished)),
            ("Next", _literal(saved.checkin.next_up)),
            ("Blockers", _literal(saved.checkin.blockers)),
            ("Hours", f"{saved.checkin.hours:g}" if saved.checkin.hours is not None else None),
        )
        if value
    ]
    return Reply(
        title="📝 Check-in saved", body="\n".join(lines), fields=tuple(fields), ephemeral=True
    )


def _literal(note: str | None) -> str | None:
    return literal(note) if note else None


async def _current_challenge(ctx: CommandContext, group: Group) -> Challenge:
    catalogue = ctx.catalog.challenges
    challenge = await kaggle.posted_challenge(ctx.session, group, catalogue)
    if challenge is None:
        phase = await current_phase(ctx.session, group, ctx.track, ctx.now)
        challenge = await kaggle.challenge_for(ctx.session, group, catalogue, ctx.track, phase)
    if challenge is None:
        msg = (
            "There's no Kaggle challenge for where this group is on the roadmap yet. "
            "`/kaggle submit <url> challenge:<id>` logs an attempt at any challenge."
        )
        raise UserError(msg)
    return challenge


@commands.command("kaggle")
async def show_kaggle(ctx: CommandContext) -> Reply:
    """Show the group's current Kaggle challenge."""
    group = _group(ctx, "Kaggle challenges")
    challenge = await _current_challenge(ctx, group)
    reply = challenge_reply(challenge, title="🏁 This week's Kaggle challenge")
    return Reply(title=reply.title, body=reply.body, fields=reply.fields, ephemeral=True)


@commands.command(
    "kaggle submit",
    Option("url", "Your Kaggle notebook or submission link", required=True, max_length=300),
    Option(
        "score",
        "Your public score (optional)",
        OptionKind.NUMBER,
        min_value=-kaggle.SCORE_LIMIT,
        max_value=kaggle.SCORE_LIMIT,
    ),
    Option("challenge", "Which challenge, if not the current one (id or title)", max_length=100),
    examples=(
        "/kaggle submit https://www.kaggle.com/code/ana/titanic-first-try 0.77",
        "/kaggle submit https://www.kaggle.com/competitions/titanic 0.78 titanic",
    ),
)
async def submit_kaggle(ctx: CommandContext) -> Reply:
    """Log your attempt at the current Kaggle challenge (or one you name)."""
    group = _group(ctx, "Kaggle attempts")
    score = ctx.text("score")
    named = ctx.text("challenge")
    challenge = (
        ctx.catalog.challenges.find(named) if named else await _current_challenge(ctx, group)
    )
    attempt = await kaggle.log_attempt(
        ctx.session,
        member=ctx.member,
        group=group,
        challenge=challenge,
        catalogue=ctx.catalog.challenges,
        url=ctx.text("url") or "",
        score=float(score) if score is not None else None,
        now=ctx.now,
    )
    url = attempt.url  # checked and normalised: nothing but the Kaggle page's own path
    scored = f" with a score of **{float(score):g}**" if score is not None else ""
    # Announced to the channel, unless the member is hidden: then only they see it.
    announced = privacy.is_visible(ctx.member)
    who = f"**{name(ctx.member.display_name)}**" if announced else "You"
    return Reply(
        body=f"🏁 {who} took on **{challenge.title}**{scored}! {link_to_attempt(url)}",
        buttons=(Button("Show the challenge", "kaggle", style=ButtonStyle.SECONDARY),),
        ephemeral=not announced,
    )
