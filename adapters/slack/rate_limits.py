"""The pacing that keeps Cohort under Slack's documented rate limits.

The numbers live in `adapters.slack.limits` (`RateLimits`): Slack counts per app, per
workspace, per API method, and `chat.postMessage` has its own limit per channel and per
workspace. Past a limit Slack answers 429 with an integer `Retry-After`, which slack-sdk's
`AsyncRateLimitErrorRetryHandler` waits out; pacing is there so that this is the exception.
The fake Slack of the tests enforces these same numbers."""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from itertools import islice

from aiolimiter import AsyncLimiter

from adapters.slack.limits import Limit, RateLimits

CHAT_POST_MESSAGE_PER_CHANNEL = RateLimits.CHAT_POST_MESSAGE_PER_CHANNEL
CHAT_POST_MESSAGE_PER_WORKSPACE = RateLimits.CHAT_POST_MESSAGE_PER_WORKSPACE
PER_WORKSPACE: Mapping[str, Limit] = RateLimits.PER_WORKSPACE
PER_CHANNEL: Mapping[str, Limit] = RateLimits.PER_CHANNEL

# We pace at Slack's steady rate but keep our bursts a little smaller than Slack's, so
# network jitter between our limiter and Slack's counter never tips a call over.
HEADROOM = 0.9


def paced(limit: Limit, headroom: float = HEADROOM) -> AsyncLimiter:
    """A limiter at `limit`'s steady rate whose bursts stay under `headroom` of Slack's
    (one call at a time where Slack's steady rate is one a second)."""
    burst = max(1, math.floor(min(limit.burst, limit.requests) * headroom))
    return AsyncLimiter(burst, burst / limit.per_second)


class SlackPacer:
    """One limiter per channel for chat.postMessage and one per workspace per method,
    made on first use. Each key has its own limiter, so a busy or stalled channel or
    workspace never waits on another. Limiters nobody has used lately are forgotten
    once there are more than `channels` (or `workspaces`) of them, but only when idle:
    a forgotten idle limiter and a new one behave the same."""

    def __init__(self, *, channels: int = 4096, workspaces: int = 1024) -> None:
        self._channels = _Limiters(channels, lambda key: paced(PER_CHANNEL[key[2]]))
        self._workspaces = _Limiters(workspaces, lambda key: paced(PER_WORKSPACE[key[1]]))

    def channel(self, workspace: str, channel: str, method: str) -> AsyncLimiter:
        return self._channels.get((workspace, channel, method))

    def method(self, workspace: str, method: str) -> AsyncLimiter:
        return self._workspaces.get((workspace, method))

    async def call(self, workspace: str, method: str, channel: str | None = None) -> None:
        """Wait until `method` may be called again (in `channel`, where the method has a
        per-channel limit)."""
        if channel is not None and method in PER_CHANNEL:
            await self.channel(workspace, channel, method).acquire()
        if method in PER_WORKSPACE:
            await self.method(workspace, method).acquire()

    @property
    def tracked(self) -> int:
        """How many limiters are held now."""
        return len(self._channels) + len(self._workspaces)


class _Limiters:
    """Limiters by key, least recently used first, kept to about `size`."""

    SCAN = 64  # how many of the oldest are looked at per insert, so an insert stays cheap

    def __init__(self, size: int, make: Callable[[tuple[str, ...]], AsyncLimiter]) -> None:
        self.size = size
        self._make = make
        self._by_key: OrderedDict[Hashable, AsyncLimiter] = OrderedDict()

    def __len__(self) -> int:
        return len(self._by_key)

    def get(self, key: tuple[str, ...]) -> AsyncLimiter:
        limiter = self._by_key.get(key)
        if limiter is not None:
            self._by_key.move_to_end(key)
            return limiter
        limiter = self._by_key[key] = self._make(key)
        self._forget_idle()
        return limiter

    def _forget_idle(self) -> None:
        excess = len(self._by_key) - self.size
        if excess <= 0:
            return
        for key in list(islice(self._by_key, excess + self.SCAN)):
            limiter = self._by_key[key]
            if limiter.has_capacity(limiter.max_rate):  # drained: nothing to remember
                del self._by_key[key]
                excess -= 1
                if excess == 0:
                    return
