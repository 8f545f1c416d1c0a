"""The CQ catalogue: headers parsed into questions, clear errors for malformed ones, typed parameters."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from bortekg import resources
from bortekg.catalogue import (
    CatalogueError,
    ParameterError,
    UnknownQuestionError,
    catalogue_dir,
    get_question,
    load_catalogue,
    load_question,
    question_ids,
)

FIXTURES = Path(__file__).parent / "fixtures" / "cq"
XSD = "http://www.w3.org/2001/XMLSchema#"

GOOD_HEADER = """# title: Dose action
# question: What is done for a grade?
# source: bks:bipn-treatment-answer, bks:fasciculation-answer
# param: grade xsd:integer Neuropathy grade (1-4)
"""
QUERY = "SELECT ?grade WHERE { ?rule <https://w3id.org/bortekg/grade> ?grade }\n"


def write(tmp_path: Path, text: str, name: str = "dose-action.rq") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_header_fields() -> None:
    q = get_question("dose-action-for-grade", FIXTURES)
    assert q.id == "dose-action-for-grade"
    assert q.title == "Dose action for a neuropathy grade and pain status"
    assert q.question.startswith("Which dose-modification action")
    assert q.sources == ("bks:bipn-treatment-answer", "bks:fasciculation-answer")
    assert [(p.name, p.datatype) for p in q.params] == [("grade", "xsd:integer"), ("pain", "xsd:boolean")]
    assert q.params[0].description == "Neuropathy grade (1-4) on the scale the rule names"
    assert q.sparql.startswith("# title:") and q.body.startswith("PREFIX rdfs:")
    assert q.path == FIXTURES / "dose-action-for-grade.rq"


def test_blank_lines_and_empty_comments_in_the_header(tmp_path: Path) -> None:
    q = load_question(write(tmp_path, "#\n" + GOOD_HEADER.replace("# question", "\n# question") + "#\n" + QUERY))
    assert q.title == "Dose action" and q.params[0].name == "grade"


@pytest.mark.parametrize("text,message", [
    (GOOD_HEADER.replace("# title: Dose action\n", ""), "the header lacks title"),
    (GOOD_HEADER.replace("# source: bks:bipn-treatment-answer, bks:fasciculation-answer\n", ""),
     "the header lacks source"),
    (GOOD_HEADER + "# title: Again\n", "line 5: a second title line"),
    (GOOD_HEADER + "# author: someone\n", "line 5: unknown header field 'author'"),
    (GOOD_HEADER + "# a remark without a field\n", "line 5: expected '# field: value'"),
    (GOOD_HEADER.replace("# question: What is done for a grade?", "# question:"), "line 2: the question field is empty"),
    (GOOD_HEADER + "# param: pain\n", "line 5: a param line needs a name, a datatype, optionally"),
    (GOOD_HEADER + "# param: pain xsd:boolean required\n", "line 5: a param line needs a name, a datatype, optionally"),
    (GOOD_HEADER + "# example: grade\n", "line 5: an example line is NAME=VALUE"),
    (GOOD_HEADER + "# example: colour=red\n", "line 5: example for 'colour', which is not a parameter"),
    (GOOD_HEADER + "# example: grade=two\n", "line 5: example parameter grade: 'two' is not xsd:integer"),
    (GOOD_HEADER + "# example: grade=2\n# example: grade=3\n", "line 6: a second example for grade"),
    (GOOD_HEADER.replace("grade xsd:integer", "grade xsd:integer required"),
     "required parameter grade has no example; add '# example: grade=VALUE'"),
    (GOOD_HEADER + "# param: pain xsd:bool Painful?\n", "line 5: unknown datatype 'xsd:bool'"),
    (GOOD_HEADER + "# param: 2pain xsd:boolean Painful?\n", "line 5: '2pain' is not a SPARQL variable name"),
    (GOOD_HEADER + "# param: grade xsd:integer Again\n", "line 5: parameter grade is declared twice"),
    (GOOD_HEADER + "# param: pain xsd:boolean Painful?\n", "line 5: parameter 'pain' is not a variable of the query"),
    (GOOD_HEADER.replace("bks:fasciculation-answer", "nowhere:x"), "line 3: source 'nowhere:x' is not a CURIE"),
])
def test_malformed_header_names_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text + QUERY)
    with pytest.raises(CatalogueError) as caught:
        load_question(path)
    assert str(path) in str(caught.value) and message in str(caught.value)


def test_a_parameter_mentioned_only_in_a_comment_is_not_a_variable(tmp_path: Path) -> None:
    text = GOOD_HEADER + "SELECT ?x WHERE { ?x ?p ?o } # ?grade\n"
    with pytest.raises(CatalogueError, match="no \\?grade in it"):
        load_question(write(tmp_path, text))


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "binary.rq"
    path.write_bytes(b"\xff\xfe# title")
    with pytest.raises(CatalogueError, match="cannot read"):
        load_question(path)


def test_unknown_question_suggests_close_ids() -> None:
    with pytest.raises(UnknownQuestionError, match="did you mean dose-action-for-grade"):
        get_question("dose-action-for-grades", FIXTURES)
    with pytest.raises(UnknownQuestionError, match="bortekg cq list"):
        get_question("../fixtures/cq/dose-action-for-grade", FIXTURES)


def test_load_catalogue_and_ids() -> None:
    assert question_ids(FIXTURES) == ["claim-evidence", "claims-per-source", "dose-action-for-grade",
                                      "entity-by-label"]
    assert [q.id for q in load_catalogue(FIXTURES)] == question_ids(FIXTURES)


def test_catalogue_folder_default_and_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BORTEKG_CQ_DIR", raising=False)
    assert catalogue_dir() == resources.queries_dir() / "cq"
    monkeypatch.setenv("BORTEKG_CQ_DIR", str(FIXTURES))
    assert catalogue_dir() == FIXTURES


def test_every_packaged_question_parses() -> None:
    folder = resources.queries_dir() / "cq"
    for question in load_catalogue(folder) if folder.is_dir() else []:
        assert question.title and question.question and question.sources


# ----------------------------------------------------------------------------- parameters


@pytest.mark.parametrize("datatype,text,lexical,type_iri", [
    ("xsd:integer", "2", "2", XSD + "integer"),
    ("xsd:integer", " +02 ", "2", XSD + "integer"),
    ("xsd:integer", "-3", "-3", XSD + "integer"),
    ("xsd:decimal", "1.30", "1.3", XSD + "decimal"),
    ("xsd:decimal", "150", "150.0", XSD + "decimal"),
    ("xsd:decimal", ".5", "0.5", XSD + "decimal"),
    ("xsd:boolean", "TRUE", "true", XSD + "boolean"),
    ("xsd:boolean", "0", "false", XSD + "boolean"),
    ("xsd:string", ' a "quoted" } text ', ' a "quoted" } text ', XSD + "string"),
])
def test_literal_parameters(datatype: str, text: str, lexical: str, type_iri: str) -> None:
    from bortekg.catalogue import Param

    term = Param("x", datatype, "").term(text)
    assert isinstance(term, ox.Literal) and term.value == lexical and term.datatype.value == type_iri


@pytest.mark.parametrize("text,iri", [
    ("bkc:bipntx-dose-rule-2", "https://w3id.org/bortekg/claim/bipntx-dose-rule-2"),
    ("CHEBI:64356", "http://purl.obolibrary.org/obo/CHEBI_64356"),
    ("https://w3id.org/bortekg/entity/pregabalin", "https://w3id.org/bortekg/entity/pregabalin"),
])
def test_iri_parameters(text: str, iri: str) -> None:
    from bortekg.catalogue import Param

    assert Param("x", "iri", "").term(text) == ox.NamedNode(iri)


@pytest.mark.parametrize("datatype,text", [
    ("xsd:integer", "abc"), ("xsd:integer", "2.5"), ("xsd:integer", "1 } UNION { ?s ?p ?o"),
    ("xsd:integer", "٣"), ("xsd:decimal", "1e3"), ("xsd:decimal", "NaN"), ("xsd:boolean", "yes"),
    ("iri", "pregabalin"), ("iri", "nowhere:x"), ("iri", "http://e/a> } UNION { ?s ?p ?o } #"),
    ("iri", "http://e/a b"), ("iri", 'http://e/"x'),
])
def test_values_that_do_not_fit_the_datatype(datatype: str, text: str) -> None:
    from bortekg.catalogue import Param

    with pytest.raises(ParameterError, match=f"parameter x: .* is not {datatype}"):
        Param("x", datatype, "").term(text)


def test_required_parameter_and_example(tmp_path: Path) -> None:
    text = GOOD_HEADER.replace("grade xsd:integer", "grade xsd:integer required") + "# example: grade=2\n"
    q = load_question(write(tmp_path, text + QUERY))
    assert q.params[0].required and q.params[0].description == "Neuropathy grade (1-4)"
    assert q.required == q.params and q.examples == (("grade", "2"),)
    assert q.example_bindings() == {"grade": ox.Literal("2", datatype=ox.NamedNode(XSD + "integer"))}
    assert q.example_command() == "bortekg cq run dose-action --param grade=2"
    with pytest.raises(ParameterError) as caught:
        q.bindings({})
    assert str(caught.value) == ("dose-action asks about one case and needs --param grade=VALUE (xsd:integer): "
                                 "Neuropathy grade (1-4); for example: bortekg cq run dose-action --param grade=2")


def test_example_command_quotes_a_value_for_the_shell(tmp_path: Path) -> None:
    text = (GOOD_HEADER.replace("grade xsd:integer Neuropathy grade (1-4)", "name xsd:string Label")
            .replace("?grade", "?name") + "# example: name=tingling in the feet\n")
    q = load_question(write(tmp_path, text + QUERY.replace("?grade", "?name")))
    assert q.example_command() == "bortekg cq run dose-action --param 'name=tingling in the feet'"


def test_optional_parameter_may_be_left_out_and_may_have_an_example(tmp_path: Path) -> None:
    q = load_question(write(tmp_path, GOOD_HEADER + "# example: grade=3\n" + QUERY))
    assert not q.params[0].required and q.required == ()
    assert q.bindings({}) == {} and q.example_bindings()["grade"].value == "3"


def test_a_description_may_mention_required_after_its_first_word(tmp_path: Path) -> None:
    text = GOOD_HEADER.replace("Neuropathy grade (1-4)", "Grade, required by the rule") + QUERY
    q = load_question(write(tmp_path, text))
    assert not q.params[0].required and q.params[0].description == "Grade, required by the rule"


def test_bindings_refuse_unknown_names_and_list_the_declared_ones() -> None:
    q = get_question("dose-action-for-grade", FIXTURES)
    assert q.bindings({"grade": "2"}) == {"grade": ox.Literal("2", datatype=ox.NamedNode(XSD + "integer"))}
    with pytest.raises(ParameterError, match=r"unknown parameter colour for dose-action-for-grade; "
                                             r"its parameters are: grade \(xsd:integer\)"):
        q.bindings({"colour": "red"})
    with pytest.raises(ParameterError, match="it takes no parameters"):
        get_question("claims-per-source", FIXTURES).bindings({"grade": "2"})
