"""Bounded reads, JSON checked before parsing, RDF/XML well-formedness, and output files
written whole and never inside the store."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from bortekg import KnowledgeGraph
from bortekg.clinical.patient import validation_problems
from bortekg.ingest.xmlcheck import MAX_XML_DEPTH, xml_problem
from bortekg.inputs import (
    MAX_JSON_DEPTH,
    InputTooLargeError,
    JsonInputError,
    load_json,
    nesting_too_deep,
    read_bounded,
)
from bortekg.outputs import OutputError, inside, refuse_inside_store, write_atomically
from bortekg.terms import UnknownTermError, resolve

RDF = '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:p="https://x.example/">'


# --------------------------------------------------------------------------- bounded reads


def test_read_bounded_reads_a_file_up_to_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 100)
    assert read_bounded(path, 100) == b"x" * 100
    with pytest.raises(InputTooLargeError, match="the input is 100 bytes, over the limit of 99 bytes") as error:
        read_bounded(path, 99)
    assert error.value.size == 100


def test_read_bounded_stops_an_endless_stream_one_byte_past_the_limit() -> None:
    class Endless(io.RawIOBase):
        served = 0

        def readinto(self, buffer) -> int:
            buffer[:] = b"x" * len(buffer)
            self.served += len(buffer)
            return len(buffer)

    stream = Endless()
    with pytest.raises(InputTooLargeError, match="longer than the limit of 1,000 bytes") as error:
        read_bounded(stream, 1000)
    assert error.value.size is None and stream.served == 1001
    with pytest.raises(InputTooLargeError):
        read_bounded("/dev/zero", 10)


def test_read_bounded_passes_os_errors_on(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_bounded(tmp_path / "missing", 10)
    with pytest.raises(IsADirectoryError):
        read_bounded(tmp_path, 10)


# --------------------------------------------------------------------------- JSON


@pytest.mark.parametrize("text,offset", [
    ("[" * 3 + "]" * 3, None),
    ("[" * 4 + "]" * 4, 3),
    ('{"a": "[[[[[[", "b": [[1]]}', None),  # brackets inside strings do not count
    ('{"a": "\\"[[[[[", "b": [[[[1]]]]}', 24),  # nor after an escaped quote
])
def test_nesting_too_deep_scans_without_parsing(text: str, offset: int | None) -> None:
    assert nesting_too_deep(text, 3) == offset


def test_load_json_refuses_deep_documents_before_parsing() -> None:
    deep = "[" * 100_000 + "]" * 100_000  # json.loads would raise RecursionError
    with pytest.raises(JsonInputError, match=f"nested more than {MAX_JSON_DEPTH} levels deep") as error:
        load_json(deep)
    assert (error.value.line, error.value.column) == (1, MAX_JSON_DEPTH + 1)
    assert load_json("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is not None


@pytest.mark.parametrize("text,what", [
    ('{"a": NaN}', "NaN"), ('{"a": Infinity}', "Infinity"), ('{"a": -Infinity}', "-Infinity"),
    ('{"a": 1e400}', "1e400"),
])
def test_load_json_refuses_what_is_not_a_finite_number(text: str, what: str) -> None:
    with pytest.raises(JsonInputError, match=f"{what} is not a finite number") as error:
        load_json(text)
    assert error.value.line == 1


def test_load_json_reports_syntax_errors_and_huge_integers() -> None:
    with pytest.raises(JsonInputError, match="line 2, column 1: invalid JSON"):
        load_json('{"a": 1,\n}')
    with pytest.raises(JsonInputError, match="invalid JSON"):
        load_json("9" * 5000)
    assert load_json('{"a": [1.5, 2]}') == {"a": [1.5, 2]}


def test_the_patient_schema_check_refuses_non_finite_numbers() -> None:
    problems = validation_problems({"age": float("nan"), "bortezomib": {"dose_mg_m2": float("inf")}})
    assert "age: nan is not a finite number" in problems
    assert "bortezomib.dose_mg_m2: inf is not a finite number" in problems
    assert validation_problems({"age": 60.5}) == []


def test_a_term_that_is_not_a_valid_iri_is_an_unknown_term(kg: KnowledgeGraph) -> None:
    for text in ("hp:<0002380>", "https://example.org/a b", "bke:a\"b"):
        with pytest.raises(UnknownTermError):
            resolve(kg, text)


# --------------------------------------------------------------------------- RDF/XML


def test_xml_problem_accepts_well_formed_rdfxml() -> None:
    assert xml_problem((RDF + "</rdf:RDF>").encode()) is None


@pytest.mark.parametrize("data,line,fragment", [
    (RDF + '\n<rdf:Description rdf:about="https://x.example/a">\n', 3, "no element found"),
    (RDF + "\n<p:a></p:b>\n</rdf:RDF>", 2, "mismatched tag"),
    ('<!DOCTYPE r [<!ENTITY a "b">]>\n' + RDF + "</rdf:RDF>", 1, "DOCTYPE or ENTITY declaration is refused"),
    (RDF + "<p:a>" * (MAX_XML_DEPTH) + "</p:a>" * MAX_XML_DEPTH + "</rdf:RDF>", 1,
     f"nested more than {MAX_XML_DEPTH} deep"),
])
def test_xml_problem_names_the_line_of_what_is_wrong(data: str, line: int, fragment: str) -> None:
    problem = xml_problem(data.encode())
    assert problem is not None and problem.line == line and fragment in problem.message


# --------------------------------------------------------------------------- outputs


def test_inside_resolves_symlinks(tmp_path: Path) -> None:
    store = tmp_path / "store"
    store.mkdir()
    (store / "CURRENT").write_text("x")
    (tmp_path / "link").symlink_to(store / "CURRENT")
    (tmp_path / "folder-link").symlink_to(store)
    assert inside(store / "new.ttl", store) and inside(tmp_path / "link", store)
    assert inside(tmp_path / "folder-link" / "x", store) and inside(store, store)
    assert not inside(tmp_path / "out.ttl", store) and not inside(tmp_path / "store-2" / "x", store)
    with pytest.raises(OutputError, match="inside the store folder"):
        refuse_inside_store(tmp_path / "link", store)
    refuse_inside_store(tmp_path / "out.ttl", store)
    refuse_inside_store(store / "x", None)  # an in-memory store has no folder


def test_write_atomically_replaces_whole_and_follows_symlinks(tmp_path: Path) -> None:
    target = tmp_path / "real.ttl"
    target.write_bytes(b"old")
    target.chmod(0o640)
    (tmp_path / "link.ttl").symlink_to(target)
    assert write_atomically(tmp_path / "link.ttl", b"new") == target
    assert target.read_bytes() == b"new" and (tmp_path / "link.ttl").is_symlink()
    assert target.stat().st_mode & 0o777 == 0o640
    write_atomically(tmp_path / "drawn", lambda path: path.write_bytes(b"by a writer"))
    assert (tmp_path / "drawn").read_bytes() == b"by a writer"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["drawn", "link.ttl", "real.ttl"]


def test_write_atomically_leaves_no_partial_file_when_the_writer_fails(tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    target.write_bytes(b"previous")

    def failing(path: Path) -> None:
        path.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match="cannot write .*out.ttl: No space left on device "
                                          r"\(free some space or write to another disk\)"):
        write_atomically(target, failing)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.ttl"]


def test_write_atomically_reports_a_full_device_and_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="cannot write /dev/full: No space left on device"):
        write_atomically("/dev/full", b"x" * 100_000)
    with pytest.raises(OutputError, match="No such file or directory"):
        write_atomically(tmp_path / "missing" / "out.ttl", b"x")


def test_export_to_a_file_refuses_the_store_folder(tmp_path: Path) -> None:
    store = tmp_path / "store"
    kg = KnowledgeGraph(store)
    current = (store / "CURRENT").read_bytes()
    (tmp_path / "innocent.nt").symlink_to(store / "CURRENT")
    for output in (store / "CURRENT", tmp_path / "innocent.nt", store / "new.nt"):
        with pytest.raises(OutputError, match="inside the store folder"):
            kg.export("nt", output)
    assert (store / "CURRENT").read_bytes() == current and not (store / "new.nt").exists()
    assert kg.export("nt", tmp_path / "out.nt") is None
    assert (tmp_path / "out.nt").read_bytes() == kg.export("nt")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    assert os.access(tmp_path / "out.nt", os.R_OK)
