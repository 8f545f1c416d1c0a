"""The pages in a real browser: search, follow links from a drug to a claim's quote and source,
answer a question with a parameter, assess a patient, run a SPARQL query. Each test saves a
screenshot (its path is printed; run with -s to see it)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_home_page_and_search_by_brand_name(page, screenshot) -> None:
    page.goto("/")
    expect(page.locator("h1")).to_have_text("bortezomib knowledge graph")
    expect(page.locator("#questions li")).not_to_have_count(0)
    screenshot(page, "home")
    search = page.locator("main form.search input[name=q]")
    search.fill("Velcade")
    search.press("Enter")
    page.wait_for_url("**/search?q=Velcade")
    first = page.locator("table.results tbody tr").first
    expect(first.locator("a")).to_have_text("bortezomib")
    expect(first).to_contain_text("brand name: Velcade")
    screenshot(page, "search-velcade")


def test_from_bortezomib_to_a_claim_its_quote_and_its_source(page, screenshot) -> None:
    page.goto("/search?q=Velcade")
    page.locator("table.results a", has_text="bortezomib").first.click()
    page.wait_for_url("**/entity/bortezomib")
    expect(page.locator("h1")).to_have_text("bortezomib")
    expect(page.locator("ul.identifiers a", has_text="CHEBI:52717")).to_have_attribute(
        "href", "http://purl.obolibrary.org/obo/CHEBI_52717")
    screenshot(page, "entity-bortezomib")

    page.locator('dl.qualifiers a[href="/entity/peripheral-neuropathy"]').first.click()
    page.wait_for_url("**/entity/peripheral-neuropathy")
    expect(page.locator("h1")).to_have_text("peripheral neuropathy")
    claim = page.locator("article.claim").first
    expect(claim.locator("blockquote")).to_be_visible()
    screenshot(page, "entity-peripheral-neuropathy", at="section.claims")

    title = claim.locator("h4 a").inner_text()
    claim.locator("h4 a").click()
    page.wait_for_url("**/claim/**")
    expect(page.locator("h1")).to_have_text(title)
    quote = page.locator("section.primary-evidence blockquote")
    expect(quote).to_be_visible()
    expect(quote).not_to_be_empty()
    source = page.locator("section.primary-evidence .source a")
    source_name = source.inner_text()
    claim_path = page.url.split("//", 1)[1].split("/", 1)[1]
    screenshot(page, "claim")

    source.click()
    page.wait_for_url("**/source/**")
    expect(page.locator("h1")).to_have_text(source_name)
    expect(page.locator(f'a[href="/{claim_path}"]')).to_have_count(1)
    screenshot(page, "source")


def test_a_question_with_a_parameter(page, screenshot) -> None:
    page.goto("/questions/dose-modification")
    page.fill("#param-grade", "2")
    page.select_option("#param-pain", "true")
    page.get_by_role("button", name="Answer").click()
    page.wait_for_url("**/questions/dose-modification?grade=2&pain=true")
    rows = page.locator("table.answer tbody tr.has-evidence")
    expect(rows).not_to_have_count(0)
    for cell in rows.locator('td[data-column="grade"]').all():
        expect(cell).to_have_text("2")
    evidence = page.locator("table.answer tbody tr.evidence-row")
    expect(evidence).to_have_count(rows.count())  # every row's quote and source under it
    expect(evidence.first.locator("blockquote")).to_be_visible()
    expect(evidence.first.locator(".source a")).to_be_visible()
    screenshot(page, "question-dose-modification", at="table.answer")

    page.fill("#param-grade", "")
    page.locator("#param-grade").evaluate("input => { input.type = 'text'; input.value = 'two'; }")
    page.get_by_role("button", name="Answer").click()
    expect(page.get_by_role("alert")).to_contain_text("parameter grade: 'two' is not xsd:integer")
    screenshot(page, "question-bad-parameter")


def test_assessment_form(page, screenshot) -> None:
    page.goto("/assess")
    page.fill("#f-id", "example-3")
    page.fill("#f-diagnosis", "multiple myeloma")
    page.fill('[id="f-bortezomib.dose_mg_m2"]', "1.3")
    page.fill('[id="f-bortezomib.route"]', "IV")
    page.fill('[id="f-bortezomib.schedule"]', "twice weekly")
    page.fill('[id="f-bortezomib.cycle"]', "2")
    page.select_option('[id="f-bortezomib.status"]', "ongoing")
    page.select_option('[id="f-neuropathy.grade"]', "2")
    page.select_option('[id="f-neuropathy.pain"]', "yes")
    page.fill("#f-comorbidities", "diabetes mellitus")
    page.get_by_role("button", name="Assess").click()
    result = page.locator("#assessment")
    expect(result.locator("h2")).to_have_text("Assessment of example-3")
    expect(result.locator("h3", has_text="Dose")).to_be_visible()
    recommendations = result.locator("article.recommendation")
    expect(recommendations).not_to_have_count(0)
    for item in recommendations.all():  # each with a quote, its source and its claim
        expect(item.locator("blockquote").first).to_be_visible()
        expect(item.locator(".source a").first).to_be_visible()
        expect(item.locator("a.claim-link").first).to_be_visible()
    screenshot(page, "assessment", at="#assessment")

    page.fill("#f-age", "sixty")
    page.get_by_role("button", name="Assess").click()
    expect(page.get_by_role("alert")).to_contain_text("age: 'sixty' is not of type 'number'")
    expect(page.locator("#f-age")).to_have_value("sixty")
    expect(page.locator("#f-diagnosis")).to_have_value("multiple myeloma")
    screenshot(page, "assessment-invalid")


def test_sparql_editor_shows_a_select_answer_as_a_table(page, screenshot) -> None:
    page.goto("/sparql-editor")
    page.get_by_role("button", name="Run query").click()
    rows = page.locator("#sparql-results table tbody tr")
    expect(rows).not_to_have_count(0)
    expect(page.locator("#sparql-status")).to_contain_text("rows")
    link = rows.first.locator("td a").first
    assert link.get_attribute("href").startswith("/claim/")
    screenshot(page, "sparql-editor", at="#sparql-status")
