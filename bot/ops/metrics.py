"""What Cohort counts and times, in Prometheus's text format at `GET /metrics`. Each App has
its own registry, so two Cohorts in one process (tests) never mix their figures."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
LAG_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0, 4 * 3600.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.commands = Counter(
            "cohort_commands",
            "Commands run, by command and outcome (ok, refused, busy, error).",
            ["command", "outcome"],
            registry=self.registry,
        )
        self.command_seconds = Histogram(
            "cohort_command_seconds",
            "Time to answer a command, by command.",
            ["command"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.deliveries = Counter(
            "cohort_deliveries",
            "Scheduled posts and DMs: sent, retried (a later attempt after a failure), "
            "failed (an attempt the platform refused; it stays queued) or skipped.",
            ["outcome"],
            registry=self.registry,
        )
        self.scheduler_lag = Histogram(
            "cohort_scheduler_lag_seconds",
            "How long after its due time a scheduled post went out.",
            buckets=LAG_BUCKETS,
            registry=self.registry,
        )
        self.last_sweep = Gauge(
            "cohort_scheduler_last_run_timestamp_seconds",
            "When the scheduler last finished a run (Unix time).",
            registry=self.registry,
        )
        for outcome in ("sent", "retried", "failed", "skipped"):
            self.deliveries.labels(outcome)  # present at zero from the start

    def render(self) -> bytes:
        return generate_latest(self.registry)
