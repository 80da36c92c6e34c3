"""User text is text on every platform: whatever a member types into a name or a note, the
rendered message holds no link, mention or formatting the bot did not put there itself."""

from __future__ import annotations

import re

import discord
import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.console.render import render as console
from adapters.discord import translate as discord_translate
from adapters.discord.app import make_client
from adapters.slack import translate as slack_translate
from bot.markup import literal, plain_text
from bot.messages import Field, Reply
from bot.settings import Settings
from tests.conftest import Cohort

HOSTILE = [
    "[prize](https://evil.example)",
    "**bold** _it_ ~~gone~~ ||spoiler||",
    "<@123456789012345678> @everyone @here <!channel> <!here> <#C123>",
    "x)**[phish](https://evil.example)",
    "`code` ``` fenced",
    "<https://evil.example|click me>",
    "# heading\n> quote\n- list",
    "back\\slash \\[not\\](https://evil.example)",
    "&amp; &lt;b&gt;",
]
OURS = "https://roadmap.example/step"

# A masked link in Discord markdown: `[title](url)` whose `[` is not escaped.
DISCORD_LINK = re.compile(r"(?<!\\)(?:\\\\)*\[([^\]]*)\]\((https?://[^)]*)\)")
CODE_SPAN = re.compile(r"`[^`]*`")  # Discord parses no markdown inside one
# Anything Slack turns into a link, mention or ping: `<…>`.
SLACK_SPECIAL = re.compile(r"<([^>]*)>")


def reply_with(name: str) -> Reply:
    shown = literal(name)
    return Reply(
        title=f"{shown}'s progress",
        body=f"**{shown}** finished [Python]({OURS})! Note: {shown}",
        fields=(Field(f"Checked in: {shown}", f"{shown}: {shown}"),),
    )


def discord_texts(reply: Reply) -> list[str]:
    embed = discord_translate.embed(reply).to_dict()
    texts = [embed.get("title", ""), embed.get("description", "")]
    return texts + [f"{f['name']} {f['value']}" for f in embed.get("fields", [])]


@given(st.sampled_from(HOSTILE) | st.text(max_size=80))
def test_discord_shows_no_link_but_ours(name: str) -> None:
    links = [
        url for text in discord_texts(reply_with(name)) for _, url in DISCORD_LINK.findall(text)
    ]
    assert links == [OURS]


@given(st.sampled_from(HOSTILE) | st.text(max_size=80))
def test_slack_shows_no_link_mention_or_ping_but_ours(name: str) -> None:
    message = slack_translate.message(reply_with(name))
    texts = [message["text"]]
    for block in message["blocks"]:
        if block["type"] != "header":  # plain_text: Slack never parses it
            texts.append(block.get("text", {}).get("text", ""))
            texts += [f["text"] for f in block.get("fields", [])]
    specials = [found for text in texts for found in SLACK_SPECIAL.findall(text)]
    assert specials == [f"{OURS}|Python"]


def test_what_a_person_reads_is_the_name_as_typed() -> None:
    name = "x)**[phish](https://evil.example) <@1> & co"
    reply = reply_with(name)
    assert f"{name}'s progress" == plain_text(reply.title)
    assert name in console(reply)
    header = slack_translate.blocks(reply)[0]["text"]["text"]
    assert header == f"{name}'s progress"
    assert slack_translate.fallback_text(reply).startswith(
        "x)**[phish](https://evil.example) &lt;@1&gt; &amp; co"
    ), "the notification text is escaped too"
    description = discord_translate.embed(reply).description or ""
    assert r"\[phish\](https://evil.example) \<@1\> & co" in description


def test_discord_messages_never_ping() -> None:
    client = make_client(Settings(discord_token="x" * 30))
    mentions = client.allowed_mentions
    assert mentions is not None
    assert mentions.to_dict() == discord.AllowedMentions.none().to_dict()


BREAKOUT = "x`[prize](https://evil.example)`y <!channel> <@U1>"


@pytest.mark.parametrize(
    "line",
    [
        f"/done {BREAKOUT}",
        f"/step {BREAKOUT}",
        f"/roadmap {BREAKOUT}",
        f"/progress {BREAKOUT}",
        f"/me timezone {BREAKOUT}",
        f"/leaderboard {BREAKOUT}",
        f"/kaggle submit {BREAKOUT}",
        f"/help {BREAKOUT}",
        f"/{BREAKOUT}",
    ],
)
async def test_what_an_error_quotes_back_never_becomes_a_link(cohort: Cohort, line: str) -> None:
    reply = await cohort(line)
    assert reply.is_error
    outside_code = [CODE_SPAN.sub("", text) for text in discord_texts(reply)]
    discord_links = [url for text in outside_code for _, url in DISCORD_LINK.findall(text)]
    assert discord_links == []
    message = slack_translate.message(reply)
    slack_text = " ".join(
        [message["text"]] + [b.get("text", {}).get("text", "") for b in message["blocks"]]
    )
    assert SLACK_SPECIAL.findall(slack_text) == []
