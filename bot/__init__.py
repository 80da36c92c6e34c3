"""Cohort: a study-group bot. This package is the platform-free core."""
