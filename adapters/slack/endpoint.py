"""Slack's door, `POST /slack/events`. Each request is checked before anything parses it:
its signature over the raw bytes first, then that the body is something Slack sends, then
that it is not a replay; only then does slack-bolt see it. A refused request gets a short
answer and at most one log line, never a traceback.

A replay (the same signed request again, within the five minutes its timestamp stays
acceptable) is acknowledged like any other and not carried out. Whether a request was seen
before is written to the database after the ack, not before it, so the answer Slack waits
for never waits on the database: each listener acks, then asks `not_a_replay()` (which
records the sighting) before it carries anything out. Slack's own retries of an Events API
delivery (marked `X-Slack-Retry-Num`) are not replays: each retry is sent afresh, with its
own timestamp and so its own signature, and is handled like any other request.

Acks come first. A listener acks and then works (the database, a card, Slack's Web API),
all on the one event loop that also takes in and answers every other request. When a burst
arrives, each listener that has acked waits until every request that passed the checks
has had its ack sent back (`acks_first`, at most `ACKS_FIRST_WITHIN`), so a command's
work never stands between another request and the ack Slack needs within three seconds.
Only signed requests count: a body trickling in from anyone else delays nothing."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from datetime import datetime, timedelta
from urllib.parse import parse_qsl

from aiohttp import web

from bot.clock import Clock
from bot.db.engine import SessionFactory
from bot.ops.inflight import InFlight
from bot.services import replays

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
FORM = "application/x-www-form-urlencoded"  # slash commands and interactions
JSON = "application/json"  # the Events API
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
TIMESTAMP = re.compile(r"[0-9]{1,12}")  # whole seconds; `int()` alone takes "1_0", " 1", "+1"
FORGET_EVERY = timedelta(minutes=1)
# The longest an acked listener lets the requests under way have their acks first; far
# less than the seconds its own answer can take, and bounded so that a steady stream of requests
# never keeps work from starting.
ACKS_FIRST_WITHIN = 0.25


class _Sighting:
    """The request being handled: its sighting is recorded once, when first asked about,
    and the answer kept for any later question. It counts among `acks` until it is answered,
    or until its listener asks whether it is a replay (a form asks before its ack)."""

    def __init__(self, record: Callable[[], Awaitable[bool]], acks: InFlight) -> None:
        self.record = record
        self.acks = acks
        self.answer: bool | None = None
        self.on_its_way = True
        acks.started()

    def reached(self) -> None:
        """Answered, or at a listener whose ack waits on its own work (a form's, which says
        how the form went): no longer on its way to its ack."""
        if self.on_its_way:
            self.on_its_way = False
            self.acks.finished()

    async def first(self) -> bool:
        self.reached()
        if self.answer is None:
            self.answer = await self.record()
        return self.answer


_SIGHTING: ContextVar[_Sighting | None] = ContextVar("slack_sighting", default=None)


async def acks_first() -> None:
    """Let the requests under way have their acks first, this one's own included (up to
    `ACKS_FIRST_WITHIN`); a listener calls it once it has acked, before its work. Outside
    a request guarded by `SlackEndpoint` (Socket Mode) there is nothing to wait for."""
    sighting = _SIGHTING.get()
    if sighting is not None:
        await sighting.acks.idle(within=ACKS_FIRST_WITHIN)


async def not_a_replay() -> bool:
    """Whether the Slack request being handled is seen for the first time (by any bot
    process), recording that it was seen. A listener asks after its ack and before it
    carries anything out; outside a request guarded by `SlackEndpoint` there is nothing to
    ask, and the answer is yes."""
    sighting = _SIGHTING.get()
    if sighting is None:
        return True
    first = await sighting.first()
    if not first:
        log.warning("ignored a replayed Slack request: it was already handled")
    return first


class SlackEndpoint:
    """Guards `bolt`, the handler that gives a request to slack-bolt.

    Slack's timestamp is compared with the real time (`wall_time`), as Slack's own libraries
    do; when a request was seen is the core's clock, like every other instant we store."""

    def __init__(
        self,
        bolt: Handler,
        *,
        signing_secret: str,
        sessions: SessionFactory,
        clock: Clock,
        wall_time: Callable[[], float] = time.time,
    ) -> None:
        self.bolt = bolt
        self.secret = signing_secret.encode()
        self.sessions = sessions
        self.clock = clock
        self.wall_time = wall_time
        self.acks = InFlight()  # signed requests on their way to their ack
        self._forget_at: datetime | None = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        signature = self.verified_signature(raw, request.headers)
        if signature is None:
            return web.Response(status=401, text="Invalid request signature.")
        problem = malformation(raw, request.content_type, request.charset)
        if problem is not None:
            log.warning("refused a signed Slack request: %s", problem)
            return web.Response(status=400, text="Malformed request body.")
        # The listeners' tasks start with this context.
        sighting = _Sighting(functools.partial(self.first_sighting, signature), self.acks)
        token = _SIGHTING.set(sighting)
        try:
            return await self.bolt(request)
        finally:
            sighting.reached()  # answered, whether a listener ran or not
            _SIGHTING.reset(token)

    def verified_signature(self, raw: bytes, headers: Mapping[str, str]) -> str | None:
        """The request's signature if it is Slack's (v0 scheme, `v0:{ts}:{body}`, with a
        timestamp within five minutes of now); None, after saying why, if not."""
        timestamp = headers.get("X-Slack-Request-Timestamp", "")
        signature = headers.get("X-Slack-Signature", "")
        if not TIMESTAMP.fullmatch(timestamp) or not SIGNATURE.fullmatch(signature):
            reason = "no signature, or a malformed one"
        elif abs(self.wall_time() - int(timestamp)) > replays.WINDOW.total_seconds():
            reason = "its timestamp is more than five minutes away"
        else:
            signed = b"v0:" + timestamp.encode() + b":" + raw
            expected = "v0=" + hmac.new(self.secret, signed, hashlib.sha256).hexdigest()
            if hmac.compare_digest(expected, signature):
                return signature
            reason = "wrong signature"
        log.info("refused a Slack request: %s", reason)
        return None

    async def first_sighting(self, signature: str) -> bool:
        """Record the signature; False if another request (to any bot process) had it.
        Now and then, old sightings are forgotten on the way."""
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            first = await replays.first_sighting(session, signature, now=now)
            if self._forget_at is None or now >= self._forget_at:
                self._forget_at = now + FORGET_EVERY
                await replays.forget_old(session, now=now)
        return first


def malformation(raw: bytes, content_type: str, charset: str | None) -> str | None:
    """What is wrong with a body Slack would never send; None when it reads as Slack's do:
    UTF-8, form-encoded (an interaction's `payload` field a JSON object) or a JSON object."""
    if content_type not in {FORM, JSON}:
        return f"unexpected content type {content_type[:60]!r}"
    if charset is not None and charset.lower().replace("-", "") != "utf8":
        return f"unexpected charset {charset[:30]!r}"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "the body is not UTF-8"
    if content_type == JSON or text.startswith("{"):  # slack-bolt reads those as JSON
        return None if _is_json_object(text) else "the body is not a JSON object"
    payload = dict(parse_qsl(text, keep_blank_values=True)).get("payload")
    if payload is not None and not _is_json_object(payload):
        return "the payload field is not a JSON object"
    return None


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except (ValueError, RecursionError):
        return False
