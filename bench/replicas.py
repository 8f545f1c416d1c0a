"""The competency questions against two Oxigraph servers behind a round-robin client, beside one.

Starts two Oxigraph servers on loopback (the ``oxigraph`` command of ``pip install oxigraph``),
each either loaded with the curated graph by ``bortekg.upload.upload_to_replicas`` (the same
upload as ``bortekg load`` with two ``--endpoint``), or serving an expanded on-disk store
read-only (``--location``, from ``expand_graph.py --store``). Then the same questions are sent
by ``--clients`` threads for ``--passes`` passes, first all to one server, then spread over
both in turn, and the throughput of each is printed with the ratio. Both servers run on this
machine and share its cores: the ratio shows what the client's spreading costs or gains here,
not what two machines would give.

    python bench/replicas.py [--location /tmp/bortekg-1m] [--clients 4] [--passes 3]
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bortekg import KnowledgeGraph
from bortekg import namespaces as ns
from bortekg.binding import bind_values
from bortekg.endpoint import Endpoint
from bortekg.upload import Replica, upload_to_replicas
from common import questions


class RoundRobin:
    """Sends each query to the next server in turn (thread-safe)."""

    def __init__(self, endpoints: list[Endpoint]) -> None:
        self._next = itertools.cycle(endpoints)
        self._lock = threading.Lock()

    def select(self, sparql: str, dataset: list[str] | None) -> bytes:
        with self._lock:
            endpoint = next(self._next)
        return endpoint.select(sparql, form="SELECT", dataset=dataset)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(binary: str, location: Path, read_only: bool) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [binary, "serve-read-only" if read_only else "serve", "--location", str(location),
               "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2):
                return process, base
        except OSError:
            time.sleep(0.2)
    process.kill()
    sys.exit(f"the Oxigraph server on {location} did not answer in 120 s")


def throughput(client, cases: list[str], dataset: list[str] | None, clients: int, passes: int) -> float:
    work = cases * passes
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda sparql: client.select(sparql, dataset), work))
    return len(work) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--location", type=Path, help="an expanded on-disk store to serve read-only from both")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args()
    binary = shutil.which("oxigraph") or shutil.which("oxigraph", path=str(Path(sys.executable).parent))
    if binary is None:
        sys.exit("the oxigraph server is not installed (pip install oxigraph)")
    folder = Path(tempfile.mkdtemp(prefix="bortekg-replicas-"))
    servers = []
    try:
        for number in (1, 2):
            location = args.location or folder / f"server-{number}"
            servers.append(start_server(binary, location, read_only=args.location is not None))
        endpoints = [Endpoint(f"{base}/query", timeout=600) for _, base in servers]
        kg = KnowledgeGraph()
        if args.location is None:
            graphs: dict[str, list] = {graph.value: [] for graph in kg.content_graphs()}
            for quad in kg.quads():
                graphs[quad.graph_name.value].append(quad.triple)
            replicas = [Replica(endpoint, Endpoint(f"{base}/update"), Endpoint(f"{base}/store"))
                        for endpoint, (_, base) in zip(endpoints, servers)]
            started = time.perf_counter()
            upload_to_replicas(graphs, replicas)
            print(f"curated graph loaded on both servers in {time.perf_counter() - started:.2f} s")
        dataset = [ns.GRAPH_ONTOLOGY, ns.GRAPH_KB]
        cases = []
        for q in questions(None):
            if q.page_key is not None:
                cases.append(q.page(limit=100)[0])
            elif q.examples:
                cases.append(bind_values(q.sparql, q.example_bindings()))
            else:
                cases.append(q.sparql)
        print(f"{len(cases)} questions x {args.passes} passes from {args.clients} client threads"
              + (f", store {args.location}" if args.location else ", curated graph"))
        one = throughput(RoundRobin(endpoints[:1]), cases, dataset, args.clients, args.passes)
        two = throughput(RoundRobin(endpoints), cases, dataset, args.clients, args.passes)
        print(f"one server:             {one:8.1f} queries/s")
        print(f"two, round-robin:       {two:8.1f} queries/s  ({two / one:.2f}x)")
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
