"""Run each benchmark script once in its small mode so the benches cannot rot. The figures
they print are not asserted (performance is measured in bench/, not in tests); the scripts'
own correctness checks (batch == loop, F1 on known truth) make them exit non-zero."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.bench
@pytest.mark.parametrize("script", ["eligibility.py", "linkage.py", "screening.py", "audit.py"])
def test_bench_small_mode_runs(script, tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--small"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert proc.stdout.strip(), "bench printed nothing"
