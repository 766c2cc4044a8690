"""The web layer without a browser: every page and API endpoint, error codes, OpenAPI, headers, escaping."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from searchkit.cli import main
from searchkit.web.app import create_app

HOSTILE_TITLE = '<script>alert("title")</script> Données de santé'
HOSTILE_AUTHOR = "<img src=x onerror=alert('author')>"
SVG = '"><svg onload=alert(\'body\')>'
LONG_WORD = "anticonstitutionnellement" * 4


def corpus_lines() -> list[dict]:
    """Posts and comments carrying script, event handlers, javascript: URLs and control characters,
    a real thread, an undated post, and 12 more posts so results take two pages."""
    posts = [
        {"id": "hostile", "title": HOSTILE_TITLE, "author": HOSTILE_AUTHOR, "url": "javascript:alert('url')",
         "date": "2016-07-08T18:05:00", "body": f"Hébergement des données {SVG} et \x1b[31mrouge\x07 fin. {LONG_WORD}",
         "comments": [
             {"id": "c1", "author": SVG, "date": "2016-07-09", "url": "JaVaScRiPt:alert(2)",
              "body": "<script>alert('comment')</script> hébergement chez Microsoft"},
             {"id": "c2", "parent": "c1", "author": "Mathilde", "date": "2016-07-10",
              "url": "https://blog.example.fr/ok#c2", "body": "<img src=x onerror=alert(3)> réponse sur l’hébergement"},
         ]},
        {"id": "ps", "title": "Le Privacy Shield adopté", "author": "Claire", "date": "2016-08-01",
         "url": "https://blog.example.fr/2016/08/privacy-shield/",
         "body": "Les États membres ont validé le Privacy Shield.\n\nL’hébergement reste aux États-Unis.",
         "comments": [{"id": "k1", "author": "Léa", "date": "2016-08-02", "body": "Le bouclier ne tiendra pas."}]},
        {"id": "nodate", "title": "Sans date", "body": "Un hébergement sans date connue."},
    ]
    posts += [{"id": f"b{i}", "title": f"Bouclier numéro {i}", "date": f"2017-{i % 12 + 1:02d}-15",
               "body": f"Le bouclier de protection, épisode {i}."} for i in range(12)]
    return posts


def write_corpus(folder, lines=None):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "web.jsonl"
    path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in lines or corpus_lines()),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def web_index(tmp_path_factory):
    base = tmp_path_factory.mktemp("web")
    ix = base / "index"
    result = CliRunner().invoke(main, ["index", str(write_corpus(base / "corpus")), "--index", str(ix)])
    assert result.exit_code == 0, result.output
    return ix


@pytest.fixture(scope="module")
def client(web_index):
    with TestClient(create_app(web_index)) as c:
        yield c


def cli_json(*args) -> list[dict]:
    result = CliRunner().invoke(main, list(args))
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def doc_id(client, query: str, **params) -> str:
    return client.get("/api/search", params={"q": query, **params}).json()["hits"][0]["id"]


# --- pages --------------------------------------------------------------------


def test_home_page_shows_the_form_and_what_the_index_holds(client):
    page = client.get("/")
    assert page.status_code == 200
    assert '<input id="q" name="q" type="search"' in page.text
    assert "15 articles and 3 comments from 1 source(s)." in page.text


def test_search_page_groups_hits_by_post_with_marked_snippets_and_counts(client):
    page = client.get("/search", params={"q": "hébergement"})
    assert page.status_code == 200
    assert re.search(r"<strong>5</strong> matching document\(s\)\s+in <strong>3</strong> post\(s\):\s+"
                     r"3 article\(s\), 2 comment\(s\)", page.text)
    assert "<mark>hébergement</mark>" in page.text or "<mark>Hébergement</mark>" in page.text
    # the reply is indented under the comment it answers, in thread order
    first, second = page.text.index('class="comment depth-0'), page.text.index('class="comment depth-1')
    assert first < second


def test_search_page_pages_through_posts_with_plain_links(client):
    page1 = client.get("/search", params={"q": "bouclier"})
    assert "page 1 of 2" in page1.text
    assert 'href="/search?q=bouclier&amp;page=2"' in page1.text
    page2 = client.get("/search?q=bouclier&page=2")
    assert "page 2 of 2" in page2.text and 'rel="prev"' in page2.text
    assert page2.text.count('<article class="post"') == 3  # 13 posts: 10, then 3


def test_filters_are_form_values_and_narrow_the_search(client):
    page = client.get("/search", params={"q": "hébergement", "kind": "comment", "since": "2016-07", "until": "2016"})
    assert re.search(r"<strong>2</strong> matching document\(s\)", page.text)
    assert '<option value="comment" selected>' in page.text
    assert 'name="since" value="2016-07"' in page.text


def test_the_form_s_empty_fields_redirect_to_the_short_url(client):
    answer = client.get("/search?q=x+y&kind=&since=2016&until=&author=&source=&sort=relevance&in_article=",
                        follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/search?q=x+y&since=2016"
    answer = client.get("/timeline?q=x&kind=comment&sort=", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/timeline?q=x&kind=comment"


@pytest.mark.parametrize("params", [
    {"q": "hébergement"}, {"q": "bouclier OR hébergement", "since": "2016-08"}, {"q": "hébergement", "kind": "article"},
    {"q": "hébergement", "in_article": "santé"}, {"q": "bouclier", "with_comments": "tiendra"}, {"q": "zeppelin"},
])
def test_the_page_s_per_kind_counts_are_those_of_count(client, params):
    page = client.get("/search", params=params).text
    counts = client.get("/api/count", params=params).json()
    shown = re.search(r"(\d+) article\(s\), (\d+) comment\(s\)\.", page).groups()
    assert shown == (str(counts.get("article", 0)), str(counts.get("comment", 0)))


def test_did_you_mean_is_a_link_keeping_the_filters(client):
    page = client.get("/search", params={"q": "boucleir", "kind": "article"})
    assert 'Did you mean <a href="/search?q=bouclier&amp;kind=article">bouclier</a>?' in page.text


def test_bad_query_and_bad_parameters_are_400_with_the_cli_message(client):
    page = client.get("/search", params={"q": "foo:bar"})
    assert page.status_code == 400
    assert "unknown field &#39;foo:&#39; in the query" in page.text
    page = client.get("/search", params={"q": "x", "since": "2016-13"})
    assert page.status_code == 400
    assert ("--since: &#39;2016-13&#39; is not a date: write 2021, 2021-02, 2021-02-19 or 19/02/2021"
            in page.text)
    page = client.get("/search", params={"q": "x", "page": "deux"})
    assert page.status_code == 400 and "page: &#39;deux&#39; is not a whole number" in page.text


def test_document_page_shows_the_text_then_the_thread_with_it_marked(client):
    reply = doc_id(client, "réponse")
    page = client.get(f"/doc/{reply}")
    assert page.status_code == 200
    assert f'<li id="d-{reply}" class="comment depth-1 focus" aria-current="true">' in page.text
    assert "Thread: 2 comment(s)" in page.text
    assert '<a class="url" href="https://blog.example.fr/ok#c2" rel="noopener noreferrer nofollow">' in page.text
    assert '<dd class="source">web.jsonl</dd>' in page.text


def test_unknown_document_is_404_on_the_page_and_the_api(client, web_index):
    page = client.get("/doc/nope")
    assert page.status_code == 404 and f"no document with id &#39;nope&#39; in {web_index}" in page.text
    api = client.get("/api/doc/nope")
    assert api.status_code == 404
    assert api.json() == {"error": f"no document with id 'nope' in {web_index}", "status": 404}
    assert client.get("/api/thread/nope").status_code == 404


def test_unknown_paths_are_404_json_under_api(client):
    assert client.get("/api/nothing").json() == {"error": "no page at /api/nothing", "status": 404}
    page = client.get("/nothing")
    assert page.status_code == 404 and "no page at /nothing" in page.text


def test_missing_index_is_503_with_the_cli_message(tmp_path):
    where = tmp_path / "none"
    message = (f"no index at {where}: run `searchkit index PATH --index {where}` to build one "
               f"(or set SEARCHKIT_INDEX to the index to use)")
    with TestClient(create_app(where)) as c:
        page = c.get("/")
        assert page.status_code == 503 and message.replace("`", "`") in page.text
        assert c.get("/api/search?q=x").json() == {"error": message, "status": 503}
        assert c.get("/api/stats").status_code == 503


def test_timeline_draws_one_linked_bar_per_month_and_counts_undated(client):
    page = client.get("/timeline", params={"q": "hébergement"})
    assert page.status_code == 200
    assert "<svg" in page.text and "1 undated" in page.text
    assert 'href="/search?q=h%C3%A9bergement&amp;since=2016-07&amp;until=2016-07"' in page.text
    assert 'aria-label="2016-07: 1 article(s), 2 comment(s)"' in page.text
    assert 'class="bar-article"' in page.text and 'class="bar-comment"' in page.text


def test_exports_hold_every_hit_not_one_page(client):
    csv_answer = client.get("/export.csv", params={"q": "bouclier"})
    assert csv_answer.headers["content-disposition"] == 'attachment; filename="searchkit-results.csv"'
    rows = list(csv.reader(io.StringIO(csv_answer.text)))
    assert rows[0][:3] == ["id", "kind", "post_id"] and len(rows) == 1 + 13
    lines = client.get("/export.jsonl", params={"q": "bouclier"}).text.splitlines()
    assert len(lines) == 13 and {json.loads(x)["kind"] for x in lines} == {"article", "comment"}


# --- the JSON API: the CLI's records ----------------------------------------------


def test_api_search_records_are_the_cli_json_records(client, web_index):
    api = client.get("/api/search", params={"q": "hébergement", "limit": 100}).json()
    cli = cli_json("search", "hébergement", "--index", str(web_index), "--json", "--flat", "--limit", "100")
    assert api["hits"] == cli and api["total"] == 5 and api["did_you_mean"] is None


def test_api_grouped_search_and_thread_are_the_cli_json_records(client, web_index):
    api = client.get("/api/search/grouped", params={"q": "hébergement"}).json()
    assert api["groups"] == cli_json("search", "hébergement", "--index", str(web_index), "--json", "--group")
    reply = doc_id(client, "réponse")
    thread = client.get(f"/api/thread/{reply}").json()
    assert thread["documents"] == cli_json("show", reply, "--thread", "--json", "--index", str(web_index))
    assert client.get(f"/api/doc/{reply}").json() == cli_json("show", reply, "--json", "--index", str(web_index))[0]


def test_api_counts_by_kind_and_by_month(client):
    assert client.get("/api/count", params={"q": "hébergement"}).json() == {"article": 3, "comment": 2, "total": 5}
    by = client.get("/api/count", params={"q": "hébergement", "by": "month"}).json()
    assert by["by"] == "month" and by["total"] == 5
    assert {"period": "2016-07", "count": 3, "article": 1, "comment": 2} in by["buckets"]
    assert client.get("/api/count", params={"q": "x", "by": "week"}).json() == {
        "error": "--by: unknown 'week': use one of kind, month, year, author, source", "status": 400}


def test_api_parameter_errors_are_400_json(client):
    assert client.get("/api/search", params={"q": "x", "limit": "0"}).json() == {
        "error": "limit: 0 is below 1", "status": 400}
    assert client.get("/api/search", params={"q": "x", "sort": "random"}).json() == {
        "error": "--sort: unknown order 'random': use one of relevance, date, -date", "status": 400}
    assert client.get("/api/search", params={"q": ""}).json() == {
        "error": "the query '' holds no word to search for", "status": 400}


def test_api_did_you_mean_is_the_cli_record_with_a_url(client):
    dym = client.get("/api/search", params={"q": "boucleir"}).json()["did_you_mean"]
    assert dym["did_you_mean"] == "bouclier" and dym["url"] == "/search?q=bouclier"
    assert dym["corrections"] == [{"typed": "boucleir", "suggested": "bouclier"}]


# --- the OpenAPI document, checked against real answers ------------------------------


def check(value, schema: dict, doc: dict, where: str = "$") -> None:
    """A small JSON Schema check (the subset the OpenAPI document uses); fails naming the place."""
    if "$ref" in schema:
        return check(value, doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]], doc, where)
    if "oneOf" in schema:
        passed = 0
        for option in schema["oneOf"]:
            try:
                check(value, option, doc, where)
                passed += 1
            except AssertionError:
                pass
        assert passed == 1, f"{where}: matches {passed} of oneOf"
        return
    types = schema.get("type")
    if types:
        names = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "object": dict,
                 "array": list, "null": type(None)}
        allowed = [types] if isinstance(types, str) else types
        assert any(isinstance(value, names[t]) and not (t in ("integer", "number") and isinstance(value, bool))
                   for t in allowed), f"{where}: {value!r} is not {types}"
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    if isinstance(value, dict) and "properties" in schema:
        for key in schema.get("required", []):
            assert key in value, f"{where}: {key} missing"
        for key, item in value.items():
            if key in schema["properties"]:
                check(item, schema["properties"][key], doc, f"{where}.{key}")
            else:
                assert schema.get("additionalProperties", True) is not False, f"{where}: unexpected key {key}"
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            check(item, schema["items"], doc, f"{where}[{i}]")


def test_every_endpoint_answers_as_the_openapi_document_says(client):
    doc = client.get("/api/openapi.json").json()
    assert doc["openapi"] == "3.1.0"
    reply = doc_id(client, "réponse")
    calls = {
        "/api/search": [("?q=hébergement", 200), ("?q=boucleir", 200), ("?q=x&sort=date&kind=comment", 200),
                        ("?q=foo:bar", 400)],
        "/api/search/grouped": [("?q=hébergement&limit=2&offset=1", 200), ("?q=(", 400)],
        "/api/count": [("?q=hébergement", 200), ("?q=hébergement&by=author", 200), ("?q=x&by=month", 200),
                       ("?q=x&since=hier", 400)],
        "/api/doc/{doc_id}": [(f"/{reply}", 200), ("/nope", 404)],
        "/api/thread/{doc_id}": [(f"/{reply}", 200), ("/nope", 404)],
        "/api/stats": [("", 200)],
    }
    assert set(calls) == set(doc["paths"])
    for path, tries in calls.items():
        base = path.split("/{")[0]
        for suffix, status in tries:
            answer = client.get(base + suffix)
            assert answer.status_code == status, (path, suffix, answer.text)
            assert answer.headers["content-type"] == "application/json"
            response = doc["paths"][path]["get"]["responses"][str(status)]
            check(answer.json(), response["content"]["application/json"]["schema"], doc, f"{path}{suffix}")


# --- safety -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/search?q=x", "/nothing", "/api/stats", "/api/nothing", "/static/style.css"])
def test_every_answer_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    assert headers["content-security-policy"].startswith("default-src 'self'; script-src 'self'; style-src 'self'")
    assert "'unsafe-inline'" not in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


def test_a_crash_answers_500_without_a_trace_and_with_the_headers(web_index, monkeypatch):
    from searchkit.web.archives import Archives

    def broken(self):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(Archives, "open", broken)
    with TestClient(create_app(web_index), raise_server_exceptions=False) as c:
        for path, expect in (("/api/stats", "application/json"), ("/", "text/html")):
            answer = c.get(path)
            assert answer.status_code == 500 and answer.headers["content-type"].startswith(expect)
            assert "the server failed to answer this request; its log says why" in answer.text
            assert "secret" not in answer.text and "Traceback" not in answer.text
            assert answer.headers["x-content-type-options"] == "nosniff"


def test_archived_markup_is_escaped_and_javascript_urls_are_text(client):
    hostile = doc_id(client, "rouge")
    page = client.get(f"/doc/{hostile}").text
    assert "<script>alert" not in page and "<img src=x" not in page and "<svg onload" not in page
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt; Données de santé" in page
    assert '<span class="url">javascript:alert(&#39;url&#39;)</span>' in page
    assert 'href="javascript' not in page.lower()
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", page)  # no raw control character
    results = client.get("/search", params={"q": "hébergement"}).text
    assert "<script>alert" not in results and "<img src=x" not in results and "<svg onload" not in results
    assert "&lt;img src=x onerror=alert(&#39;author&#39;)&gt;" in results


def test_control_characters_that_reach_a_page_are_shown_as_text():
    from searchkit.web.app import make_templates

    template = make_templates().from_string("<p>{{ x }}</p>")
    assert template.render(x="a\x1b[31mb\x07<i>") == "<p>a\\x1b[31mb\\x07&lt;i&gt;</p>"


# --- searches during indexing see the last commit -------------------------------------


def test_a_running_server_sees_what_a_later_index_run_commits(tmp_path):
    ix = tmp_path / "index"
    corpus = write_corpus(tmp_path / "corpus")
    assert CliRunner().invoke(main, ["index", str(corpus), "--index", str(ix)]).exit_code == 0
    with TestClient(create_app(ix)) as c:
        assert c.get("/api/count?q=zeppelin").json()["total"] == 0
        extra = tmp_path / "corpus" / "more.jsonl"
        extra.write_text(json.dumps({"title": "Le zeppelin", "body": "Un zeppelin survole Paris."}) + "\n",
                         encoding="utf-8")
        assert CliRunner().invoke(main, ["index", str(tmp_path / "corpus"), "--index", str(ix)]).exit_code == 0
        assert c.get("/api/count?q=zeppelin").json()["total"] == 1


def test_an_archive_serves_one_request_at_a_time_and_is_reused_warm(web_index):
    from searchkit.web.archives import Archives

    pool = Archives(str(web_index))
    with pool.open() as first, pool.open() as second:
        assert first is not second  # two requests at once never share a searcher
    with pool.open() as again:
        assert again in (first, second)
