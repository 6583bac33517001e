"""Metadata (projects, keys...) in a relational store through SQLAlchemy: SQLite by default."""
