"""A small fake of Slack's Web API, response_url, file uploads and Socket Mode on
127.0.0.1. It records every call the real slack-bolt / slack-sdk code makes, and can be
told to answer a method with errors (429 with Retry-After, 500, or a Slack error code)
before succeeding. Files go up the way Slack's upload flow takes them (files.getUploadURLExternal,
the bytes to the URL it gave, files.completeUploadExternal): `alt_txt` within 1,000
characters, a workspace's size restriction if set, and a file shared into a conversation
is a message of it; an image block shows only a file shared somewhere (`slack_file`).

Where Cohort relies on it, it behaves like Slack (its numbers are those of
`adapters.slack.limits`, taken from Slack's method and Block Kit references; the checks
here are the fake's own): posted messages are kept per conversation with their metadata,
and `conversations.history` gives them back newest first; a bot reads a public channel
only after joining it, and only with the right `*:history` scope; Slack's rate limits
answer 429 with an integer Retry-After; oversized messages, blocks and views are refused
with Slack's own error codes, at the Web API and at a response URL, which takes at most
five messages. A slash command's text arrives escaped (`&`, `<`, `>`) as Slack sends it.
A modal opened with views.open is kept as Slack holds it (an id, its private metadata);
`button_press` and `view_submission` build the payloads Slack sends when a member presses
one of our buttons or submits a modal, the metadata carried back as it was opened, and
refuse to submit what Slack's own client would not (a required field empty, text past
its `max_length`).
It can also be slow (`latency`) or go quiet for a channel or workspace (`hangs`), with or
without keeping the message it was sent."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from adapters.slack.limits import (
    BlockElements,
    Blocks,
    ChatPostMessage,
    FilesUpload,
    Limit,
    RateLimits,
    SlashCommands,
    Views,
)
from adapters.slack.manifest import BOT_SCOPES
from tests.support import wait_until

SIGNING_SECRET = "test-signing-secret"
TEAM = "T1"  # the workspace a conversation is in unless `channel_teams` says otherwise
BOT = {"user": "UBOT", "bot_id": "BBOT", "app_id": "A1"}  # who our bot token posts as


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class PendingFile:
    """A file announced with files.getUploadURLExternal; `data` once its bytes arrive."""

    filename: str
    length: int
    data: bytes | None = None
    completed: bool = False


@dataclass(frozen=True)
class SharedFile:
    """A file shared into a channel by files.completeUploadExternal."""

    file_id: str
    filename: str
    title: str
    data: bytes
    initial_comment: str | None


@dataclass(frozen=True)
class Hang:
    """A conversation or workspace that goes quiet: Slack keeps the message it was sent
    (`taken`) or never gets it, and answers after `seconds` (never, by default, until the
    fake stops)."""

    taken: bool = True
    seconds: float = math.inf


@dataclass
class _Bucket:
    """Slack's count for one limit: a token bucket `burst` deep, refilled at the steady rate."""

    limit: Limit
    tokens: float
    checked: float

    def wait(self, now: float) -> float:
        """Seconds until a call would be let through (0: now)."""
        refill = (now - self.checked) * self.limit.per_second
        self.tokens = min(float(self.limit.burst), self.tokens + refill)
        self.checked = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.limit.per_second


@dataclass
class FakeSlack:
    admins: set[str] = field(default_factory=set)
    calls: list[Call] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)  # taken at response URLs
    refused_responses: list[dict[str, Any]] = field(default_factory=list)  # with `error`
    _response_uses: dict[str, int] = field(default_factory=dict)  # by response URL
    failures: dict[str, list[int]] = field(default_factory=dict)
    # method -> Slack error codes it answers (HTTP 200, ok: false) before succeeding
    refusals: dict[str, list[str]] = field(default_factory=dict)
    scopes: set[str] = field(default_factory=lambda: set(BOT_SCOPES))  # as installed
    files: dict[str, list[SharedFile]] = field(default_factory=dict)  # by channel
    upload_limit: int | None = None  # bytes a file may have: a workspace's restriction
    pending: dict[str, PendingFile] = field(default_factory=dict)  # by file id
    dms: set[str] = field(default_factory=set)  # DM channels conversations.open opened
    views: dict[str, dict[str, Any]] = field(default_factory=dict)  # opened modals, by id
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    # conversation id -> the messages posted there, oldest first, as Slack stores them
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    joined: set[str] = field(default_factory=set)  # channels the bot is a member of
    channel_teams: dict[str, str] = field(default_factory=dict)  # else TEAM
    latency: float = 0.0  # seconds every Web API call takes
    hangs: dict[str, Hang] = field(default_factory=dict)  # by conversation or team id
    rate_limited: bool = True  # enforce Slack's rate limits
    throttled: list[Call] = field(default_factory=list)  # every call answered 429
    url: str = ""
    _runner: web.AppRunner | None = None
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _file_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _view_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _interactions: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _buckets: dict[tuple[str, ...], _Bucket] = field(default_factory=dict)
    _last_ts: float = 0.0
    _released: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/respond/{token}", self._respond)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        self._released.set()  # answer whatever is still hanging, so the server can stop
        for ws in self._sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def called(self, method: str) -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.method == method]

    def posted(self, channel: str) -> list[dict[str, Any]]:
        """The messages a conversation holds, oldest first."""
        return list(self.messages.get(channel, []))

    def team_of(self, channel: str) -> str:
        return self.channel_teams.get(channel, TEAM)

    async def wait_for(self, check: Callable[[], Any], within: float = 10) -> Any:
        """The first truthy result of `check`, polled until `within` seconds pass."""
        return await wait_until(check, within)

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.content_type == "application/json":
            params.update(await request.json())
        elif request.method == "POST":
            params.update(await request.post())
        for key in ("blocks", "view", "files", "metadata"):
            if isinstance(params.get(key), str):
                with contextlib.suppress(ValueError):  # else left as sent: invalid_arguments
                    params[key] = json.loads(params[key])
        call = Call(method, params)
        self.calls.append(call)
        if self.latency:
            await asyncio.sleep(self.latency)
        pending = self.failures.get(method)
        if pending:
            status = pending.pop(0)
            if status == 429:
                self.throttled.append(call)
            headers = {"Retry-After": "1"} if status == 429 else {}
            return web.json_response(
                {"ok": False, "error": "ratelimited" if status == 429 else "internal_error"},
                status=status,
                headers=headers,
            )
        wait = self._rate_limit(method, params)
        if wait:
            self.throttled.append(call)
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(max(1, math.ceil(wait)))},  # whole seconds
            )
        refused = self.refusals.get(method)
        if refused:
            return web.json_response({"ok": False, "error": refused.pop(0)})
        needed = self._scope_needed(method, params)
        if needed and needed not in self.scopes:
            return web.json_response(
                {
                    "ok": False,
                    "error": "missing_scope",
                    "needed": needed,
                    "provided": ",".join(sorted(self.scopes)),
                }
            )
        hang = self._hang_for(params)
        if hang is not None and not hang.taken:  # lost on the way: Slack never saw it
            await self._hold(hang.seconds)
            return web.json_response({"ok": False, "error": "service_unavailable"}, status=503)
        answer = self._result(method, params)
        if hang is not None:  # taken, then the answer is lost or late
            await self._hold(hang.seconds)
        return web.json_response(answer)

    def _rate_limit(self, method: str, params: Mapping[str, Any]) -> float:
        """0 if Slack lets this call through now (and counts it), else the seconds until
        it would. Per workspace per method, and per channel for chat.postMessage."""
        if not self.rate_limited:
            return 0.0
        channel = str(params.get("channel") or "")
        team = self.team_of(channel) if channel else TEAM
        buckets = []
        if method in RateLimits.PER_WORKSPACE:
            buckets.append(self._bucket((team, method), RateLimits.PER_WORKSPACE[method]))
        if method in RateLimits.PER_CHANNEL and channel:
            buckets.append(self._bucket((team, channel, method), RateLimits.PER_CHANNEL[method]))
        now = time.monotonic()
        wait = max((bucket.wait(now) for bucket in buckets), default=0.0)
        if not wait:
            for bucket in buckets:
                bucket.tokens -= 1
        return wait

    def _bucket(self, key: tuple[str, ...], limit: Limit) -> _Bucket:
        if key not in self._buckets:
            self._buckets[key] = _Bucket(limit, float(limit.burst), time.monotonic())
        return self._buckets[key]

    def _scope_needed(self, method: str, params: Mapping[str, Any]) -> str | None:
        if method in FILE_METHODS:
            return "files:write"
        if method == "conversations.join":
            return "channels:join"
        if method == "conversations.history":
            kind = str(params.get("channel") or "")[:1]
            return {"C": "channels:history", "G": "groups:history", "D": "im:history"}.get(kind)
        return None

    def _hang_for(self, params: Mapping[str, Any]) -> Hang | None:
        channel = str(params.get("channel") or "")
        if not channel:
            return None
        return self.hangs.get(channel) or self.hangs.get(self.team_of(channel))

    async def _hold(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._released.wait(), None if math.isinf(seconds) else seconds)

    def _result(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "user_id": "UBOT",
                "bot_id": "BBOT",
                "team_id": "T1",
                "url": "https://example.slack.com/",
            }
        if method == "users.info":
            user = str(params.get("user"))
            return {"ok": True, "user": {"id": user, "is_admin": user in self.admins}}
        if method == "conversations.open":
            dm = f"D-{params.get('users')}"
            self.dms.add(dm)
            return {"ok": True, "channel": {"id": dm}}
        if method == "files.getUploadURLExternal":
            return self._upload_url(params)
        if method == "files.completeUploadExternal":
            return self._complete_upload(params)
        if method == "apps.connections.open":
            return {"ok": True, "url": self.url.replace("http", "ws") + "/socket"}
        if method in {"views.open", "views.publish"}:
            view = params.get("view")
            blocks = view.get("blocks") if isinstance(view, dict) else None
            if self._unshared_file(blocks) is not None:
                return _invalid("invalid_arguments", "invalid slack file [json-pointer:/view]")
            answer = _view_answer(view)
            if answer["ok"] and method == "views.open" and isinstance(view, dict):
                answer["view"] = self._opened(view)
            return answer
        if method == "chat.postMessage":
            if self._unshared_file(params.get("blocks")) is not None:
                return _invalid("invalid_blocks", "invalid slack file [json-pointer:/blocks]")
            return self._post_message(params)
        if method in {"chat.postEphemeral", "chat.update"}:
            refused = _refused_message(params)
            if refused is not None:
                return refused
        if method == "conversations.history":
            return self._history(params)
        if method == "conversations.join":
            return self._join(params)
        return {"ok": True, "channel": params.get("channel"), "ts": "1700000000.000100"}

    def _opened(self, view: dict[str, Any]) -> dict[str, Any]:
        """A modal as Slack holds it once open: the view as sent, with its id, workspace
        and an empty state; a submission carries it back."""
        opened = {
            **view,
            "id": f"V{next(self._view_ids):08d}",
            "team_id": TEAM,
            "state": {"values": {}},
            "hash": f"{time.time():.6f}.fake",
            "app_id": BOT["app_id"],
            "bot_id": BOT["bot_id"],
        }
        opened.setdefault("private_metadata", "")
        opened.setdefault("callback_id", "")
        self.views[opened["id"]] = opened
        return opened

    def last_view(self) -> dict[str, Any]:
        """The modal opened last, as Slack holds it."""
        return list(self.views.values())[-1]

    def view_submission(
        self,
        view: Mapping[str, Any],
        typed: Mapping[str, str],
        *,
        user: str = "U-ana",
        team: str = TEAM,
    ) -> dict[str, Any]:
        """The `view_submission` Slack sends when `user` submits an open modal with `typed`
        (block id -> text) in its plain-text inputs: the view carried back whole, its
        private metadata included, as it was opened. Slack's own client lets nothing
        through that its inputs refuse (a required field left empty, text past
        `max_length` or short of `min_length`), so neither does this."""
        values: dict[str, dict[str, Any]] = {}
        for block in view.get("blocks") or []:
            element = block.get("element") or {}
            if block.get("type") != "input" or element.get("type") != "plain_text_input":
                continue
            text = typed.get(block["block_id"], "")
            if not text and not block.get("optional"):
                msg = f"Slack would not submit {block['block_id']!r} empty"
                raise ValueError(msg)
            if len(text) > int(element.get("max_length", BlockElements.TEXT_INPUT_MAX_LENGTH)):
                msg = f"Slack would not submit {block['block_id']!r} past its max_length"
                raise ValueError(msg)
            if text and len(text) < int(element.get("min_length", 0)):
                msg = f"Slack would not submit {block['block_id']!r} short of its min_length"
                raise ValueError(msg)
            values[block["block_id"]] = {
                element["action_id"]: {"type": "plain_text_input", "value": text or None}
            }
        return {
            "type": "view_submission",
            "team": {"id": team, "domain": "study"},
            "user": {"id": user, "username": user.removeprefix("U-"), "team_id": team},
            "api_app_id": BOT["app_id"],
            "token": "legacy",
            "trigger_id": f"trigger-view-{next(self._interactions)}",
            "view": {**view, "state": {"values": values}},
            "response_urls": [],
            "is_enterprise_install": False,
        }

    def button_press(
        self,
        button: Mapping[str, Any],
        *,
        user: str = "U-ana",
        channel: str = "C-study",
        team: str = TEAM,
    ) -> dict[str, Any]:
        """The `block_actions` Slack sends when `user` presses `button` (an element of a
        message we posted) in `channel`: its action id, label and value carried back,
        with a fresh trigger id and a response URL of the fake's."""
        number = next(self._interactions)
        return {
            "type": "block_actions",
            "team": {"id": team, "domain": "study"},
            "user": {"id": user, "username": user.removeprefix("U-"), "team_id": team},
            "api_app_id": BOT["app_id"],
            "token": "legacy",
            "container": {"type": "message", "channel_id": channel, "is_ephemeral": False},
            "channel": {"id": channel, "name": "directmessage" if channel[:1] == "D" else ""},
            "trigger_id": f"trigger-press-{number}",
            "response_url": f"{self.url}/respond/press-{number}",
            "actions": [
                {
                    "type": "button",
                    "action_id": button["action_id"],
                    "block_id": button.get("block_id", "actions"),
                    "text": button["text"],
                    "value": button.get("value", ""),
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }

    def _post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        """Slack's checks, then the message is kept in its conversation."""
        refused = _refused_message(params)
        if refused is not None:
            return refused
        channel = str(params.get("channel") or "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        self._last_ts = max(time.time(), self._last_ts + 0.000001)  # unique, increasing
        stored: dict[str, Any] = {
            "type": "message",
            "ts": f"{self._last_ts:.6f}",
            "text": params.get("text") or "",
            **BOT,
            "team": self.team_of(channel),
        }
        for key in ("blocks", "metadata"):
            if params.get(key):
                stored[key] = params[key]
        self.messages.setdefault(channel, []).append(stored)
        return {"ok": True, "channel": channel, "ts": stored["ts"], "message": stored}

    def _history(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Newest first, strictly between `oldest` and `latest` (or at them, with
        `inclusive`), at most `limit` (default 100, under 1000); metadata only with
        `include_all_metadata`. A bot reads a public channel only as a member."""
        channel = str(params.get("channel") or "")
        if channel.startswith("C") and channel not in self.joined:
            return {"ok": False, "error": "not_in_channel"}
        if channel.startswith("D") and channel not in self.dms:
            return {"ok": False, "error": "channel_not_found"}
        if channel.startswith("G") and channel not in self.joined:
            return {"ok": False, "error": "channel_not_found"}
        try:
            oldest = float(params.get("oldest") or 0)
            latest = float(params.get("latest") or math.inf)
            limit = int(params.get("limit") or 100)
        except ValueError:
            return {"ok": False, "error": "invalid_arguments"}
        limit = min(max(limit, 1), 999)
        if params.get("cursor"):
            latest = min(latest, float(str(params["cursor"])))
        inclusive = _flag(params.get("inclusive"))

        def within(ts: float) -> bool:
            if inclusive:
                return oldest <= ts <= latest
            return oldest < ts < latest

        found = [m for m in reversed(self.messages.get(channel, [])) if within(float(m["ts"]))]
        page = found[:limit]
        if not _flag(params.get("include_all_metadata")):
            page = [{k: v for k, v in m.items() if k != "metadata"} for m in page]
        answer: dict[str, Any] = {"ok": True, "messages": page, "has_more": len(found) > limit}
        if answer["has_more"]:
            answer["response_metadata"] = {"next_cursor": page[-1]["ts"]}
        return answer

    def _join(self, params: Mapping[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel") or "")
        if not channel.startswith("C"):
            return {"ok": False, "error": "method_not_supported_for_channel_type"}
        self.joined.add(channel)
        return {"ok": True, "channel": {"id": channel}}

    def _upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        """Slack's step one: `filename` and `length` (bytes) are required; a length of 0
        is Slack's missing_argument."""
        filename, length = params.get("filename"), str(params.get("length", ""))
        if not filename or not length.isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        if int(length) == 0:
            return {"ok": False, "error": "missing_argument"}
        if len(str(params.get("alt_txt") or "")) > FilesUpload.ALT_TXT:
            return {"ok": False, "error": "alt_txt_too_large"}
        if self.upload_limit is not None and int(length) > self.upload_limit:
            return {"ok": False, "error": "file_upload_size_restricted"}
        file_id = f"F{next(self._file_ids):08d}"
        self.pending[file_id] = PendingFile(str(filename), int(length))
        return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    async def _upload(self, request: web.Request) -> web.Response:
        """Step two: the bytes, raw or as a multipart form, exactly as long as announced."""
        pending = self.pending.get(request.match_info["file_id"])
        self.calls.append(Call("upload", {"file_id": request.match_info["file_id"]}))
        planned = self.failures.get("upload")
        if planned:
            return web.Response(status=planned.pop(0), text="upload failed")
        if pending is None or pending.data is not None:
            return web.Response(status=404, text="unknown upload")
        if request.content_type == "multipart/form-data":
            form = await request.post()
            parts = [v for v in form.values() if isinstance(v, web.FileField)]
            data = parts[0].file.read() if parts else b""
        else:
            data = await request.read()
        if len(data) != pending.length:
            return web.Response(status=400, text="length does not match")
        pending.data = data
        return web.Response(text=f"OK - {len(data)}")

    def _complete_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        """Step three, once per file: `files` lists uploaded ids (and titles); the files are
        shared into `channel_id` (or each of `channels`) if the bot may post there, and
        stay private when no channel is given."""
        listed = params.get("files")
        if not isinstance(listed, list) or not listed or not all("id" in f for f in listed):
            return {"ok": False, "error": "invalid_arguments"}
        found = [self.pending.get(str(f["id"])) for f in listed]
        uploaded = [p for p in found if p is not None and p.data is not None and not p.completed]
        if len(uploaded) != len(listed):
            return {"ok": False, "error": "file_not_found"}
        targets = [params["channel_id"]] if params.get("channel_id") else []
        targets += [c for c in str(params.get("channels") or "").split(",") if c]
        if any(not self._may_post_in(channel) for channel in targets):
            return {"ok": False, "error": "channel_not_found"}
        shared = []
        for item, pending in zip(listed, uploaded, strict=True):
            pending.completed = True
            title = str(item.get("title") or pending.filename)
            file = SharedFile(
                str(item["id"]),
                pending.filename,
                title,
                pending.data or b"",
                params.get("initial_comment"),
            )
            for channel in targets:
                self.files.setdefault(channel, []).append(file)
            shared.append({"id": item["id"], "title": title, "name": pending.filename})
        for channel in targets:  # a share is a message of the conversation, as on Slack
            self._last_ts = max(time.time(), self._last_ts + 0.000001)
            self.messages.setdefault(channel, []).append(
                {
                    "type": "message",
                    "ts": f"{self._last_ts:.6f}",
                    "text": str(params.get("initial_comment") or ""),
                    "upload": True,
                    "files": shared,
                    **BOT,
                    "team": self.team_of(channel),
                }
            )
        return {"ok": True, "files": shared}

    def shared_file_ids(self) -> set[str]:
        """Files shared into a conversation: the ones an image block may show."""
        return {f.file_id for files in self.files.values() for f in files}

    def _unshared_file(self, blocks: Any) -> str | None:
        """The id of a file an image block shows that was never shared into a
        conversation (uploaded alone, only the uploader could see it): Slack refuses
        such a block as an invalid slack file."""
        for block in blocks if isinstance(blocks, list) else []:
            source = block.get("slack_file") if isinstance(block, dict) else None
            if isinstance(source, dict) and str(source.get("id")) not in self.shared_file_ids():
                return str(source.get("id"))
        return None

    def _may_post_in(self, channel: str) -> bool:
        """Public channels (chat:write.public) and the DMs the bot opened."""
        return channel.startswith("C") or channel in self.dms

    async def _respond(self, request: web.Request) -> web.Response:
        """A response URL: the same checks as a message, at most five uses; Slack answers a
        refusal with a 4xx and the error code as text."""
        token = request.match_info["token"]
        message = await request.json()
        self._response_uses[token] = self._response_uses.get(token, 0) + 1
        refused = _refused_message(message, blocks_total=False)
        error = refused["error"] if refused is not None else None
        if self._response_uses[token] > SlashCommands.RESPONSE_URL_USES:
            error = "used_url"
        if error is not None:
            self.refused_responses.append({**message, "error": error})
            return web.Response(status=404 if error == "used_url" else 400, text=error)
        self.responses.append(message)
        return web.json_response({"ok": True})

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        async for message in ws:
            if message.type == aiohttp.WSMsgType.TEXT:
                self.socket_acks.append(json.loads(message.data))
        return ws

    async def send_envelope(self, envelope: dict[str, Any]) -> None:
        await self.wait_for(lambda: self._sockets)
        await self._sockets[-1].send_str(json.dumps(envelope))


FILE_METHODS = {"files.getUploadURLExternal", "files.completeUploadExternal"}

# Slack's message and Block Kit limits (chat.postMessage; Block Kit reference: blocks and
# block elements; views), in characters unless said otherwise.
MESSAGE_TEXT = ChatPostMessage.TEXT
MESSAGE_BLOCKS_TEXT = ChatPostMessage.BLOCKS_TEXT_OBSERVED  # msg_blocks_too_long past it
MESSAGE_BLOCKS = Blocks.PER_MESSAGE
VIEW_BLOCKS = Blocks.PER_VIEW
BLOCK_ID = Blocks.BLOCK_ID
SECTION_TEXT = Blocks.SECTION_TEXT
SECTION_FIELDS = Blocks.SECTION_FIELDS  # items
SECTION_FIELD_TEXT = Blocks.SECTION_FIELD_TEXT
HEADER_TEXT = Blocks.HEADER_TEXT
CONTEXT_ELEMENTS = Blocks.CONTEXT_ELEMENTS
ACTIONS_ELEMENTS = Blocks.ACTIONS_ELEMENTS
BUTTON_TEXT = BlockElements.BUTTON_TEXT
ACTION_ID = BlockElements.ACTION_ID
BUTTON_VALUE = BlockElements.BUTTON_VALUE
BUTTON_URL = BlockElements.BUTTON_URL
IMAGE_URL = Blocks.IMAGE_URL
IMAGE_ALT_TEXT = Blocks.IMAGE_ALT_TEXT
INPUT_LABEL = Blocks.INPUT_LABEL
INPUT_HINT = Blocks.INPUT_HINT
PLACEHOLDER = BlockElements.PLACEHOLDER
TEXT_INPUT_MAX_LENGTH = BlockElements.TEXT_INPUT_MAX_LENGTH
TEXT_INPUT_MIN_LENGTH = BlockElements.TEXT_INPUT_MIN_LENGTH
MODAL_TITLE = Views.MODAL_TITLE
MODAL_BUTTON = Views.MODAL_SUBMIT  # and Views.MODAL_CLOSE: the same
CALLBACK_ID = Views.CALLBACK_ID
PRIVATE_METADATA = Views.PRIVATE_METADATA
VIEW_BYTES = Views.JSON_BYTES
BLOCK_TYPES = Blocks.TYPES


def _flag(value: Any) -> bool:
    """A boolean argument as slack-sdk sends it: JSON true, or "1"/"true" in a form."""
    return value is True or str(value).lower() in {"1", "true"}


def _refused_message(
    params: Mapping[str, Any], *, blocks_total: bool = True
) -> dict[str, Any] | None:
    """Slack's answer to a message it will not post, or None if it would. The Web API also
    refuses a message whose blocks hold too much text in all (`blocks_total`)."""
    text, blocks = params.get("text"), params.get("blocks")
    if not text and not blocks and not params.get("attachments"):
        return {"ok": False, "error": "no_text"}
    if isinstance(text, str) and len(text) > MESSAGE_TEXT:
        return {"ok": False, "error": "msg_too_long"}
    if blocks is not None:
        if not isinstance(blocks, list):
            return {"ok": False, "error": "invalid_blocks_format"}
        problem = _block_problem(blocks, MESSAGE_BLOCKS)
        if problem is not None:
            return _invalid("invalid_blocks", problem)
        if blocks_total and _all_text(blocks) > MESSAGE_BLOCKS_TEXT:
            return {"ok": False, "error": "msg_blocks_too_long"}
    metadata = params.get("metadata")
    if metadata is not None and not (
        isinstance(metadata, dict)
        and isinstance(metadata.get("event_type"), str)
        and isinstance(metadata.get("event_payload"), dict)
    ):
        return {"ok": False, "error": "invalid_metadata_format"}
    return None


def _invalid(error: str, problem: str) -> dict[str, Any]:
    return {
        "ok": False,
        "error": error,
        "errors": [problem],
        "response_metadata": {"messages": [f"[ERROR] {problem}"]},
    }


def _all_text(node: Any) -> int:
    if isinstance(node, dict):
        return sum(
            len(value) if key == "text" and isinstance(value, str) else _all_text(value)
            for key, value in node.items()
        )
    if isinstance(node, list):
        return sum(_all_text(item) for item in node)
    return 0


def _view_answer(view: Any) -> dict[str, Any]:
    """views.open and views.publish: a view of at most 100 blocks and 250 kB, a modal's
    title, submit and close within 24 characters (a submit needed with an input block),
    private_metadata within 3,000, callback_id within 255."""
    if not isinstance(view, dict) or view.get("type") not in {"modal", "home"}:
        return {"ok": False, "error": "invalid_arguments"}
    if len(json.dumps(view, ensure_ascii=False).encode()) > VIEW_BYTES:
        return {"ok": False, "error": "view_too_large"}
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        return _invalid("invalid_arguments", "blocks must be a list [json-pointer:/view/blocks]")
    problem = _block_problem(blocks, VIEW_BLOCKS)
    if problem is None and view["type"] == "modal":
        problem = _modal_problem(view)
    if problem is None and len(str(view.get("private_metadata", ""))) > PRIVATE_METADATA:
        problem = f"private_metadata must be at most {PRIVATE_METADATA} characters"
    if problem is None and len(str(view.get("callback_id", ""))) > CALLBACK_ID:
        problem = f"callback_id must be at most {CALLBACK_ID} characters"
    if problem is not None:
        return _invalid("invalid_arguments", problem)
    return {"ok": True, "view": {"id": "V1"}}


def _modal_problem(view: dict[str, Any]) -> str | None:
    if problem := _text(view.get("title"), MODAL_TITLE, plain_only=True):
        return f"title: {problem} [json-pointer:/view/title]"
    for button in ("submit", "close"):
        if button in view and (problem := _text(view[button], MODAL_BUTTON, plain_only=True)):
            return f"{button}: {problem} [json-pointer:/view/{button}]"
    inputs = [b for b in view["blocks"] if isinstance(b, dict) and b.get("type") == "input"]
    if inputs and "submit" not in view:
        return "submit is required when an input block is present [json-pointer:/view/submit]"
    return None


def _block_problem(blocks: list[Any], most: int) -> str | None:
    if len(blocks) > most:
        return f"no more than {most} items allowed [json-pointer:/blocks]"
    for index, block in enumerate(blocks):
        where = f"/blocks/{index}"
        problem = _one_block(block) if isinstance(block, dict) else "must be an object"
        if problem is not None:
            return f"{problem} [json-pointer:{where}]"
    return None


def _one_block(block: dict[str, Any]) -> str | None:
    kind = block.get("type")
    if kind not in BLOCK_TYPES:
        return f"unknown block type {kind!r}"
    if len(str(block.get("block_id", ""))) > BLOCK_ID:
        return f"block_id must be at most {BLOCK_ID} characters"
    if kind == "section":
        if "text" not in block and "fields" not in block:
            return "a section needs text or fields"
        if "text" in block and (problem := _text(block["text"], SECTION_TEXT)):
            return f"text: {problem}"
        if "fields" in block:
            fields = block["fields"]
            if not isinstance(fields, list) or not 1 <= len(fields) <= SECTION_FIELDS:
                return f"fields: between 1 and {SECTION_FIELDS} items"
            for field_ in fields:
                if problem := _text(field_, SECTION_FIELD_TEXT):
                    return f"fields: {problem}"
        if isinstance(block.get("accessory"), dict):
            return _element(block["accessory"])
    elif kind == "header":
        if problem := _text(block.get("text"), HEADER_TEXT, plain_only=True):
            return f"text: {problem}"
    elif kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= CONTEXT_ELEMENTS:
            return f"elements: between 1 and {CONTEXT_ELEMENTS} items"
    elif kind == "actions":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= ACTIONS_ELEMENTS:
            return f"elements: between 1 and {ACTIONS_ELEMENTS} items"
        for element in elements:
            if problem := _element(element):
                return problem
    elif kind == "input":
        if problem := _text(block.get("label"), INPUT_LABEL, plain_only=True):
            return f"label: {problem}"
        if "hint" in block and (problem := _text(block["hint"], INPUT_HINT, plain_only=True)):
            return f"hint: {problem}"
        if not isinstance(block.get("element"), dict):
            return "an input block needs an element"
        return _element(block["element"])
    elif kind == "image":
        if len(str(block.get("image_url", ""))) > IMAGE_URL:
            return f"image_url must be at most {IMAGE_URL} characters"
        if not block.get("alt_text") or len(str(block["alt_text"])) > IMAGE_ALT_TEXT:
            return f"alt_text is required, at most {IMAGE_ALT_TEXT} characters"
        if ("image_url" in block) == ("slack_file" in block):
            return "must provide either image_url or slack_file"
        source = block.get("slack_file")
        if "slack_file" in block and (
            not isinstance(source, dict) or ("id" in source) == ("url" in source)
        ):
            return "slack_file must have either an id or a url"
    return None


def _element(element: Any) -> str | None:
    if not isinstance(element, dict):
        return "an element must be an object"
    if len(str(element.get("action_id", ""))) > ACTION_ID:
        return f"action_id must be at most {ACTION_ID} characters"
    if element.get("type") == "button":
        if problem := _text(element.get("text"), BUTTON_TEXT, plain_only=True):
            return f"button text: {problem}"
        if len(str(element.get("value", ""))) > BUTTON_VALUE:
            return f"button value must be at most {BUTTON_VALUE} characters"
        if len(str(element.get("url", ""))) > BUTTON_URL:
            return f"button url must be at most {BUTTON_URL} characters"
    if "placeholder" in element and (
        problem := _text(element["placeholder"], PLACEHOLDER, plain_only=True)
    ):
        return f"placeholder: {problem}"
    if element.get("type") == "plain_text_input":
        return _text_input_problem(element)
    return None


def _text_input_problem(element: dict[str, Any]) -> str | None:
    """A plain-text input's bounds: `max_length` 1 to 3,000, `min_length` 0 to 3,000, and
    never more than the most it allows."""
    most, least = element.get("max_length"), element.get("min_length")
    if most is not None and not _whole_between(most, 1, TEXT_INPUT_MAX_LENGTH):
        return f"max_length must be between 1 and {TEXT_INPUT_MAX_LENGTH}"
    if least is not None and not _whole_between(least, 0, TEXT_INPUT_MIN_LENGTH):
        return f"min_length must be between 0 and {TEXT_INPUT_MIN_LENGTH}"
    if isinstance(most, int) and isinstance(least, int) and least > most:
        return "min_length must not be more than max_length"
    return None


def _whole_between(value: Any, least: int, most: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and least <= value <= most


def _text(obj: Any, limit: int, *, plain_only: bool = False) -> str | None:
    kinds = {"plain_text"} if plain_only else {"plain_text", "mrkdwn"}
    if not isinstance(obj, dict) or obj.get("type") not in kinds:
        return f"must be a {' or '.join(sorted(kinds))} text object"
    text = obj.get("text")
    if not isinstance(text, str) or not 1 <= len(text) <= limit:
        return f"must be between 1 and {limit} characters"
    return None


def signed(body: str, *, secret: str = SIGNING_SECRET, age: int = 0) -> dict[str, str]:
    timestamp = str(int(time.time()) - age)
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}


_response_urls = itertools.count(1)


def slack_escaped(text: str) -> str:
    """Text as Slack sends what a member typed: `&`, `<` and `>` as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slash_body(
    fake: FakeSlack, text: str, *, user: str = "U-ana", channel: str = "C-study", name: str = "ana"
) -> str:
    """A `/cohort` command as Slack sends it, with `text` as the member typed it and a
    response URL of its own."""
    return urlencode(
        {
            "token": "legacy",
            "team_id": "T1",
            "team_domain": "study",
            "channel_id": channel,
            "channel_name": "study",
            "user_id": user,
            "user_name": name,
            "command": "/cohort",
            "text": slack_escaped(text),
            "api_app_id": "A1",
            "response_url": f"{fake.url}/respond/command-{next(_response_urls)}",
            "trigger_id": "trigger-1",
        }
    )


def interactive_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})
