"""What can go wrong, and who gets told.

    CohortError
    ├── UserError         the request cannot be done as asked; the text is shown to the user
    └── ConfigError       a setting or the database is not ready; reported once, at start

Anything else raised while a command runs is a bug: it is logged with a traceback and the
user sees a short apology carrying an error id that an admin can look up in the logs.
"""


class CohortError(Exception):
    """Base of every error Cohort raises on purpose."""


class UserError(CohortError):
    """A message meant for the person who asked: what was wrong and what would be right."""


class ConfigError(CohortError):
    """Cohort cannot start as configured; the message says what to change."""
