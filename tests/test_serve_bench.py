"""bench/serve_load.py runs: a one-second load on loopback answers every request."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse

from conftest import REPO


def test_the_load_benchmark_runs_and_reports() -> None:
    result = subprocess.run([sys.executable, str(REPO / "bench" / "serve_load.py"), "--duration", "1", "--clients", "4",
                             "--no-pages", "--mix", "/health"], check=False, capture_output=True, text=True, timeout=120,
                            env=os.environ.copy())
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    rows = {line.split()[0]: line.split() for line in lines[2:-1]}
    assert set(rows) == {"question", "/health", "all"}
    assert all(int(row[1]) > 0 and row[-1] == "0" for row in rows.values()), result.stdout  # requests, no errors
    assert lines[-1].startswith("target: 0 errors and p99 <= 50 ms for the questions:")


def test_the_default_mix_has_pages_and_the_example_patient_assessment() -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import serve_load
    finally:
        sys.path.remove(str(REPO / "bench"))
    kinds = [kind for kind, _ in serve_load.requests_to_send([])]
    assert kinds.count("page") == len(serve_load.PAGES) and kinds.count("assessment") == 1
    assert [kind for kind, _ in serve_load.requests_to_send([], pages=False)] == ["question"] * kinds.count("question")
    form = dict(urllib.parse.parse_qsl(serve_load.assessment_form(REPO / "examples" / "patient.json").decode()))
    patient = json.loads((REPO / "examples" / "patient.json").read_text())
    assert form["neuropathy.grade"] == str(patient["neuropathy"]["grade"])
    assert form["neuropathy.pain"] == ("yes" if patient["neuropathy"]["pain"] else "no")
    assert form["comorbidities"].splitlines() == patient["comorbidities"]
