"""Benchmark: a 100 MB dataset upload while ``/api/health`` must keep answering.

    uv run python bench/uploads.py            # 100 MB, one upload then two at once
    uv run python bench/uploads.py --small    # 5 MB (the bench-marked test runs this)

The platform runs as ``jiuzhu serve`` does it (gunicorn with its default workers, plus the
background-job worker) on SQLite in a temporary directory, real HTTP over loopback. A bank
data provider posts a generated dataset (valid rows) to ``POST /api/verification/datasets``:
the request only streams the file to disk and answers 202 with a job; the worker validates it.
Meanwhile another client calls ``GET /api/health`` every 100 ms on a fresh connection and its
latency is recorded — during the upload(s) and while the job runs. Phase 1 is one upload, phase
2 two at once (the case that used to stall the health check for a minute). Target: every health
answer within 1 s; the uploads answered 202; the jobs done. Every loop is bounded in time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_HEALTH_S = 1.0

LOADER = r"""
import json
from datetime import date
import django
django.setup()
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import Unit, User
from jiuzhu.registry.services import units_sync
from jiuzhu.registry.testing import make_id

units_sync(policy=current_policy())
user = User.objects.create_user(username="bench_bank", password="bench-pass-123", role="data_provider",
                                unit=Unit.objects.get(code="banking"), display_name="基准银行")
c = Client()
c.force_login(user)
ids = [make_id(date(1950 + i % 40, 1 + i % 12, 1 + i % 28)) for i in range(1000)]
print(json.dumps({"session": c.cookies["sessionid"].value, "csrf": _get_new_csrf_string(), "ids": ids}))
"""


def run_django(args: list[str], env: dict, timeout: int = 900) -> str:
    out = subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    if out.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args[:3])}\n{out.stderr[-3000:]}")
    return out.stdout


def make_file(path: Path, *, megabytes: int, ids: list[str]) -> int:
    """A banks dataset of about ``megabytes`` MB, every row valid."""
    lines = [
        f"客户{i % 97}号,{idn},示范银行,{1000 + i % 5000}.{i % 100:02d},2026-01-{1 + i % 28:02d}\n"
        for i, idn in enumerate(ids)
    ]
    block = "".join(lines).encode()
    with path.open("wb") as f:
        f.write("客户姓名,客户证件号码,金融机构,余额,余额日期\n".encode())
        for _ in range(max(1, megabytes * 1024 * 1024 // len(block))):
            f.write(block)
    return path.stat().st_size


def post_upload(port: int, cookies: dict, path: Path, as_of: str) -> tuple[int, dict, float]:
    """Multipart POST streamed from the file; returns (status, body, seconds)."""
    boundary = "----jiuzhubench" + os.urandom(8).hex()
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="source"\r\n\r\nbanks\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="as_of"\r\n\r\n{as_of}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    size = len(head) + path.stat().st_size + len(tail)

    def body():
        yield head
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                yield chunk
        yield tail

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    conn.request(
        "POST",
        "/api/verification/datasets",
        body=body(),
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(size),
            "Cookie": f"sessionid={cookies['session']}; csrftoken={cookies['csrf']}",
            "X-CSRFToken": cookies["csrf"],
        },
    )
    resp = conn.getresponse()
    data = resp.read()
    took = time.perf_counter() - started
    conn.close()
    try:
        parsed = json.loads(data)
    except ValueError:
        parsed = {"raw": data[:300].decode(errors="replace")}
    return resp.status, parsed, took


def get_json(port: int, path: str, cookies: dict | None = None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": f"sessionid={cookies['session']}"} if cookies else {}
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse()
    raw = resp.read()
    conn.close()
    for header in resp.headers.get_all("Set-Cookie") or []:  # the session may be renewed
        name, _, rest = header.partition("=")
        if cookies is not None and name.strip() == "sessionid" and rest.split(";")[0]:
            cookies["session"] = rest.split(";")[0]
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        body = {}
    if resp.status != 200:
        body = {**body, "http_status": resp.status, "location": resp.headers.get("Location")}
    return resp.status, body


class HealthProbe(threading.Thread):
    """``GET /api/health`` every 100 ms on a fresh connection; latencies kept per phase."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.port, self.phase, self.running = port, "idle", True
        self.samples: dict[str, list[float]] = {}
        self.failures: dict[str, int] = {}

    def run(self):
        while self.running:
            phase, started = self.phase, time.perf_counter()
            try:
                status, body = get_json(self.port, "/api/health")
                ok = status == 200 and body.get("status") == "ok"
            except OSError:
                ok = False
            took = time.perf_counter() - started
            self.samples.setdefault(phase, []).append(took)
            if not ok:
                self.failures[phase] = self.failures.get(phase, 0) + 1
            time.sleep(max(0.0, 0.1 - took))


def wait_jobs(port: int, cookies: dict, job_ids: list[int], timeout: float) -> dict[int, dict]:
    deadline, last = time.monotonic() + timeout, {}
    while time.monotonic() < deadline:
        last = {j: get_json(port, f"/api/jobs/{j}", cookies)[1] for j in job_ids}
        if all(b.get("state") in ("done", "failed") for b in last.values()):
            break
        time.sleep(0.5)
    return last


def summary(xs: list[float]) -> str:
    if not xs:
        return "no samples"
    xs = sorted(xs)
    p95 = xs[min(len(xs) - 1, int(len(xs) * 0.95))]
    return (
        f"n={len(xs)} p50={statistics.median(xs) * 1000:.0f} ms p95={p95 * 1000:.0f} ms "
        f"max={xs[-1] * 1000:.0f} ms"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--small", action="store_true", help="5 MB instead of 100 MB")
    ap.add_argument("--mb", type=int, default=None)
    ap.add_argument("--job-wait", type=int, default=300, help="seconds to watch the jobs (full mode)")
    args = ap.parse_args()
    megabytes = args.mb or (5 if args.small else 100)

    tmp = Path(tempfile.mkdtemp(prefix="jz-bench-uploads-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        JIUZHU_DATA_DIR=str(tmp),
        JIUZHU_SQLITE_NAME=str(tmp / "bench.sqlite3"),
        DJANGO_SETTINGS_MODULE="jiuzhu.config.settings",
        PYTHONUNBUFFERED="1",
    )
    server = None
    try:
        print("migrating a fresh SQLite database …", flush=True)
        run_django(["-m", "jiuzhu.config.cli", "migrate", "-v0"], env)
        cookies = json.loads(run_django(["-c", LOADER], env).strip().splitlines()[-1])
        size = make_file(tmp / "banks.csv", megabytes=megabytes, ids=cookies.pop("ids"))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        log = (tmp / "serve.log").open("w")
        server = subprocess.Popen(
            [sys.executable, "-m", "jiuzhu.config.cli", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if get_json(port, "/api/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise SystemExit("server did not start:\n" + (tmp / "serve.log").read_text()[-2000:])
        as_of = time.strftime("%Y-%m-%d")
        probe = HealthProbe(port)
        probe.start()
        time.sleep(1.0)
        ok = True
        print(f"file: {size / 1e6:.1f} MB ({size:,} bytes), server: jiuzhu serve (default workers)")
        for phase, n in (("one upload", 1), ("two uploads at once", 2)):
            probe.phase = f"{phase}: uploading"
            results: list = [None] * n

            def send(i, results=results):
                results[i] = post_upload(port, cookies, tmp / "banks.csv", as_of)

            threads = [threading.Thread(target=send, args=(i,)) for i in range(n)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(900)
            probe.phase = f"{phase}: job running"
            started = time.perf_counter()
            ids = [r[1].get("job_id") for r in results if r and r[0] == 202]
            jobs = wait_jobs(port, cookies, ids, timeout=900 if args.small else args.job_wait)
            job_s = time.perf_counter() - started
            probe.phase = "idle"
            for status, body, took in results:
                print(
                    f"  {phase}: POST answered {status} in {took:.2f} s  {json.dumps(body, ensure_ascii=False)[:160]}"
                )
                ok &= status == 202
            for j, body in jobs.items():
                res = body.get("result") or body.get("error") or {}
                said = res.get("summary") or res.get("message") or body.get("message")
                http = (
                    f" [HTTP {body['http_status']} {body.get('location') or ''}]"
                    if "http_status" in body
                    else ""
                )
                print(f"  job {j}: {body.get('state')} ({job_s:.1f} s after the uploads) — {said}{http}")
                # Small mode waits for the end; a 100 MB file may still be checked when the wait ends.
                ok &= (
                    body.get("state") == "done"
                    if args.small
                    else body.get("state") in ("queued", "running", "done")
                )
            time.sleep(0.5)
        probe.running = False
        probe.join(5)
        worst = 0.0
        for phase, xs in probe.samples.items():
            print(f"  /api/health {phase:34s} {summary(xs)} failures={probe.failures.get(phase, 0)}")
            worst = max([worst, *xs])
            ok &= not probe.failures.get(phase)
        fast = worst < TARGET_HEALTH_S
        print(f"worst /api/health latency: {worst * 1000:.0f} ms (target < {TARGET_HEALTH_S * 1000:.0f} ms)")
        print("RESULT:", "ok" if ok and fast else ("TARGET MISSED" if ok else "FAILED"))
        # Small mode (the test suite) fails only on wrong answers, never on speed.
        return 0 if ok and (fast or args.small) else 1
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
