"""Acks come first: when requests arrive together, each is acknowledged before the work
of the commands already acknowledged starts, and no request held up on its way in keeps
that work from starting for long. Against the real slack-bolt app and the fake Slack."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import pytest

from adapters.slack import endpoint
from tests.slack.conftest import SlackRig
from tests.slack.fake_slack import signed, slash_body


async def _arriving(rig: SlackRig, body: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A request whose headers have reached Cohort and whose body has not yet all come
    (a slow link, a big payload): Cohort has it in hand and owes it an ack."""
    url = urlsplit(rig.events_url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    head = "".join(
        f"{name}: {value}\r\n"
        for name, value in {
            "Host": url.netloc,
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": str(len(body)),
            **signed(body),
        }.items()
    )
    writer.write(f"POST {url.path} HTTP/1.1\r\n{head}\r\n{body[:10]}".encode())
    await writer.drain()
    assert rig.adapter.endpoint is not None
    guard = rig.adapter.endpoint
    await rig.fake.wait_for(lambda: guard.acks.waiting == 1)
    return reader, writer


async def test_a_commands_work_waits_for_the_acks_of_requests_still_arriving(
    rig: SlackRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(endpoint, "ACKS_FIRST_WITHIN", 30.0)  # as long as it takes here
    slow = slash_body(rig.fake, "progress", user="U-bo", name="bo")
    reader, writer = await _arriving(rig, slow)
    try:
        assert await rig.post(slash_body(rig.fake, "next")) == 200, "acked at once"
        await asyncio.sleep(0.3)
        assert rig.fake.responses == [], "its answer waits while another ack is owed"

        writer.write(slow[10:].encode())
        await writer.drain()
        status_line = await reader.readline()
        assert status_line.startswith(b"HTTP/1.1 200"), status_line
        answers = await rig.fake.wait_for(lambda: len(rig.fake.responses) == 2)
        assert answers, "then both commands are answered"
    finally:
        writer.close()


async def test_a_request_stuck_on_its_way_in_holds_no_work_back_for_long(rig: SlackRig) -> None:
    _reader, writer = await _arriving(rig, slash_body(rig.fake, "progress", user="U-bo"))
    try:
        assert await rig.post(slash_body(rig.fake, "next")) == 200
        answer = await rig.fake.wait_for(lambda: rig.fake.responses)
        assert "Next up" in str(answer[0]), "answered while the other request never finishes"
    finally:
        writer.close()
