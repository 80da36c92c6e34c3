"""/stuck, /offer and /solved (help when stuck), /review and /answer (spaced review)."""

from __future__ import annotations

from dataclasses import replace

from bot.commands.context import CommandContext
from bot.commands.registry import CommandSet, Option, OptionKind
from bot.db.models import Group, HelpSource
from bot.errors import UserError
from bot.markup import literal
from bot.messages import Reply
from bot.presentation import (
    REVIEW_ANSWER_OPTION,
    name,
    plural,
    review_question,
    review_result,
    step_label,
)
from bot.services import helping, privacy, review
from bot.timeutil import friendly_date

commands = CommandSet()
REQUEST = Option(
    "request", "The help request's number (on its post)", OptionKind.INTEGER, min_value=1
)
REQUIRED_REQUEST = replace(REQUEST, required=True)


def _group(ctx: CommandContext) -> Group:
    if ctx.group is None:
        msg = "Questions go to a study group: use `/stuck` in your group's channel."
        raise UserError(msg)
    return ctx.group


@commands.command(
    "stuck",
    Option("step", "The step you're stuck on", OptionKind.STEP, required=True),
    Option(
        "question",
        "What you're stuck on, in a sentence or two",
        OptionKind.TEXT,
        required=True,
        max_length=helping.QUESTION_LIMIT,
    ),
    examples=("/stuck linear-algebra what does an eigenvector mean geometrically?",),
)
async def stuck(ctx: CommandContext) -> Reply:
    """Ask your group for help on a step: I post it and ask members who finished it."""
    group = _group(ctx)
    placed = ctx.step()
    asked = await helping.ask(
        ctx.session,
        group=group,
        member=ctx.member,
        track=ctx.track,
        step=placed,
        question=ctx.text("question") or "",
        source=HelpSource.STUCK,
        now=ctx.now,
    )
    mentors = asked.mentors_waiting
    if mentors > helping.MENTORS_ASKED:
        who = f"I'm asking {helping.MENTORS_ASKED} of the {mentors} mentors who finished it"
    elif mentors:
        who = f"I'm asking the {plural(mentors, 'mentor')} who finished it"
    else:
        who = "No mentor has finished it yet, so the group will see it"
    return Reply(
        title=f"🆘 Asked for help with {placed.step.title}",
        body=(
            f"Your question goes to the channel in a moment, with a thread for answers. {who}. "
            "I'll DM you when someone offers to help; press **Solved** (or `/solved`) once "
            "it's sorted."
        ),
        ephemeral=True,
    )


@commands.command("offer", REQUIRED_REQUEST, examples=("/offer 12",))
async def offer(ctx: CommandContext) -> Reply:
    """Tell someone stuck that you'll help (the I'll help button does this)."""
    offered = await helping.offer(
        ctx.session, member=ctx.member, request_id=int(ctx.args["request"]), now=ctx.now
    )
    asker = offered.asker
    them = name(asker.display_name) if asker and privacy.is_visible(asker) else "them"
    if offered.request.solved_at is not None:
        return Reply(body="Thanks! That one is solved already. 🎉", ephemeral=True)
    if not offered.new:
        return Reply(body=f"You've already offered; I told {them}. 🙏", ephemeral=True)
    return Reply(
        body=(
            f"🙏 Thank you! I'm telling {them} you'll help. Answer in the thread under their "
            "question in the group's channel."
        ),
        ephemeral=True,
    )


@commands.command("solved", REQUEST, examples=("/solved", "/solved 12"))
async def solved(ctx: CommandContext) -> Reply:
    """Mark your question solved (your latest one here, or the one numbered)."""
    raw = ctx.args.get("request")
    request = await helping.solve(
        ctx.session,
        member=ctx.member,
        request_id=int(raw) if raw is not None else None,
        group=ctx.group,
        now=ctx.now,
    )
    placed = ctx.catalog.track_or_default(request.track_id).get(request.step_id)
    what = step_label(placed) if placed is not None else literal(request.step_id)
    return Reply(
        body=f"🎉 Marked solved: your question on {what}. Glad it's sorted!", ephemeral=True
    )


@commands.command(
    "review",
    Option("setting", "on or off", OptionKind.CHOICE, choices=("on", "off")),
    examples=("/review", "/review off", "/review on"),
)
async def start_review(ctx: CommandContext) -> Reply:
    """Review a step you finished now; `/review off` or `on` for the daily question."""
    setting = ctx.text("setting")
    if setting is not None:
        on = setting == "on"
        await review.set_review(ctx.session, ctx.member, on, now=ctx.now)
        if on:
            text = "🧠 Review is on: a question a day from steps you finished, at 18:00 your time."
        else:
            text = "🔕 Review is off: no more review questions by DM. `/review` still asks one."
        return Reply(body=text, ephemeral=True)
    due = await review.next_due(ctx.session, ctx.catalog, ctx.member, ctx.now)
    if due is None:
        later = await review.upcoming_on(ctx.session, ctx.member)
        if later is None:
            text = "Nothing to review yet: a step you mark done comes back for review the next day."
        else:
            text = f"Nothing is due. Your next review is {friendly_date(later)}. 👍"
        return Reply(body=text, ephemeral=True)
    reply = review_question(due.card.id, due.card.answers, due.placed, due.question, due.due)
    return Reply(title=reply.title, body=reply.body, buttons=reply.buttons, ephemeral=True)


@commands.command(
    "answer",
    Option("card", "The review question's number", OptionKind.WORD, required=True, max_length=24),
    Option(REVIEW_ANSWER_OPTION, "Your answer", OptionKind.TEXT, max_length=200),
    Option(
        "choice", "The number of the choice you pick", OptionKind.INTEGER, min_value=1, max_value=5
    ),
    examples=("/answer 12 gradient descent",),
)
async def answer(ctx: CommandContext) -> Reply:
    """Answer a review question (its buttons do this for you)."""
    card_id, asked = _card_number(ctx.text("card") or "")
    choice = ctx.args.get("choice")
    answered = await review.answer(
        ctx.session,
        ctx.catalog,
        ctx.member,
        card_id=card_id,
        asked=asked,
        choice=int(choice) if choice is not None else None,
        text=ctx.text(REVIEW_ANSWER_OPTION),
        now=ctx.now,
    )
    more = len(await review.due_cards(ctx.session, ctx.member, ctx.now))
    return review_result(
        answered.right, answered.question, answered.given, answered.comes_back, more
    )


def _card_number(text: str) -> tuple[int, int | None]:
    """A card's number as typed (`12`) or as a button carries it with how many answers it
    had when shown (`12.3`)."""
    number, dot, shown = text.partition(".")
    if (
        not number.isascii()
        or not number.isdigit()
        or (dot and not (shown.isascii() and shown.isdigit()))
    ):
        msg = "The card is the review question's number, like `/answer 12 gradient descent`."
        raise UserError(msg)
    return int(number), int(shown) if dot else None
