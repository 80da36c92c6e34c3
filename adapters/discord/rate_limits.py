"""Pacing under Discord's documented rate limits (the numbers: `limits.RateLimits`).

discord.py already keeps each route's bucket (learned from the `X-RateLimit-*` headers) and
waits out a 429's `retry_after`, globally when the 429 says `global`. What it does not do is
spread a burst over time: a fan-out to thousands of channels would send every first request
at once and meet the global limit. `GlobalPace` makes every request the bot's client makes
wait its turn first (scheduled posts, and also logging in, looking a member up, opening a
DM), so a fan-out that starts as the bot connects still keeps to the limit; it also keeps
429s, which count toward the invalid request limit, near zero."""

from __future__ import annotations

from typing import Any

import discord
from aiolimiter import AsyncLimiter

from adapters.discord.limits import RateLimits

# Scheduled sends may start at most this share of the global limit in any one second; the
# rest is room for what is not paced (discord.py's own retries) and for the time a request
# spends on the way, which can bunch requests sent a little over a second apart into one.
PACED_SHARE = 0.96
# Requests that may start at once. Two, so that a request let through late (the event loop
# was busy, or its timer fired a millisecond after its time) is made up by the next one
# rather than lost: with one, a fan-out ran at 43 of the 47 requests a second it was paced
# at. The window still never holds more than `PACED_SHARE` of the limit at the sender; on
# arrival, jitter can still bunch a few (benchmarks/RESULTS.md counts the 429s).
BURST = 2
# Paths of requests Discord does not count toward the global limit: answering an
# interaction ("Interaction endpoints are not bound to the bot's Global Rate Limit", Rate
# Limits page). discord.py sends those and their followups through its webhook adapter, not
# the client's requests; this keeps them unpaced should that change.
NOT_COUNTED = ("/interactions/",)


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


class GlobalPace:
    """Every REST request of a discord.py client, except those Discord does not count,
    waits for `limiter` first (`install`). The limiter can be swapped while in use."""

    def __init__(self, limiter: AsyncLimiter | None = None) -> None:
        self.limiter = limiter or global_pace()

    def install(self, http: discord.http.HTTPClient) -> None:
        original = http.request

        async def request(route: discord.http.Route, **kwargs: Any) -> Any:
            if not route.path.startswith(NOT_COUNTED):
                await self.limiter.acquire()
            return await original(route, **kwargs)

        http.request = request  # type: ignore[method-assign]
