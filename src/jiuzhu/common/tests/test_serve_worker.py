"""``jiuzhu serve`` starts the background-job worker beside gunicorn, and the worker stops
with it."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(c) for c in text]
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_serve_runs_the_job_worker_and_stops_it(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(JIUZHU_DATA_DIR=str(tmp_path), JIUZHU_SQLITE_NAME=str(tmp_path / "serve.sqlite3"))
    # The worker needs the task and job tables (and what they hang on); not the whole schema.
    subprocess.run(
        [sys.executable, "-m", "jiuzhu.config.cli", "migrate", "common", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "jiuzhu.config.cli", "serve", "--port", str(port), "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline, status = time.monotonic() + 60, None
        while time.monotonic() < deadline and status is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as response:
                    status = response.status
            except OSError:
                assert proc.poll() is None, proc.communicate()[0]
                time.sleep(0.3)
        assert status == 200
        workers = [c for c in _children(proc.pid) if "jobs_worker" in _cmdline(c)]
        assert len(workers) == 1
        time.sleep(1.5)  # it keeps polling the queue (an error would have ended it)
        assert _alive(workers[0])
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=60)[0]
    assert not _alive(workers[0]), output
