"""The demo coalition: a seeded, reproducible scenario grounded in the Kiel Tracker."""
