"""The accountability engine: what a group gets posted and when, claimed exactly once."""
