"""The demo coalition: a seeded, reproducible scenario grounded in the Kiel Tracker."""

from ramstein.demo.build import (
    DEFAULT_SEED,
    DemoSummary,
    DemoToken,
    build_demo,
    issue_demo_tokens,
)

__all__ = ["DEFAULT_SEED", "DemoSummary", "DemoToken", "build_demo", "issue_demo_tokens"]
