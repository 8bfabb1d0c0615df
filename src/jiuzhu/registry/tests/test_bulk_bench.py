"""bench/registry.py in its small mode, once, on SQLite."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]


@pytest.mark.bench
def test_registry_bench_small_runs_and_uses_the_indexes():
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "registry.py"),
            "--small",
            "--backend",
            "sqlite",
            "--queries",
            "200",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "SEARCH registry_person USING INDEX" in out.stdout
    assert "index not used" not in out.stdout
    rows = [line.split() for line in out.stdout.splitlines() if line.startswith("sqlite ")]
    assert rows and int(rows[0][1].replace(",", "")) > 19_000  # persons imported
