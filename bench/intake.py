"""Benchmark of one-window intake: the platform under gunicorn on 127.0.0.1, driven over
loopback from this process by a small asyncio HTTP/1.1 keep-alive client.

    uv run python bench/intake.py            # ~1 minute
    uv run python bench/intake.py --small    # a few seconds (CI smoke run)

Database: PostgreSQL when DATABASE_URL is set — a throw-away database is created next to the
one named (``<name>_bench_<pid>``) and dropped at the end; otherwise SQLite in a temporary
directory. Measures applications created per second (POST /api/intake/applications, logged-in
window clerks) and public tracking look-ups per second (POST /api/intake/track), each with
p50/p95/p99 latency and the error count. Targets on the 2-core machine: >= 50 applications/s,
>= 300 look-ups/s, p99 < 250 ms, no errors. Every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchdb import scratch_postgres

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-pass-123"
TARGETS = {"applications_per_s": 50, "lookups_per_s": 300, "p99_ms": 250}


# --- database and data ---------------------------------------------------------------------


LOADER = r"""
import json, sys
from datetime import date
import django
django.setup()
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import User, Unit
from jiuzhu.registry.services import household_create, units_sync
from jiuzhu.registry.testing import make_id
from jiuzhu.intake import services

households, tracked, clerks, password = (int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
units_sync(policy=current_policy())
town = Unit.objects.get(code="town_chengdong")
users = []
for i in range(clerks):
    u = User.objects.create_user(username=f"bench_clerk_{i}", password=password, role="window_clerk", unit=town)
    users.append(u.username)
codes = []
for i in range(households):
    birth = date(1950 + i % 50, 1 + i % 12, 1 + i % 28)
    h = household_create(actor=None, data={"town": "town_chengdong", "community": "基准社区",
        "division_code": "329901001", "area": "urban", "address": f"示范市城东街道基准路{i}号"},
        members=[{"name": f"基准{i}", "id_number": make_id(birth, seq=i), "relation": "head"}])
    codes.append(h.code)
clerk = User.objects.get(username=users[0])
tracked_apps = []
for i in range(tracked):
    app = services.application_create(actor=clerk, household=h.__class__.objects.get(code=codes[i % len(codes)]),
                                      needs=["living"])
    tracked_apps.append([app.tracking_code, app.id_tail])
print(json.dumps({"households": codes, "clerks": users, "tracked": tracked_apps}))
"""


def run_django(args: list[str], env: dict, *, stdin: str | None = None, timeout=600) -> str:
    out = subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=timeout,
    )
    if out.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{out.stderr[-3000:]}")
    return out.stdout


# --- a small HTTP/1.1 keep-alive client ---------------------------------------------------------


class Conn:
    def __init__(self, port: int):
        self.port = port
        self.reader = self.writer = None
        self.cookies: dict[str, str] = {}

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None):
        if self.writer is None:
            await self.open()
        h = {"Host": f"127.0.0.1:{self.port}", "Content-Length": str(len(body)), **(headers or {})}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n"
        self.writer.write(head.encode("latin-1") + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed")
        status = int(status_line.split()[1])
        resp_headers = {}
        set_cookies = []
        while True:
            line = (await self.reader.readline()).decode("latin-1")
            if line in ("\r\n", "\n", ""):
                break
            k, _, v = line.partition(":")
            if k.lower() == "set-cookie":
                set_cookies.append(v.strip())
            resp_headers[k.lower()] = v.strip()
        if resp_headers.get("transfer-encoding") == "chunked":
            data = b""
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                if size == 0:
                    await self.reader.readline()
                    break
                data += await self.reader.readexactly(size)
                await self.reader.readline()
        else:
            data = await self.reader.readexactly(int(resp_headers.get("content-length", "0")))
        for c in set_cookies:
            k, _, v = c.split(";")[0].partition("=")
            self.cookies[k] = v
        if resp_headers.get("connection", "").lower() == "close":
            self.writer.close()
            self.writer = None
        return status, data

    async def login(self, username: str):
        status, page = await self.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        form = f"username={username}&password={PASSWORD}&csrfmiddlewaretoken={token}".encode()
        status, _ = await self.request(
            "POST",
            "/login/",
            form,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.port}/login/",
            },
        )
        if status != 302:
            raise SystemExit(f"log-in failed for {username}: HTTP {status}")


async def drive(port: int, make_request, *, connections: int, count: int, seconds: float, login_as=None):
    """``count`` requests over ``connections`` keep-alive connections, stopping at ``seconds``.
    Returns (latencies in s, errors, elapsed s)."""
    latencies, errors = [], []
    issued = 0
    conns = [Conn(port) for _ in range(connections)]
    if login_as:  # log in first: password hashing is not what is measured
        await asyncio.gather(*(c.login(login_as[i % len(login_as)]) for i, c in enumerate(conns)))
    deadline = time.perf_counter() + seconds

    async def worker(i):
        nonlocal issued
        conn = conns[i]
        while issued < count and time.perf_counter() < deadline:
            issued += 1
            method, path, body, headers = make_request(conn)
            t0 = time.perf_counter()
            try:
                status, data = await conn.request(method, path, body, headers)
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                errors.append(str(exc))
                conn.writer = None
                continue
            latencies.append(time.perf_counter() - t0)
            if status >= 400:
                errors.append(f"HTTP {status}: {data[:200]!r}")
        if conn.writer is not None:
            conn.writer.close()

    workers = [worker(i) for i in range(connections)]
    start = time.perf_counter()
    await asyncio.gather(*workers)
    return latencies, errors, time.perf_counter() - start


def summary(name: str, latencies: list[float], errors: list[str], elapsed: float) -> dict:
    q = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) >= 2 else [0] * 99
    return {
        "name": name,
        "requests": len(latencies),
        "errors": len(errors),
        "seconds": round(elapsed, 2),
        "per_s": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(q[49] * 1000, 1),
        "p95_ms": round(q[94] * 1000, 1),
        "p99_ms": round(q[98] * 1000, 1),
        "first_error": errors[0] if errors else None,
    }


# --- main ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(port: int, proc, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited: {proc.stderr.read()[-3000:] if proc.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--small", action="store_true", help="a few seconds, small data (CI smoke run)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--json", action="store_true", help="print the result as JSON only")
    args = ap.parse_args(argv)
    small = args.small
    n_households, n_tracked, n_clerks = (60, 60, 4) if small else (600, 600, 12)
    n_apps, n_lookups, seconds = (60, 300, 6.0) if small else (1500, 9000, 30.0)

    tmp = Path(tempfile.mkdtemp(prefix="jiuzhu-bench-"))
    env = {
        **os.environ,
        "JIUZHU_DATA_DIR": str(tmp),
        "DJANGO_SETTINGS_MODULE": "jiuzhu.config.settings",
        "PYTHONPATH": str(ROOT / "src"),
    }
    env.pop("JIUZHU_SQLITE_NAME", None)
    drop = lambda: None  # noqa: E731
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"], drop = scratch_postgres(os.environ["DATABASE_URL"])
    proc = None
    try:
        t0 = time.time()
        run_django(["-m", "jiuzhu.config.cli", "migrate", "--noinput"], env)
        data = json.loads(
            run_django(["-c", LOADER, str(n_households), str(n_tracked), str(n_clerks), PASSWORD], env)
        )
        # the loader runs the code's path, not a test shortcut; its users need the bench password
        load_s = time.time() - t0
        port = free_port()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "jiuzhu.config.wsgi:application",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                str(args.workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(args.threads),
                "--keep-alive",
                "30",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_up(port, proc)
        households = data["households"]
        rng = random.Random(7)

        def application(conn):
            body = json.dumps(
                {
                    "household": rng.choice(households),
                    "needs": ["living", "medical"],
                    "description": "基准测试申请",
                }
            ).encode()
            return (
                "POST",
                "/api/intake/applications",
                body,
                {
                    "Content-Type": "application/json",
                    "X-CSRFToken": conn.cookies.get("csrftoken", ""),
                    "Referer": f"http://127.0.0.1:{port}/",
                },
            )

        tracked = data["tracked"]

        def lookup(conn):
            code, tail = rng.choice(tracked)
            return (
                "POST",
                "/api/intake/track",
                json.dumps({"code": code, "id_tail": tail}).encode(),
                {"Content-Type": "application/json"},
            )

        async def both():
            # warm-up: every worker process imports and connects once
            await drive(port, lookup, connections=args.connections, count=args.connections * 4, seconds=10)
            apps = await drive(
                port,
                application,
                connections=args.connections,
                count=n_apps,
                seconds=seconds,
                login_as=data["clerks"],
            )
            looks = await drive(port, lookup, connections=args.connections, count=n_lookups, seconds=seconds)
            return apps, looks

        apps, looks = asyncio.run(both())
        result = {
            "database": "postgresql" if os.environ.get("DATABASE_URL") else "sqlite",
            "mode": "small" if small else "full",
            "gunicorn": f"{args.workers} workers x {args.threads} threads (gthread)",
            "connections": args.connections,
            "load_seconds": round(load_s, 1),
            "households": n_households,
            "applications": summary("applications", *apps),
            "lookups": summary("tracking lookups", *looks),
            "targets": TARGETS,
        }
        a, lk = result["applications"], result["lookups"]
        result["meets_targets"] = (
            a["per_s"] >= TARGETS["applications_per_s"]
            and lk["per_s"] >= TARGETS["lookups_per_s"]
            and max(a["p99_ms"], lk["p99_ms"]) < TARGETS["p99_ms"]
            and not a["errors"]
            and not lk["errors"]
        )
        if args.json:
            print(json.dumps(result, ensure_ascii=False))
        else:
            print(
                f"database {result['database']}, {result['gunicorn']}, {args.connections} connections, "
                f"{n_households} households loaded in {result['load_seconds']} s"
            )
            for s in (a, lk):
                print(
                    f"{s['name']:>18}: {s['requests']} in {s['seconds']} s = {s['per_s']}/s, "
                    f"p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, p99 {s['p99_ms']} ms, errors {s['errors']}"
                    + (f" (first: {s['first_error']})" if s["first_error"] else "")
                )
            print("targets met" if result["meets_targets"] else f"targets NOT met: {TARGETS}")
        return 0 if not (a["errors"] or lk["errors"]) else 1
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        drop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
