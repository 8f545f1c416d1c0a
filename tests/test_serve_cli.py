"""``bortekg serve``: it starts, says where, serves a store folder, and refuses bad options
with one line and exit 2."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import httpx
import pytest

from bortekg import KnowledgeGraph
from serve_server import cli_server

pytestmark = pytest.mark.server  # starts bortekg serve

def run_serve(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bortekg", *args], check=False, capture_output=True, text=True,
                          timeout=60, env=os.environ.copy())


def test_it_starts_and_prints_its_url_on_stderr() -> None:
    with cli_server() as (base, line):
        assert line.startswith("bortekg: serving the graph at http://127.0.0.1:")
        assert f"(SPARQL endpoint {base}sparql)" in line
        assert httpx.get(base + "health", timeout=30).json()["status"] == "ok"
        answer = httpx.get(base + "sparql", params={"query": "PREFIX bkg: <https://w3id.org/bortekg/> "
                                                              "ASK { ?s a bkg:Drug }"}, timeout=30)
        assert answer.json()["boolean"] is True


def test_it_serves_a_store_folder(tmp_path) -> None:
    store = tmp_path / "store"
    KnowledgeGraph(store)  # created and closed again when collected
    with cli_server("--store", str(store)) as (base, _):
        assert httpx.get(base + "sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30).json()["boolean"] is True
    with cli_server(global_options=("--store", str(store))) as (base, _):
        assert httpx.get(base + "health", timeout=30).status_code == 200


def refusal(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("port", ["99999", "abc", "-1"])
def test_a_bad_port_is_one_line_and_exit_2(port: str) -> None:
    assert refusal(run_serve("serve", "--port", port)) == \
        f"bortekg: --port {port}: give a port number from 1 to 65535 (or 0 for any free port)"


def test_a_port_in_use_is_one_line_and_exit_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        line = refusal(run_serve("serve", "--port", str(port)))
    assert line.startswith(f"bortekg: cannot listen on 127.0.0.1:{port}: ") and "--port" in line


def test_a_folder_that_is_no_store_is_one_line_and_exit_2(tmp_path) -> None:
    for folder in (tmp_path, tmp_path / "missing"):
        line = refusal(run_serve("serve", "--store", str(folder)))
        assert line.startswith(f"bortekg: --store {folder}: no bortekg store there")
    assert not (tmp_path / "missing").exists()  # serving never creates a store


def test_a_bad_host_or_origin_is_one_line_and_exit_2() -> None:
    assert refusal(run_serve("serve", "--host", "no-such-host.invalid")).startswith(
        "bortekg: --host no-such-host.invalid: not an address")
    assert refusal(run_serve("serve", "--cors", "example.org")).startswith("bortekg: --cors example.org: give an origin")
