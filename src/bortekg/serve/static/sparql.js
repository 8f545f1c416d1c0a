// The SPARQL editor: posts the query to the endpoint and shows a SELECT or ASK answer
// (SPARQL 1.1 Query Results JSON) as a table. Without this script the form posts as it is.
"use strict";

(function () {
  const form = document.getElementById("sparql-form");
  const status = document.getElementById("sparql-status");
  const results = document.getElementById("sparql-results");
  const PROJECT = "https://w3id.org/bortekg/";
  const LOCAL = [["entity/", "/entity/"], ["claim/", "/claim/"], ["source/", "/source/"]];

  // this server's page for a project IRI; other web IRIs link to themselves
  function pageOf(iri) {
    if (iri.startsWith(PROJECT)) {
      const rest = iri.slice(PROJECT.length);
      for (const [namespace, path] of LOCAL) {
        if (rest.startsWith(namespace) && rest.length > namespace.length) {
          return path + rest.slice(namespace.length);
        }
      }
      if (rest && !rest.includes("/")) return "/term/" + rest;
    }
    return /^https?:\/\//.test(iri) ? iri : null;
  }

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    const href = term.type === "uri" ? pageOf(term.value) : null;
    if (href) {
      const a = document.createElement("a");
      a.href = href;
      a.textContent = term.value;
      td.appendChild(a);
    } else {
      td.textContent = term.value;  // text, never markup
    }
    return td;
  }

  function table(document_) {
    const vars = document_.head.vars || [];
    const rows = document_.results.bindings;
    const t = document.createElement("table");
    t.className = "data answer";
    const head = t.createTHead().insertRow();
    for (const v of vars) {
      const th = document.createElement("th");
      th.textContent = v;
      head.appendChild(th);
    }
    const body = t.createTBody();
    for (const row of rows) {
      const tr = body.insertRow();
      for (const v of vars) tr.appendChild(cell(row[v]));
    }
    status.textContent = rows.length + (rows.length === 1 ? " row" : " rows");
    return t;
  }

  async function run(event) {
    event.preventDefault();
    status.textContent = "Running…";
    results.replaceChildren();
    const body = new URLSearchParams(new FormData(form));
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body: body,
        headers: {"Accept": "application/sparql-results+json, text/turtle;q=0.9, */*;q=0.1"},
      });
    } catch (error) {
      status.textContent = "The endpoint did not answer: " + error;
      return;
    }
    const type = (response.headers.get("content-type") || "").split(";")[0].trim();
    const text = await response.text();
    if (!response.ok) {
      status.textContent = "Error " + response.status + ": " + text.trim();
      return;
    }
    if (type === "application/sparql-results+json" || type === "application/json") {
      const answer = JSON.parse(text);
      if ("boolean" in answer) {
        status.textContent = "Answer: " + answer.boolean;
      } else {
        results.appendChild(table(answer));
      }
      return;
    }
    const pre = document.createElement("pre");
    pre.className = "raw";
    pre.textContent = text;
    results.appendChild(pre);
    status.textContent = type;
  }

  form.addEventListener("submit", run);
})();
