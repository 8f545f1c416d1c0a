"""The HTML pages of ``bortekg serve``: every page type, content negotiation, 404s, 400s,
escaping, and answers that are the Python API's own."""

from __future__ import annotations

import json
import warnings
from collections import Counter
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from bortekg import KnowledgeGraph
from bortekg import namespaces as ns
from bortekg.answers import Answer, NoClaimColumnError, with_evidence
from bortekg.catalogue import ParameterError, get_question, load_catalogue
from bortekg.clinical import PatientDocumentError, assess, build_patient
from bortekg.describe import describe, describe_claim
from bortekg.search import search
from bortekg.serve import ServerState, create_app
from bortekg.serve.pages import negotiation
from bortekg.serve.pages.assessment import FLAGS, LISTS, form_classes, patient_document
from bortekg.serve.pages.site import local_path
from bortekg.stats import graph_stats
from conftest import REPO

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note on httpx, not about this code
    from starlette.testclient import TestClient

HOSTILE = '<script>alert("x")</script>'
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
EXAMPLE_PATIENT = json.loads((REPO / "examples" / "patient.json").read_text(encoding="utf-8"))
#: The example patient as the form's fields.
EXAMPLE_FORM = {
    "id": "example-3", "diagnosis": "multiple myeloma", "bortezomib.dose_mg_m2": "1.3",
    "bortezomib.route": "IV", "bortezomib.schedule": "twice weekly", "bortezomib.cycle": "2",
    "bortezomib.status": "ongoing", "neuropathy.grade": "2", "neuropathy.pain": "yes",
    "comorbidities": "diabetes mellitus",
}


@pytest.fixture(scope="module")
def client(kg: KnowledgeGraph) -> TestClient:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return TestClient(create_app(state=ServerState(kg=kg)), base_url="http://localhost")


class _Page(HTMLParser):
    """Links, table cells (with their data-value) and blockquotes of a page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self.rows: list[dict[str, str | None]] = []
        self.quotes: list[str] = []
        self._quote: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.links.append(found["href"])
        elif tag == "tr":
            self.rows.append({})
        elif tag == "td" and "data-column" in found:
            self.rows[-1][found["data-column"]] = found.get("data-value")
        elif tag == "blockquote":
            self._quote = []

    def handle_data(self, data: str) -> None:
        if self._quote is not None:
            self._quote.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "blockquote" and self._quote is not None:
            self.quotes.append("".join(self._quote))
            self._quote = None


def page(response) -> _Page:
    return _Page(response.text)


# ------------------------------------------------------------------ home and search

def test_home_shows_the_counts_a_search_box_and_every_question(client, kg) -> None:
    response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    stats = graph_stats(kg)
    assert f"<strong>{stats.claims}</strong> claims" in response.text
    assert f"<strong>{stats.triples:,}</strong> triples" in response.text
    assert 'action="/search"' in response.text
    links = page(response).links
    assert {f"/questions/{q.id}" for q in load_catalogue()} <= set(links)
    assert {local_path(c.iri) for c in stats.claims_per_source} <= set(links)


@pytest.mark.parametrize("text,expected", [
    ("Velcade", "bke:bortezomib"),
    ("neuropathy", "bke:bipn"),
    ("neuropathy", "bke:peripheral-neuropathy"),
    ("vitamin B12", "bke:vitamin-b12-deficiency"),
])
def test_search_finds_its_entities_in_the_api_order(client, kg, text: str, expected: str) -> None:
    response = client.get("/search", params={"q": text})
    assert response.status_code == 200
    shown = [link for link in page(response).links if link.startswith(("/entity/", "/claim/", "/source/", "/term/"))]
    api = [local_path(hit.iri) for hit in search(kg, text, limit=50)]
    assert shown == api
    assert local_path(ns.expand(expected)) in shown


def test_search_without_a_match_suggests_names(client) -> None:
    response = client.get("/search", params={"q": "Velcde"})
    assert response.status_code == 200
    assert "Nothing matches <q>Velcde</q>; did you mean" in response.text
    assert "/search?q=Velcade" in page(response).links


def test_search_shows_all_matches_on_request(client, kg) -> None:
    total = len(search(kg, "neuropathy"))
    assert total > 50
    first = client.get("/search", params={"q": "neuropathy"})
    assert f"Show all {total} matches" in first.text
    everything = client.get("/search", params={"q": "neuropathy", "limit": str(total)})
    assert len([row for row in page(everything).rows]) == total + 1  # and the header row


# ------------------------------------------------------------------ entity, claim and source pages

def test_entity_page_has_names_identifiers_relations_and_every_claim_with_its_evidence(client, kg) -> None:
    iri = ns.BKE + "bortezomib"
    response = client.get("/entity/bortezomib")
    assert response.status_code == 200
    description = describe(kg, iri)
    found = page(response)
    assert f"<h1>{description.label}</h1>" in response.text
    assert description.definition and description.definition.replace("'", "&#39;") in response.text
    # identifiers link to their resolvers
    assert "http://purl.obolibrary.org/obo/CHEBI_52717" in found.links
    assert "https://go.drugbank.com/drugs/DB00188" in found.links
    # every claim, with its quote and a link to its source
    assert Counter(found.quotes) == Counter(c.quote for c in description.claims)
    assert {local_path(c.iri) for c in description.claims} <= set(found.links)
    assert {local_path(c.source_iri) for c in description.claims} <= set(found.links)
    # grouped by kind, each kind a heading
    for kind in {", ".join(c.kinds) for c in description.claims}:
        assert f">{kind}</h3>" in response.text
    # related entities are links
    assert "/entity/bipn" in found.links


def test_entity_page_lists_synonyms(client) -> None:
    response = client.get("/entity/bipn")
    assert response.status_code == 200 and "<li>BIPN</li>" in response.text


def test_claim_page_has_statement_qualifiers_quote_and_source(client, kg) -> None:
    response = client.get("/claim/bipntx-first-line-pregabalin")
    assert response.status_code == 200
    found = page(response)
    quote = next(iter(kg.query(
        "SELECT ?q WHERE { <https://w3id.org/bortekg/claim/bipntx-first-line-pregabalin> "
        "<https://w3id.org/bortekg/evidenceQuote> ?q }")))["q"].value
    assert found.quotes == [quote]
    assert "/source/bipn-treatment-answer" in found.links
    assert "/entity/pregabalin" in found.links
    assert "600 mg/day" in response.text and "first line" in response.text


def test_source_page_lists_every_claim_taken_from_it(client, kg) -> None:
    iri = ns.BKS + "bipn-treatment-answer"
    response = client.get("/source/bipn-treatment-answer")
    assert response.status_code == 200
    taken = {row["c"].value for row in kg.query(
        "SELECT ?c ?s WHERE { ?c <http://www.w3.org/ns/prov#wasDerivedFrom> ?s }", bindings={"s": ox.NamedNode(iri)})}
    assert taken and {local_path(c) for c in taken} <= set(page(response).links)
    assert "What is the treatment for bortezomib-induced peripheral neuropathy?" in response.text
    assert response.text.count("taken from this document") >= 1


def test_a_claim_part_and_an_ontology_term_have_pages(client, kg) -> None:
    part = next(iter(kg.query(
        "SELECT ?p WHERE { ?c ?x ?p . FILTER(STRSTARTS(STR(?p), 'https://w3id.org/bortekg/claim/') "
        "&& STRSTARTS(STR(?c), 'https://w3id.org/bortekg/claim/')) } LIMIT 1")))["p"].value
    assert client.get(local_path(part)).status_code == 200
    assert client.get("/term/DoseModificationRule").status_code == 200


@pytest.mark.parametrize("path", ["/entity/no-such-thing", "/claim/no-such-claim", "/source/nowhere",
                                  "/term/NoSuchClass", "/entity/%3Cscript%3E", "/questions/no-such-question"])
def test_unknown_ids_get_a_404_page(client, path: str) -> None:
    response = client.get(path, headers={"accept": BROWSER_ACCEPT})
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.text and "<script>" not in response.text


@pytest.mark.parametrize("iri,path", [
    (ns.BKE + "bortezomib", "/entity/bortezomib"),
    (ns.BKC + "bipntx-first-line-pregabalin", "/claim/bipntx-first-line-pregabalin"),
    (ns.BKS + "bipn-treatment-answer", "/source/bipn-treatment-answer"),
    (ns.BKG + "DoseModificationRule", "/term/DoseModificationRule"),
    (ns.BKG + "graph/kb", None),
    (ns.BKE, None),
    ("http://purl.obolibrary.org/obo/CHEBI_52717", None),
])
def test_local_path(iri: str, path: str | None) -> None:
    assert local_path(iri) == path


def test_describe_claim_is_the_claim_as_describe_shows_it(kg) -> None:
    claim = ns.BKC + "bipntx-first-line-pregabalin"
    [among] = [c for c in describe(kg, ns.BKE + "pregabalin").claims if c.iri == claim]
    alone = describe_claim(kg, claim)
    assert alone.role == "" and replace(alone, role=among.role) == among


# ------------------------------------------------------------------ content negotiation

@pytest.mark.parametrize("accept,media_type", [
    (None, "text/html"),
    (BROWSER_ACCEPT, "text/html"),
    ("text/turtle", "text/turtle"),
    ("application/ld+json", "application/ld+json"),
    ("text/turtle;q=0.5, application/ld+json", "application/ld+json"),
    ("text/*", "text/html"),
    ("application/*;q=0.9, text/html;q=0.1", "application/ld+json"),
])
def test_iris_answer_the_representation_asked_for(client, accept: str | None, media_type: str) -> None:
    headers = {"accept": accept} if accept else {}
    response = client.get("/claim/bipntx-first-line-pregabalin", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert response.headers["vary"] == "Accept"


@pytest.mark.parametrize("accept", ["application/xml", "image/png", "text/turtle;q=0"])
def test_an_unacceptable_accept_is_refused_with_406(client, accept: str) -> None:
    response = client.get("/entity/bortezomib", headers={"accept": accept})
    assert response.status_code == 406
    assert "text/turtle" in response.text and "application/ld+json" in response.text


@pytest.mark.parametrize("fmt,accept", [("turtle", "text/turtle"), ("json-ld", "application/ld+json")])
def test_a_claim_dereferences_to_its_triples_and_evidence(client, kg, fmt: str, accept: str) -> None:
    iri = ns.BKC + "bipntx-first-line-pregabalin"
    response = client.get("/claim/bipntx-first-line-pregabalin", headers={"accept": accept})
    graph = rdflib.Graph().parse(data=response.text, format=fmt)
    claim = rdflib.URIRef(iri)
    expected = {(rdflib.URIRef(t.predicate.value), t.object.value)
                for t in (q.triple for q in kg.quads() if q.subject == ox.NamedNode(iri))}
    found = {(p, str(o)) for p, o in graph.predicate_objects(claim)}
    assert expected == found
    source = rdflib.URIRef(ns.BKS + "bipn-treatment-answer")
    assert (claim, rdflib.URIRef(ns.PROV + "wasDerivedFrom"), source) in graph
    assert graph.value(source, rdflib.RDFS.label) is not None  # the evidence's source, named
    assert graph.value(source, rdflib.DCTERMS.title) is not None
    assert graph.value(claim, rdflib.URIRef(ns.BKG + "evidenceQuote")) is not None


def test_a_description_follows_blank_nodes(client, kg) -> None:
    """A defined class's equivalent-class expression is blank nodes: they come with it whole."""
    iri = ns.BKG + "SuspectedImmuneMediatedBipnCase"
    graph = rdflib.Graph().parse(data=client.get("/term/SuspectedImmuneMediatedBipnCase",
                                                 headers={"accept": "text/turtle"}).text, format="turtle")
    whole = rdflib.Graph().parse(data=ox.serialize([q.triple for q in kg.quads()], None, ox.RdfFormat.N_TRIPLES),
                                 format="nt")
    expected = _bounded_description(whole, rdflib.URIRef(iri))
    assert len(expected) > 10 and any(isinstance(o, rdflib.BNode) for o in expected.objects())
    assert isomorphic(_bounded_description(graph, rdflib.URIRef(iri)), expected)


def _bounded_description(graph: rdflib.Graph, node: rdflib.URIRef) -> rdflib.Graph:
    """The node's statements and, recursively, those of the blank nodes they reach."""
    found = rdflib.Graph()
    pending, seen = [node], set()
    while pending:
        subject = pending.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for p, o in graph.predicate_objects(subject):
            found.add((subject, p, o))
            if isinstance(o, rdflib.BNode):
                pending.append(o)
    return found


def test_an_unknown_iri_is_404_for_rdf_clients_too(client) -> None:
    response = client.get("/entity/no-such-thing", headers={"accept": "text/turtle"})
    assert response.status_code == 404 and "bke:no-such-thing" in response.text


@pytest.mark.parametrize("accept,expected", [
    ("", "text/html"), ("*/*", "text/html"), ("application/xhtml+xml", "text/html"),
    ("text/turtle, text/html;q=0.9", "text/turtle"), ("application/ld+json;q=0.2, */*;q=0.1", "application/ld+json"),
    ("text/html;q=0, */*", "text/turtle"), ("application/json", None), ("text/turtle;q=oops", None),
])
def test_choose(accept: str, expected: str | None) -> None:
    assert negotiation.choose(accept) == expected


# ------------------------------------------------------------------ questions

def _api_answer(kg: KnowledgeGraph, question_id: str, values: dict[str, str]) -> Answer:
    question = get_question(question_id)
    answer = Answer.of(kg.query(question.sparql, bindings=question.bindings(values)))
    try:
        return with_evidence(answer, lambda sparql: kg.query(sparql))
    except NoClaimColumnError:
        return answer


def _page_rows(response, columns: list[str]) -> Counter:
    shown = [row for row in page(response).rows if row]
    return Counter(tuple(row.get(c) for c in columns) for row in shown)


def _api_rows(answer: Answer) -> Counter:
    columns = [c for c in answer.columns if c not in ("evidenceQuote", "evidenceSource")]
    return Counter(tuple(None if row[c] is None else row[c].value for c in columns) for row in answer.rows)


@pytest.mark.parametrize("question_id", [q.id for q in load_catalogue() if not q.required])
def test_question_pages_give_the_rows_of_the_api(client, kg, question_id: str) -> None:
    response = client.get(f"/questions/{question_id}")
    assert response.status_code == 200
    answer = _api_answer(kg, question_id, {})
    columns = [c for c in answer.columns if c not in ("evidenceQuote", "evidenceSource")]
    assert _page_rows(response, columns) == _api_rows(answer)
    if "evidenceQuote" in answer.columns:  # each row's quotes are on the page
        quotes = Counter(q for row in answer.rows if row["evidenceQuote"] is not None
                         for q in row["evidenceQuote"].value.split("\n"))
        assert Counter(page(response).quotes) == quotes


@pytest.mark.parametrize("question_id,values", [
    ("dose-modification", {"grade": "2", "pain": "true"}),
    ("dose-modification", {"grade": "3", "pain": ""}),
    ("claim-provenance", {"claim": "bkc:bipntx-first-line-pregabalin"}),
])
def test_question_parameters_bind_as_in_the_api(client, kg, question_id: str, values: dict[str, str]) -> None:
    response = client.get(f"/questions/{question_id}", params=values)
    assert response.status_code == 200
    answer = _api_answer(kg, question_id, {k: v for k, v in values.items() if v})
    assert answer.rows
    columns = [c for c in answer.columns if c not in ("evidenceQuote", "evidenceSource")]
    assert _page_rows(response, columns) == _api_rows(answer)


def test_a_question_about_one_case_opens_as_a_form(client) -> None:
    response = client.get("/questions/claim-provenance")
    assert response.status_code == 200
    assert 'name="claim"' in response.text and " required" in response.text
    assert "/questions/claim-provenance?claim=bkc%3Abipntx-first-line-pregabalin" in response.text


@pytest.mark.parametrize("question_id,values", [
    ("dose-modification", {"grade": "two"}),
    ("dose-modification", {"pain": "perhaps"}),
    ("dose-modification", {"colour": "red"}),
    ("claim-provenance", {"claim": ""}),
    ("claim-provenance", {"claim": "not an iri"}),
])
def test_bad_parameters_get_the_api_message_and_400(client, question_id: str, values: dict[str, str]) -> None:
    with pytest.raises(ParameterError) as error:
        get_question(question_id).bindings({k: v for k, v in values.items() if v})
    response = client.get(f"/questions/{question_id}", params=values)
    assert response.status_code == 400
    escaped = str(error.value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")
    assert escaped in response.text
    for value in values.values():  # the form is shown again with the values typed
        assert f'value="{value}"' in response.text or f'<option value="{value}"' not in response.text


# ------------------------------------------------------------------ escaping

def test_a_hostile_search_comes_back_escaped(client) -> None:
    response = client.get("/search", params={"q": HOSTILE})
    assert HOSTILE not in response.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in response.text


def test_a_hostile_parameter_comes_back_escaped(client) -> None:
    response = client.get("/questions/dose-modification", params={"grade": HOSTILE})
    assert response.status_code == 400 and HOSTILE not in response.text
    assert "&lt;script&gt;" in response.text


def test_a_hostile_patient_field_comes_back_escaped(client) -> None:
    response = client.post("/assess", data={"id": HOSTILE, "age": "old", "diagnosis": HOSTILE})
    assert response.status_code == 400 and HOSTILE not in response.text
    assert 'value="&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"' in response.text


# ------------------------------------------------------------------ patient assessment

def test_the_form_makes_the_patient_document_of_the_cli() -> None:
    assert patient_document(EXAMPLE_FORM) == EXAMPLE_PATIENT
    assert patient_document({"neuropathy.pain": "no", "findings": " fasciculation \n\nHP:0002380\n", "age": "61.5"}) == {
        "neuropathy": {"pain": False}, "findings": ["fasciculation", "HP:0002380"], "age": 61.5}
    assert patient_document({"age": "sixty", "neuropathy.grade": "", "medications": "  "}) == {"age": "sixty"}
    # what is not yes or no stays text, for the schema to refuse with its message
    assert patient_document({"neuropathy.pain": "maybe"}) == {"neuropathy": {"pain": "maybe"}}


def test_the_assessment_lists_every_recommendation_with_its_evidence(client, kg) -> None:
    response = client.post("/assess", data=EXAMPLE_FORM)
    assert response.status_code == 200
    expected = assess(kg, build_patient(kg, EXAMPLE_PATIENT, "patient.json"))
    assert expected.recommendations
    found = page(response)
    for item in expected.recommendations:
        assert item.action.replace("'", "&#39;") in response.text
    evidence = [e for item in expected.recommendations for e in item.evidence]
    assert Counter(found.quotes) == Counter(e.quote for e in evidence)
    assert {local_path(e.claim) for e in evidence} <= set(found.links)
    assert {local_path(e.source_id) for e in evidence} <= set(found.links)


@pytest.mark.parametrize("form,document", [
    ({"age": "sixty", "neuropathy.pain": "yes"}, {"age": "sixty", "neuropathy": {"pain": True}}),
    ({"neuropathy.grade": "5"}, {"neuropathy": {"grade": 5}}),
    ({"bortezomib.route": "oral", "bortezomib.schedule": "daily"}, {"bortezomib": {"route": "oral", "schedule": "daily"}}),
    ({"findings": "fasiculation\nHP:0002380", "medications": "vitamine C"},
     {"findings": ["fasiculation", "HP:0002380"], "medications": ["vitamine C"]}),
    ({"bortezomib.status": "paused", "bortezomib.cycle": "1.5"}, {"bortezomib": {"status": "paused", "cycle": 1.5}}),
])
def test_invalid_input_gets_the_cli_messages_400_and_the_form_again(client, kg, form: dict, document: dict) -> None:
    with pytest.raises(PatientDocumentError) as error:
        build_patient(kg, document, "patient.json")
    response = client.post("/assess", data=form)
    assert response.status_code == 400
    shown = [p for p in _Problems(response.text).items]
    assert shown == error.value.problems
    for name, value in form.items():  # the values come back in their fields
        if name in LISTS:
            assert f">{value}</textarea>" in response.text
        elif name in (*FLAGS, "sex", "bortezomib.status", "neuropathy.grade"):
            assert f'<option value="{value}" selected>' in response.text
        else:
            assert f'name="{name}" type="text" ' in response.text and f'value="{value}"' in response.text


class _Problems(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[str] = []
        self._inside = False
        self._item: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "ul" and ("class", "problems") in attrs:
            self._inside = True
        elif tag == "li" and self._inside:
            self._item = []

    def handle_data(self, data: str) -> None:
        if self._item is not None:
            self._item.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "li" and self._item is not None:
            self.items.append("".join(self._item))
            self._item = None
        elif tag == "ul":
            self._inside = False


@pytest.mark.java
def test_a_suspected_immune_patient_gets_the_form_class_notes_and_options(client, kg) -> None:
    document = json.loads((REPO / "tests" / "patients" / "patient-suspected-immune.json").read_text(encoding="utf-8"))
    form = {"id": "example-2", "diagnosis": "multiple myeloma", "bortezomib.dose_mg_m2": "1.3",
            "bortezomib.route": "subcutaneous", "bortezomib.schedule": "weekly", "bortezomib.cycle": "4",
            "bortezomib.status": "discontinued", "neuropathy.grade": "3", "neuropathy.pain": "no",
            "neuropathy.motor_involvement": "yes", "neuropathy.worsening_after_stop": "yes",
            "findings": "increased CSF protein"}
    assert patient_document(form) == document
    expected = assess(kg, build_patient(kg, document, "patient.json"))
    classes = form_classes(expected)
    assert classes  # the OWL classification places this patient (needs Java, as in CI)
    response = client.post("/assess", data=form)
    assert response.status_code == 200
    assert f"BIPN form classes (OWL): {', '.join(classes)}" in response.text
    options = [o["intervention"] for r in expected.recommendations for o in r.values.get("immunotherapy_options", [])]
    assert options and all(f"Option: {o}" in response.text for o in options)
    assert Counter(page(response).quotes) == Counter(e.quote for r in expected.recommendations for e in r.evidence)


def form_of(document: dict) -> dict[str, str]:
    """The form fields a person fills in for a patient document."""
    form: dict[str, str] = {}
    for key, value in document.items():
        if isinstance(value, dict):
            for inner, item in value.items():
                form[f"{key}.{inner}"] = ("yes" if item else "no") if isinstance(item, bool) else str(item)
        elif isinstance(value, list):
            form[key] = "\n".join(value)
        else:
            form[key] = str(value)
    return form


@pytest.mark.parametrize("path", sorted((REPO / "tests" / "patients").glob("*.json")), ids=lambda p: p.stem)
def test_every_sample_patient_is_assessed_on_the_page_as_by_the_api(client, kg, path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    form = form_of(document)
    assert patient_document(form) == document
    expected = assess(kg, build_patient(kg, document, path.name))
    response = client.post("/assess", data=form)
    assert response.status_code == 200
    assert Counter(page(response).quotes) == Counter(e.quote for r in expected.recommendations for e in r.evidence)
    assert len(expected.recommendations) == response.text.count('<article class="recommendation ')


def test_the_assessed_document_is_shown_for_the_cli(client) -> None:
    response = client.post("/assess", data=EXAMPLE_FORM)
    shown = response.text.split('<pre class="raw">', 1)[1].split("</pre>", 1)[0]
    assert json.loads(shown.replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&")) == EXAMPLE_PATIENT


@pytest.mark.parametrize("body,content_type,status", [
    (b"age=" + b"1" * (2 * 1024 * 1024), "application/x-www-form-urlencoded", 413),
    (b'{"age": 60}', "application/json", 415),
    (b"age=60", None, 415),
])
def test_an_unreadable_form_is_refused_with_a_message(client, body: bytes, content_type: str | None,
                                                         status: int) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = client.post("/assess", content=body, headers=headers)
    assert response.status_code == status
    assert '<ul class="problems"><li>' in response.text
    assert ("larger than 1024 KiB" if status == 413 else "URL-encoded") in response.text


def test_the_empty_form(client) -> None:
    response = client.get("/assess")
    assert response.status_code == 200 and 'action="/assess#assessment"' in response.text
    assert "role=\"alert\"" not in response.text


@pytest.mark.parametrize("path", ["/", "/search?q=x", "/entity/bortezomib", "/questions/indications",
                                  "/assess", "/sparql-editor", "/entity/no-such-thing"])
def test_pages_allow_only_their_own_scripts_and_styles(client, path: str) -> None:
    response = client.get(path)
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "form-action 'self'" in policy
    assert "<script>" not in response.text and " style=" not in response.text  # nothing inline to allow
    assert response.headers["x-content-type-options"] == "nosniff"


# ------------------------------------------------------------------ SPARQL editor and shipped files

def test_the_sparql_editor_is_a_plain_form_posting_to_the_endpoint(client) -> None:
    response = client.get("/sparql-editor")
    assert response.status_code == 200
    assert '<form id="sparql-form" method="post" action="/sparql">' in response.text
    assert '<textarea class="sparql" name="query"' in response.text
    assert '<script src="/static/sparql.js" defer></script>' in response.text
    typed = client.get("/sparql-editor", params={"query": HOSTILE})
    assert HOSTILE not in typed.text and "&lt;script&gt;" in typed.text


@pytest.mark.parametrize("path,media_type", [("/static/style.css", "text/css"),
                                             ("/static/sparql.js", "text/javascript")])
def test_styles_and_scripts_are_served_from_the_package(client, path: str, media_type: str) -> None:
    response = client.get(path)
    assert response.status_code == 200 and response.headers["content-type"].startswith(media_type)
    assert "http://" not in response.text.replace("https://w3id.org/bortekg/", "")  # nothing from a CDN


def test_templates_and_static_files_go_into_the_wheel() -> None:
    from hatchling.builders.wheel import WheelBuilder

    shipped = {Path(f.distribution_path).as_posix() for f in WheelBuilder(str(REPO)).recurse_included_files()}
    serve = REPO / "src" / "bortekg" / "serve"
    needed = {f"bortekg/serve/{p.relative_to(serve).as_posix()}"
              for folder in ("templates", "static") for p in (serve / folder).iterdir()}
    assert needed and needed <= shipped, sorted(needed - shipped)
