"""Measure the key pages against national-scale data and write bench/results.json.

    DATABASE_URL=postgres://... .venv/bin/python -m bench.run [--repeat 30]

Server time is measured in process (Django's test client: middleware, view,
SQL and template; no network), so the figures are the application's own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
from pathlib import Path

RESULTS = Path(__file__).with_name("results.json")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30, help="Timed runs per page.")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--only", default="", help="Measure only pages whose name contains this text."
    )
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test.utils import setup_test_environment

    from .measure import (
        Result,
        measure_admin,
        measure_page,
        measure_sql,
        percentile,
        signed_in_client,
    )
    from .pages import key_pages

    setup_test_environment()  # lets the test client run outside a test (no DB changes)
    superuser, _ = get_user_model().objects.get_or_create(
        username="bench-superuser", defaults={"is_staff": True, "is_superuser": True}
    )
    admin_client = signed_in_client(superuser)
    results = []
    for page in key_pages():
        if args.only and args.only not in page.name:
            continue
        client = signed_in_client(page.user)
        times, queries, sql_ms = measure_page(
            client, page.url, repeat=args.repeat, cold_cache=page.cold_cache
        )
        result = Result(
            page=page.name,
            role=page.role,
            p50_ms=statistics.median(times),
            p95_ms=percentile(times, 0.95),
            queries=queries,
            sql_ms=sql_ms,
        )
        if page.floor:
            floors = page.floor if isinstance(page.floor, list) else [page.floor]
            result.floor_ms = sum(measure_sql(*floor, repeat=args.repeat) for floor in floors)
        if page.admin_url:
            result.admin_ms = measure_admin(admin_client, page.admin_url, repeat=args.repeat)
        results.append(result)
        print_row(result)
    if not args.only:
        args.out.write_text(json.dumps([r.as_json() for r in results], indent=2) + "\n")
    print(f"\n{len(results)} pages; written to {args.out}  ({machine()})")
    return 0


HEADER = f"{'page':<32} {'role':<18}" + "".join(
    f" {name:>7}" for name in ("p50", "p95", "queries", "sql", "floor", "admin")
)


def print_row(result) -> None:
    if not getattr(print_row, "header_done", False):
        print(HEADER + "\n" + "-" * len(HEADER))
        print_row.header_done = True

    def ms(value):
        return "-" if value is None else f"{value:.1f}"

    print(
        f"{result.page:<32} {result.role:<18} {ms(result.p50_ms):>7} {ms(result.p95_ms):>7} "
        f"{result.queries:>7} {ms(result.sql_ms):>7} {ms(result.floor_ms):>7} "
        f"{ms(result.admin_ms):>7}"
    )


def machine() -> str:
    memory = ""
    try:
        with open("/proc/meminfo") as handle:
            kib = int(handle.readline().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores{memory}, Python {platform.python_version()}"


if __name__ == "__main__":
    raise SystemExit(main())
