"""Roadmap content: the pack schema, loading and validation, and lookups by id."""
