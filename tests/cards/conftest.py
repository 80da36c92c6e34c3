"""Cards from a known database state: the command fixtures, and a group with a schedule
(`desk`, from the scheduler's tests) for the weekly summary."""

from tests.commands.conftest import group
from tests.scheduler.conftest import desk, poster

__all__ = ["desk", "group", "poster"]
