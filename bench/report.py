"""Write docs/benchmarks.md from the latest bench/*.json, with the date, the
machine and each figure against its target.

    .venv/bin/python -m bench.report
"""

from __future__ import annotations

import datetime
import json
import os
import platform
from pathlib import Path

HERE = Path(__file__).parent
DOC = HERE.parent / "docs" / "benchmarks.md"

MAX_QUERIES = 20
MAX_P95_MS = 150
MAX_DASHBOARD_MS = 300
MAX_FLOOR_FACTOR = 3
MIN_RPS = 100
MAX_SWEEP_S = 10


def _load(name: str):
    path = HERE / name
    return json.loads(path.read_text()) if path.exists() else None


def _memory_gib() -> str:
    try:
        with open("/proc/meminfo") as handle:
            return f"{int(handle.readline().split()[1]) / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        return "unknown memory"


def _ms(value) -> str:
    return "–" if value is None else f"{value:.1f}"


def _own_sql(row: dict, bare: dict | None):
    """The page's SQL beyond what a bare signed-in page runs (session, user,
    two-step device, roles): the part that reads the page's own rows."""
    if bare is None or row is bare:
        return None
    return max(row["sql_ms"] - bare["sql_ms"], 0.0)


def _page_gaps(row: dict, bare: dict | None = None) -> list[str]:
    gaps = []
    if row["queries"] > MAX_QUERIES:
        gaps.append(f"{row['queries']} queries > {MAX_QUERIES}")
    dashboard = "dashboard" in row["page"] or "overview (cold" in row["page"]
    if dashboard and row["p95_ms"] > MAX_DASHBOARD_MS:
        gaps.append(f"cold p95 {row['p95_ms']:.0f} ms > {MAX_DASHBOARD_MS}")
    if not dashboard and row["p95_ms"] > MAX_P95_MS:
        gaps.append(f"p95 > {MAX_P95_MS} ms")
    own_sql = _own_sql(row, bare)
    own_sql = row["sql_ms"] if own_sql is None else own_sql
    if row["floor_ms"] is not None and own_sql > MAX_FLOOR_FACTOR * row["floor_ms"]:
        gaps.append(f"own SQL {own_sql / max(row['floor_ms'], 0.01):.1f}× floor")
    if row["admin_ms"] is not None and row["p50_ms"] >= row["admin_ms"]:
        gaps.append("not faster than the admin")
    return gaps


def main() -> int:
    pages = _load("results.json") or []
    reminders = _load("reminders.json")
    load = _load("load.json")
    today = datetime.date.today().isoformat()  # the report's own date, not app data
    lines = [
        "# Benchmarks at national scale",
        "",
        f"Measured {today} on {os.cpu_count()} cores, {_memory_gib()}, "
        f"Python {platform.python_version()}, PostgreSQL on the same machine. Data: "
        "`make bench-data` (80 municipalities, 1,000 locations, 3,000 groups, 50,000 "
        "children, 15,000 cases, 200,000 concerns, 100,000 visits, 20,000 coaching "
        "requests, 30,000 parent conversations, 60,000 consents, 3,000 staff). Reproduce "
        "with `make bench`; "
        "README, *Benchmarks*, explains each figure.",
        "",
        "## Pages (server time in process, ms)",
        "",
        "*SQL* is every query of the request; *own SQL* is what the page runs beyond the "
        "bare page (the layout alone, signed in: session, user, two-step device and roles), "
        "which is what the *floor* — one hand-written query returning the page's rows — "
        "compares with. The list pages' own SQL includes the access-log insert for the "
        "children shown, which the floor does not. Targets: at most 20 queries, own SQL "
        "at most 3× the floor, lists faster than the admin, p95 at most 150 ms; dashboards "
        "on a cold cache p95 at most 300 ms. The national overview's figures skip joining "
        "each child to its group when every location lies in a pilot, as in this data set.",
        "",
        "| page | role | p50 | p95 | queries | SQL | own SQL | floor | admin | gap to target |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    bare = next((row for row in pages if row["page"].startswith("bare page")), None)
    for row in pages:
        gaps = "(yardstick)" if row is bare else ", ".join(_page_gaps(row, bare)) or "met"
        lines.append(
            f"| {row['page']} | {row['role']} | {_ms(row['p50_ms'])} | {_ms(row['p95_ms'])} | "
            f"{row['queries']} | {_ms(row['sql_ms'])} | {_ms(_own_sql(row, bare))} | "
            f"{_ms(row['floor_ms'])} | {_ms(row['admin_ms'])} | {gaps} |"
        )
    if reminders:
        met = "met" if reminders["total_seconds"] < MAX_SWEEP_S else f"> {MAX_SWEEP_S} s"
        lines += [
            "",
            "## Reminder sweep",
            "",
            f"A day with {reminders['visits']:,} visits: {reminders['reminders_sent']:,} "
            f"reminders ({reminders['emails']:,} e-mails) planned in "
            f"{reminders['plan_seconds']} s and sent in {reminders['send_seconds']} s — "
            f"{reminders['total_seconds']} s in all ({met}), "
            f"{reminders['queries_per_reminder']} queries per reminder.",
        ]
    if load:
        met = (
            "met"
            if load["requests_per_second"] >= MIN_RPS and load["errors"] == 0
            else f"target {MIN_RPS} requests/s with no errors"
        )
        lines += [
            "",
            "## Load run",
            "",
            f"gunicorn with the production settings, {load['workers']} sync workers, wrk with "
            f"{load['connections']} connections for {load['seconds']:.0f} s over "
            f"{len(load['pages'])} pages: {load['requests_per_second']} requests/s, "
            f"p50 {load['p50_ms']} ms, p95 {load['p95_ms']} ms, {load['errors']} errors ({met}).",
        ]
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text("\n".join(lines) + "\n")
    print(f"written to {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
