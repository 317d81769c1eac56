"""The factory coalition on each database kind."""

from __future__ import annotations

import pytest

from ramstein.store.engine import Store
from tests.factories import Principals, setup_coalition


@pytest.fixture
def coalition(store: Store) -> Principals:
    """The factory coalition (USA chairs, UKR receives, DEU/GBR/POL/NLD give)."""
    return setup_coalition(store)
