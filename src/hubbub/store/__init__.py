"""Persistence: one narrow ``Store`` protocol, a SQLite and a PostgreSQL implementation."""
