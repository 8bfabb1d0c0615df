"""bench/decisions.py in its small mode, so the bench cannot rot (figures not asserted; the
script's own checks make it exit non-zero)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.bench
def test_decisions_bench_small_mode_runs():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "decisions.py"), "--small"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "seed:" in proc.stdout
