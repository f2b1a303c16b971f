"""Shared pytest set-up: hypothesis profiles (helpers live in tests/support)."""

import os

from hypothesis import HealthCheck, settings

# CI: deterministic examples so a red build reproduces; locally: random, more examples.
settings.register_profile(
    "ci", derandomize=True, max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))
