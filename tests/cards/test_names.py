"""Names in any script: drawn with the bundled fonts where one has the letters, replaced
gracefully where none does, and never a crash, whatever a platform sends as a name."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import cards
from bot.cards import DARK, LIGHT, Entry, fonts
from bot.cards.canvas import Canvas
from bot.markup import plain_text
from tests.cards.examples import LEADERBOARD, PROGRESS
from tests.cards.support import colours_used, opened

ANY_TEXT = st.text(st.characters(codec=None), max_size=300)  # surrogates and controls too


def test_latin_greek_and_cyrillic_are_in_the_first_font() -> None:
    for name in ("Zoë Ångström-Łukasz", "Ελένη Παπαδοπούλου", "Дмитрий Иванов", "Nguyễn Thị"):
        assert {run.font for run in fonts.runs(name)} == {fonts.PRIMARY}, name


def test_other_scripts_and_emoji_come_from_a_second_bundled_font() -> None:
    assert [run.font for run in fonts.runs("محمد")] == ["NotoSansArabic[wght].ttf"]
    assert [run.font for run in fonts.runs("अर्जुन")] == ["NotoSansDevanagari[wght].ttf"]
    assert [run.font for run in fonts.runs("יעל")] == ["NotoSansHebrew[wght].ttf"]
    ana = fonts.runs("Ana 👩🏽‍💻")
    assert [(r.text, r.font) for r in ana] == [
        ("Ana ", fonts.PRIMARY),
        ("👩🏽\u200d💻", "NotoEmoji[wght].ttf"),  # the skin tone and joiner stay with it
    ]


def test_letters_no_bundled_font_has_become_a_question_mark() -> None:
    assert [r.text for r in fonts.runs("王小明")] == ["???"]
    assert [r.text for r in fonts.runs("Kim 김")] == ["Kim ?"]
    assert fonts.initials("王小明") == "?"
    assert fonts.initials("Kim 김민") == "K"


def test_invisible_and_control_characters_are_left_out() -> None:
    assert [r.text for r in fonts.runs("A\u200bna\x00\n\tB\u202e")] == ["Ana B"]
    assert fonts.drawable("  two\nlines  ") == "two lines"


def test_initials_are_the_first_letters_of_the_first_and_last_words() -> None:
    assert fonts.initials("ana") == "A"
    assert fonts.initials("Ana María López") == "AL"
    assert fonts.initials("дмитрий иванов") == "ДИ"
    assert fonts.initials("🦊 fox") == "F"
    assert fonts.initials("   ") == "?"


def test_a_name_too_long_for_its_place_ends_with_an_ellipsis() -> None:
    canvas = Canvas(400, 60, LIGHT)
    width = canvas.text(10, 40, "Bartholomew " * 20, 18, max_width=200)
    assert width <= 200
    assert width > 150, "as much of the name as fits"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_TEXT)
def test_any_text_can_be_laid_out_and_measured(text: str) -> None:
    shown = fonts.runs(text)
    assert all(run.text for run in shown)
    assert "".join(run.text for run in shown).count("\n") == 0
    canvas = Canvas(300, 40, DARK)
    width = canvas.text(4, 30, text, 16, max_width=280)
    assert 0 <= width <= 280
    letters = fonts.initials(text)
    assert 1 <= len(letters) <= 4


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ANY_TEXT, min_size=1, max_size=3))
def test_cards_with_any_names_render(names: list[str]) -> None:
    progress = cards.render(replace(PROGRESS, name=names[0], next_step=names[-1]), LIGHT)
    assert colours_used(opened(progress.png)) > 20
    board = replace(
        LEADERBOARD,
        entries=tuple(
            Entry(rank=n + 1, member_id=n, name=name, value=1.0, shown="1 step")
            for n, name in enumerate(names)
        ),
        where=names[0],
    )
    drawn = cards.render(board, DARK)
    assert opened(drawn.png).size[1] == board.height
    assert drawn.alt_text.startswith("Leaderboard card")
    for alt in (drawn.alt_text, progress.alt_text):
        assert len(plain_text(alt)) <= 1000, "alt text fits every platform whole"


def test_alt_text_of_a_long_board_names_as_many_as_fit() -> None:
    board = replace(
        LEADERBOARD,
        entries=tuple(
            Entry(rank=n + 1, member_id=n, name="Ł" * 100 + str(n), value=1.0, shown="1 step")
            for n in range(10)
        ),
    )
    alt = plain_text(cards.alt_text(board))
    assert len(alt) <= 1000
    assert "1. " + "Ł" * 47 + "…, 1 step" in alt, "a long name is shortened"
    assert alt.endswith("more members.") or "10. " in alt


def test_a_name_too_large_to_rasterise_still_gives_a_card() -> None:
    """Three U+FDFD (one very wide Arabic ligature each) overflow FreeType's rasteriser at
    card sizes; the name is drawn as "…" and the card is still made."""
    name = "\ufdfd" * 3
    progress = cards.render(replace(PROGRESS, name=name), LIGHT)
    assert colours_used(opened(progress.png)) > 20
    board = replace(
        LEADERBOARD,
        entries=(Entry(rank=1, member_id=1, name=name, value=1.0, shown="1 step"),),
    )
    assert opened(cards.render(board, DARK).png).size[1] == board.height
