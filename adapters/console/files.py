"""Files that replies carry (a member's `/me export`), written into the console's folder.

The name comes from the core but is treated as untrusted: only a plain name is kept, so a
file can never land outside the folder, and an existing file is never replaced."""

from __future__ import annotations

import os
import re
from pathlib import Path

from adapters.console.render import render
from bot.messages import Attachment, Reply

FALLBACK_NAME = "cohort-file"
MAX_NAME = 120
MAX_COPIES = 1000
# Letters, digits, dot, dash and underscore: safe on every file system and in a terminal.
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_DOTS = re.compile(r"\.{2,}")
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def safe_filename(name: str) -> str:
    """`name` as a plain file name: no folders, no `..`, no control or odd characters."""
    last = re.split(r"[/\\]", name)[-1]
    cleaned = _DOTS.sub(".", _UNSAFE.sub("-", last)).strip(".-")  # a leading dot hides a file
    if len(cleaned) > MAX_NAME:
        stem, suffix = os.path.splitext(cleaned)
        suffix = suffix if len(suffix) <= 10 else ""
        cleaned = stem[: MAX_NAME - len(suffix)] + suffix
    return cleaned or FALLBACK_NAME


def save(attachment: Attachment, folder: Path) -> Path:
    """Write `attachment` into `folder` (made if missing) under its safe name, or with -1,
    -2 … added when that name is taken. Readable by its owner only: it is personal data."""
    folder.mkdir(parents=True, exist_ok=True)
    name = safe_filename(attachment.filename)
    stem, suffix = os.path.splitext(name)
    for copy in range(MAX_COPIES):
        path = folder / (name if copy == 0 else f"{stem}-{copy}{suffix}")
        try:
            # O_EXCL fails on any existing entry, a symlink included: nothing is replaced.
            handle = os.open(path, _NEW_FILE, 0o600)
        except FileExistsError:
            continue
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(attachment.data)
        except OSError:
            path.unlink(missing_ok=True)  # no half-written export left behind (a full disk)
            raise
        return path
    msg = f"{folder} already holds {MAX_COPIES} files called {name}"
    raise FileExistsError(msg)


def render_saving_files(reply: Reply, folder: Path) -> str:
    """`reply` as text; a file it carries is written into `folder` first and its path shown."""
    if reply.attachment is None:
        return render(reply)
    try:
        path = save(reply.attachment, folder)
    except OSError as error:
        reason = error.strerror or str(error)
        note = (
            f"⚠️  Couldn't save the file in {folder} ({reason}). "
            "Set COHORT_EXPORT_DIR to a folder you can write to."
        )
        return f"{render(reply)}\n{note}"
    return render(reply, saved_to=str(path))
