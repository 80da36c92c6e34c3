"""Discord's documented rate limits, in one place (discord-api-docs, topics: "Rate Limits").

discord.py already keeps each route's bucket (learned from the `X-RateLimit-*` headers) and
waits out a 429's `retry_after`, globally when the 429 says `global`. What it does not do is
spread a burst over time: a fan-out to thousands of channels would send every first request
at once and meet the global limit. `global_pace` is the limiter scheduled sends pass first."""

from __future__ import annotations

from aiolimiter import AsyncLimiter

# "Global Rate Limit": a bot makes at most 50 requests a second, whatever the route.
# Interaction endpoints (answers to commands, followups) are not counted.
GLOBAL_REQUESTS_PER_SECOND = 50
GLOBAL_WINDOW = 1.0  # seconds

# "Invalid Request Limit": 10,000 answers of 401, 403 or 429 in 10 minutes from one IP
# address get it banned for a while. Pacing keeps the 429s, and so this count, near zero.
INVALID_REQUESTS_PER_WINDOW = 10_000
INVALID_REQUESTS_WINDOW = 10 * 60.0  # seconds

# Scheduled sends take this share of the global limit; the rest is room for what is not
# paced (member look-ups, discord.py's own retries) and for the time a request spends on
# the way, which can bunch requests sent a little over a second apart into one second.
PACED_SHARE = 0.8


def global_pace(
    requests_per_second: float = GLOBAL_REQUESTS_PER_SECOND * PACED_SHARE,
) -> AsyncLimiter:
    """A limiter that lets at most `requests_per_second` requests start in any one second.

    aiolimiter's leaky bucket lets its whole capacity through at once and then its rate, so
    a window of one second can hold capacity + rate: the capacity is a tenth of the total
    (a small burst, so a lone post goes out at once) and the rate the rest."""
    burst = max(1.0, requests_per_second // 10)
    rate = requests_per_second - burst
    if rate <= 0:
        msg = f"pace at least two requests a second, not {requests_per_second}"
        raise ValueError(msg)
    return AsyncLimiter(burst, burst / rate)
