"""The desk pages' signed-in desk: venue staff, in English."""

import pytest

from .support import signed_in


@pytest.fixture
def desk(network):
    return signed_in(network)
