"""bench/verification.py --small runs and meets its quality targets (exit 0 with --check)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]


@pytest.mark.bench
def test_bench_small_mode_runs():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "verification.py"), "--small", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "precision" in proc.stdout
