"""`GET /metrics` in the Prometheus text format, and the process's counters and histograms.

Written by hand (no extra dependency): the format is small and stable.
https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
Each process (a gunicorn worker, a `payverify worker`) keeps its own series, as Prometheus
expects; the workers serve theirs with `payverify worker --metrics-port`. The KPI gauges are
read from the store at scrape time, so they are the same whichever process answers.
"""

from __future__ import annotations

import bisect
import math
import threading
import time
from collections import defaultdict
from typing import Any

from flask import Blueprint, Response, current_app, request

bp = Blueprint("prometheus", __name__)
_LOCK = threading.Lock()


def _labels(names: tuple[str, ...], values: tuple[str, ...], extra: str = "") -> str:
    parts = [f'{n}="{_escape(v)}"' for n, v in zip(names, values, strict=True)]
    if extra:
        parts.append(extra)
    return "{" + ",".join(parts) + "}" if parts else ""


def _escape(value: str) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


class Counter:
    """A monotonically increasing count per label set."""

    def __init__(self, name: str, help_text: str, labels: tuple[str, ...] = ()) -> None:
        self.name, self.help, self.label_names = name, help_text, labels
        self.values: dict[tuple[str, ...], float] = defaultdict(float)
        REGISTRY.append(self)

    def inc(self, *labels: str, amount: float = 1.0) -> None:
        with _LOCK:
            self.values[labels] += amount  # label values are str already

    def render(self) -> list[str]:
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} counter"]
        for key, value in sorted(self.values.items()):
            lines.append(f"{self.name}_total{_labels(self.label_names, key)} {value:g}")
        return lines


class Histogram:
    """Observations in cumulative buckets (seconds)."""

    def __init__(
        self, name: str, help_text: str, buckets: tuple[float, ...], labels: tuple[str, ...] = ()
    ) -> None:
        self.name, self.help, self.label_names = name, help_text, labels
        self.buckets = tuple(sorted(buckets)) + (math.inf,)
        self.counts: dict[tuple[str, ...], list[int]] = {}  # per bucket, not cumulative
        self.sums: dict[tuple[str, ...], float] = defaultdict(float)
        REGISTRY.append(self)

    def observe(self, value: float, *labels: str) -> None:
        """Count one observation: one bucket is incremented, render() accumulates."""
        index = bisect.bisect_left(self.buckets, value)  # the first bound >= value
        with _LOCK:
            counts = self.counts.get(labels)
            if counts is None:
                counts = self.counts[labels] = [0] * len(self.buckets)
            counts[index] += 1
            self.sums[labels] += value

    def render(self) -> list[str]:
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} histogram"]
        with _LOCK:
            snapshot = [(key, list(counts)) for key, counts in self.counts.items()]
        for key, counts in sorted(snapshot):
            count = 0
            for bound, own in zip(self.buckets, counts, strict=True):
                count += own
                le = "+Inf" if bound == math.inf else f"{bound:g}"
                bucket = _labels(self.label_names, key, 'le="' + le + '"')
                lines.append(f"{self.name}_bucket{bucket} {count}")
            lines.append(f"{self.name}_sum{_labels(self.label_names, key)} {self.sums[key]:g}")
            lines.append(f"{self.name}_count{_labels(self.label_names, key)} {count}")
        return lines


REGISTRY: list[Counter | Histogram] = []
_FAST = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
VERIFICATIONS = Counter(
    "payverify_verifications", "Decisions made, by verdict and scenario.", ("verdict", "scenario")
)
WEBHOOKS = Counter(
    "payverify_webhooks", "Webhook deliveries by source and result.", ("source", "result")
)
JOB_SECONDS = Histogram(
    "payverify_job_duration_seconds", "Time to run one pipeline job.", _FAST + (5.0, 10.0, 30.0)
)
REQUEST_SECONDS = Histogram(
    "payverify_http_request_duration_seconds", "Time to answer, by route.", _FAST, ("route",)
)


def render_registry() -> str:
    """This process's series in the text format."""
    lines: list[str] = []
    for metric in REGISTRY:
        lines.extend(metric.render())
    return "\n".join(lines) + "\n"


def _kpi_lines(store: Any) -> list[str]:
    kpis = store.kpis().overall
    gauges = {
        "payverify_kpi_verified": kpis.verified,
        "payverify_kpi_auto_resolution_rate": kpis.auto_resolution_rate,
        "payverify_kpi_escalation_rate": kpis.escalation_rate,
        "payverify_kpi_first_response_seconds": kpis.first_response_seconds_avg,
        "payverify_kpi_resolution_seconds": kpis.resolution_seconds_avg,
        "payverify_kpi_csat": kpis.csat_average,
    }
    lines = []
    for name, value in gauges.items():
        if value is not None:
            lines += [f"# TYPE {name} gauge", f"{name} {float(value):g}"]
    return lines


@bp.get("/metrics")
def metrics() -> Response:
    """The Prometheus scrape endpoint."""
    from plugin.web import current_services

    text = render_registry()
    try:
        text += "\n".join(_kpi_lines(current_services().store)) + "\n"
    except Exception:  # noqa: BLE001 - a store outage must not hide the process metrics
        current_app.logger.warning("KPI gauges unavailable for /metrics", exc_info=True)
    return Response(text, mimetype="text/plain; version=0.0.4; charset=utf-8")


def init_app(app: Any) -> None:
    """Time every request by its route (the rule, never the raw path: bounded label values).

    One hook: the start is stamped on the WSGI environ by `plugin.web.front.TriggerFastPath`
    (a before_request hook and `flask.g` cost ~35 µs a request), which also times the
    trigger POSTs it answers itself.
    """

    @app.after_request
    def _stop(response: Response) -> Response:
        environ = request.environ
        started = environ.get("payverify.started")
        rule = request.url_rule
        if started is not None and rule is not None:
            REQUEST_SECONDS.observe(time.perf_counter() - started, rule.rule)
        return response
