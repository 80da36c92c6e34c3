"""The Slack app manifest: paste it into "Create an app > From a manifest"."""

from __future__ import annotations

from typing import Any

import yaml

# files:write: a member's files (`/me export`) and the pictures of their own replies
# (`/progress`) are uploaded into their DM with the bot, and the pictures of replies and
# posts a channel sees (`/leaderboard`, the weekly summary) into that channel.
# *:history and channels:join: before resending a scheduled post whose first answer was
# lost, Cohort reads the conversation's latest messages to see whether it arrived; a bot
# reads a public channel only as a member, so it joins the group's channel first.
BOT_SCOPES = [
    "commands",
    "chat:write",
    "chat:write.public",
    "channels:history",
    "channels:join",
    "groups:history",
    "im:history",
    "files:write",
    "im:write",
    "users:read",
]


def manifest(*, url: str | None, socket_mode: bool, name: str = "Cohort") -> dict[str, Any]:
    events = f"{url.rstrip('/')}/slack/events" if url else None
    command: dict[str, Any] = {
        "command": "/cohort",
        "description": "Your study group: progress, check-ins, leaderboards",
        "usage_hint": "next | done <step> | progress | checkin | help",
        "should_escape": False,
    }
    settings: dict[str, Any] = {
        "event_subscriptions": {"bot_events": ["app_home_opened"]},
        "interactivity": {"is_enabled": True},
        "org_deploy_enabled": False,
        "socket_mode_enabled": socket_mode,
        "token_rotation_enabled": False,
    }
    if events and not socket_mode:
        command["url"] = events
        settings["event_subscriptions"]["request_url"] = events
        settings["interactivity"]["request_url"] = events
    return {
        "display_information": {
            "name": name,
            "description": "A study-group bot: a shared roadmap, everyone's progress, and "
            "a group that keeps each other going.",
            "background_color": "#2c2d30",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": False,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": name, "always_online": True},
            "slash_commands": [command],
        },
        "oauth_config": {"scopes": {"bot": BOT_SCOPES}},
        "settings": settings,
    }


def manifest_yaml(*, url: str | None, socket_mode: bool) -> str:
    return yaml.safe_dump(manifest(url=url, socket_mode=socket_mode), sort_keys=False)
