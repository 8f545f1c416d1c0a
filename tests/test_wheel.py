"""A wheel built from the checkout carries the ontology, shapes and queries and runs outside the
clone, in a fresh virtual environment."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.wheel


def test_wheel_runs_stats_in_a_fresh_environment(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(REPO)],
        check=True,
    )
    wheel = next(dist.glob("bortekg-*.whl"))
    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    completed = subprocess.run(
        [str(env_dir / "bin" / "bortekg"), "stats", "--format", "json"],
        cwd=outside, env=environment, capture_output=True, text=True, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert '"claims":' in completed.stdout
    located = subprocess.run(
        [str(python), "-c", "from bortekg import resources; print(resources.data_root())"],
        cwd=outside, env=environment, capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert located.startswith(str(env_dir)) and located.endswith("_data")
