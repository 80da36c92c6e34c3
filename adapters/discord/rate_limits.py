"""Pacing under Discord's documented rate limits (the numbers: `limits.RateLimits`).

discord.py already keeps each route's bucket (learned from the `X-RateLimit-*` headers) and
waits out a 429's `retry_after`, globally when the 429 says `global`. What it does not do is
spread a burst over time: a fan-out to thousands of channels would send every first request
at once and meet the global limit. `global_pace` is the limiter scheduled sends pass first;
it also keeps 429s, which count toward the invalid request limit, near zero."""

from __future__ import annotations

from aiolimiter import AsyncLimiter

from adapters.discord.limits import RateLimits

# Scheduled sends may start at most this share of the global limit in any one second; the
# rest is room for what is not paced (discord.py's own retries) and for the time a request
# spends on the way, which can bunch requests sent a little over a second apart into one.
PACED_SHARE = 0.96
# Requests that may start at once: a lone post goes out without waiting. Kept to one: a
# request let through is written a little later when the event loop is busy, so requests
# let through apart can still arrive together (measured: a bucket of two met 429s).
BURST = 1


def global_pace(
    requests_per_second: float = RateLimits.GLOBAL_REQUESTS_PER_SECOND * PACED_SHARE,
) -> AsyncLimiter:
    """A limiter that lets at most `requests_per_second` requests start in any one second.

    aiolimiter's leaky bucket lets its whole capacity through at once and then its rate, so
    a window of one second can hold capacity + rate. The capacity is kept small, so a
    fan-out runs at nearly the whole pace (47 a second of Discord's 50) and never lets more
    than `requests_per_second` (48) start in a second."""
    rate = requests_per_second - BURST
    if rate < 1:
        msg = f"pace at least two requests a second, not {requests_per_second}"
        raise ValueError(msg)
    return AsyncLimiter(BURST, BURST / rate)
