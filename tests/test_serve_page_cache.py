"""The page cache: a page asked for again is sent from memory, the same bytes and headers; errors,
other methods and oversized bodies go to the pages every time."""

from __future__ import annotations

import warnings
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient

from bortekg import KnowledgeGraph
from bortekg.serve import ServerState, ServeSettings, create_app
from bortekg.serve.page_cache import MAX_CACHED_BODY, PageCache

FORM = {"id": "cache-1", "diagnosis": "multiple myeloma", "bortezomib.route": "IV", "neuropathy.grade": "2",
        "neuropathy.pain": "yes"}


def _client(kg: KnowledgeGraph, cache_bytes: int) -> TestClient:
    app = create_app(state=ServerState(kg, ServeSettings(cache_bytes=cache_bytes)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return TestClient(app, base_url="http://localhost")


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return KnowledgeGraph()


def _cache_of(client: TestClient) -> PageCache:
    stack = client.app.middleware_stack  # built by the first request
    while not isinstance(stack, PageCache):
        stack = stack.app
    return stack


def test_a_page_asked_again_is_the_same_answer_from_the_cache(kg: KnowledgeGraph) -> None:
    client = _client(kg, 64 << 20)
    first = client.get("/entity/bortezomib")
    cache = _cache_of(client)
    assert first.status_code == 200 and len(cache.answers) == 1
    rendered: list[str] = []
    inner = cache.app

    async def counting(scope, receive, send):
        rendered.append(scope["path"])
        await inner(scope, receive, send)

    cache.app = counting
    again = client.get("/entity/bortezomib")
    assert again.content == first.content and again.headers == first.headers
    assert rendered == []  # sent from memory: the page was not rendered again
    client.get("/entity/pregabalin")
    assert rendered == ["/entity/pregabalin"] and len(cache.answers) == 2
    # another Accept is another answer (content negotiation), kept apart
    turtle = client.get("/entity/bortezomib", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle") and len(cache.answers) == 3


def test_the_assessment_of_the_same_form_is_kept_and_a_different_form_is_not_confused(kg: KnowledgeGraph) -> None:
    client = _client(kg, 64 << 20)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    first = client.post("/assess", content=urlencode(FORM), headers=headers)
    assert first.status_code == 200
    cache = _cache_of(client)
    assert len(cache.answers) == 1
    assert client.post("/assess", content=urlencode(FORM), headers=headers).content == first.content
    painless = client.post("/assess", content=urlencode({**FORM, "neuropathy.pain": "no"}), headers=headers)
    assert painless.status_code == 200 and painless.content != first.content and len(cache.answers) == 2


def test_errors_are_not_kept(kg: KnowledgeGraph) -> None:
    client = _client(kg, 64 << 20)
    assert client.get("/entity/no-such-entity").status_code == 404
    bad = client.post("/assess", content=urlencode({**FORM, "neuropathy.grade": "9"}),
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert bad.status_code == 400
    assert len(_cache_of(client).answers) == 0


def test_an_oversized_form_reaches_the_page_whole_and_is_not_kept(kg: KnowledgeGraph) -> None:
    client = _client(kg, 64 << 20)
    huge = urlencode({**FORM, "findings": "x" * (MAX_CACHED_BODY * 20)})
    answer = client.post("/assess", content=huge, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 413  # the page's own refusal: it read the body the cache passed on
    assert len(_cache_of(client).answers) == 0


def test_sparql_and_health_are_not_kept_here_and_no_cache_means_none(kg: KnowledgeGraph) -> None:
    client = _client(kg, 64 << 20)
    client.get("/health")
    client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert len(_cache_of(client).answers) == 0
    off = _client(kg, 0)
    off.get("/entity/bortezomib")
    assert len(_cache_of(off).answers) == 0
