"""Fixtures shared across the suite."""

import pytest

from trivia.services.seeding import seed_from_spec


@pytest.fixture
def seeded(db):
    """The database as `make run` leaves it: the seed document and its facts."""
    seed_from_spec()


@pytest.fixture
def red_shoes(seeded):
    from trivia.models import Film

    return Film.objects.get(slug="the-red-shoes-1948")
