"""Pure translation between Discord and the core's types: Replies as messages of embeds
and buttons, interactions as Places and Actors. No I/O here.

A reply longer than one embed is split the way people read long answers on Discord: more
embeds in the same message while the message's limits allow (10 embeds, 6,000 characters
in all), then more messages. Text is cut only between lines, or, for a line longer than a
whole embed or field, between words (a list preferably after a comma or a dot); never
inside a word, a name, a link, a code span or an escape, and bold or italic text cut in two
is closed and opened again. Buttons and files go with the last message. `messages` checks
every message against `limits.violations` before anything is sent."""

from __future__ import annotations

import logging
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import discord

from adapters.discord.limits import (
    AttachmentObject,
    ComponentReference,
    CreateMessage,
    EmbedLimits,
    ReceivingAndResponding,
    StartThreadFromMessage,
    violations,
)
from bot.markup import Style, plain_text, render
from bot.messages import (
    Actor,
    Attachment,
    Button,
    ButtonStyle,
    Place,
    Platform,
    ProgressBar,
    Reply,
)
from bot.seals import SealFor

log = logging.getLogger(__name__)

BAR_WIDTH = 10
COLOUR = discord.Colour(0x2A9D8F)
ERROR_COLOUR = discord.Colour(0xE76F51)
IMAGE_NAME = "cohort.png"
TOO_LARGE = 40005  # Discord's error code for a request (a file) over its size limit
PLACE_MARK = "#"  # custom ids of buttons sent by DM carry the group's place after it
BLANK = "\u200b"  # a field name or value Discord requires where we have none
PIECE = EmbedLimits.FIELD_VALUE  # the longest piece a line is cut into: the smallest box
BUTTONS_PER_MESSAGE = ComponentReference.ACTION_ROWS * ComponentReference.BUTTONS_PER_ROW
FILE_DESCRIPTION_LIMIT = AttachmentObject.DESCRIPTION
CUSTOM_ID_LIMIT = ComponentReference.CUSTOM_ID
TOO_BIG = "Sorry, that answer came out too large for Discord. Try a narrower question."

STYLES = {
    ButtonStyle.PRIMARY: discord.ButtonStyle.primary,
    ButtonStyle.SECONDARY: discord.ButtonStyle.secondary,
    ButtonStyle.DANGER: discord.ButtonStyle.danger,
}


# Characters Discord's markdown gives a meaning anywhere (formatting, links, mentions),
# and those that start a heading, list or quote at the start of a line. A backslash
# before one shows it as itself.
MARKDOWN_SIGNIFICANT = frozenset("\\*_~`|<>[]")
LINE_STARTS = re.compile(r"^(\s*)([#>+-])", re.MULTILINE)


def _escaped(text: str) -> str:
    inline = "".join("\\" + c if c in MARKDOWN_SIGNIFICANT else c for c in text)
    return LINE_STARTS.sub(r"\1\\\2", inline)


MARKDOWN = Style(
    text=_escaped,
    code=lambda text: f"`{text}`",
    link=lambda title, url: f"[{_escaped(title)}]({url})",
)


def markdown(markup: str) -> str:
    """A reply's markup as Discord markdown; members' text stays text."""
    return render(markup, MARKDOWN)


def shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, ending with "…" after the last whole word that
    fits. Only for what names or describes something (a label, alt text, a hint), never for
    what a reply says: that is split instead."""
    if len(text) <= limit:
        return text
    end = limit - 1
    space = text.rfind(" ", 0, end + 1)
    if space >= limit // 2:
        end = space
    while end > 1 and not _may_cut(text, end):
        end -= 1
    return text[:end].rstrip() + "…"


def bar_line(bar: ProgressBar) -> str:
    return markdown(_bar_markup(bar))


def _bar_markup(bar: ProgressBar) -> str:
    filled = round(BAR_WIDTH * bar.done / bar.total) if bar.total else 0
    return f"`{'█' * filled}{'░' * (BAR_WIDTH - filled)}` {bar.label} · {bar.done}/{bar.total}"


# --- one reply, as Discord messages ------------------------------------------------------

ShownButton = tuple[str, str, Any]  # label, custom id, discord.ButtonStyle


@dataclass(frozen=True)
class Outgoing:
    """One Discord message of a reply: its embeds, its buttons (rows of up to five) and the
    files it carries (an image its embed shows, an attachment to download)."""

    embeds: tuple[discord.Embed, ...] = ()
    rows: tuple[tuple[ShownButton, ...], ...] = ()
    files: tuple[Attachment, ...] = ()

    def payload(self) -> dict[str, Any]:
        """The message as Discord receives it (the JSON part of the request)."""
        sent: dict[str, Any] = {}
        if self.embeds:
            sent["embeds"] = [embed.to_dict() for embed in self.embeds]
        if self.rows:
            sent["components"] = [
                {
                    "type": 1,
                    "components": [
                        {"type": 2, "style": style.value, "label": label, "custom_id": custom}
                        for label, custom, style in row
                    ],
                }
                for row in self.rows
            ]
        if self.files:
            sent["attachments"] = [
                {"id": n, "filename": f.filename, "description": f.description}
                for n, f in enumerate(self.files)
            ]
        return sent


def messages(reply: Reply, seal_for: SealFor | None = None) -> list[Outgoing]:
    """`reply` as the Discord messages that show all of it, in order, each within Discord's
    limits. Buttons sent by DM carry their group's place, sealed by `seal_for`."""
    sent = _messages(reply, seal_for)
    problems = [problem for message in sent for problem in violations(message.payload())]
    if not problems:
        return sent
    # Splitting should make this impossible; if it ever happens, say so rather than fail.
    log.error("a reply would break Discord's limits (%s)", "; ".join(problems))
    return _messages(Reply.error(TOO_BIG), None)


def embed(reply: Reply) -> discord.Embed:
    """The first embed of a reply: all of it, for a reply that fits one embed."""
    return _messages(reply, None)[0].embeds[0]


def _messages(reply: Reply, seal_for: SealFor | None) -> list[Outgoing]:
    layout = _Layout(ERROR_COLOUR if reply.is_error else COLOUR)
    description = _lines(f"⚠️ {reply.body}" if reply.is_error else reply.body)
    if reply.progress:
        bars = [line for bar in reply.progress for line in _lines(_bar_markup(bar))]
        description += [[], *bars] if description else bars
    if reply.title:  # a title longer than a title goes on in the description
        title, *rest = _lines(reply.title, EmbedLimits.TITLE) or [[]]
        if title:
            layout.entitle(_shown(title[:1]))
            description = [_first_of_line(title[1:]), *rest, *description]
    layout.describe(description)
    for item in reply.fields:
        name, *more = _lines(item.name, EmbedLimits.FIELD_NAME) or [[]]
        lines = [_first_of_line(name[1:]), *more, *_lines(item.value)]
        values = _boxes(lines, EmbedLimits.FIELD_VALUE) or [BLANK]
        for n, value in enumerate(values):
            shown_name = _shown(name[:1]) if name and n == 0 else BLANK
            layout.add_field(shown_name, value, inline=item.inline)
    if reply.image is not None:
        layout.picture(shorten(plain_text(reply.image.alt_text), EmbedLimits.FOOTER_TEXT))
    sent = [Outgoing(tuple(embeds)) for embeds in layout.finished()]
    shown = buttons(reply, seal_for)
    per = BUTTONS_PER_MESSAGE
    groups = [shown[i : i + per] for i in range(0, len(shown), per)] or [[]]
    sent[-1] = Outgoing(sent[-1].embeds, _rows(groups[0]), tuple(files(reply)))
    return sent + [Outgoing(rows=_rows(group)) for group in groups[1:]]


# --- text, in pieces that are never cut ----------------------------------------------------

# A name made literal (`bot.markup.literal`) escapes its punctuation, so "Smith\, Jo" is one
# name and "Smith, Jo" two. Render resolves escapes, so escaped stops become these
# stand-ins first, and only real stops count as good places to cut a list.
_STOPS = ",;:.!?"
_STAND_IN = {stop: chr(0x10FF00 + ord(stop)) for stop in _STOPS}
_STOOD_FOR = {value: key for key, value in _STAND_IN.items()}
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # a backslash and ASCII punctuation
_SEPARATORS = frozenset({"·", "•", "|", "/", "-", "–", "—", "→"})
_LINE_START = frozenset("#>+-")  # shown with a backslash where they start a line
_JOINERS = frozenset({"\u200d", "\ufe0e", "\ufe0f", "\u20e3"})  # glue a symbol to the next


def _stand_in(markup: str) -> str:
    return _ESCAPE.sub(lambda m: _STAND_IN.get(m[1], m[0]), markup)


def _stand_back(text: str, *, escaped: bool = False) -> str:
    if not any(char in _STOOD_FOR for char in text):
        return text
    return "".join(
        ("\\" + _STOOD_FOR[c] if escaped else _STOOD_FOR[c]) if c in _STOOD_FOR else c for c in text
    )


@dataclass(frozen=True)
class _Cell:
    """A run of a line that is never cut while anything else can be: a word, a link, a
    code span, or a bold or italic mark. Text cells hold plain text (escaped when shown),
    the others Discord markdown."""

    kind: str  # "text", "atom" or "mark"
    value: str
    space: str = ""  # the whitespace before it
    hard: bool = False  # part of a word longer than any box: may be cut before

    @property
    def width(self) -> int:
        """At most the characters it takes on Discord."""
        if self.kind != "text":
            return len(self.value)
        escapes = sum(char in MARKDOWN_SIGNIFICANT for char in self.value)
        return len(self.value) + escapes + (self.value[:1] in _LINE_START)


@dataclass(frozen=True)
class _Piece:
    """Discord markdown that is put in one box whole, and what joins it to the piece before:
    "" for a line's first piece, otherwise the spaces between them (nothing in a word).
    `before` and `after` are the marks (bold, italic) open at its two ends."""

    text: str
    joiner: str = ""
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()


Line = list[_Piece]


def _lines(markup: str, unit: int = PIECE) -> list[Line]:
    """`markup` as Discord markdown, line by line, each line in pieces of at most `unit`
    characters (an empty line has none)."""
    cells = [_cells(line) for line in _stand_in(markup).split("\n")]
    # Marks are closed and opened again around a cut only where the text closes them itself.
    state: tuple[str, ...] = ()
    for cell in (cell for line in cells for cell in line if cell.kind == "mark"):
        state = _toggled(state, cell.value)
    balanced, state = not state, ()
    lines: list[Line] = []
    for line in cells:
        pieces, state = _pieces(line, state, unit, balanced=balanced)
        lines.append(pieces)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _first_of_line(pieces: Sequence[_Piece]) -> Line:
    """Pieces from the middle of a line, as a line of their own."""
    return [_Piece(p.text, p.joiner if n else "", p.before, p.after) for n, p in enumerate(pieces)]


def _tokens(line: str) -> list[tuple[str, str]]:
    """A line of markup as `render` reads it: ("text", plain text), ("atom", the markdown of
    a code span or a link) and ("mark", "**" or "_")."""
    found: list[tuple[str, str]] = []

    def keep(kind: str, value: str) -> str:
        found.append((kind, value))
        return "\0"

    recording = Style(
        text=lambda plain: keep("text", plain),
        code=lambda inner: keep("atom", MARKDOWN.code(_stand_back(inner, escaped=True))),
        link=lambda title, url: keep("atom", MARKDOWN.link(_stand_back(title), url)),
        bold="\1",
        italic="\2",
    )
    shape = render(line, recording)
    order = iter(found)
    marks = {"\1": MARKDOWN.bold, "\2": MARKDOWN.italic}
    return [next(order) if char == "\0" else ("mark", marks[char]) for char in shape]


def _cells(line: str) -> list[_Cell]:
    cells: list[_Cell] = []
    space = ""
    for kind, value in _tokens(line):
        if kind != "text":
            cells.append(_Cell(kind, value, space))
            space = ""
            continue
        for part in re.findall(r"\s+|\S+", value):
            if part.isspace():
                space += part
            else:
                cells.append(_Cell("text", part, space))
                space = ""
    return cells


def _pieces(
    cells: list[_Cell], state: tuple[str, ...], unit: int, *, balanced: bool = True
) -> tuple[Line, tuple[str, ...]]:
    """Cut a line's cells into pieces of at most `unit` characters, each as long as it can
    be: after a stop or a separator where one falls in the second half of a piece, else
    between words, and inside a word only when a single word is longer than `unit`.
    Returns the pieces and the marks still open after the line."""
    formatted = bool(state) or any(cell.kind == "mark" for cell in cells)
    room = unit - (6 if formatted else 0)  # marks closed at one end and opened at the other
    cells = [part for cell in cells for part in _hard_parts(cell, room)]
    states = [state]
    for cell in cells:
        toggles = balanced and cell.kind == "mark"
        states.append(_toggled(states[-1], cell.value) if toggles else states[-1])
    widths, spaces = [0], [0]
    for cell in cells:
        widths.append(widths[-1] + cell.width)
        spaces.append(spaces[-1] + len(cell.space))

    indent = cells[0].space if cells else ""  # a line's own indent stays

    def width(start: int, end: int) -> int:  # cells[start:end] shown as one piece
        first = len(indent) if start == 0 else 0
        return first + widths[end] - widths[start] + spaces[end] - spaces[start + 1]

    pieces: Line = []
    start = 0
    while start < len(cells):
        end = start + 1
        while end < len(cells) and width(start, end + 1) <= room:
            end += 1
        if end < len(cells):
            half = [cut for cut in range(start + 1, end + 1) if width(start, cut) * 2 >= room]
            end = _best_cut(cells, states, range(start + 1, end + 1), half)
        joiner = cells[start].space if start else ""
        shown = _show(cells[start:end], indent="" if start else indent)
        pieces.append(_Piece(shown, joiner, states[start], states[end]))
        start = end
    return pieces, states[-1]


def _best_cut(
    cells: list[_Cell], states: list[tuple[str, ...]], cuts: range, late: list[int]
) -> int:
    """Where to end a piece that may end before any cell in `cuts`: the best kind of place,
    the latest of that kind. A stop or a separator is best, but only among `late` cuts (those
    in the piece's second half); else any space, and a word is cut only for want of one."""

    def level(cut: int) -> int:
        cell, before = cells[cut], cells[cut - 1]
        if cell.hard:
            return 0  # inside a word longer than any piece
        if not cell.space:
            return -1  # touching: inside a word, or a mark or link against one
        if states[cut]:
            return 1  # between words of bold or italic text
        if before.kind == "text" and (before.value[-1] in _STOPS or before.value in _SEPARATORS):
            return 3
        return 2

    best = max(late, key=lambda cut: (level(cut), cut), default=None)
    if best is None or level(best) < 2:
        best = max(cuts, key=lambda cut: (level(cut), cut))
    return best


def _hard_parts(cell: _Cell, room: int) -> list[_Cell]:
    """A cell wider than `room` in parts that fit, cut between characters that may part
    (never inside an escape, nor between a letter and its accent or an emoji's parts)."""
    if cell.width <= room:
        return [cell]
    parts: list[_Cell] = []
    value, start, text = cell.value, 0, cell.kind == "text"
    while start < len(value):
        end, width = start, int(text and value[start] in _LINE_START)  # its backslash
        while end < len(value):
            width += 2 if text and value[end] in MARKDOWN_SIGNIFICANT else 1
            if width > room:
                break
            end += 1
        while start + 1 < end < len(value) and not _may_cut(value, end, escapes=not text):
            end -= 1
        end = max(end, start + 1)
        space = cell.space if start == 0 else ""
        parts.append(_Cell(cell.kind, value[start:end], space, hard=start > 0))
        start = end
    return parts


def _may_cut(text: str, at: int, *, escapes: bool = False) -> bool:
    """Whether `text` may be cut before `text[at]`."""
    if at <= 0 or at >= len(text):
        return True
    char, before = text[at], text[at - 1]
    if unicodedata.combining(char) or char in _JOINERS or before == "\u200d":
        return False
    if "\U0001f3fb" <= char <= "\U0001f3ff":  # a skin tone goes with its emoji
        return False
    if escapes:  # markdown: never between a backslash and what it escapes
        backslashes = len(text[:at]) - len(text[:at].rstrip("\\"))
        return backslashes % 2 == 0
    return True


def _toggled(state: tuple[str, ...], mark: str) -> tuple[str, ...]:
    if mark in state:
        return state[: state.index(mark)]
    return (*state, mark)


def _show(cells: Sequence[_Cell], *, indent: str = "") -> str:
    """Cells as Discord markdown: plain text escaped run by run, as `markdown` does."""
    out: list[str] = []
    run: list[str] = []
    for n, cell in enumerate(cells):
        space = cell.space if n else indent
        if cell.kind == "text":
            run.append(space + cell.value)
            continue
        if run:
            out.append(_escaped(_stand_back("".join(run))))
            run.clear()
        out.append(space + cell.value)
    if run:
        out.append(_escaped(_stand_back("".join(run))))
    return "".join(out)


def _shown(pieces: Sequence[_Piece]) -> str:
    """Pieces of one line as the text of a box of their own."""
    if not pieces:
        return ""
    inner = "".join((p.joiner if n else "") + p.text for n, p in enumerate(pieces))
    return "".join(pieces[0].before) + inner + "".join(reversed(pieces[-1].after))


# --- pieces into boxes, boxes into embeds and messages --------------------------------------


@dataclass
class _Box:
    """Text being written into one limited place (an embed's description, a field's value).
    `spare` says how many more characters the message may take besides."""

    limit: int
    spare: Callable[[], int] = lambda: sys.maxsize
    parts: list[str] = field(default_factory=list)
    length: int = 0
    after: tuple[str, ...] = ()
    blank_lines: int = 0  # empty lines seen since the last line written

    def cost(self, pieces: Sequence[_Piece], *, new_line: bool) -> int:
        """What writing `pieces` next would add, the marks closed at the end included."""
        if self.parts:
            first = "\n" * (1 + self.blank_lines) if new_line else pieces[0].joiner
        else:
            first = "".join(pieces[0].before)
        rest = sum(len(p.joiner) + len(p.text) for p in pieces[1:])
        closing = sum(map(len, pieces[-1].after)) - sum(map(len, self.after))
        return len(first) + len(pieces[0].text) + rest + closing

    def fits(self, pieces: Sequence[_Piece], *, new_line: bool) -> bool:
        cost = self.cost(pieces, new_line=new_line)
        return self.length + cost <= self.limit and cost <= self.spare()

    def write(self, pieces: Sequence[_Piece], *, new_line: bool) -> int:
        """Write `pieces`; returns the characters added (closing marks included)."""
        added = self.cost(pieces, new_line=new_line)
        if self.parts:
            self.parts.append("\n" * (1 + self.blank_lines) if new_line else pieces[0].joiner)
        else:
            self.parts.append("".join(pieces[0].before))
        self.parts.append(pieces[0].text)
        self.parts += [p.joiner + p.text for p in pieces[1:]]
        self.length += added
        self.after = pieces[-1].after
        self.blank_lines = 0
        return added

    def text(self) -> str:
        return "".join(self.parts) + "".join(reversed(self.after))


def _alone(pieces: Sequence[_Piece]) -> int:
    """The characters `pieces` take as the whole text of a box."""
    return _Box(sys.maxsize).cost(pieces, new_line=True)


def _fill(lines: Sequence[Line], new_box: Callable[[int], _Box], limit: int) -> None:
    """Write `lines` into boxes of `limit` characters that `new_box` opens (with room for
    at least the characters it is told). A line goes whole into one box whenever a box can
    hold it; only a longer line is cut, between its pieces."""
    box: _Box | None = None
    for line in lines:
        if not line:
            if box is not None:
                box.blank_lines += 1
            continue
        if box is not None and box.fits(line, new_line=True):
            box.write(line, new_line=True)
        elif _alone(line) <= limit:
            box = new_box(_alone(line))
            box.write(line, new_line=True)
        else:
            for n, piece in enumerate(line):
                if box is None or not box.fits([piece], new_line=n == 0):
                    box = new_box(_alone([piece]))
                box.write([piece], new_line=n == 0)


def _boxes(lines: Sequence[Line], limit: int) -> list[str]:
    """`lines` as texts of at most `limit` characters."""
    boxes: list[_Box] = []

    def new_box(_needed: int) -> _Box:
        boxes.append(_Box(limit))
        return boxes[-1]

    _fill(lines, new_box, limit)
    return [box.text() for box in boxes]


class _Layout:
    """Embeds in reading order; a new message wherever the next part would break a
    message's limits (10 embeds, 6,000 characters in all)."""

    def __init__(self, colour: discord.Colour) -> None:
        self.colour = colour
        self.messages: list[list[discord.Embed]] = []
        self.used = 0  # characters in the last message's embeds

    def _last(self) -> discord.Embed | None:
        return self.messages[-1][-1] if self.messages and self.messages[-1] else None

    def _embed(self, needed: int) -> discord.Embed:
        """A new embed with room for `needed` characters: in the last message while that
        has room for another embed and those characters, else in a new message."""
        if (
            not self.messages
            or len(self.messages[-1]) >= CreateMessage.EMBEDS
            or self.used + needed > EmbedLimits.TOTAL
        ):
            self.messages.append([])
            self.used = 0
        made = discord.Embed(colour=self.colour)
        self.messages[-1].append(made)
        return made

    def entitle(self, title: str) -> None:
        self._embed(len(title)).title = title
        self.used += len(title)

    def describe(self, lines: Sequence[Line]) -> None:
        """The description, in as many embeds as it takes; the first is the title's."""
        open_box: list[tuple[discord.Embed, _Box]] = []

        def close() -> None:
            if open_box:
                target, box = open_box.pop()
                target.description = box.text()
                self.used += box.length

        def new_box(needed: int) -> _Box:
            close()
            last = self._last()
            if (
                last is None
                or last.description is not None
                or last.fields
                or self.used + needed > EmbedLimits.TOTAL
            ):
                last = self._embed(needed)
            box = _Box(EmbedLimits.DESCRIPTION)
            box.spare = lambda: EmbedLimits.TOTAL - self.used - box.length
            open_box.append((last, box))
            return box

        _fill(lines, new_box, EmbedLimits.DESCRIPTION)
        close()

    def add_field(self, name: str, value: str, *, inline: bool) -> None:
        size = len(name) + len(value)
        last = self._last()
        if (
            last is None
            or len(last.fields) >= EmbedLimits.FIELDS
            or self.used + size > EmbedLimits.TOTAL
        ):
            last = self._embed(size)
        last.add_field(name=name, value=value, inline=inline)
        self.used += size

    def picture(self, footer: str) -> None:
        """The reply's image, shown by the last embed, its alt text in the footer."""
        last = self._last()
        if last is None or self.used + len(footer) > EmbedLimits.TOTAL:
            last = self._embed(len(footer))
        last.set_image(url=f"attachment://{IMAGE_NAME}")
        if footer:
            last.set_footer(text=footer)
        self.used += len(footer)

    def finished(self) -> list[list[discord.Embed]]:
        if not self.messages:
            self._embed(0)
        return self.messages


# --- files and buttons --------------------------------------------------------------------


def files(reply: Reply) -> list[Attachment]:
    """The files a reply sends along: its image (which the embed shows) and its attachment
    (a download in the same message)."""
    sent = []
    if reply.image is not None:
        sent.append(Attachment(IMAGE_NAME, reply.image.png, plain_text(reply.image.alt_text)))
    if reply.attachment is not None:
        sent.append(reply.attachment)
    return [
        Attachment(f.filename, f.data, shorten(f.description, FILE_DESCRIPTION_LIMIT), f.mime_type)
        for f in sent
    ]


def without_oversized_picture(reply: Reply, limit: int) -> Reply:
    """`reply` without its picture when the picture is larger than Discord takes here: the
    text says everything the picture shows, so the answer goes without it."""
    if reply.image is not None and len(reply.image.png) > limit:
        log.warning(
            "a picture left out: %d bytes, Discord takes %d here", len(reply.image.png), limit
        )
        return replace(reply, image=None)
    return reply


def file_too_big(reply: Reply, limit: int) -> Reply | None:
    """What a member reads instead of `reply` when one of its files is larger than Discord
    takes in this interaction (its `attachment_size_limit`); None when every file fits."""
    for sent in files(reply):
        if len(sent.data) > limit:
            return too_big(sent, limit)
    return None


def too_big(sent: Attachment, limit: int | None = None) -> Reply:
    """A short answer for a file Discord will not take; `limit` when we know it."""
    size = file_size(len(sent.data))
    if limit is None:
        why = f"Discord refused it as too large ({size})"
    else:
        why = f"it is {size}, and Discord takes at most {file_size(limit)} here"
    return Reply.error(f"I couldn't send you `{sent.filename}`: {why}.")


def file_size(count: int) -> str:
    """A size as people read it: 512 bytes, 3.4 KB, 10 MB."""
    if count < 1024:
        return f"{count} bytes"
    value, unit = (count / 1024, "KB") if count < 1024**2 else (count / 1024**2, "MB")
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"


def custom_id(button: Button, seal: str | None = None) -> str | None:
    """The id Discord hands back when the button is pressed; None if it cannot fit.
    Buttons in a DM carry the group's place, sealed by the bot, since a DM belongs to no
    server. (The content schema keeps ids short enough for every button: `schema.ID_MAX`.)"""
    value = button.action_id
    if seal is not None:
        value = f"{value}{PLACE_MARK}{seal}"
    return value if len(value) <= CUSTOM_ID_LIMIT else None


def split_custom_id(value: str) -> tuple[str, str | None]:
    """A pressed button's action id, and the sealed place it carried, if any."""
    action_id, mark, seal = value.partition(PLACE_MARK)
    return action_id, (seal if mark else None)


def buttons(reply: Reply, seal_for: SealFor | None = None) -> list[ShownButton]:
    """(label, custom id, style) of each button. Buttons sent by DM carry their group's
    place, sealed for the member and that button's action by `seal_for`. A button that
    cannot be sealed, or whose id would not fit, is left out (rather than sent without its
    group, or the whole message refused), with a warning in the log."""
    shown: list[ShownButton] = []
    for button in reply.buttons:
        seal = seal_for(button.action_id) if seal_for is not None else None
        value = None if seal_for is not None and seal is None else custom_id(button, seal)
        if value is None:
            log.warning("a button left out: its id does not fit Discord's (%s)", button.action_id)
        elif value in {custom for _, custom, _ in shown}:
            log.warning("a button left out: another one does the same (%s)", button.action_id)
        else:
            label = shorten(button.label, ComponentReference.BUTTON_LABEL)
            shown.append((label, value, STYLES[button.style]))
    return shown


def button_rows(reply: Reply, seal_for: SealFor | None = None) -> list[list[ShownButton]]:
    """A reply's buttons, five to a row."""
    return [list(row) for row in _rows(buttons(reply, seal_for))]


def _rows(shown: Sequence[ShownButton]) -> tuple[tuple[ShownButton, ...], ...]:
    per = ComponentReference.BUTTONS_PER_ROW
    return tuple(tuple(shown[i : i + per]) for i in range(0, len(shown), per))


def place_of(guild_id: int | None, channel_id: int | None) -> Place:
    return Place(Platform.DISCORD, str(guild_id or ""), str(channel_id or ""))


def actor_of(user: discord.abc.User, permissions: discord.Permissions) -> Actor:
    """Server members with Manage Server (or Administrator) are community admins."""
    admin = permissions.administrator or permissions.manage_guild
    return Actor(user_id=str(user.id), display_name=user.display_name, is_admin=admin)


# --- threads and one-field forms ---------------------------------------------------------

FORM_TITLE = "Your answer"  # a form's title when the pressed button's label is unknown
LONG_ANSWER = 200  # an answer that may be longer than this gets a paragraph to type in


def thread_name(name: str) -> str | None:
    """A reply's `thread` (a plain name, not markup) as Discord takes a thread's name: one
    line in 1-100 characters (a longer one shortened); None when nothing is left of it."""
    shown = " ".join(name.split())
    return shorten(shown, StartThreadFromMessage.NAME) if shown else None


def form_title(label: str) -> str:
    """A button form's title: the pressed button's label, fitted to a modal's title."""
    shown = " ".join(label.split())
    return shorten(shown, ReceivingAndResponding.MODAL_TITLE) if shown else FORM_TITLE


def form_label(label: str) -> str:
    """The label above a form's one input: the option's description, fitted."""
    return shorten(" ".join(label.split()), ComponentReference.LABEL_TEXT) or FORM_TITLE


def form_max_length(longest: int) -> int:
    """How much a form's input takes: what the option allows, as far as Discord lets it."""
    return max(1, min(longest, ComponentReference.TEXT_INPUT_VALUE))


def form_style(longest: int) -> discord.TextStyle:
    """One line for a short answer, a paragraph for one that may run long."""
    return discord.TextStyle.paragraph if longest > LONG_ANSWER else discord.TextStyle.short


CHECKIN_FIELDS = (
    ("finished", "What did you finish?", "Step ids like python-basics are marked done", 500),
    ("next", "What's next?", "", 500),
    ("blockers", "Anything in your way?", "", 500),
    ("hours", "Hours studied this week", "A number, like 6 or 2.5", 10),
)


def checkin_answers(values: dict[str, str]) -> dict[str, str]:
    """The filled-in fields of a submitted check-in form."""
    return {
        name: values[name].strip() for name, *_ in CHECKIN_FIELDS if values.get(name, "").strip()
    }
