"""The parsed bundle is cached as N-Quads between runs, and a bad cache never changes the graph."""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox
import pytest

from bortekg import KnowledgeGraph
from bortekg import store as store_module


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("BORTEKG_CACHE_DIR", str(folder))
    return folder


def quads(kg: KnowledgeGraph) -> set[str]:
    """The store's quads with blank nodes relabelled canonically (each parse names them anew)."""
    dataset = ox.Dataset(kg.store)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return {str(quad) for quad in dataset}


def test_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BORTEKG_CACHE_DIR", str(tmp_path / "a"))
    assert store_module.cache_dir() == tmp_path / "a"
    monkeypatch.delenv("BORTEKG_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert store_module.cache_dir() == tmp_path / "xdg" / "bortekg"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert store_module.cache_dir() == Path.home() / ".cache" / "bortekg"


def test_first_load_writes_the_cache_and_later_loads_read_it(cache: Path, kg: KnowledgeGraph,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    first = KnowledgeGraph()
    files = list(cache.glob("bundle-*.nq"))
    assert len(files) == 1 and quads(first) == quads(kg)

    def no_parsing():
        raise AssertionError("the Turtle sources were parsed although the cache holds the bundle")

    monkeypatch.setattr(store_module, "bundled_quads", no_parsing)
    assert quads(KnowledgeGraph()) == quads(kg)


def test_a_damaged_cache_is_rebuilt(cache: Path, kg: KnowledgeGraph) -> None:
    KnowledgeGraph()
    (cached,) = cache.glob("bundle-*.nq")
    cached.write_bytes(cached.read_bytes()[:5000] + b"\nnot n-quads at all\n")
    assert quads(KnowledgeGraph()) == quads(kg)
    assert b"not n-quads" not in cached.read_bytes()


def test_an_unwritable_cache_only_costs_speed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             kg: KnowledgeGraph) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("BORTEKG_CACHE_DIR", str(blocker / "cache"))
    assert quads(KnowledgeGraph()) == quads(kg)


def test_the_cache_name_changes_with_the_bundle(cache: Path) -> None:
    store_module.bundle_nquads("one")
    store_module.bundle_nquads("two")
    assert len(list(cache.glob("bundle-*.nq"))) == 2


def test_bundles_unused_for_a_week_are_pruned(cache: Path) -> None:
    store_module.bundle_nquads("old")
    (old,) = cache.glob("bundle-*.nq")
    os.utime(old, (0, 0))
    store_module.bundle_nquads("new")
    assert old not in list(cache.glob("bundle-*.nq")) and len(list(cache.glob("bundle-*.nq"))) == 1
