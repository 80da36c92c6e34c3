"""A small fake of Slack's Web API, response_url and Socket Mode on 127.0.0.1. It records
every call the real slack-bolt / slack-sdk code makes, and can be told to answer a method
with errors (429 with Retry-After, 500) before succeeding."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from tests.support import wait_until

SIGNING_SECRET = "test-signing-secret"


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class FakeSlack:
    admins: set[str] = field(default_factory=set)
    calls: list[Call] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, list[int]] = field(default_factory=dict)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    _runner: web.AppRunner | None = None
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/respond/{token}", self._respond)
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
        for key in ("blocks", "view"):
            if isinstance(params.get(key), str):
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
            return {"ok": True, "channel": {"id": f"D-{params.get('users')}"}}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.url.replace("http", "ws") + "/socket"}
        if method in {"views.open", "views.publish"}:
            return {"ok": True, "view": {"id": "V1"}}
        return {"ok": True, "channel": params.get("channel"), "ts": "1700000000.000100"}

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
