"""Timing one page: server time, SQL queries and SQL time, in process."""

from __future__ import annotations

import statistics
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.backends.signals import connection_created
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


class SqlTimer:
    """Counts the queries and adds up their time (an execute wrapper)."""

    def __init__(self):
        self.queries = 0
        self.seconds = 0.0
        self._lock = threading.Lock()

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            with self._lock:
                self.seconds += time.perf_counter() - started
                self.queries += 1


@contextmanager
def timed_sql():
    """Every query of the request, on this thread's connection and on any a
    page opens in another thread (dashboards compute indicators side by side):
    `seconds` is then database time, which can exceed the time on the clock."""
    timer = SqlTimer()

    def also_time(sender, connection, **kwargs):
        connection.execute_wrappers.append(timer)

    connection_created.connect(also_time, weak=False)
    try:
        with connection.execute_wrapper(timer):
            yield timer
    finally:
        connection_created.disconnect(also_time)


def signed_in_client(user) -> Client:
    """A client with both login steps done (password and a confirmed code device)."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Result:
    page: str
    role: str
    p50_ms: float
    p95_ms: float
    queries: int
    sql_ms: float
    floor_ms: float | None = None
    admin_ms: float | None = None
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "page": self.page,
            "role": self.role,
            "p50_ms": round(self.p50_ms, 1),
            "p95_ms": round(self.p95_ms, 1),
            "queries": self.queries,
            "sql_ms": round(self.sql_ms, 1),
            "floor_ms": None if self.floor_ms is None else round(self.floor_ms, 2),
            "admin_ms": None if self.admin_ms is None else round(self.admin_ms, 1),
        }


def measure_page(client: Client, url: str, *, repeat: int, cold_cache: bool = False):
    """(server times in ms, queries of the median run, SQL ms of the median run)."""
    for _ in range(2):  # warm up connections, templates and translations
        if cold_cache:
            cache.clear()
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    runs = []
    for _ in range(repeat):
        if cold_cache:
            cache.clear()
        with timed_sql() as sql:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        runs.append((elapsed, sql.queries, sql.seconds * 1000))
    times = [r[0] for r in runs]
    median_run = sorted(runs)[len(runs) // 2]
    return times, median_run[1], median_run[2]


def measure_sql(sql: str, params, *, repeat: int) -> float:
    """Median time of one hand-written query, rows fetched (ms)."""
    times = []
    with connection.cursor() as cursor:
        for _ in range(repeat + 2):
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times[2:])


def measure_admin(client: Client, url: str, *, repeat: int) -> float:
    times, _queries, _sql = measure_page(client, url, repeat=repeat)
    return statistics.median(times)
