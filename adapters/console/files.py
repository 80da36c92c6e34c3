"""Files that replies carry (a member's `/me export`) and their pictures (cards), written
into the console's folders.

A file's name comes from the core but is treated as untrusted: only a plain name is kept,
so a file can never land outside the folder, and an existing file is never replaced. A
picture is named by what it shows (a digest of its bytes), so the same card drawn again is
the same file, and a scripted session prints the same paths every time it runs."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from adapters.console.render import render
from bot.messages import Attachment, Image, Reply

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


def save_image(image: Image, folder: Path) -> Path:
    """Write `image` into `folder` (made if missing) as `cohort-<digest>.png`; a file of
    that name is already this picture, so it is kept as it is."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"cohort-{hashlib.sha256(image.png).hexdigest()[:16]}.png"
    try:
        handle = os.open(path, _NEW_FILE, 0o600)
    except FileExistsError:
        if path.is_file() and not path.is_symlink():
            return path
        raise
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(image.png)
    except OSError:
        path.unlink(missing_ok=True)
        raise
    return path


def render_saving_files(reply: Reply, folder: Path, image_folder: Path | None = None) -> str:
    """`reply` as text; a file it carries is written into `folder` first, and its picture
    into `image_folder`, and their paths shown."""
    notes: list[str] = []
    saved_to = picture_at = None
    if reply.attachment is not None:
        try:
            saved_to = str(save(reply.attachment, folder))
        except OSError as error:
            reason = error.strerror or str(error)
            notes.append(
                f"⚠️  Couldn't save the file in {folder} ({reason}). "
                "Set COHORT_EXPORT_DIR to a folder you can write to."
            )
    if reply.image is not None and image_folder is not None:
        try:
            picture_at = str(save_image(reply.image, image_folder))
        except OSError as error:
            reason = error.strerror or str(error)
            notes.append(
                f"⚠️  Couldn't save the picture in {image_folder} ({reason}). "
                "Set COHORT_IMAGE_DIR to a folder you can write to."
            )
    return "\n".join([render(reply, saved_to=saved_to, picture_at=picture_at), *notes])
