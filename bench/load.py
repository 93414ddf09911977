"""A load run: gunicorn with the production settings (2 sync workers, one per
core) driven by wrk over a mix of the key pages as signed-in users.

    DATABASE_URL=postgres://... .venv/bin/python -m bench.load [--seconds 60]

Needs `wrk` (Debian package). Prints requests per second, p50/p95 and errors,
and adds a "load" entry to bench/load.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
PORT = 8765


def _settings_env() -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="alert4you.settings.production",
        DJANGO_SECRET_KEY=env.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(60),
        DJANGO_ALLOWED_HOSTS="localhost,127.0.0.1",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    return env


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is missing: install the Debian package `wrk`.", file=sys.stderr)
        return 2
    env = _settings_env()
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from .measure import signed_in_client
    from .pages import key_pages

    call_command("collectstatic", interactive=False, verbosity=0)
    lines = []
    for page in key_pages(bare=False):  # the pages people open
        client = signed_in_client(page.user)
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
        lines.append(f"{cookie}\t{page.url}")
    requests_file = HERE / "load-requests.txt"
    requests_file.write_text("\n".join(lines) + "\n")
    python = Path(sys.executable)
    server = subprocess.Popen(
        [
            str(python.with_name("gunicorn")),
            "alert4you.wsgi",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_until_up()
        # Warm-up: each worker loads templates and translations once.
        _wrk(requests_file, seconds=5, connections=args.connections)
        output = _wrk(requests_file, seconds=args.seconds, connections=args.connections)
    finally:
        server.terminate()
        server.wait(timeout=30)
        requests_file.unlink(missing_ok=True)
    match = re.search(r"RESULT (.*)", output)
    if not match:
        print(output, file=sys.stderr)
        return 1
    figures = dict(pair.split("=") for pair in match.group(1).split())
    result = {
        "workers": args.workers,
        "connections": args.connections,
        "seconds": float(figures["seconds"]),
        "requests": int(figures["requests"]),
        "requests_per_second": round(int(figures["requests"]) / float(figures["seconds"]), 1),
        "p50_ms": float(figures["p50_ms"]),
        "p95_ms": float(figures["p95_ms"]),
        "errors": int(figures["errors"]) + int(figures["socket_errors"]),
        "pages": [line.split("\t")[1] for line in lines],
    }
    (HERE / "load.json").write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"{result['requests_per_second']} requests/s, p50 {result['p50_ms']} ms, "
        f"p95 {result['p95_ms']} ms, {result['errors']} errors "
        f"({args.workers} sync workers, {args.connections} connections, {args.seconds} s)"
    )
    return 0


def _wait_until_up() -> None:
    for _ in range(100):
        try:
            probe = urllib.request.Request(
                f"http://127.0.0.1:{PORT}/healthz",
                headers={"X-Forwarded-Proto": "https", "Host": "localhost"},
            )
            urllib.request.urlopen(probe, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # up (the health check may find no broker: the pages don't need one)
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def _wrk(requests_file: Path, *, seconds: int, connections: int) -> str:
    completed = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "-s",
            str(HERE / "load.lua"),
            f"http://127.0.0.1:{PORT}",
            "--",
            str(requests_file),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout


if __name__ == "__main__":
    raise SystemExit(main())
