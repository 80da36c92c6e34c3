"""`cohort run`, `cohort discord sync` and `cohort discord invite` as real processes
against the fake Discord, and shards."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp

from bot.bootstrap import App
from tests.discord.conftest import DiscordRig, start_adapter, text_of
from tests.discord.fake_discord import ANA, APPLICATION_ID, FakeDiscord, in_guild, slash
from tests.support import free_port

TOP_LEVEL = {
    "roadmap", "step", "next", "start", "done", "skip", "reset", "progress", "log", "focus",
    "leaderboard", "checkin", "kaggle", "me", "group", "help", "stuck", "offer", "solved",
    "review", "answer",
}  # fmt: skip


def _env(fake: FakeDiscord, database_url: str, token: str = "fake-token") -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("COHORT_", "SLACK_", "DISCORD_"))
    }
    env.update(
        COHORT_DATABASE_URL=database_url,
        DISCORD_TOKEN=token,
        DISCORD_API_BASE=fake.api_base,
        DISCORD_GATEWAY_URL=fake.gateway_url,
    )
    return env


async def _cohort(env: dict[str, str], cwd: Path, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, out.decode(), err.decode()


async def test_cohort_run_serves_discord_health_and_metrics_until_sigterm(
    fake: FakeDiscord, tmp_path: Path, database_url: str
) -> None:
    port = free_port()
    env = {**_env(fake, database_url), "COHORT_HTTP_PORT": str(port), "COHORT_LOG_FORMAT": "json"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake.wait_ready()
        interaction = await fake.interact({**in_guild(ANA), **slash("done", step="python-basics")})
        [answer] = await fake.wait_for(lambda: fake.callbacks(interaction), within=20)
        assert "finished **Python fundamentals**" in text_of(answer)
        health = await _get_json_when_up(f"http://127.0.0.1:{port}/healthz")
        assert health["ok"] is True
        assert health["checks"]["discord"] == {"ok": True, "detail": "connected"}
        async with aiohttp.ClientSession() as session:
            metrics = await (await session.get(f"http://127.0.0.1:{port}/metrics")).text()
        assert 'cohort_commands_total{command="done",outcome="ok"} 1.0' in metrics
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    lines = [json.loads(line) for line in stderr.decode().splitlines()]
    messages = [line["message"] for line in lines]
    assert process.returncode == 0, messages
    assert any(m.startswith("stopping") for m in messages)
    assert messages[-1] == "stopped"
    assert "fake-token" not in stderr.decode(), "the token never reaches the log"


async def _get_json_when_up(url: str) -> Any:
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            try:
                async with session.get(url) as response:
                    return await response.json()
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
    msg = f"nothing answered at {url}"
    raise AssertionError(msg)


async def test_sync_registers_every_command_to_one_server(
    fake: FakeDiscord, tmp_path: Path, database_url: str
) -> None:
    code, out, err = await _cohort(
        _env(fake, database_url), tmp_path, "discord", "sync", "--guild", "42"
    )
    assert code == 0, err
    assert "Registered 21 commands in server 42" in out
    [put] = fake.called("PUT", f"/applications/{APPLICATION_ID}/guilds/42/commands")
    commands = {c["name"]: c for c in put.body}
    assert set(commands) == TOP_LEVEL
    assert int(commands["group"]["default_member_permissions"]) == 1 << 5, "Manage Server"
    assert commands["me"]["default_member_permissions"] is None
    [step] = commands["done"]["options"][:1]
    assert step["autocomplete"] is True
    subcommands = {o["name"] for o in commands["kaggle"]["options"]}
    assert subcommands == {"show", "submit"}


async def test_sync_without_a_server_registers_globally(
    fake: FakeDiscord, tmp_path: Path, database_url: str
) -> None:
    code, out, err = await _cohort(_env(fake, database_url), tmp_path, "discord", "sync")
    assert code == 0, err
    assert "Registered 21 commands globally" in out
    assert fake.called("PUT", f"/applications/{APPLICATION_ID}/commands")


async def test_invite_prints_the_link_with_exactly_the_needed_permissions(
    fake: FakeDiscord, tmp_path: Path, database_url: str
) -> None:
    code, out, err = await _cohort(_env(fake, database_url), tmp_path, "discord", "invite")
    assert code == 0, err
    link = urlsplit(out.strip())
    query = parse_qs(link.query)
    assert link.netloc == "discord.com"
    assert query["client_id"] == [APPLICATION_ID], "asked of Discord with the token"
    assert query["scope"] == ["bot applications.commands"]
    assert query["permissions"] == [str((1 << 10) | (1 << 11) | (1 << 14))]
    offline = await _cohort({}, tmp_path, "discord", "invite", "--client-id", "123")
    assert "client_id=123" in offline[1]


async def test_a_wrong_token_gets_a_clear_message(
    fake: FakeDiscord, tmp_path: Path, database_url: str
) -> None:
    code, _, err = await _cohort(
        _env(fake, database_url, token="wrong"), tmp_path, "discord", "sync"
    )
    assert code == 2
    assert "Discord refused DISCORD_TOKEN" in err
    assert "Traceback" not in err


async def test_an_unreachable_discord_gets_a_clear_message(
    fake: FakeDiscord, tmp_path: Path, database_url: str
) -> None:
    env = {
        **_env(fake, database_url),
        "DISCORD_API_BASE": f"http://127.0.0.1:{free_port()}/api/v10",
    }
    code, _, err = await _cohort(env, tmp_path, "discord", "invite")
    assert code == 2
    assert "Could not reach Discord at http://127.0.0.1:" in err
    assert "Traceback" not in err


async def test_one_process_can_run_every_shard(app: App, fake: FakeDiscord) -> None:
    adapter = await start_adapter(app, fake, discord_shard_count=2)
    try:
        await fake.wait_ready(shards=2)
        assert sorted(i["shard"] for i in fake.identifies) == [[0, 2], [1, 2]]
        rig = DiscordRig(fake, adapter)
        for shard in (0, 1):
            interaction = await fake.interact({**in_guild(ANA), **slash("next")}, shard=shard)
            assert "Next up" in text_of(await rig.answer(interaction))
    finally:
        await adapter.close()
