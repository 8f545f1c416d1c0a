"""The benchmark graph: the fast text expansion writes exactly the quads of the reference expansion."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import expand_graph
from bortekg import KnowledgeGraph
from bortekg import namespaces as ns


@pytest.fixture(scope="module")
def curated() -> tuple[list[ox.Quad], list[ox.Quad]]:
    return expand_graph.curated_quads()


@pytest.mark.parametrize("replica", [1, 2, 25, 50, 1234])
def test_a_template_with_its_number_is_the_reference_replica(curated, replica: int) -> None:
    """Replicas 25 and 50 keep the real entities; the others mint new ones."""
    _, base = curated
    template, size = expand_graph._template(base, replica % expand_graph.KEEP_ENTITIES_EVERY == 0)
    text = template.replace(expand_graph._PLACEHOLDER, str(replica))
    written = set(ox.parse(text.encode(), ox.RdfFormat.N_QUADS))
    reference = set(expand_graph.replica_quads(base, replica))
    assert len(reference) == size
    assert written == reference, (f"only in the reference: {sorted(map(str, reference - written))[:3]}, "
                                  f"only in the text: {sorted(map(str, written - reference))[:3]}")


def test_the_file_holds_the_curated_graph_replicas_and_the_fingerprint(curated) -> None:
    everything, base = curated
    out = io.BytesIO()
    count = expand_graph.write_expanded(40_000, out)
    quads = list(ox.parse(out.getvalue(), ox.RdfFormat.N_QUADS))
    replicas = {match.group(1) for q in quads if isinstance(q.subject, ox.NamedNode)
                for match in [re.search(r"-syn([0-9]+)$", q.subject.value)] if match}
    sizes = [len(list(expand_graph.replica_quads(base, n))) for n in (1, 2, 3, 4)]
    assert replicas == {"1", "2", "3", "4"}  # 10,461 + 4 x 7,916 quads pass 40,000
    assert count == len(quads) == len(everything) + sum(sizes) + 1
    meta = [q for q in quads if q.graph_name.value == ns.GRAPH_META]
    assert [q.predicate.value for q in meta] == [ns.BKG + "bundleFingerprint"]


def test_an_expanded_store_opens_without_reloading_the_bundle(tmp_path: Path) -> None:
    path = tmp_path / "expanded.nq"
    with path.open("wb") as out:
        count = expand_graph.write_expanded(20_000, out)
    expand_graph.bulk_load(path, tmp_path / "store").flush()
    kg = KnowledgeGraph(tmp_path / "store")
    # nothing reloaded: the store's fingerprint is the bundle's, so its graphs are kept as loaded
    assert len(kg.store) == count
    assert kg._stored_fingerprint() == expand_graph.bundle_fingerprint()


def test_bulk_load_refuses_a_folder_that_holds_something(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "file").write_text("x")
    with pytest.raises(SystemExit, match="not empty"):
        expand_graph.bulk_load(tmp_path / "x.nq", tmp_path / "store")
