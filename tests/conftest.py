"""Test configuration: a fixed, bounded Hypothesis profile for CI."""

import os

from hypothesis import settings

# CI (CI=true) draws the same examples on every run, so a failure reproduces;
# each test bounds its own number of examples with @settings(max_examples=...).
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
)
