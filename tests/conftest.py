"""Shared pytest set-up: hypothesis profiles, long tests first (helpers live in tests/support)."""

import os

from hypothesis import HealthCheck, settings

# CI: deterministic examples so a red build reproduces; locally: random, more examples.
settings.register_profile(
    "ci", derandomize=True, max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_collection_modifyitems(items):
    """Run the tests marked slow first, so that the workers of ``pytest -n`` never end on one alone."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
