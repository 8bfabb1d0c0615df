"""Run bench/medical.py once in its small mode so it cannot rot (its own correctness checks
make it exit non-zero; the figures are not asserted)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.bench
def test_medical_bench_small_mode_runs():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "medical.py"), "--small"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "lines/s" in proc.stdout
