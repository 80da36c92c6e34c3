"""A Reply as readable plain text."""

from __future__ import annotations

from bot.markup import Style
from bot.markup import render as render_markup
from bot.messages import Reply

BAR_WIDTH = 12
# In a terminal, code keeps its backticks and a link shows where it goes.
TERMINAL = Style(
    text=str,
    code=lambda text: f"`{text}`",
    link=lambda title, url: f"{title} <{url}>",
    bold="",
    italic="",
)


def plain(text: str) -> str:
    """Our reply markup (**bold**, [title](url)) as terminal text."""
    return render_markup(text, TERMINAL)


def bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    filled = round(width * done / total) if total else 0
    return "█" * filled + "░" * (width - filled)


def render(reply: Reply, *, saved_to: str | None = None, picture_at: str | None = None) -> str:
    """`reply` as terminal text. A file it carries is shown by the path it was saved to
    (`saved_to`), and its picture by its path (`picture_at`) and alt text; writing them is
    the caller's job."""
    out: list[str] = []
    if reply.is_error:
        out.append(f"⚠️  {plain(reply.body)}")
        return "\n".join(out)
    if reply.title:
        title = plain(reply.title)
        out += [title, "─" * min(len(title), 60)]
    if reply.body:
        out.append(plain(reply.body))
    if reply.progress:
        width = max(len(p.label) for p in reply.progress)
        out.append("")
        out += [
            f"  {p.label.ljust(width)}  {bar(p.done, p.total)} {p.done}/{p.total}"
            for p in reply.progress
        ]
    for field in reply.fields:
        value = plain(field.value).replace("\n", "\n  ")
        out += ["", f"{plain(field.name)}:", f"  {value}"]
    if reply.image is not None:
        alt = plain(reply.image.alt_text)
        shown = f"🖼️  Picture: {picture_at}" if picture_at else "🖼️  Picture (not saved)"
        out += ["", shown, f"   {alt}"]
    if reply.attachment is not None:
        where = f"file: {saved_to}" if saved_to else "file not saved"
        out += ["", f"[{where} — {plain(reply.attachment.description)}]"]
    if reply.buttons:
        labels = "   ".join(
            f"[{i}] {b.label}" + ("…" if b.form else "")
            for i, b in enumerate(reply.buttons, start=1)
        )
        typed = any(b.form for b in reply.buttons)
        out += ["", f"{labels}   (type :click N{' and your answer' if typed else ''})"]
    return "\n".join(out)
