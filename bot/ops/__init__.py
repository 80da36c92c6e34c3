"""Running Cohort in production: metrics, health and logs."""
