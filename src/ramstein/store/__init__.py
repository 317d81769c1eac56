"""Persistence: the event log and its projections in SQLAlchemy, on SQLite or PostgreSQL."""
