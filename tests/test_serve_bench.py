"""bench/serve_load.py runs: a one-second load on loopback answers every request."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import REPO


def test_the_load_benchmark_runs_and_reports() -> None:
    result = subprocess.run([sys.executable, str(REPO / "bench" / "serve_load.py"), "--duration", "1", "--clients", "4",
                             "--mix", "/health"], check=False, capture_output=True, text=True, timeout=120,
                            env=os.environ.copy())
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    rows = {line.split()[0]: line.split() for line in lines[2:-1]}
    assert set(rows) == {"question", "/health", "all"}
    assert all(int(row[1]) > 0 and row[-1] == "0" for row in rows.values()), result.stdout  # requests, no errors
    assert lines[-1].startswith("target: 0 errors and p99 <= 50 ms for the questions:")
