"""A small fake of Slack's Web API, response_url, file uploads and Socket Mode on
127.0.0.1. It records every call the real slack-bolt / slack-sdk code makes, and can be
told to answer a method with errors (429 with Retry-After, 500, or a Slack error code)
before succeeding."""

from __future__ import annotations

import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from adapters.slack.manifest import BOT_SCOPES
from tests.support import wait_until

SIGNING_SECRET = "test-signing-secret"


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


@dataclass
class FakeSlack:
    admins: set[str] = field(default_factory=set)
    calls: list[Call] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, list[int]] = field(default_factory=dict)
    # method -> Slack error codes it answers (HTTP 200, ok: false) before succeeding
    refusals: dict[str, list[str]] = field(default_factory=dict)
    scopes: set[str] = field(default_factory=lambda: set(BOT_SCOPES))  # as installed
    files: dict[str, list[SharedFile]] = field(default_factory=dict)  # by channel
    pending: dict[str, PendingFile] = field(default_factory=dict)  # by file id
    dms: set[str] = field(default_factory=set)  # DM channels conversations.open opened
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    _runner: web.AppRunner | None = None
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _file_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

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
        for ws in self._sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def called(self, method: str) -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.method == method]

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
        for key in ("blocks", "view", "files"):
            if isinstance(params.get(key), str):
                with contextlib.suppress(ValueError):  # else left as sent: invalid_arguments
                    params[key] = json.loads(params[key])
        self.calls.append(Call(method, params))
        pending = self.failures.get(method)
        if pending:
            status = pending.pop(0)
            headers = {"Retry-After": "1"} if status == 429 else {}
            return web.json_response(
                {"ok": False, "error": "ratelimited" if status == 429 else "internal_error"},
                status=status,
                headers=headers,
            )
        refused = self.refusals.get(method)
        if refused:
            return web.json_response({"ok": False, "error": refused.pop(0)})
        if method in FILE_METHODS and "files:write" not in self.scopes:
            return web.json_response(
                {
                    "ok": False,
                    "error": "missing_scope",
                    "needed": "files:write",
                    "provided": ",".join(sorted(self.scopes)),
                }
            )
        return web.json_response(self._result(method, params))

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
            return {"ok": True, "view": {"id": "V1"}}
        return {"ok": True, "channel": params.get("channel"), "ts": "1700000000.000100"}

    def _upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        """Slack's step one: `filename` and `length` (bytes) are required; a length of 0
        is Slack's missing_argument."""
        filename, length = params.get("filename"), str(params.get("length", ""))
        if not filename or not length.isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        if int(length) == 0:
            return {"ok": False, "error": "missing_argument"}
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
        return {"ok": True, "files": shared}

    def _may_post_in(self, channel: str) -> bool:
        """Public channels (chat:write.public) and the DMs the bot opened."""
        return channel.startswith("C") or channel in self.dms

    async def _respond(self, request: web.Request) -> web.Response:
        self.responses.append(await request.json())
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


def signed(body: str, *, secret: str = SIGNING_SECRET, age: int = 0) -> dict[str, str]:
    timestamp = str(int(time.time()) - age)
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}


def slash_body(
    fake: FakeSlack, text: str, *, user: str = "U-ana", channel: str = "C-study", name: str = "ana"
) -> str:
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
            "text": text,
            "api_app_id": "A1",
            "response_url": f"{fake.url}/respond/{len(text)}",
            "trigger_id": "trigger-1",
        }
    )


def interactive_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})
