"""The console: Cohort in a terminal, no tokens needed. A first-class platform."""
