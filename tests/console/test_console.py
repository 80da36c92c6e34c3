"""The console, run for real: `cohort console` reading piped lines on a fresh database."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.console.files import render_saving_files, save
from adapters.console.render import render
from adapters.console.repl import serve_console
from bot.bootstrap import App
from bot.messages import Attachment, Button, Field, ProgressBar, Reply


def run_console(
    tmp_path: Path, script: str, *args: str, **settings: str
) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("COHORT_", "DISCORD_", "SLACK_"))
    }
    env["COHORT_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cohort.db'}"
    env.update(settings)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "console", *args],
        input=script,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )


def test_a_scripted_session_reads_like_a_transcript(tmp_path: Path) -> None:
    result = run_console(
        tmp_path,
        "/next\n/done python-basics first program done\n# a comment\n/progress\n",
        "--as",
        "ana",
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "ana> /next\nNext up: Python fundamentals" in out
    assert "ana finished Python fundamentals (`python-basics`)!" in out
    assert "> first program done" in out
    assert "1 of 40 steps done (2%)" in out
    assert "comment" not in out


def test_switching_members_and_pressing_buttons(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "/step linear-algebra",
            ":click 1",
            ":as ben",
            "/leaderboard",
            ":as ana",
            "/done linear-algebra",
            "/leaderboard",
            "",
        ]
    )
    out = run_console(tmp_path, script, "--as", "ana").stdout
    assert "[1] Start   [2] Done   (type :click N)" in out
    assert "Started: Linear algebra" in out
    assert "You are now ben." in out
    assert "No one has finished a step this week" in out
    assert "#study-group" in out
    assert "🥇 ana · 1 step" in out


def test_mistakes_in_the_console_get_friendly_answers(tmp_path: Path) -> None:
    out = run_console(tmp_path, ":click 3\n:dance\n/dnoe\n:as\n").stdout
    assert "The last reply has no buttons to press." in out
    assert "No console command `:dance`" in out
    assert "Did you mean `/done`?" in out
    assert "Say who: `:as ben`." in out


def test_progress_survives_a_restart(tmp_path: Path) -> None:
    run_console(tmp_path, "/done python-basics\n", "--as", "ana")
    out = run_console(tmp_path, "/progress\n", "--as", "ana").stdout
    assert "1 of 40 steps done" in out


def test_render_shows_bars_fields_links_and_buttons() -> None:
    text = render(
        Reply(
            title="Title",
            body="See [the docs](https://example.org/x) and **this**.",
            fields=(Field("Name", "one\ntwo"),),
            progress=(ProgressBar("Phase", 3, 6),),
            buttons=(Button("Go", "next"),),
        )
    )
    assert text.splitlines() == [
        "Title",
        "─────",
        "See the docs <https://example.org/x> and this.",
        "",
        "  Phase  ██████░░░░░░ 3/6",
        "",
        "Name:",
        "  one",
        "  two",
        "",
        "[1] Go   (type :click N)",
    ]


def test_advancing_time_shows_the_posts_due_meanwhile(tmp_path: Path) -> None:
    script = "/done python-basics\n:advance 7d\n:advance soon\n:advance 90d\n"
    # From a Monday, so the week holds Friday's check-in, Saturday's reminder and Sunday's
    # summary whatever day the suite runs on.
    out = run_console(tmp_path, script, "--start", "2026-11-16T08:00Z").stdout
    assert "⏩ It's now" in out
    assert out.count("📚 Today's resource") >= 7
    assert "📝 Weekly check-in" in out
    assert "⏰ Check-in reminder" in out
    assert "📊 Weekly summary" in out
    assert "✉️  DM to ana" in out
    assert "Say how far, like `:advance 1d`" in out
    assert "Advance at most 60 days at once." in out


def test_a_newcomer_is_ana_unless_they_say_otherwise(tmp_path: Path) -> None:
    out = run_console(tmp_path, "/next\n").stdout
    assert "ana> /next\nNext up: Python fundamentals" in out


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_the_first_screen_says_who_you_are_and_what_to_try(app: App) -> None:
    shown = io.StringIO()
    await serve_console(
        app, member="ana", stdin=Terminal(":quit\n"), stdout=shown, run_scheduler=False
    )
    first, second, prompt = shown.getvalue().splitlines()
    assert first == "Cohort console: you are ana in #study-group, a demo study group."
    assert second.startswith("Try /next to see what to study first, or /help")
    assert ":quit leaves" in second
    assert prompt == "ana> "


# --- files: /me export -----------------------------------------------------------------


def test_me_export_writes_the_file_and_shows_where(tmp_path: Path) -> None:
    script = "/done python-basics\n/me export\n/me export\n"
    result = run_console(tmp_path, script, "--start", "2026-11-18T10:00Z")
    assert result.returncode == 0, result.stderr
    first = "cohort-exports/cohort-export-2026-11-18.json"
    second = "cohort-exports/cohort-export-2026-11-18-1.json"
    assert f"[file: {first} — Everything Cohort holds about you" in result.stdout
    assert f"[file: {second} — " in result.stdout, "a second export never replaces the first"
    data = json.loads((tmp_path / first).read_text(encoding="utf-8"))
    assert data["member"]["display_name"] == "ana"
    assert [row["step_id"] for row in data["step_progress"]] == ["python-basics"]
    later = json.loads((tmp_path / second).read_text(encoding="utf-8"))
    assert later["exported_at"] >= data["exported_at"]
    assert sorted(p.name for p in tmp_path.rglob("*.json")) == [
        "cohort-export-2026-11-18-1.json",
        "cohort-export-2026-11-18.json",
    ]


def test_the_export_folder_comes_from_cohort_export_dir(tmp_path: Path) -> None:
    out = run_console(
        tmp_path, "/me export\n", "--start", "2026-11-18T10:00Z", COHORT_EXPORT_DIR="mine/data"
    ).stdout
    assert "[file: mine/data/cohort-export-2026-11-18.json — " in out
    assert json.loads((tmp_path / "mine/data/cohort-export-2026-11-18.json").read_bytes())


@pytest.mark.parametrize(
    ("hostile", "kept"),
    [
        ("../../escaped.json", "escaped.json"),
        ("..\\..\\escaped.json", "escaped.json"),
        ("/etc/cron.d/escaped", "escaped"),
        ("notes/../../../escaped.json", "escaped.json"),
        ("..", "cohort-file"),
        ("", "cohort-file"),
        (".bashrc", "bashrc"),
        ("a..b.json", "a.b.json"),
        ("\x1b]0;pwned\x07name\x00.json", "0-pwned-name-.json"),
        ("café export.json", "caf-export.json"),
    ],
)
def test_a_hostile_filename_stays_inside_the_folder(
    tmp_path: Path, hostile: str, kept: str
) -> None:
    folder = tmp_path / "exports"
    path = save(Attachment(hostile, b"{}", "a file"), folder)
    assert path == folder / kept
    assert path.read_bytes() == b"{}"
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [path]


def test_a_file_in_the_way_is_never_replaced(tmp_path: Path) -> None:
    folder, outside = tmp_path / "exports", tmp_path / "precious.txt"
    folder.mkdir()
    outside.write_text("keep me")
    (folder / "export.json").symlink_to(outside)
    (folder / "export-1.json").write_text("older export")
    path = save(Attachment("export.json", b"new", "a file"), folder)
    assert path == folder / "export-2.json"
    assert path.read_bytes() == b"new"
    assert outside.read_text() == "keep me"
    assert (folder / "export-1.json").read_text() == "older export"


def test_a_folder_that_cannot_be_written_is_said_plainly(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    reply = Reply(title="📦 Your data", attachment=Attachment("x.json", b"{}", "Your data."))
    text = render_saving_files(reply, blocked / "exports")
    assert "[file not saved — Your data.]" in text
    assert "Couldn't save the file in" in text
    assert "COHORT_EXPORT_DIR" in text


# --- time: --start and :at -------------------------------------------------------------

WEEK_SETUP = "/group setup ml-engineer Europe/Berlin\n"


def test_start_sets_the_clock_and_the_daily_post_comes_at_local_nine(tmp_path: Path) -> None:
    out = run_console(
        tmp_path, WEEK_SETUP + ":advance 1h\n", "--start", "2026-11-16T08:30+01:00"
    ).stdout
    assert "⏩ It's now Mon 16 Nov 09:30 UTC+01:00. 1 posted meanwhile." in out
    assert "📣 #study-group · Mon 16 Nov 09:00 UTC+01:00\n📚 Today's resource" in out


def test_at_moves_the_clock_to_a_local_moment(tmp_path: Path) -> None:
    script = WEEK_SETUP + ":at 2026-11-17 09:30 Europe/Berlin\n:at 2026-11-17 10:00\n"
    out = run_console(tmp_path, script, "--start", "2026-11-16T08:30+01:00").stdout
    assert "⏩ It's now Tue 17 Nov 09:30 Europe/Berlin. 3 posted meanwhile." in out
    assert "📣 #study-group · Mon 16 Nov 09:00 Europe/Berlin\n📚 Today's resource" in out
    assert "📣 #study-group · Mon 16 Nov 10:00 Europe/Berlin\n🏁 Kaggle challenge" in out
    assert "📣 #study-group · Tue 17 Nov 09:00 Europe/Berlin\n📚 Today's resource" in out
    # without a zone, UTC: 10:00 UTC is 11:00 in Berlin, and nothing was due in between
    assert "⏩ It's now Tue 17 Nov 10:00 UTC. Nothing posted meanwhile." in out


def test_at_never_goes_back_and_explains_its_forms(tmp_path: Path) -> None:
    script = "\n".join(
        [
            ":at 2026-11-16 09:00 Europe/Berlin",
            ":at monday",
            ":at 2026-02-30 09:00",
            ":at 2026-11-20 9am",
            ":at 2026-11-20 09:00 Mars/Olympus",
            ":at 2027-06-01 09:00",
            "",
        ]
    )
    out = run_console(tmp_path, script, "--start", "2026-11-18T10:00Z").stdout
    assert "⚠️  It's already Wed 18 Nov 10:00 UTC. Time in the console only moves forward" in out
    assert "Say when, like `:at 2026-11-23 09:00` (UTC)" in out
    assert "There is no day 2026-02-30." in out
    assert "`9am` is not a time I understand." in out
    assert "`Mars/Olympus` is not a timezone I know." in out
    assert "Move at most 60 days ahead at once." in out


def test_help_lists_at(tmp_path: Path) -> None:
    out = run_console(tmp_path, ":help\n").stdout
    assert ":at 2026-11-23 09:00" in out
    assert "Europe/Berlin" in out


def test_a_start_needs_an_offset(tmp_path: Path) -> None:
    result = run_console(tmp_path, "", "--start", "2026-11-16 09:00")
    assert result.returncode == 2
    assert "write it like 2026-11-16T09:00+01:00" in result.stderr


@pytest.mark.parametrize("second_start", ["2026-11-16T10:00Z", "2026-11-18T11:00+01:00"])
def test_a_start_before_the_demo_group_existed_is_refused(
    tmp_path: Path, second_start: str
) -> None:
    """Earlier than the first run, or the same scripted week run again on its database."""
    run_console(tmp_path, "/next\n", "--start", "2026-11-18T10:00Z")
    again = run_console(tmp_path, "/next\n", "--start", second_start)
    assert again.returncode == 2
    assert "already has a demo group, set up Wed 18 Nov" in again.stderr
    assert "would post nothing" in again.stderr
    assert "use a new database file" in again.stderr
    assert "ana>" not in again.stdout


def test_a_button_that_asks_for_an_answer_takes_it_after_its_number(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "/group setup ml-engineer UTC",
            "/me reminders off",
            "/done python-basics",
            ":advance 2d",
            ":click 3",  # the first review question: list, the right choice
            ":advance 8d",  # the next one, a week on, asks for a typed answer
            ":click 1",
            ":click 1  a Dict ",
        ]
    )
    result = run_console(tmp_path, script + "\n", "--as", "ana", "--start", "2026-11-17T09:00Z")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "✅ Right! You said `list`." in out
    assert "[1] Answer…   (type :click N and your answer)" in out
    assert "That button asks for your answer: type it after the number" in out
    assert "✅ Right! You said `a Dict`." in out
