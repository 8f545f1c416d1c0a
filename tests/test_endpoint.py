"""The SPARQL endpoint client without a server: URLs, chunking for SPARQL Update."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from bortekg.endpoint import Endpoint, EndpointError, chunks_keeping_blank_nodes


def test_only_http_endpoints() -> None:
    with pytest.raises(EndpointError, match="is not an http:// or https:// URL"):
        Endpoint("file:///etc/passwd")
    Endpoint("https://example.org/sparql")


def test_update_chunks_keep_blank_node_structures_together() -> None:
    a, b, c, d = ox.BlankNode(), ox.BlankNode(), ox.BlankNode(), ox.BlankNode()
    p = ox.NamedNode("http://e/p")
    linked = [ox.Triple(a, p, b), ox.Triple(b, p, c), ox.Triple(ox.NamedNode("http://e/x"), p, a)]
    alone = [ox.Triple(d, p, ox.Literal(str(i))) for i in range(2)]
    mixed = [linked[0], alone[0], linked[1], alone[1], linked[2]]
    chunks = list(chunks_keeping_blank_nodes(mixed, 2))
    assert sorted(str(t) for chunk in chunks for t in chunk) == sorted(map(str, mixed))
    assert any({str(t) for t in linked} <= {str(t) for t in chunk} for chunk in chunks)
    assert any({str(t) for t in alone} == {str(t) for t in chunk} for chunk in chunks)
