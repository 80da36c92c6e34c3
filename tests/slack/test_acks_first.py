"""Acks come first: while a signed request is on its way through slack-bolt to its
listener, the commands already acknowledged hold their work back, so their work never
delays another's ack; and nothing holds that work back for long. Against the real
slack-bolt app and the fake Slack."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest

from adapters.slack import endpoint
from adapters.slack.endpoint import SlackEndpoint
from tests.slack.conftest import SlackRig
from tests.slack.fake_slack import slash_body


def _guard(rig: SlackRig) -> SlackEndpoint:
    assert rig.adapter.endpoint is not None
    return rig.adapter.endpoint


@asynccontextmanager
async def _on_its_way(rig: SlackRig, user: str) -> AsyncIterator[asyncio.Event]:
    """A signed `/cohort progress` from `user` that slack-bolt has taken in and is still
    carrying to its listener (its middleware is slow today) until the event is set."""
    let_go = asyncio.Event()

    async def slow_for_user(body: dict[str, Any], next: Callable[[], Awaitable[None]]) -> None:
        if body.get("user_id") == user:
            await let_go.wait()
        await next()

    rig.adapter.bolt.middleware(slow_for_user)
    request = asyncio.create_task(rig.post(slash_body(rig.fake, "progress", user=user)))
    try:
        await rig.fake.wait_for(lambda: _guard(rig).acks.count == 1)
        yield let_go
    finally:
        let_go.set()
        assert await request == 200


async def test_a_commands_work_waits_while_another_request_is_on_its_way_to_its_ack(
    rig: SlackRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(endpoint, "ACKS_FIRST_WITHIN", 30.0)  # as long as it takes here
    async with _on_its_way(rig, "U-bo") as let_go:
        assert await rig.post(slash_body(rig.fake, "next")) == 200, "acked at once"
        await asyncio.sleep(0.3)
        assert rig.fake.responses == [], "its answer waits while another ack is owed"
        let_go.set()
        await rig.fake.wait_for(lambda: len(rig.fake.responses) == 2)
    assert _guard(rig).acks.count == 0


async def test_a_request_stuck_on_its_way_holds_no_work_back_for_long(rig: SlackRig) -> None:
    async with _on_its_way(rig, "U-bo"):
        assert await rig.post(slash_body(rig.fake, "next")) == 200
        answer = await rig.fake.wait_for(lambda: rig.fake.responses, within=2)
        assert "Next up" in str(answer[0]), "answered while the other request is stuck"
    assert _guard(rig).acks.count == 0


async def test_a_body_trickling_in_unchecked_delays_nothing(
    rig: SlackRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(endpoint, "ACKS_FIRST_WITHIN", 30.0)  # were it counted: 30 s
    url = urlsplit(rig.events_url)
    _reader, writer = await asyncio.open_connection(url.hostname, url.port)
    body = slash_body(rig.fake, "progress", user="U-bo")
    head = f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Length: {len(body)}\r\n"
    writer.write(f"{head}\r\n{body[:10]}".encode())  # no signature; the rest never comes
    await writer.drain()
    try:
        assert _guard(rig).acks.count == 0, "no ack is owed to a request not yet checked"
        assert await rig.post(slash_body(rig.fake, "next")) == 200
        answer = await rig.fake.wait_for(lambda: rig.fake.responses, within=5)
        assert "Next up" in str(answer[0])
    finally:
        writer.close()
