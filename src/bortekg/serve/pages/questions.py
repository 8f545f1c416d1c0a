"""A page per competency question: a form for its parameters and its answer with evidence."""

from __future__ import annotations

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bortekg.answers import (
    CLAIM_COLUMN,
    EVIDENCE_COLUMNS,
    Answer,
    NoClaimColumnError,
    with_evidence,
)
from bortekg.catalogue import (
    DATATYPES,
    CatalogueError,
    CompetencyQuestion,
    ParameterError,
    UnknownQuestionError,
    get_question,
)
from bortekg.serve.pages.site import Site

#: The input each parameter datatype gets in the form (the server checks the value again).
INPUTS = {
    "xsd:integer": {"type": "number", "step": "1"},
    "xsd:decimal": {"type": "number", "step": "any"},
    "xsd:string": {"type": "text"},
    "iri": {"type": "text"},
}


def answer_question(site: Site, question: CompetencyQuestion, values: dict[str, str]) -> tuple[Answer, bool]:
    """The question's answer for ``values`` (names to text, as typed), with each row's
    evidence when its rows are claims; ParameterError for values that do not fit. The
    questions are the packaged catalogue's own, so they run on the read-only store directly
    (a worker process would fork the server's threads)."""
    bindings = question.bindings(values)
    results = site.kg.query(question.sparql, bindings=bindings)
    if not isinstance(results, ox.QuerySolutions):
        raise CatalogueError(f"{question.id} is not a SELECT question")
    answer = Answer.of(results)
    try:
        return with_evidence(answer, lambda sparql: site.kg.query(sparql)), True
    except NoClaimColumnError:
        return answer, False


def routes(site: Site) -> list[BaseRoute]:
    def question_page(request: Request) -> Response:
        try:
            question = get_question(request.path_params["id"])
        except UnknownQuestionError as error:
            return site.not_found(request, str(error))
        # an empty field leaves its parameter out: an optional one then answers for every value
        values = {name: value for name, value in request.query_params.items() if value.strip()}
        context = {"q": question, "values": dict(request.query_params), "inputs": INPUTS,
                   "datatypes": DATATYPES, "answer": None, "error": None, "evidence": False,
                   "claim_column": CLAIM_COLUMN, "evidence_columns": EVIDENCE_COLUMNS}
        if question.required and not request.query_params:
            return site.render(request, "question.html", context)  # the form, to be filled in
        try:
            context["answer"], context["evidence"] = answer_question(site, question, values)
        except ParameterError as error:
            context["error"] = str(error)
            return site.render(request, "question.html", context, status=400)
        return site.render(request, "question.html", context)

    return [Route("/questions/{id}", question_page)]
