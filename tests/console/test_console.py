"""The console, run for real: `cohort console` reading piped lines on a fresh database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from adapters.console.render import render
from bot.messages import Button, Field, ProgressBar, Reply


def run_console(tmp_path: Path, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("COHORT_", "DISCORD_", "SLACK_"))
    }
    env["COHORT_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cohort.db'}"
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
    assert "1 of 37 steps done (3%)" in out
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
    assert "No one has finished a step this week yet" in out
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
    assert "1 of 37 steps done" in out


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
    out = run_console(tmp_path, script, "--as", "ana").stdout
    assert "⏩ It's now" in out
    assert out.count("📚 Today's resource") >= 7
    assert "📝 Weekly check-in" in out
    assert "⏰ Check-in reminder" in out
    assert "📊 Weekly summary" in out
    assert "✉️  DM to ana" in out
    assert "Say how far, like `:advance 1d`" in out
    assert "Advance at most 60 days at once." in out
