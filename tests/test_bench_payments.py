"""bench/payments.py in its small mode, so the bench cannot rot. Figures are not asserted; the
script's own checks (totals reconcile, ledger = paid lines, a second generation adds nothing)
make it exit non-zero."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.bench
def test_bench_payments_small_mode_runs():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "payments.py"), "--small", "--backend", "sqlite"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "generate" in proc.stdout
