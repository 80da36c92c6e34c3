"""The markup of a Reply's text, and how text from users is kept literal inside it.

Replies use a small markup that every adapter renders natively: `**bold**`, `_italic_`,
`` `code` `` and `[title](url)` links (written with `link`, which keeps the address whole on
every platform). A backslash before any ASCII punctuation character
means that character itself, with no markup meaning (as in Discord's markdown). Anything a
user typed (a display name, a check-in note, a group name) goes through `literal` before it
joins a reply, or through `code` when it is quoted back, so it can never become a link or a
mention (nor formatting, where the platform can escape it). Adapters turn markup into
their platform's own with `render`.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass

ESCAPE = "\\"
_PUNCTUATION = frozenset(string.punctuation)
_LINK_SCHEMES = ("https://", "http://")
# Characters that end or break a link target somewhere: whitespace and `<>"\\` end one in
# our markup, Discord's markdown may end one at the first `)` (even after a `(`), `|` and `>` in
# Slack's `<url|title>`, and backticks and braces are not allowed in a URL unencoded
# (RFC 3986). Percent-encoded, each stays the same address for every browser and server.
_ENCODED_IN_LINKS = {char: f"%{ord(char):02X}" for char in ' \t\n\r<>"\\()|`^{}'}


def literal(text: str) -> str:
    """`text` exactly as typed, safe to place anywhere in a reply's markup."""
    return "".join(ESCAPE + char if char in _PUNCTUATION else char for char in text)


def code(text: str) -> str:
    """User text quoted as inline code, the way error messages echo what was typed. A code
    span cannot hold a backtick, so those become a look-alike, and the span stays one line."""
    shown = " ".join(text.replace("`", "ˋ").split())
    return f"`{shown}`" if shown else "` `"


def link(title: str, url: str) -> str:
    """A link to `url` showing `title` as typed. Every reply builds its links here, so the
    address survives each platform's link syntax whole: parentheses, pipes, angle brackets
    and spaces in it are percent-encoded, everything else (underscores, `?a=1&b=2`,
    `#fragment`) is kept exactly."""
    shown = " ".join(title.split()) or url
    # Inside a link's title only a bracket or a backslash means anything to the markup.
    escaped = "".join(ESCAPE + char if char in "\\[]" else char for char in shown)
    return f"[{escaped}]({link_target(url)})"


def link_target(url: str) -> str:
    """`url` as `link` writes it: the same address, with nothing in it that would end a
    link early on any platform."""
    return "".join(_ENCODED_IN_LINKS.get(char, char) for char in url)


@dataclass(frozen=True)
class Style:
    """How one platform writes each piece of markup."""

    text: Callable[[str], str]  # plain text, made literal for the platform
    code: Callable[[str], str]
    link: Callable[[str, str], str]  # (title as plain text, url)
    bold: str = "**"
    italic: str = "_"


def render(markup: str, style: Style) -> str:
    """`markup` written in `style`. Escaped characters and code spans come out as text."""
    out: list[str] = []
    plain: list[str] = []

    def flush() -> None:
        if plain:
            out.append(style.text("".join(plain)))
            plain.clear()

    i, end = 0, len(markup)
    while i < end:
        char = markup[i]
        if char == ESCAPE and i + 1 < end and markup[i + 1] in _PUNCTUATION:
            plain.append(markup[i + 1])
            i += 2
            continue
        if char == "`":
            close = markup.find("`", i + 1)
            if close > i:
                flush()
                out.append(style.code(markup[i + 1 : close]))
                i = close + 1
                continue
        elif char == "*" and markup.startswith("**", i):
            flush()
            out.append(style.bold)
            i += 2
            continue
        elif char == "_":
            flush()
            out.append(style.italic)
            i += 1
            continue
        elif char == "[":
            link = _link_at(markup, i)
            if link is not None:
                title, url, i = link
                flush()
                out.append(style.link(title, url))
                continue
        plain.append(char)
        i += 1
    flush()
    return "".join(out)


def plain_text(markup: str) -> str:
    """The words of `markup` with no markup at all (for notifications and alt text)."""
    return render(markup, Style(text=str, code=str, link=lambda t, _u: t, bold="", italic=""))


def _link_at(markup: str, start: int) -> tuple[str, str, int] | None:
    """(title, url, index after the link) for a `[title](url)` at `start`, else None.
    The title's escapes are resolved; the url may hold balanced parentheses."""
    title: list[str] = []
    i = start + 1
    while i < len(markup) and markup[i] != "]":
        if markup[i] == ESCAPE and i + 1 < len(markup) and markup[i + 1] in _PUNCTUATION:
            i += 1
        elif markup[i] in "[\n":
            return None
        title.append(markup[i])
        i += 1
    if not markup.startswith("](", i):
        return None
    i += 2
    url_start, depth = i, 0
    while i < len(markup):
        char = markup[i]
        if char.isspace() or char in '<>"\\':
            return None
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                break
            depth -= 1
        i += 1
    else:
        return None
    url = markup[url_start:i]
    if not title or not url.startswith(_LINK_SCHEMES):
        return None
    return "".join(title), url, i + 1
