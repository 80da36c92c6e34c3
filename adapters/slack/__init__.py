"""Slack: slack-bolt's AsyncApp over HTTP or Socket Mode, translating to and from the core."""
