"""Every link Cohort writes reaches the page it names on Discord and on Slack: the shipped
pack's resource and challenge URLs, and addresses with parentheses, underscores, query
strings, fragments, pipes and angle brackets, through the reply markup and both adapters'
own translation. The rendered output is read back the way each platform reads a link."""

from __future__ import annotations

import re

import pytest

from adapters.discord.translate import markdown
from adapters.slack.translate import mrkdwn
from bot.markup import link, plain_text
from bot.presentation import challenge_reply, link_to_attempt, resource_line
from bot.roadmap.loader import load_catalog
from bot.roadmap.schema import Resource, ResourceType

CATALOG = load_catalog()
SHIPPED_RESOURCES = [
    resource
    for track in CATALOG.tracks
    for placed in track.steps
    for resource in placed.step.resources
    if resource.url
]
SHIPPED_CHALLENGES = CATALOG.challenges.challenges
HOSTILE_URLS = [
    "https://en.wikipedia.org/wiki/Transformer_(deep_learning_architecture)",
    "https://example.org/docs/_under_scores_/page_name_",
    "https://example.org/search?a=1&b=2",
    "https://example.org/guide#frag",
    "https://example.org/guide?q=x&lt=1&gt=2#part_(two)",
    "https://example.org/a|b",
    "https://example.org/a>b",
    "https://example.org/a<b>c",
    "https://example.org/((nested))_(x)",
    "https://example.org/unbalanced)here",
    "https://example.org/unbalanced(here",
    "https://example.org/[brackets]?x=[1]",
    "https://example.org/**stars**~tilde~`tick`",
    "https://example.org/%28already%29encoded%7C",
]
HOSTILE_TITLES = [
    "Attention [is] all (you) need]",
    "Under_scores_ and **stars** and `ticks`",
    "A <b> & c | d",
    "[x](https://evil.example)",
]

# The characters `bot.markup.link` may percent-encode; encoded, each is the same address.
_SAFE_ENCODED = re.compile(r"%(20|09|0A|0D|3C|3E|22|5C|28|29|7C|60|5E|7B|7D)", re.IGNORECASE)


def same_address(url: str) -> str:
    return _SAFE_ENCODED.sub(lambda found: chr(int(found[1], 16)), url)


# A Discord masked link: the target ends at the first ")" whatever came before it (so a
# link is only whole when its target holds none), and a backslash in the title shows a
# character that would otherwise be markdown.
DISCORD_LINK = re.compile(r"\[(?P<title>(?:\\.|[^\\\[\]])*)\]\((?P<url>[^)\s]*)\)")
# A Slack link: `<url|title>`, the url ending at the first "|" or ">", `&amp;`, `&lt;` and
# `&gt;` standing for `&`, `<` and `>` everywhere.
SLACK_LINK = re.compile(r"<(?P<url>[^|>]*)\|(?P<title>[^>]*)>")


def discord_link(markup: str) -> tuple[str, str, str]:
    """(title shown, target, what follows) of the first link in `markup` on Discord."""
    shown = markdown(markup)
    found = DISCORD_LINK.search(shown)
    assert found is not None, f"no Discord link in {shown!r}"
    title = re.sub(r"\\(.)", r"\1", found["title"])
    return title, found["url"], shown[found.end() :]


def slack_unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def slack_link(markup: str) -> tuple[str, str, str]:
    """(title shown, target, what follows) of the first link in `markup` on Slack."""
    shown = mrkdwn(markup)
    found = SLACK_LINK.search(shown)
    assert found is not None, f"no Slack link in {shown!r}"
    title, url = slack_unescape(found["title"]), slack_unescape(found["url"])
    return title, url, shown[found.end() :]


def assert_links_to(markup: str, url: str, title: str, after: str) -> None:
    for platform, read in (("Discord", discord_link), ("Slack", slack_link)):
        shown_title, target, rest = read(markup)
        assert same_address(target) == same_address(url), f"{platform} links elsewhere"
        assert shown_title == title, f"{platform} shows another title"
        assert rest.startswith(after), f"{platform} leaves {rest[:10]!r} behind the link"


def test_the_shipped_pack_has_links_to_check() -> None:
    assert len(SHIPPED_RESOURCES) > 50
    assert SHIPPED_CHALLENGES


@pytest.mark.parametrize("resource", SHIPPED_RESOURCES, ids=lambda r: r.title)
def test_every_shipped_resource_links_to_its_page(resource: Resource) -> None:
    assert resource.url is not None
    assert_links_to(resource_line(resource), resource.url, resource.title, " · ")


@pytest.mark.parametrize("challenge", SHIPPED_CHALLENGES, ids=lambda c: c.id)
def test_every_shipped_challenge_links_to_its_page(challenge) -> None:  # type: ignore[no-untyped-def]
    body = challenge_reply(challenge, title="🏁").body
    assert_links_to(body, challenge.url, challenge.title, "")


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_a_resource_link_survives_any_address(url: str) -> None:
    resource = Resource(type=ResourceType.ARTICLE, title="The page", url=url)
    assert_links_to(resource_line(resource), url, "The page", " · free")


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_the_link_helper_keeps_the_address(url: str) -> None:
    assert_links_to(f"See {link('it', url)}, then rest.", url, "it", ", then rest.")


def test_an_address_holding_an_entity_stays_itself_on_slack() -> None:
    """Slack reads `&amp;`, `&lt;` and `&gt;` in a link's address as `&`, `<` and `>`, so an
    address that holds one literally must reach it escaped."""
    url = "https://example.org/search?q=fish&amp;chips"
    assert_links_to(link("it", url), url, "it", "")


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_a_title_is_shown_as_written_and_never_ends_the_link(title: str) -> None:
    url = HOSTILE_URLS[0]
    assert_links_to(f"{link(title, url)} after", url, title, " after")
    assert plain_text(link(title, url)) == title


def test_a_kaggle_attempt_links_to_its_normalised_page() -> None:
    markup = link_to_attempt("https://kaggle.com/competitions/titanic/leaderboard?x=1")
    assert_links_to(
        markup, "https://www.kaggle.com/competitions/titanic/leaderboard", "See the attempt", ""
    )


def test_an_address_that_is_not_a_link_stays_text() -> None:
    """A member's non-Kaggle link is shown as typed and is no link anywhere."""
    typed = "https://evil.example/(x)|<y>"
    markup = link_to_attempt(typed)
    assert "](" not in markdown(markup).replace("\\]", "")
    assert not SLACK_LINK.search(mrkdwn(markup))
    assert plain_text(markup) == typed
