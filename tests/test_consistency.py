"""HermiT (through owlready2) finds the ontology and knowledge base consistent, with no
unsatisfiable class."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bortekg import KnowledgeGraph

pytestmark = pytest.mark.java


def _without_imports(ntriples: bytes) -> bytes:
    """owlready2 would fetch an owl:imports (the forms module imports the main ontology, which
    is in the same graph), so the imports are left out, as `bortekg reason` does."""
    imports = b" <http://www.w3.org/2002/07/owl#imports> "
    return b"".join(line for line in ntriples.splitlines(keepends=True) if imports not in line)


@pytest.fixture(scope="module")
def hermit_world(kg: KnowledgeGraph, tmp_path_factory):
    if shutil.which("java") is None:
        pytest.skip("java is not installed (HermiT needs a Java runtime)")
    import owlready2

    path: Path = tmp_path_factory.mktemp("owl") / "bortekg.nt"
    path.write_bytes(_without_imports(kg.export("nt")))
    world = owlready2.World()
    world.get_ontology(path.as_uri()).load()
    return world


def test_hermit_finds_the_graph_consistent_with_no_unsatisfiable_class(hermit_world) -> None:
    import owlready2

    try:
        owlready2.sync_reasoner_hermit(hermit_world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError as error:  # pragma: no cover - failure path
        pytest.fail(f"HermiT found the ontology inconsistent: {error}")
    unsatisfiable = [c.iri for c in hermit_world.inconsistent_classes() if c is not owlready2.Nothing]
    assert unsatisfiable == []


def test_hermit_detects_an_inconsistency(tmp_path: Path) -> None:
    """The check can fail: a claim that is also a biomedical entity violates a disjointness axiom."""
    if shutil.which("java") is None:
        pytest.skip("java is not installed")
    import owlready2

    from bortekg import resources

    bad = tmp_path / "bad.nt"
    kg = KnowledgeGraph()
    triples = _without_imports(kg.export("nt"))
    bad.write_bytes(
        triples
        + b"<https://w3id.org/bortekg/entity/pregabalin> "
        b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/bortekg/Claim> .\n"
    )
    assert resources.tbox_file().exists()
    world = owlready2.World()
    world.get_ontology(bad.as_uri()).load()
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
