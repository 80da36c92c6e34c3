"""Pictures in the console: written into COHORT_IMAGE_DIR (made when first needed) and
printed as their path with the alt text below, the same file for the same card."""

from __future__ import annotations

import re
from pathlib import Path

from adapters.console.files import render_saving_files, save_image
from bot import cards
from bot.messages import Reply
from tests.cards.examples import PROGRESS
from tests.cards.support import near, opened, pixel
from tests.console.test_console import run_console

PICTURE_LINE = re.compile(r"🖼️  Picture: (\S+\.png)\n   (.+)")


def test_progress_writes_its_card_and_prints_where(tmp_path: Path) -> None:
    result = run_console(
        tmp_path,
        "/log 45m python-basics\n/progress\n/leaderboard week hours\n",
        "--as",
        "ana",
        COHORT_IMAGE_DIR="pictures",
    )
    assert result.returncode == 0, result.stderr
    found = PICTURE_LINE.findall(result.stdout)
    assert [alt.split(",")[0].split(":")[0] for _, alt in found] == [
        "Progress card for ana on Machine Learning Engineer",
        "Leaderboard card",
    ]
    for path, _ in found:
        assert path.startswith("pictures/cohort-"), path
        image = opened((tmp_path / path).read_bytes())
        assert near(pixel(image, 2, 2), cards.LIGHT.background), "light in the console"
    assert "45 min studied this week" in found[0][1]
    assert sorted(p.name for p in (tmp_path / "pictures").iterdir()) == sorted(
        Path(path).name for path, _ in found
    )


def test_the_default_folder_is_cohort_images(tmp_path: Path) -> None:
    result = run_console(tmp_path, "/progress\n", "--as", "ana")
    [(path, _)] = PICTURE_LINE.findall(result.stdout)
    assert path.startswith("cohort-images/")
    assert (tmp_path / path).is_file()


def test_images_off_prints_text_only(tmp_path: Path) -> None:
    result = run_console(tmp_path, "/me images off\n/progress\n", "--as", "ana")
    assert "Your progress" in result.stdout
    assert "Picture" not in result.stdout
    assert not (tmp_path / "cohort-images").exists()


def test_the_same_card_is_the_same_file(tmp_path: Path) -> None:
    picture = cards.render(PROGRESS, cards.LIGHT)
    first = save_image(picture, tmp_path / "pictures")
    again = save_image(picture, tmp_path / "pictures")
    assert first == again
    assert first.read_bytes() == picture.png
    assert len(list((tmp_path / "pictures").iterdir())) == 1


def test_a_folder_that_cannot_be_written_leaves_the_text_whole(tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    reply = Reply(
        title="📈 Your progress", body="1 of 40 steps", image=cards.render(PROGRESS, cards.LIGHT)
    )
    text = render_saving_files(reply, tmp_path / "exports", blocked / "pictures")
    assert "1 of 40 steps" in text
    assert "Couldn't save the picture" in text
    assert "COHORT_IMAGE_DIR" in text
