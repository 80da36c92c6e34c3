"""Fixtures for command tests."""

from __future__ import annotations

import pytest

from tests.conftest import Cohort


@pytest.fixture
async def group(cohort: Cohort) -> Cohort:
    """`cohort` with its channel made a study group by an admin, boss."""
    cohort.admins.add("boss")
    setup = await cohort("/group setup", as_="boss")
    assert not setup.is_error, setup.body
    return cohort
