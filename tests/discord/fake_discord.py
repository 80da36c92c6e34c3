"""A small fake of Discord on 127.0.0.1: the REST API routes Cohort uses and a gateway
websocket. It records every call the real discord.py makes, can be told to answer a route
with errors (429 with Via and retry_after, 5xx) before succeeding, and sends interactions
the way Discord does.

Where Cohort relies on it, it enforces what Discord documents: the global rate limit and a
channel's message bucket (429s as the "Rate Limits" page shows them), a message's `nonce`
with `enforce_nonce`, the size limits of messages, embeds and buttons and of modals (400),
and threads started from a message (one per message, named in 1-100 characters, refused
without permission). It can be slow (`latency`) or take a message (or a thread) and then
not answer (`take_then_hang`)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import mimetypes
import re
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from aiohttp import BodyPartReader, hdrs, web

from adapters.discord.limits import (
    ComponentReference,
    CreateMessage,
    EmbedLimits,
    OpcodesAndStatusCodes,
    RateLimits,
    ReceivingAndResponding,
    StartThreadFromMessage,
)
from tests.support import wait_until

APPLICATION_ID = "900000000000000001"
BOT_USER = {
    "id": "900000000000000002",
    "username": "Cohort",
    "discriminator": "0",
    "global_name": "Cohort",
    "avatar": None,
    "bot": True,
}
GUILD = "700000000000000001"
CHANNEL = "710000000000000001"
TIMESTAMP = "2026-11-18T10:00:00+00:00"
MANAGE_GUILD = 1 << 5
JSON = "application/json"  # exactly: discord.py reads `; charset=utf-8` bodies as text
# Discord's default per-file upload limit; an interaction says its own in
# `attachment_size_limit` (larger with boosts or Nitro).
DEFAULT_SIZE_LIMIT = 10 * 1024 * 1024
FILE_PART = re.compile(r"files\[(\d+)\]")
ACCEPTED_FILES = web.RequestKey("accepted_files", list)  # handed from the guard to handlers

# What Discord enforces, as discord-api-docs states it (the numbers: adapters/discord/limits.py,
# one class per page). "Rate Limits": 50 requests a second per bot, interaction endpoints not
# counted; per-route buckets are learned from headers, and five messages per five seconds is
# what a channel's message bucket reports.
GLOBAL_LIMIT = RateLimits.GLOBAL_REQUESTS_PER_SECOND
GLOBAL_WINDOW = RateLimits.GLOBAL_WINDOW
CHANNEL_MESSAGES = (5, 5.0)
INTERACTION_ROUTES = frozenset({"callback", "followup", "edit"})
MESSAGE_ROUTES = frozenset({"channel_message", "followup", "edit"})
# "Create Message": a nonce of up to 25 characters; with `enforce_nonce` it is unique per
# author "in the past few minutes". Two minutes is the least that can mean.
NONCE_LIMIT = CreateMessage.NONCE
NONCE_MEMORY = 120.0
# "Create Message" and "Embed Limits" (lengths after trimming; 6,000 over all embeds),
# "Component Reference" (legacy messages: 5 action rows of up to 5 buttons).
CONTENT_LIMIT = CreateMessage.CONTENT
EMBEDS_PER_MESSAGE = CreateMessage.EMBEDS
EMBED_TEXT_LIMITS = {"title": EmbedLimits.TITLE, "description": EmbedLimits.DESCRIPTION}
FIELDS_PER_EMBED = EmbedLimits.FIELDS
FIELD_LIMITS = {"name": EmbedLimits.FIELD_NAME, "value": EmbedLimits.FIELD_VALUE}
FOOTER_LIMIT = EmbedLimits.FOOTER_TEXT
AUTHOR_NAME_LIMIT = EmbedLimits.AUTHOR_NAME
EMBEDS_TOTAL = EmbedLimits.TOTAL
ACTION_ROWS = ComponentReference.ACTION_ROWS
BUTTONS_PER_ROW = ComponentReference.BUTTONS_PER_ROW
BUTTON_LABEL_LIMIT = ComponentReference.BUTTON_LABEL
CUSTOM_ID_LIMIT = ComponentReference.CUSTOM_ID
COMPONENTS_V2 = ComponentReference.COMPONENTS_V2_FLAG
# "Uploading Files" (reference): each file at most the upload limit; an embed shows a file
# of its own message through `attachment://filename`, a name of ASCII letters, digits,
# underscores, dashes and dots, and only .jpg, .jpeg, .png, .webp and .gif files. Ten
# files a message is the count Discord takes (and discord.py refuses more itself).
FILES_PER_MESSAGE = 10
ATTACHMENT_URL = re.compile(r"attachment://([A-Za-z0-9_.-]+)")
EMBEDDABLE = (".jpg", ".jpeg", ".png", ".webp", ".gif")
# "Receiving and Responding" (a modal: title up to 45, 1 to 5 components, custom id 1-100) and
# "Component Reference" (Label: text up to 45, description 100; Text Input: lengths 0-4000,
# value 4000, placeholder 100).
MODAL_TITLE_LIMIT = ReceivingAndResponding.MODAL_TITLE
MODAL_COMPONENTS = ReceivingAndResponding.MODAL_COMPONENTS
LABEL_TEXT_LIMIT = ComponentReference.LABEL_TEXT
LABEL_DESCRIPTION_LIMIT = ComponentReference.LABEL_DESCRIPTION
TEXT_INPUT_LIMIT = ComponentReference.TEXT_INPUT_VALUE
PLACEHOLDER_LIMIT = ComponentReference.TEXT_INPUT_PLACEHOLDER
# "Start Thread from Message": a public thread with the message's id, named in 1-100
# characters, archived after one of the documented durations; "JSON Error Codes" for what
# Discord answers a second thread on a message or a missing permission.
THREAD_NAME_LIMIT = StartThreadFromMessage.NAME
ARCHIVE_DURATIONS = StartThreadFromMessage.AUTO_ARCHIVE_DURATIONS
THREAD_EXISTS = OpcodesAndStatusCodes.THREAD_ALREADY_CREATED
MISSING_PERMISSIONS = OpcodesAndStatusCodes.MISSING_PERMISSIONS
PUBLIC_THREAD = 11  # a channel type
HAS_THREAD = 1 << 5  # a message flag


def user(user_id: str, name: str) -> dict[str, Any]:
    return {
        "id": user_id,
        "username": name,
        "discriminator": "0",
        "global_name": name.title(),
        "avatar": None,
    }


ANA = user("800000000000000001", "ana")
BEN = user("800000000000000002", "ben")
ADMIN = user("800000000000000009", "admin")


@dataclass(frozen=True)
class SentFile:
    """One file part of a multipart request, as Discord received it."""

    filename: str
    data: bytes
    content_type: str
    description: str | None = None


@dataclass
class Call:
    method: str
    path: str
    body: Any
    files: list[SentFile] = field(default_factory=list)


class Refused(Exception):
    """A request Discord answers with an error instead of acting on it."""

    def __init__(
        self, status: int, code: int, message: str, errors: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.errors = errors

    def response(self) -> web.Response:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return _json(body, status=self.status)


@dataclass
class GatewaySession:
    ws: web.WebSocketResponse
    shard: list[int] | None = None
    seq: int = 0

    async def send(self, payload: dict[str, Any]) -> None:
        await self.ws.send_str(json.dumps(payload))

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        self.seq += 1
        await self.send({"op": 0, "t": event, "s": self.seq, "d": data})


@dataclass
class FakeDiscord:
    calls: list[Call] = field(default_factory=list)
    identifies: list[dict[str, Any]] = field(default_factory=list)
    sessions: list[GatewaySession] = field(default_factory=list)
    failures: dict[str, list[int]] = field(default_factory=dict)  # route name -> statuses
    # Who is in which server, for GET /guilds/{guild}/members/{user}.
    guild_members: dict[str, set[str]] = field(
        default_factory=lambda: {GUILD: {ANA["id"], BEN["id"], ADMIN["id"]}}
    )
    # Each interaction token's `attachment_size_limit`, as sent in its INTERACTION_CREATE.
    size_limits: dict[str, int] = field(default_factory=dict)
    attachment_ids: set[str] = field(default_factory=set)  # files on messages so far
    retry_after: float = 0.05
    post_delay: float = 0.0  # seconds each channel post takes, to make senders overlap
    latency: float = 0.0  # seconds every REST call takes before it is answered
    global_limit: int | None = GLOBAL_LIMIT  # requests per GLOBAL_WINDOW; None: no limit
    channel_limit: tuple[int, float] | None = CHANNEL_MESSAGES  # messages per seconds
    nonce_memory: float = NONCE_MEMORY
    messages: list[dict[str, Any]] = field(default_factory=list)  # created, in order
    # The messages answering interactions, as members see them now (edits applied), by
    # "token/@original" (the interaction's response) or "token/<id>" (a followup).
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    threads: dict[str, dict[str, Any]] = field(default_factory=dict)  # thread id -> channel
    # Channels where the bot lacks Create Public Threads: starting one there gets a 403.
    threads_refused: set[str] = field(default_factory=set)
    dm_channels: set[str] = field(default_factory=set)  # opened with POST /users/@me/channels
    rate_limited: Counter[str] = field(default_factory=Counter)  # 429s sent, by scope
    held: int = 0  # answers being held back now (`take_then_hang`)
    url: str = ""
    _runner: web.AppRunner | None = None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _requests: dict[str, deque[float]] = field(default_factory=dict)  # per bot, for the limit
    _buckets: dict[str, tuple[float, int]] = field(default_factory=dict)  # channel: start, n
    _nonces: dict[tuple[str, str], tuple[float, dict[str, Any]]] = field(default_factory=dict)
    _hangs: dict[str, list[float | None]] = field(default_factory=dict)
    _thread_hangs: dict[str, list[float | None]] = field(default_factory=dict)
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)

    # --- running -------------------------------------------------------------------------

    async def start(self) -> None:
        # Room for files past Discord's limit, so the fake refuses them the way Discord does.
        app = web.Application(client_max_size=4 * DEFAULT_SIZE_LIMIT)
        api = "/api/v10"
        routes = [
            ("GET", "/users/@me", "me", self._me),
            ("GET", "/oauth2/applications/@me", "application", self._application),
            ("GET", "/gateway", "gateway", self._gateway_url),
            ("GET", "/gateway/bot", "gateway", self._gateway_url),
            ("POST", "/interactions/{id}/{token}/callback", "callback", self._recorded),
            ("POST", "/webhooks/{app}/{token}", "followup", self._message),
            ("PATCH", "/webhooks/{app}/{token}/messages/{message}", "edit", self._message),
            ("POST", "/channels/{channel}/messages", "channel_message", self._channel_message),
            ("POST", "/channels/{channel}/messages/{message}/threads", "thread", self._thread),
            ("POST", "/users/@me/channels", "dm_open", self._dm_open),
            ("GET", "/guilds/{guild}/members/{user}", "member", self._member),
            ("PUT", "/applications/{app}/commands", "sync", self._sync),
            ("PUT", "/applications/{app}/guilds/{guild}/commands", "sync", self._sync),
        ]
        for method, path, name, handler in routes:
            app.router.add_route(method, api + path, self._guarded(name, handler))
        app.router.add_get("/gateway-ws", self._gateway)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    @property
    def api_base(self) -> str:
        return f"{self.url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/gateway-ws"

    async def stop(self) -> None:
        self._stopping.set()  # answers held back are let go, so the server can shut down
        for session in self.sessions:
            await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests look at ------------------------------------------------------------

    def called(self, method: str, prefix: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path.startswith(prefix)]

    def callbacks(self, interaction_id: str) -> list[dict[str, Any]]:
        path = f"/interactions/{interaction_id}/"
        return [c.body for c in self.called("POST", path)]

    def channel_posts(self, channel_id: str) -> list[dict[str, Any]]:
        """Every attempt to post in a channel, taken or not."""
        return [c.body for c in self.called("POST", f"/channels/{channel_id}/messages")]

    def messages_in(self, channel_id: str) -> list[dict[str, Any]]:
        """The messages a channel holds: what its members see."""
        return [m for m in self.messages if m["channel_id"] == channel_id]

    def take_then_hang(
        self,
        channel_id: str,
        *,
        answer_after: float | None = None,
        times: int = 1,
        thread: bool = False,
    ) -> None:
        """The next `times` posts to the channel create their message, but the answer is
        held back: never sent (until the fake stops), or sent after `answer_after` seconds.
        To the sender it is an answer lost on the way. With `thread`, the same for the next
        threads started from a message in the channel."""
        hangs = self._thread_hangs if thread else self._hangs
        hangs.setdefault(channel_id, []).extend([answer_after] * times)

    def threads_on(self, channel_id: str) -> list[dict[str, Any]]:
        """The threads started from messages of a channel, in order."""
        return [t for t in self.threads.values() if t["parent_id"] == channel_id]

    def shown_answer(self, interaction_id: str) -> dict[str, Any] | None:
        """An interaction's response as its member sees it now, edits applied."""
        return self.answers.get(f"token-{interaction_id}/@original")

    def with_files(self) -> list[Call]:
        """Every call that carried files and was accepted, wherever it went."""
        return [c for c in self.calls if c.files]

    async def wait_for(self, check: Callable[[], Any], within: float = 10) -> Any:
        """The first truthy result of `check`, polled until `within` seconds pass."""
        return await wait_until(check, within)

    async def wait_ready(self, shards: int = 1) -> None:
        await self.wait_for(lambda: len([s for s in self.sessions if s.seq]) >= shards)

    # --- sending interactions ------------------------------------------------------------

    async def interact(self, data: dict[str, Any], *, shard: int | None = None) -> str:
        """Send an INTERACTION_CREATE on the shard's session; returns the interaction id."""
        interaction_id = str(next(self._ids) + 100_000)
        payload = {
            "id": interaction_id,
            "application_id": APPLICATION_ID,
            "token": f"token-{interaction_id}",
            "version": 1,
            "attachment_size_limit": DEFAULT_SIZE_LIMIT,
            "app_permissions": str((1 << 50) - 1),
            "locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": GUILD},
            **data,
        }
        self.size_limits[payload["token"]] = int(payload["attachment_size_limit"])
        session = self._session_for(shard)
        await session.dispatch("INTERACTION_CREATE", payload)
        return interaction_id

    def _session_for(self, shard: int | None) -> GatewaySession:
        ready = [s for s in self.sessions if s.seq and not s.ws.closed]
        if shard is not None:
            ready = [s for s in ready if s.shard and s.shard[0] == shard]
        if not ready:
            msg = "no gateway session is ready"
            raise AssertionError(msg)
        return ready[-1]

    # --- REST ----------------------------------------------------------------------------

    def _guarded(self, name: str, handler: Callable[..., Any]) -> Callable[..., Any]:
        async def guarded(request: web.Request) -> web.Response:
            path = request.path.removeprefix("/api/v10")
            # Counted as it arrives, as a server counts what reaches it; the latency is the
            # time its answer then takes (and this process's timers are no network).
            limited = self._over_global_limit(name, request)
            try:
                body, files = await _body(request)
            except Refused as refused:
                self.calls.append(Call(request.method, path, None))
                return limited or refused.response()  # over the limit: refused unread
            call = Call(request.method, path, body)
            self.calls.append(call)
            if self.latency:
                await asyncio.sleep(self.latency)
            if limited is not None:
                return limited
            bucket, limited = self._channel_bucket(name, request)
            if limited is not None:
                return limited
            response = await self._answer(name, handler, request, call, body, files)
            response.headers.update(bucket)
            return response

        return guarded

    async def _answer(
        self,
        name: str,
        handler: Callable[[web.Request, Any], Awaitable[web.Response]],
        request: web.Request,
        call: Call,
        body: Any,
        files: dict[int, SentFile],
    ) -> web.Response:
        planned = self.failures.get(name)
        if planned:
            status = planned.pop(0)
            if status == 429:
                return self._too_many(self.retry_after, scope="user", headers={"Retry-After": "1"})
            if status == 413:
                return Refused(413, 40005, "Request entity too large").response()
            return _json({"message": "Server error", "code": 0}, status=status)
        try:
            if name in MESSAGE_ROUTES:
                _check_message(body)
            elif name == "callback" and isinstance(body, dict) and body.get("type") in (4, 7):
                _check_message(body.get("data"))  # a message as the interaction's answer
            elif name == "callback" and isinstance(body, dict) and body.get("type") == 9:
                _check_modal(body.get("data"))
            call.files = self._accepted_files(request, body, files)
        except Refused as refused:
            return refused.response()
        request[ACCEPTED_FILES] = call.files
        return await handler(request, body)

    # --- rate limits ---------------------------------------------------------------------

    def _over_global_limit(self, name: str, request: web.Request) -> web.Response | None:
        """A global 429 once the bot made `global_limit` requests in the last window.
        Interaction endpoints are not counted, as Discord documents."""
        if self.global_limit is None or name in INTERACTION_ROUTES:
            return None
        now = asyncio.get_running_loop().time()
        bot = request.headers.get("Authorization") or request.remote or ""
        recent = self._requests.setdefault(bot, deque())
        while recent and recent[0] <= now - GLOBAL_WINDOW:
            recent.popleft()
        if len(recent) >= self.global_limit:
            retry_after = recent[0] + GLOBAL_WINDOW - now
            return self._too_many(
                retry_after, scope="global", headers={"X-RateLimit-Global": "true"}
            )
        recent.append(now)
        return None

    def _channel_bucket(
        self, name: str, request: web.Request
    ) -> tuple[dict[str, str], web.Response | None]:
        """A channel's message bucket: `channel_limit` messages per window, which starts at
        the first message. Its headers go with every answer, so a client learns it; a post
        past it gets a 429 scoped to the bot ("user")."""
        if self.channel_limit is None or name != "channel_message":
            return {}, None
        limit, per = self.channel_limit
        channel = request.match_info["channel"]
        now = asyncio.get_running_loop().time()
        start, used = self._buckets.get(channel, (now, 0))
        if now >= start + per:
            start, used = now, 0
        reset_after = start + per - now
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(limit - used - 1, 0)),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": "fake-channel-messages",
        }
        if used >= limit:
            return headers, self._too_many(reset_after, scope="user", headers=headers)
        self._buckets[channel] = (start, used + 1)
        return headers, None

    def _too_many(self, retry_after: float, *, scope: str, headers: dict[str, str]) -> web.Response:
        """A 429 as Discord sends it; discord.py retries it only with a `Via` header."""
        self.rate_limited[scope] += 1
        return _json(
            {
                "message": "You are being rate limited.",
                "retry_after": round(retry_after, 3),
                "global": scope == "global",
            },
            status=429,
            headers={
                "Retry-After": str(math.ceil(retry_after)),
                "Via": "1.1 google",
                **headers,
                "X-RateLimit-Scope": scope,
            },
        )

    def _accepted_files(
        self, request: web.Request, body: Any, parts: dict[int, SentFile]
    ) -> list[SentFile]:
        """The files of a request, refused the way Discord refuses them: each at most the
        interaction's `attachment_size_limit` (10 MiB outside interactions), and every
        entry of `attachments` either a `files[n]` part, by its `n`, or a file the message
        already has. An entry's description becomes its file's."""
        limit = self.size_limits.get(request.match_info.get("token", ""), DEFAULT_SIZE_LIMIT)
        if any(len(part.data) > limit for part in parts.values()):
            raise Refused(413, 40005, "Request entity too large")
        if len(parts) > FILES_PER_MESSAGE:
            raise Refused(400, 50035, "Invalid Form Body")
        payload = body.get("data", body) if isinstance(body, dict) else None
        listed = (payload or {}).get("attachments") or []
        for item in listed:
            key = str(item.get("id"))
            if key.isdigit() and int(key) in parts:
                parts[int(key)] = replace(parts[int(key)], description=item.get("description"))
            elif key not in self.attachment_ids:
                raise Refused(400, 50035, "Invalid Form Body")
        names = {part.filename for part in parts.values()}
        for embed in (payload or {}).get("embeds") or []:
            url = str((embed.get("image") or {}).get("url") or "")
            if url.startswith("attachment://"):
                shown = ATTACHMENT_URL.fullmatch(url)
                if shown is None or shown[1] not in names or not shown[1].endswith(EMBEDDABLE):
                    raise Refused(400, 50035, "Invalid Form Body")
        return [parts[n] for n in sorted(parts)]

    async def _me(self, request: web.Request, body: Any) -> web.Response:
        if request.headers.get("Authorization") != "Bot fake-token":
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        return _json({**BOT_USER, "flags": 0, "mfa_enabled": False, "verified": True})

    async def _application(self, request: web.Request, body: Any) -> web.Response:
        return _json(
            {
                "id": APPLICATION_ID,
                "name": "Cohort",
                "description": "Study groups",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": user("800000000000000099", "owner"),
                "verify_key": "00",
                "flags": 0,
            }
        )

    async def _gateway_url(self, request: web.Request, body: Any) -> web.Response:
        return _json(
            {
                "url": self.gateway_url,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 1000,
                    "reset_after": 0,
                    "max_concurrency": 16,
                },
            }
        )

    async def _recorded(self, request: web.Request, body: Any) -> web.Response:
        """An interaction's response. A message (4) or a deferral's "thinking…" (5) becomes
        its original response, which edits then change; an interaction is answered once."""
        kind = body.get("type") if isinstance(body, dict) else None
        if kind in (4, 5):
            key = f"{request.match_info['token']}/@original"
            if key in self.answers:
                return Refused(400, 40060, "Interaction has already been acknowledged").response()
            data = body.get("data") or {}
            data = data if kind == 4 else {"flags": data.get("flags")}
            self.answers[key] = self._message_object(request, CHANNEL, data)
        return _json({"interaction": {"id": request.match_info["id"], "type": 2}})

    async def _message(self, request: web.Request, body: Any) -> web.Response:
        """A followup (POST) or an edit of an interaction's message (PATCH): an edit of a
        message that does not exist is refused as Discord refuses it. An edit replaces what
        it names; its `attachments` list the files to keep, by id, and the new ones."""
        channel = request.match_info.get("channel", CHANNEL)
        if self.post_delay:
            await asyncio.sleep(self.post_delay)
        payload = body if isinstance(body, dict) else {}
        token = request.match_info.get("token", "")
        if request.method == "POST":
            created = self._message_object(request, channel, payload)
            self.answers[f"{token}/{created['id']}"] = created
            return _json(created)
        key = f"{token}/{request.match_info['message']}"
        shown = self.answers.get(key)
        if shown is None:
            return Refused(404, 10008, "Unknown Message").response()
        edited = {**shown, "edited_timestamp": TIMESTAMP}
        edited |= {k: payload[k] for k in ("content", "embeds", "components") if k in payload}
        if "attachments" in payload:
            kept = {str(item.get("id")) for item in payload["attachments"] or []}
            edited["attachments"] = [a for a in shown["attachments"] if a["id"] in kept] + [
                self._attachment(sent) for sent in request.get(ACCEPTED_FILES, [])
            ]
        self.answers[key] = edited
        return _json(edited)

    async def _channel_message(self, request: web.Request, body: Any) -> web.Response:
        """Create Message. With `enforce_nonce`, a nonce the same author used in the last
        `nonce_memory` seconds gets that message back (200) and creates nothing."""
        channel = request.match_info["channel"]
        payload = body if isinstance(body, dict) else {}
        nonce = payload.get("nonce")
        remembered: tuple[str, str] | None = None
        if nonce is not None and payload.get("enforce_nonce"):
            now = asyncio.get_running_loop().time()
            self._nonces = {
                key: seen for key, seen in self._nonces.items() if seen[0] > now - self.nonce_memory
            }
            remembered = (request.headers.get("Authorization", ""), str(nonce))
            if remembered in self._nonces:
                return _json(self._nonces[remembered][1])
        created = self._message_object(request, channel, payload)
        self.messages.append(created)
        if remembered is not None:
            self._nonces[remembered] = (asyncio.get_running_loop().time(), created)
        if self.post_delay:  # taken at once, answered after a while
            await asyncio.sleep(self.post_delay)
        hangs = self._hangs.get(channel)
        if hangs:
            await self._hold(hangs.pop(0))
        return _json(created)

    async def _hold(self, seconds: float | None) -> None:
        self.held += 1
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), seconds)
        finally:
            self.held -= 1

    def _message_object(
        self, request: web.Request, channel: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        created = {
            "id": str(next(self._ids) + 500_000),
            "channel_id": channel,
            "author": BOT_USER,
            "content": payload.get("content") or "",
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [self._attachment(sent) for sent in request.get(ACCEPTED_FILES, [])],
            "embeds": payload.get("embeds") or [],
            "components": payload.get("components") or [],
            "pinned": False,
            "type": 0,
            "flags": payload.get("flags") or 0,
        }
        if payload.get("nonce") is not None:
            created["nonce"] = payload["nonce"]
        return created

    def _attachment(self, sent: SentFile) -> dict[str, Any]:
        """An attachment object for a file Discord stored; its media type is the one Discord
        detects from the name, whatever the upload's part said."""
        attachment_id = str(next(self._ids) + 600_000)
        self.attachment_ids.add(attachment_id)
        url = f"{self.url}/attachments/{attachment_id}/{sent.filename}"
        found = {
            "id": attachment_id,
            "filename": sent.filename,
            "size": len(sent.data),
            "url": url,
            "proxy_url": url,
            "content_type": mimetypes.guess_type(sent.filename)[0] or sent.content_type,
        }
        return found | ({"description": sent.description} if sent.description else {})

    async def _thread(self, request: web.Request, body: Any) -> web.Response:
        """Start Thread from Message: a public thread whose id is the message's, so a
        message has one thread at most (a second gets 400, code 160004). It is a channel of
        its own: messages can be posted to its id. Refused without Create Public Threads
        (403, 50013), in a DM (50024), and for a name outside 1-100 characters (50035)."""
        channel, message_id = request.match_info["channel"], request.match_info["message"]
        payload = body if isinstance(body, dict) else {}
        errors = _Errors()
        name = payload.get("name")
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= THREAD_NAME_LIMIT:
            errors.add(
                ("name",),
                "BASE_TYPE_BAD_LENGTH",
                f"Must be between 1 and {THREAD_NAME_LIMIT} in length.",
            )
        archive = payload.get("auto_archive_duration")
        if archive is not None and archive not in ARCHIVE_DURATIONS:
            errors.add(
                ("auto_archive_duration",),
                "BASE_TYPE_CHOICES",
                f"Value must be one of {ARCHIVE_DURATIONS}.",
            )
        if errors.tree:
            return Refused(400, 50035, "Invalid Form Body", errors.tree).response()
        message = next(
            (m for m in self.messages if m["id"] == message_id and m["channel_id"] == channel),
            None,
        )
        if message is None:
            return _json({"message": "Unknown Message", "code": 10008}, status=404)
        if channel in self.dm_channels:
            return _json(
                {"message": "Cannot execute action on this channel type", "code": 50024},
                status=400,
            )
        if channel in self.threads_refused:
            return _json(
                {"message": "Missing Permissions", "code": MISSING_PERMISSIONS}, status=403
            )
        if message_id in self.threads:
            return _json(
                {
                    "message": "A thread has already been created for this message",
                    "code": THREAD_EXISTS,
                },
                status=400,
            )
        thread = {
            "id": message_id,
            "type": PUBLIC_THREAD,
            "guild_id": GUILD,
            "parent_id": channel,
            "owner_id": BOT_USER["id"],
            "name": name,
            "last_message_id": None,
            "rate_limit_per_user": payload.get("rate_limit_per_user") or 0,
            "message_count": 0,
            "member_count": 1,
            "total_message_sent": 0,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": archive or 1440,
                "archive_timestamp": TIMESTAMP,
                "locked": False,
            },
        }
        self.threads[message_id] = thread
        message["thread"] = thread
        message["flags"] = (message.get("flags") or 0) | HAS_THREAD
        hangs = self._thread_hangs.get(channel)
        if hangs:
            await self._hold(hangs.pop(0))
        return _json(thread, status=201)

    async def _dm_open(self, request: web.Request, body: Any) -> web.Response:
        recipient = str(body["recipient_id"])
        self.dm_channels.add(f"6{recipient[1:]}")
        return _json(
            {
                "id": f"6{recipient[1:]}",
                "type": 1,
                "last_message_id": None,
                "recipients": [user(recipient, "member")],
            }
        )

    async def _member(self, request: web.Request, body: Any) -> web.Response:
        """A server member, or Discord's documented errors: Unknown Guild (10004) when the
        bot is not in that server, Unknown Member (10007) when the user is not."""
        guild, user_id = request.match_info["guild"], request.match_info["user"]
        if guild not in self.guild_members:
            return _json({"message": "Unknown Guild", "code": 10004}, status=404)
        if user_id not in self.guild_members[guild]:
            return _json({"message": "Unknown Member", "code": 10007}, status=404)
        return _json(
            {
                "user": user(user_id, "member"),
                "roles": [],
                "joined_at": TIMESTAMP,
                "deaf": False,
                "mute": False,
                "flags": 0,
            }
        )

    async def _sync(self, request: web.Request, body: Any) -> web.Response:
        commands = [
            {
                **command,
                "id": str(next(self._ids) + 300_000),
                "application_id": APPLICATION_ID,
                "version": "1",
                **(
                    {"guild_id": request.match_info["guild"]}
                    if "guild" in request.match_info
                    else {}
                ),
            }
            for command in body
        ]
        return _json(commands)

    # --- gateway -------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        session = GatewaySession(ws)
        self.sessions.append(session)
        await session.send({"op": 10, "d": {"heartbeat_interval": 41250}})
        async for frame in ws:
            payload = json.loads(frame.data)
            if payload["op"] == 1:  # heartbeat
                await session.send({"op": 11})
            elif payload["op"] == 2:  # identify
                identify = payload["d"]
                self.identifies.append(identify)
                session.shard = identify.get("shard")
                ready: dict[str, Any] = {
                    "v": 10,
                    "user": BOT_USER,
                    "guilds": [],
                    "session_id": f"session-{len(self.identifies)}",
                    "resume_gateway_url": self.gateway_url,
                    "application": {"id": APPLICATION_ID, "flags": 0},
                }
                if session.shard is not None:
                    ready["shard"] = session.shard
                await session.dispatch("READY", ready)
        return ws


async def _body(request: web.Request) -> tuple[Any, dict[int, SentFile]]:
    """The JSON body of a request and its files by `n`. A multipart body is read as the
    documented upload format: the JSON in `payload_json`, each file in a `files[n]` part
    with a filename."""
    if not request.can_read_body:
        return None, {}
    if request.content_type != "multipart/form-data":
        text = await request.text()
        return (json.loads(text) if text else None), {}
    body: Any = None
    fields: dict[str, str] = {}  # the JSON's fields one by one, when there is no payload_json
    files: dict[int, SentFile] = {}
    async for part in await request.multipart():
        if not isinstance(part, BodyPartReader):
            raise Refused(400, 50035, "Invalid Form Body")
        named = FILE_PART.fullmatch(part.name or "")
        if part.name == "payload_json":
            body = json.loads(await part.text())
        elif named is None and part.filename is None:
            fields[part.name or ""] = await part.text()
        elif named and part.filename and int(named[1]) not in files:
            content_type = part.headers.get(hdrs.CONTENT_TYPE, "application/octet-stream")
            files[int(named[1])] = SentFile(part.filename, bytes(await part.read()), content_type)
        else:  # a file without a name, in a part not called files[n], or a repeated n
            raise Refused(400, 50035, "Invalid Form Body")
    return (fields if body is None else body), files


class _Errors:
    """Discord's error tree for an invalid form body: each bad field's path leads to
    `_errors`, a list of codes and messages."""

    def __init__(self) -> None:
        self.tree: dict[str, Any] = {}

    def add(self, path: tuple[str | int, ...], code: str, message: str) -> None:
        node = self.tree
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def too_long(self, path: tuple[str | int, ...], text: Any, limit: int) -> None:
        if isinstance(text, str) and len(text.strip()) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def too_many(self, path: tuple[str | int, ...], items: Any, limit: int) -> None:
        if isinstance(items, list) and len(items) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _check_message(payload: Any) -> None:
    """Refuse a message over Discord's documented limits with 400 Invalid Form Body."""
    if not isinstance(payload, dict):
        return
    errors = _Errors()
    content = payload.get("content")
    if isinstance(content, str) and len(content) > CONTENT_LIMIT:
        errors.add(
            ("content",), "BASE_TYPE_MAX_LENGTH", f"Must be {CONTENT_LIMIT} or fewer in length."
        )
    nonce = payload.get("nonce")
    if nonce is not None and len(str(nonce)) > NONCE_LIMIT:
        errors.add(("nonce",), "BASE_TYPE_MAX_LENGTH", f"Must be {NONCE_LIMIT} or fewer in length.")
    embeds = payload.get("embeds") or []
    errors.too_many(("embeds",), embeds, EMBEDS_PER_MESSAGE)
    if sum(_embed_characters(embed) for embed in embeds) > EMBEDS_TOTAL:
        errors.add(
            ("embeds",),
            "MAX_EMBED_SIZE_EXCEEDED",
            f"Embed size exceeds maximum size of {EMBEDS_TOTAL}",
        )
    for n, embed in enumerate(embeds):
        for key, limit in EMBED_TEXT_LIMITS.items():
            errors.too_long(("embeds", n, key), embed.get(key), limit)
        fields = embed.get("fields") or []
        errors.too_many(("embeds", n, "fields"), fields, FIELDS_PER_EMBED)
        for f, item in enumerate(fields):
            for key, limit in FIELD_LIMITS.items():
                text = item.get(key)
                if not isinstance(text, str) or not text.strip():
                    errors.add(
                        ("embeds", n, "fields", f, key),
                        "BASE_TYPE_REQUIRED",
                        "This field is required",
                    )
                errors.too_long(("embeds", n, "fields", f, key), text, limit)
        errors.too_long(
            ("embeds", n, "footer", "text"), (embed.get("footer") or {}).get("text"), FOOTER_LIMIT
        )
        errors.too_long(
            ("embeds", n, "author", "name"),
            (embed.get("author") or {}).get("name"),
            AUTHOR_NAME_LIMIT,
        )
    if not (payload.get("flags") or 0) & COMPONENTS_V2:
        _check_action_rows(payload.get("components") or [], errors)
    if errors.tree:
        raise Refused(400, 50035, "Invalid Form Body", errors.tree)


def _check_modal(data: Any) -> None:
    """Refuse a modal over Discord's documented limits with 400 Invalid Form Body: its
    title and custom id, 1 to 5 components, each a Label (text 45, description 100) around
    a text input, or a legacy action row holding one labelled text input."""
    if not isinstance(data, dict):
        raise Refused(400, 50035, "Invalid Form Body")
    errors = _Errors()
    title = data.get("title")
    if not isinstance(title, str) or not 1 <= len(title) <= MODAL_TITLE_LIMIT:
        errors.add(
            ("data", "title"),
            "BASE_TYPE_BAD_LENGTH",
            f"Must be between 1 and {MODAL_TITLE_LIMIT} in length.",
        )
    _check_custom_id(("data", "custom_id"), data.get("custom_id"), errors)
    components = data.get("components") or []
    if not 1 <= len(components) <= MODAL_COMPONENTS:
        errors.add(
            ("data", "components"),
            "BASE_TYPE_BAD_LENGTH",
            f"Must be between 1 and {MODAL_COMPONENTS} in length.",
        )
    for n, item in enumerate(components):
        path: tuple[str | int, ...] = ("data", "components", n)
        if item.get("type") == 18:  # a Label around one component
            _check_label(path, item.get("label"), errors)
            errors.too_long(
                (*path, "description"), item.get("description"), LABEL_DESCRIPTION_LIMIT
            )
            _check_text_input((*path, "component"), item.get("component") or {}, errors)
        elif item.get("type") == 1:  # the legacy form: an action row with one text input
            inputs = item.get("components") or []
            if len(inputs) != 1:
                errors.add((*path, "components"), "BASE_TYPE_BAD_LENGTH", "Must be 1 in length.")
            for i, text_input in enumerate(inputs):
                _check_label((*path, "components", i), text_input.get("label"), errors)
                _check_text_input((*path, "components", i), text_input, errors)
        else:
            errors.add(
                (*path, "type"),
                "UNION_TYPE_CHOICES",
                'Value of field "type" must be one of (1, 18).',
            )
    if errors.tree:
        raise Refused(400, 50035, "Invalid Form Body", errors.tree)


def _check_label(path: tuple[str | int, ...], label: Any, errors: _Errors) -> None:
    if not isinstance(label, str) or not 1 <= len(label) <= LABEL_TEXT_LIMIT:
        errors.add(
            (*path, "label"),
            "BASE_TYPE_BAD_LENGTH",
            f"Must be between 1 and {LABEL_TEXT_LIMIT} in length.",
        )


def _check_custom_id(path: tuple[str | int, ...], custom_id: Any, errors: _Errors) -> None:
    if not isinstance(custom_id, str) or not 1 <= len(custom_id) <= CUSTOM_ID_LIMIT:
        errors.add(
            path, "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {CUSTOM_ID_LIMIT} in length."
        )


def _check_text_input(path: tuple[str | int, ...], item: dict[str, Any], errors: _Errors) -> None:
    if item.get("type") != 4:
        errors.add((*path, "type"), "BASE_TYPE_CHOICES", "Value must be a text input (4).")
        return
    _check_custom_id((*path, "custom_id"), item.get("custom_id"), errors)
    for key, least in (("min_length", 0), ("max_length", 1)):
        value = item.get(key)
        if value is not None and not least <= value <= TEXT_INPUT_LIMIT:
            errors.add(
                (*path, key),
                "NUMBER_TYPE_MAX" if value > TEXT_INPUT_LIMIT else "NUMBER_TYPE_MIN",
                f"Must be between {least} and {TEXT_INPUT_LIMIT}.",
            )
    errors.too_long((*path, "value"), item.get("value"), TEXT_INPUT_LIMIT)
    errors.too_long((*path, "placeholder"), item.get("placeholder"), PLACEHOLDER_LIMIT)


def _embed_characters(embed: dict[str, Any]) -> int:
    texts = [embed.get("title"), embed.get("description")]
    texts += [(embed.get("footer") or {}).get("text"), (embed.get("author") or {}).get("name")]
    for item in embed.get("fields") or []:
        texts += [item.get("name"), item.get("value")]
    return sum(len(text.strip()) for text in texts if isinstance(text, str))


def _check_action_rows(rows: list[dict[str, Any]], errors: _Errors) -> None:
    errors.too_many(("components",), rows, ACTION_ROWS)
    seen: set[str] = set()
    for r, row in enumerate(rows):
        buttons = row.get("components") or []
        errors.too_many(("components", r, "components"), buttons, BUTTONS_PER_ROW)
        for b, item in enumerate(buttons):
            path = ("components", r, "components", b)
            errors.too_long((*path, "label"), item.get("label"), BUTTON_LABEL_LIMIT)
            custom_id = item.get("custom_id")
            if custom_id is None:
                continue  # a link button
            if not 1 <= len(custom_id) <= CUSTOM_ID_LIMIT:
                errors.add(
                    (*path, "custom_id"),
                    "BASE_TYPE_BAD_LENGTH",
                    f"Must be between 1 and {CUSTOM_ID_LIMIT} in length.",
                )
            if custom_id in seen:
                errors.add(
                    (*path, "custom_id"),
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                    "Component custom id cannot be duplicated",
                )
            seen.add(custom_id)


def _json(
    payload: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        body=json.dumps(payload).encode(),
        status=status,
        headers={"Content-Type": JSON, **(headers or {})},
    )


# --- interaction payloads, as Discord sends them -------------------------------------------


def in_guild(who: dict[str, Any], *, admin: bool = False, channel: str = CHANNEL) -> dict[str, Any]:
    return {
        "guild_id": GUILD,
        "channel_id": channel,
        "channel": {"id": channel, "type": 0, "name": "ml-study", "position": 0, "guild_id": GUILD},
        "member": {
            "user": who,
            "roles": [],
            "flags": 0,
            "joined_at": TIMESTAMP,
            "deaf": False,
            "mute": False,
            "permissions": str(MANAGE_GUILD if admin else 1 << 11),
        },
        "context": 0,
    }


def in_dm(who: dict[str, Any]) -> dict[str, Any]:
    dm = f"6{who['id'][1:]}"
    return {
        "channel_id": dm,
        "channel": {"id": dm, "type": 1, "recipients": [who]},
        "user": who,
        "context": 1,
    }


def slash(path: str, **options: Any) -> dict[str, Any]:
    """A slash command as Discord sends it: `path` like "group schedule daily"."""
    words = path.split()
    leaf = [_option(name, value) for name, value in options.items()]
    resolved: dict[str, Any] = {}
    for name, value in options.items():
        if isinstance(value, dict):  # a user option
            resolved.setdefault("users", {})[value["id"]] = value
            leaf[[o["name"] for o in leaf].index(name)]["value"] = value["id"]
    nested: list[dict[str, Any]] = leaf
    for depth in range(len(words) - 1, 0, -1):
        kind = 1 if depth == len(words) - 1 else 2
        nested = [{"type": kind, "name": words[depth], "options": nested}]
    data: dict[str, Any] = {
        "id": "400000000000000001",
        "name": words[0],
        "type": 1,
        "options": nested,
    }
    if resolved:
        data["resolved"] = resolved
    return {"type": 2, "data": data}


def _option(name: str, value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return {"type": 6, "name": name, "value": value["id"]}
    if isinstance(value, bool):
        return {"type": 5, "name": name, "value": value}
    if isinstance(value, int):
        return {"type": 4, "name": name, "value": value}
    if isinstance(value, float):
        return {"type": 10, "name": name, "value": value}
    return {"type": 3, "name": name, "value": value}


def autocomplete(path: str, option: str, typed: str, **others: Any) -> dict[str, Any]:
    payload = slash(path, **others, **{option: typed})
    options = payload["data"]["options"]
    while options and options[0]["type"] in (1, 2):
        options = options[0]["options"]
    for item in options:
        if item["name"] == option:
            item["focused"] = True
    payload["type"] = 4
    return payload


def button(custom_id: str, label: str = "Press") -> dict[str, Any]:
    """A click on a button of a message the bot sent earlier (Discord sends that message,
    components and all, along with the click)."""
    pressed = {"type": 2, "style": 1, "label": label, "custom_id": custom_id}
    return {
        "type": 3,
        "data": {"custom_id": custom_id, "component_type": 2},
        "message": {
            "id": "510000000000000001",
            "channel_id": CHANNEL,
            "author": BOT_USER,
            "content": "",
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": [{"type": 1, "components": [pressed]}],
            "pinned": False,
            "type": 0,
            "flags": 0,
        },
    }


def modal_submit(custom_id: str, values: dict[str, str]) -> dict[str, Any]:
    return {
        "type": 5,
        "data": {
            "custom_id": custom_id,
            "components": [
                {"type": 18, "component": {"type": 4, "custom_id": name, "value": value}}
                for name, value in values.items()
            ],
        },
    }
