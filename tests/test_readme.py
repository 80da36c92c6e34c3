"""The README's scripted week works literally, whatever today is, and shows what the
README says it shows."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _week_script(heading: str = "## A week in one minute") -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split(heading, 1)[1]
    found = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert found is not None, "the section has a shell block"
    return found[1]


def _run(script: str, where: Path) -> subprocess.CompletedProcess[str]:
    """A README script, run as written (with this environment's `cohort`) in `where`."""
    cohort = Path(sys.executable).parent / "cohort"
    return subprocess.run(
        ["bash", "-c", script.replace(".venv/bin/cohort", str(cohort))],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_week_in_one_minute_runs_as_written(tmp_path: Path) -> None:
    script = _week_script()
    done = _run(script, tmp_path)
    out = done.stdout
    assert done.returncode == 0, done.stderr
    assert "DM to ana · Tue 17 Nov 08:25 Europe/Berlin\n🍅 Focus session done" in out
    assert out.count("📚 Today's resource") == 7
    assert "📣 #study-group · Fri 20 Nov 17:00 Europe/Berlin\n📝 Weekly check-in" in out
    reminders = re.findall(r"DM to (\w+) · [^\n]*\n⏰ Check-in reminder", out)
    assert reminders == ["ben"], "cy organises and ana checked in"
    assert "ana: stuck on eigenvectors (Linear algebra) · can help: ben" in out
    assert "Mon 23 Nov 10:00 Europe/Berlin\n🏁 Kaggle challenge of the week" in out
    assert "Yours will be ready on 24 Nov 2026." in out
    # Run twice: the script starts from a database of its own each time.
    again = _run(script, tmp_path)
    assert again.stdout == out


def test_help_and_review_runs_as_written(tmp_path: Path) -> None:
    done = _run(_week_script("## Help and review"), tmp_path)
    out = done.stdout
    assert done.returncode == 0, done.stderr
    assert "🆘 #1 · Stuck on Python fundamentals" in out
    assert "[1] I'll help   [2] Solved" in out
    asked = re.findall(r"DM to (\w+) · [^\n]*\n🤝 Can you help\?", out)
    assert asked == ["ben"], "ben mentors and finished the step; ana asked"
    assert "Thank you! I'm telling ana you'll help." in out
    assert "DM to ana · Tue 17 Nov 09:01 UTC+01:00\n🙌 Help is coming" in out
    assert "ben will help with your question" in out
    assert "Marked solved" in out
    assert "DM to ana · Wed 18 Nov 18:00 Europe/Berlin\n🧠 Review · Python fundamentals" in out
    assert "✅ Right! You said `list`." in out
    assert "This step comes back 25 Nov 2026." in out
    assert "next review 25 Nov 2026 · 1 question answered this week (1 right)" in out
