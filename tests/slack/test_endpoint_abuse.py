"""Abuse of Slack's HTTP endpoint gets a calm answer: a bad signature or timestamp is a 401
before anything reads the body, a signed but malformed body a 400, a replayed request is not
carried out again (by this bot process or another sharing the database), and none of it
logs an error or a traceback."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlalchemy import text as sql
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.slack.app import SlackAdapter
from adapters.web import WebServer
from bot.bootstrap import App, build_app
from bot.clock import ManualClock
from bot.db.engine import make_engine, make_sessions
from bot.db.models import KaggleAttempt, SeenRequest
from bot.services import replays
from bot.settings import Settings
from tests.slack.conftest import serve_slack, text_of
from tests.slack.fake_slack import SIGNING_SECRET, FakeSlack, slash_body
from tests.support import wait_until

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
SUBMIT = "kaggle submit https://www.kaggle.com/code/admin/titanic 0.76"


@dataclass
class Instance:
    """One bot process serving Slack over HTTP."""

    app: App
    adapter: SlackAdapter
    server: WebServer
    url: str

    async def close(self) -> None:
        await self.server.stop()
        await self.adapter.close()


async def serve(app: App, fake: FakeSlack) -> Instance:
    adapter, server, url = await serve_slack(app, fake)
    return Instance(app, adapter, server, url)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack(admins={"U-admin"})
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def bot(app: App, fake: FakeSlack) -> AsyncIterator[Instance]:
    instance = await serve(app, fake)
    yield instance
    await instance.close()


def sign(
    body: bytes | str, *, secret: str = SIGNING_SECRET, timestamp: str | None = None
) -> dict[str, str]:
    """Slack's v0 signature headers, computed on the raw bytes (which need not be UTF-8)."""
    raw = body.encode() if isinstance(body, str) else body
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": "v0=" + digest.hexdigest()}


async def post(
    url: str, body: bytes | str, headers: dict[str, str], content_type: str = FORM
) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session:
        response = await session.post(
            url, data=body, headers={"Content-Type": content_type, **headers}
        )
        return response.status, await response.text()


def assert_calm(caplog: pytest.LogCaptureFixture, *, requests: int) -> None:
    """No error and no traceback was logged, and at most one line per request (the fake
    Slack's own access log aside)."""
    loud = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert loud == []
    assert "Traceback" not in caplog.text
    assert len([r for r in caplog.records if r.name != "aiohttp.access"]) <= requests


MALFORMED = {
    "not UTF-8": (b"command=%2Fcohort&text=caf\xe9&team_id=T1", FORM),
    "payload not JSON": (b"payload=%7Bnot+json", FORM),
    "payload a JSON list": (f"payload={quote(json.dumps([1, 2]))}".encode(), FORM),
    "payload a JSON string": (f"payload={quote(json.dumps('hi'))}".encode(), FORM),
    "payload deeply nested": (f"payload={quote('[' * 100_000)}".encode(), FORM),
    "JSON body not an object": (b"[1, 2]", JSON),
    "JSON body broken": (b'{"type": "event_callback", "event": ', JSON),
    "JSON body not UTF-8": (b'{"type": "\xff"}', JSON),
    "JSON object of another shape": (b'{"enterprise": 5, "authorizations": 7}', JSON),
    "unknown content type": (b"command=%2Fcohort&text=help&team_id=T1", "text/plain"),
    "no content type": (b"command=%2Fcohort&text=help&team_id=T1", "application/octet-stream"),
}


@pytest.mark.parametrize(("body", "content_type"), MALFORMED.values(), ids=MALFORMED.keys())
async def test_a_signed_malformed_body_gets_400_calmly(
    bot: Instance,
    fake: FakeSlack,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    content_type: str,
) -> None:
    caplog.set_level(logging.INFO)
    status, _ = await post(bot.url, body, sign(body), content_type)
    assert status == 400
    assert_calm(caplog, requests=1)
    assert fake.calls == []
    assert fake.responses == []


# The bodies slack-bolt used to choke on while reading them, before it checked the signature.
UNREADABLE = {k: v for k, v in MALFORMED.items() if "content type" not in k}


@pytest.mark.parametrize(("body", "content_type"), UNREADABLE.values(), ids=UNREADABLE.keys())
async def test_a_malformed_body_with_a_bad_signature_gets_401_before_it_is_read(
    bot: Instance,
    fake: FakeSlack,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    content_type: str,
) -> None:
    caplog.set_level(logging.INFO)
    wrong = await post(bot.url, body, sign(body, secret="not-the-secret"), content_type)
    unsigned = await post(bot.url, body, {}, content_type)
    assert wrong[0] == unsigned[0] == 401
    assert_calm(caplog, requests=2)
    assert fake.calls == []


@pytest.mark.parametrize(
    "timestamp",
    ["soon", "", "1.7e9"],
    ids=["words", "empty", "float"],
)
async def test_a_timestamp_that_is_not_a_whole_number_gets_401(
    bot: Instance, fake: FakeSlack, caplog: pytest.LogCaptureFixture, timestamp: str
) -> None:
    caplog.set_level(logging.INFO)
    body = slash_body(fake, "progress")
    headers = sign(body, timestamp=timestamp)  # a correct HMAC over the odd timestamp
    assert (await post(bot.url, body, headers))[0] == 401
    assert_calm(caplog, requests=1)
    assert fake.responses == []


async def test_an_old_or_future_timestamp_is_refused(
    bot: Instance, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    readable = slash_body(fake, "progress").encode()
    unreadable = MALFORMED["not UTF-8"][0]
    now = int(time.time())
    for body in (readable, unreadable):
        for moment in (now - 6 * 60, now + 6 * 60):
            status, _ = await post(bot.url, body, sign(body, timestamp=str(moment)))
            assert status == 401
    assert_calm(caplog, requests=4)
    assert fake.responses == []


async def kaggle_attempts(app: App) -> int:
    async with app.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(KaggleAttempt)) or 0)


async def slash(bot: Instance, fake: FakeSlack, text: str) -> str:
    """Run a slash command as the workspace admin; the text of the answer."""
    before = len(fake.responses)
    body = slash_body(fake, text, user="U-admin", name="admin")
    assert (await post(bot.url, body, sign(body)))[0] == 200
    await fake.wait_for(lambda: len(fake.responses) > before)
    return text_of(fake.responses[before])


async def replay_a_kaggle_submission(
    first: Instance, again: Instance, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    """Submit once through `first`, send the very same signed request to `again`, then run
    one more command so anything the replay set off has had its turn."""
    await slash(first, fake, "group setup ml-engineer Europe/Berlin")
    body = slash_body(fake, SUBMIT, user="U-admin", name="admin")
    headers = sign(body)
    assert (await post(first.url, body, headers))[0] == 200
    await fake.wait_for(lambda: len(fake.responses) == 2)
    caplog.clear()
    assert await post(again.url, body, headers) == (200, "")
    assert_calm(caplog, requests=1)
    assert "Titanic" in await slash(first, fake, "kaggle")
    for instance in (first, again):
        await wait_until(lambda i=instance: i.app.work.count == 0)
    texts = [text_of(r) for r in fake.responses]
    assert len(texts) == 3, texts
    assert "took on" in texts[1]
    assert "Titanic" in texts[2]
    assert await kaggle_attempts(first.app) == 1


async def test_a_replayed_slash_command_runs_once(
    bot: Instance, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await replay_a_kaggle_submission(bot, bot, fake, caplog)


async def test_a_replay_sent_to_another_bot_process_runs_once(
    bot: Instance, fake: FakeSlack, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    other_app = await build_app(Settings(database_url=bot.app.settings.database_url), clock=clock)
    other = await serve(other_app, fake)
    try:
        await replay_a_kaggle_submission(bot, other, fake, caplog)
    finally:
        await other.close()
        await other_app.close()


async def test_a_command_is_acknowledged_while_the_database_is_held_elsewhere(
    bot: Instance, fake: FakeSlack
) -> None:
    """Slack gets its ack while the bot's database is busy (here: held by someone else);
    the command is carried out once the database is free, and a replay of it still is not."""
    body = slash_body(fake, "help")
    headers = sign(body)
    async with bot.app.engine.connect() as held:
        if held.dialect.name == "postgresql":  # SQLite: the one connection is in use here
            await held.execute(sql("LOCK TABLE seen_requests IN EXCLUSIVE MODE"))
        assert await post(bot.url, body, headers) == (200, "")
        assert fake.responses == [], "nothing is carried out before the replay check"
    await fake.wait_for(lambda: len(fake.responses) == 1)
    assert "Cohort commands" in text_of(fake.responses[0])
    assert await post(bot.url, body, headers) == (200, "")
    await wait_until(lambda: bot.app.work.count == 0)
    assert len(fake.responses) == 1


async def seen_signatures(app: App) -> set[str]:
    async with app.sessions() as session:
        return set((await session.scalars(select(SeenRequest.signature))).all())


async def test_sightings_older_than_ten_minutes_are_forgotten(
    bot: Instance, fake: FakeSlack, clock: ManualClock
) -> None:
    signatures = []
    for text, later in (("help", 6), ("roadmap", 5), ("progress", 0)):
        before = len(fake.responses)
        body = slash_body(fake, text)
        headers = sign(body)
        assert (await post(bot.url, body, headers))[0] == 200
        await fake.wait_for(lambda before=before: len(fake.responses) > before)
        signatures.append(headers["X-Slack-Signature"])
        clock.advance(timedelta(minutes=later))
    # "help" was seen 11 minutes before the last request, "roadmap" 5: only "help" is gone.
    assert await seen_signatures(bot.app) == set(signatures[1:])


async def test_a_signature_counts_as_seen_for_five_minutes(app: App, clock: ManualClock) -> None:
    signature = "v0=" + "a" * 64
    answers = []
    for minutes in (0, 1, 4, 6):
        async with app.sessions() as session, session.begin():
            now = clock.now() + timedelta(minutes=minutes)
            answers.append(await replays.first_sighting(session, signature, now=now))
    assert answers == [True, False, False, True]


async def test_processes_recording_one_signature_at_once_agree_it_is_new_once(
    database_url: str, clock: ManualClock
) -> None:
    engines = [make_engine(database_url) for _ in range(2)]
    try:
        for attempt in range(5):
            signature = f"v0={attempt:064x}"

            async def record(engine: AsyncEngine, signature: str = signature) -> bool:
                async with make_sessions(engine)() as session, session.begin():
                    return await replays.first_sighting(session, signature, now=clock.now())

            answers = await asyncio.gather(*(record(e) for e in engines))
            assert sorted(answers) == [False, True]
    finally:
        for engine in engines:
            await engine.dispose()
