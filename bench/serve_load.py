"""Load on ``bortekg serve`` over loopback: concurrent clients asking a mix of requests.

The server (uvicorn with the application, in a process of its own) serves the packaged graph;
CLIENTS keep-alive clients (in client processes, so that they do not share the server's
interpreter) each send one request after another for DURATION seconds: by default every
competency question, bound to its example parameters as ``cq run`` binds them, POSTed to
/sparql, two entity pages and a claim page, and the assessment form POSTed with the fields of
examples/patient.json (``--no-pages`` leaves the pages and the assessment out). ``--mix PATH``
adds a GET of PATH to the rotation.
It prints throughput, p50 and p99 latency and errors, overall and per kind of request,
beside the target (0 errors, p99 <= 50 ms for the questions).

    python bench/serve_load.py                       # a 5-second smoke run, 50 clients
    python bench/serve_load.py --duration 60         # the full run
    python bench/serve_load.py --no-cache            # every request runs its query
    python bench/serve_load.py --mix /entity/bortezomib --mix /health
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import socket
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

TARGET_P99_MS = 50.0


def serve(listener: socket.socket, cache_bytes: int, max_running: int, store: str | None) -> None:
    """The server process: the application on uvicorn, as ``bortekg serve`` runs it."""
    import uvicorn

    from bortekg.serve import ServeSettings, create_app

    settings = ServeSettings(cache_bytes=cache_bytes, max_running=max_running, max_waiting=1024,
                             store_dir=Path(store) if store else None)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning", access_log=False,
                                           lifespan="off"))
    server.run(sockets=[listener])


#: The pages in the default mix: the drug, the adverse effect most claims are about, a claim.
PAGES = ("/entity/bortezomib", "/entity/peripheral-neuropathy", "/claim/bipntx-dose-rule-1")
#: The patient whose form the default mix submits (the README's example).
PATIENT = Path(__file__).resolve().parent.parent / "examples" / "patient.json"


def assessment_form(patient: Path) -> bytes:
    """The assessment page's form fields for a patient document (lists one term a line)."""
    import json

    fields: dict[str, str] = {}

    def flatten(prefix: str, document: dict) -> None:
        for key, value in document.items():
            if isinstance(value, dict):
                flatten(f"{prefix}{key}.", value)
            else:
                put(f"{prefix}{key}", value)

    def put(name: str, value: object) -> None:
        if isinstance(value, bool):
            fields[name] = "yes" if value else "no"
        elif isinstance(value, list):
            fields[name] = "\n".join(str(item) for item in value)
        else:
            fields[name] = str(value)

    flatten("", json.loads(patient.read_text(encoding="utf-8")))
    return urllib.parse.urlencode(fields).encode()


def requests_to_send(mix: list[str], pages: bool = True) -> list[tuple[str, bytes]]:
    """(kind, raw HTTP request) for every question with its example bindings, then the pages
    and the assessment (with ``pages``), then each --mix path."""
    from bortekg.binding import bind_values
    from bortekg.catalogue import load_catalogue

    found = []
    for question in load_catalogue():
        body = urllib.parse.urlencode({"query": bind_values(question.sparql, question.example_bindings())}).encode()
        found.append(("question", b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/sparql-results+json\r\n"
                      b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)))
    if pages:
        for path in PAGES:
            found.append(("page", f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\n\r\n".encode()))
        form = assessment_form(PATIENT)
        found.append(("assessment", b"POST /assess HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\n"
                      b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s"
                      % (len(form), form)))
    for path in mix:
        found.append((path, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\n\r\n".encode()))
    return found


async def read_response(reader: asyncio.StreamReader) -> int:
    """Read one response; return its status (the server always sends a Content-Length)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:"))
    await reader.readexactly(length)
    return status


async def client(port: int, requests: list[tuple[str, bytes]], offset: int, until: float,
                 results: list[tuple[str, float, bool]]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    index = offset
    while time.monotonic() < until:
        kind, request = requests[index % len(requests)]
        index += 1
        started = time.perf_counter()
        try:
            writer.write(request)
            status = await read_response(reader)
            ok = status == 200
        except (OSError, asyncio.IncompleteReadError, ValueError, StopIteration):
            ok = False
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        results.append((kind, (time.perf_counter() - started) * 1000, ok))
    writer.close()


def client_process(port: int, requests: list[tuple[str, bytes]], first: int, count: int, start: float,
                   duration: float, queue) -> None:
    results: list[tuple[str, float, bool]] = []

    async def main() -> None:
        await asyncio.sleep(max(0.0, start - time.time()))
        until = time.monotonic() + duration
        await asyncio.gather(*(client(port, requests, (first + i) * 7, until, results) for i in range(count)))

    asyncio.run(main())
    queue.put(results)


def warm_up(port: int, requests: list[tuple[str, bytes]]) -> None:
    """Send every request once, one after another (a server's state after its first minute)."""
    async def main() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _, request in requests:
            writer.write(request)
            await read_response(reader)
        writer.close()

    asyncio.run(main())


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(results: list[tuple[str, float, bool]], duration: float) -> None:
    kinds = sorted({kind for kind, _, _ in results}, key=lambda k: (k != "question", k))
    print(f"{'requests':20s} {'count':>7s} {'per s':>8s} {'p50 ms':>8s} {'p99 ms':>8s} {'errors':>7s}")
    for kind in [*kinds, "all"]:
        chosen = [r for r in results if kind in ("all", r[0])]
        latencies = [latency for _, latency, _ in chosen]
        errors = sum(1 for _, _, ok in chosen if not ok)
        print(f"{kind:20s} {len(chosen):7d} {len(chosen) / duration:8.0f} {statistics.median(latencies):8.1f} "
              f"{percentile(latencies, 0.99):8.1f} {errors:7d}")
    questions = [r for r in results if r[0] == "question"]
    p99 = percentile([latency for _, latency, _ in questions], 0.99)
    errors = sum(1 for _, _, ok in results if not ok)
    verdict = "met" if errors == 0 and p99 <= TARGET_P99_MS else "NOT met"
    print(f"target: 0 errors and p99 <= {TARGET_P99_MS:g} ms for the questions: {verdict} "
          f"({errors} errors, p99 {p99:.1f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of load (default: a 5 s smoke run)")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--mix", action="append", default=[], metavar="PATH",
                        help="also GET this path (an entity page, an assessment); repeat for several")
    parser.add_argument("--no-cache", action="store_true", help="turn the server's answer cache off")
    parser.add_argument("--no-pages", action="store_true", help="questions only: no pages, no assessment")
    parser.add_argument("--max-running", type=int, default=4, help="queries the server runs at once")
    parser.add_argument("--store", help="serve this store folder instead of the packaged graph")
    parser.add_argument("--no-warm-up", action="store_true",
                        help="start the load at once (by default every request is sent once first, in turn)")
    args = parser.parse_args()

    requests = requests_to_send(args.mix, pages=not args.no_pages)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    port = listener.getsockname()[1]
    context = multiprocessing.get_context("fork")  # before this process has any thread
    server = context.Process(target=serve, args=(listener, 0 if args.no_cache else 64 << 20, args.max_running,
                                                 args.store), daemon=True)
    server.start()
    try:
        deadline = time.monotonic() + 30
        while True:  # wait until it answers
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                    probe.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    if probe.recv(12).startswith(b"HTTP/1.1 200"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                sys.exit("the server did not start")
            time.sleep(0.05)
        if not args.no_warm_up:
            warm_up(port, requests)
        print(f"{len(requests)} kinds of request ({sum(kind == 'question' for kind, _ in requests)} questions), {args.clients} clients "
              f"in {args.client_processes} processes, {args.duration:g} s, answer cache "
              f"{'off' if args.no_cache else 'on'}, {'no ' if args.no_warm_up else ''}warm-up, {os.cpu_count()} cores")
        queue = context.Queue()
        start = time.time() + 0.5
        shares = [args.clients // args.client_processes + (i < args.clients % args.client_processes)
                  for i in range(args.client_processes)]
        workers = [context.Process(target=client_process,
                                   args=(port, requests, sum(shares[:i]), share, start, args.duration, queue))
                   for i, share in enumerate(shares)]
        for worker in workers:
            worker.start()
        results = [row for _ in workers for row in queue.get()]
        for worker in workers:
            worker.join()
        report(results, args.duration)
    finally:
        server.terminate()
        server.join(10)


if __name__ == "__main__":
    main()
