"""bench/registry.py --caseload in its small mode, so the bench cannot rot (figures not
asserted; the script itself fails when the file has errors or a second run changes anything)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.bench
def test_caseload_import_bench_small_mode_runs():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "registry.py"), "--caseload", "--small", "--backend", "sqlite"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "second run changed nothing" in proc.stdout
