"""bench/kpis.py in its small mode, so the bench cannot rot. Figures are not asserted; the
script's own check (snapshot = live figures) makes it exit non-zero."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.bench
def test_bench_kpis_small_mode_runs():
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # temporary SQLite
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "kpis.py"), "--small"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "full KPI refresh" in proc.stdout and "snapshot = live" in proc.stdout
