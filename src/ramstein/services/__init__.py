"""Use cases: commands (actor in, events out) and queries (viewer in, visible records out).

Every command runs inside a `UnitOfWork` and takes the acting `Principal` by keyword; every
query takes the reading `Principal` and returns only what it may see.
"""
