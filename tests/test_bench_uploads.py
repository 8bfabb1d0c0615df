"""bench/uploads.py in its small mode, so the bench cannot rot (latency is not asserted: the
script's own checks are that the upload is answered 202 and the job ends done)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.bench
def test_uploads_bench_small_mode_runs():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "uploads.py"), "--small"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "POST answered 202" in proc.stdout and ": done (" in proc.stdout
