"""Checking KGX files with the ``kgx`` package's own validator, offline, against the pinned
Biolink model."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from bortekg import namespaces as ns
from bortekg.exports import biolink

#: The project's own CURIE prefixes, which the KGX files use for entities without a standard
#: identifier, for claims (edge ids) and for source documents.
PROJECT_PREFIXES: dict[str, str] = {prefix: ns.PREFIXES[prefix] for prefix in ("bkg", "bke", "bkc", "bks")}


def kgx_errors(nodes: Path, edges: Path, *, extra_prefixes: Mapping[str, str] | None = None) -> list[str]:
    """The ``kgx`` validator's error messages for a nodes and an edges file (``.tsv`` or
    ``.jsonl``), each as ``ERROR_TYPE: message``; an empty list when the files are valid.

    The validator knows only the prefixes of the Biolink model's JSON-LD context;
    ``extra_prefixes`` adds a graph's own (``PROJECT_PREFIXES``).
    """
    _use_context(extra_prefixes)
    from kgx.transformer import Transformer
    from kgx.validator import Validator

    Validator.set_biolink_model(None)  # the shipped (pinned) model, not a download
    validator = Validator()
    if validator.get_validation_model_version() != biolink.BIOLINK_VERSION:
        raise RuntimeError(f"kgx validates against Biolink {validator.get_validation_model_version()}, "
                           f"not the pinned {biolink.BIOLINK_VERSION}")
    fmt = _format([nodes, edges])
    Transformer(stream=True).transform(
        input_args={"filename": [str(nodes), str(edges)], "format": fmt},
        output_args={"format": "null"},
        inspector=validator,
    )
    return sorted(f"{kind}: {message}" for kind, messages in validator.get_errors("ERROR").items()
                  for message in messages)


def kgx_to_ntriples(nodes: Path, edges: Path, out: Path, *, extra_prefixes: Mapping[str, str] | None = None) -> Path:
    """Turn a nodes and an edges file into N-Triples with ``kgx``'s own transformer: every
    edge reified as a ``biolink:Association`` carrying its properties. Streamed, so that
    edges with the same ends and predicate stay apart instead of being merged."""
    _use_context(extra_prefixes)
    from kgx.transformer import Transformer

    Transformer(stream=True).transform(
        input_args={"filename": [str(nodes), str(edges)], "format": _format([nodes, edges])},
        output_args={"filename": str(out), "format": "nt"},
    )
    return out


def _use_context(extra_prefixes: Mapping[str, str] | None) -> None:
    """Make kgx read the shipped Biolink prefix map, plus ``extra_prefixes``, as its context."""
    biolink.prepare_kgx()
    import kgx.config

    with open(biolink.prefix_map_path(), encoding="utf-8") as stream:
        context = {**json.load(stream), **(extra_prefixes or {})}
    kgx.config.jsonld_context_map["biolink"] = context  # read by each Validator and sink when made


def _format(paths: Sequence[Path]) -> str:
    suffixes = {path.suffix for path in paths}
    if suffixes == {".tsv"}:
        return "tsv"
    if suffixes == {".jsonl"}:
        return "jsonl"
    raise ValueError(f"give both files as .tsv or both as .jsonl, not {', '.join(sorted(suffixes))}")
