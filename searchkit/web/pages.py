"""The HTML pages: search, document with its thread, timeline, and the exports.

Each handler reads its parameters (``web.params``), asks this thread's
archive (``web.archives``) through the backend-neutral API and renders a
template; errors of the ``SearchkitError`` family go to the app's handlers,
except a bad query on the search and timeline pages, shown above the form
the person can fix it in.
"""

from __future__ import annotations

import io
import math
from dataclasses import replace

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from searchkit.errors import SearchkitError
from searchkit.web.chart import month_chart
from searchkit.web.errors import status_for
from searchkit.web.params import SearchParams
from searchkit.web.records import hit_record, json_line, write_csv

PAGE_SIZE = 10  # posts per page, as the terminal's default --limit


def render(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    html = request.app.state.templates.get_template(template).render(request=request, **context)
    return HTMLResponse(html, status_code=status)


def tidy(request: Request, params: SearchParams) -> Response | None:
    """A redirect to the short URL when the form sent its empty fields and defaults (None: already short).

    The form sends every field (``?q=x&kind=&since=…``); the short URL is the one worth sharing.
    """
    sent = request.query_params
    if any(not v.strip() for k, v in sent.multi_items() if k != "q") or sent.get("sort") == "relevance":
        return RedirectResponse(params.url(request.url.path, page=params.page), status_code=303)
    return None


def kind_counts(archive, query: str, filters, results) -> dict[str, int]:
    """Matching documents per kind for a page whose grouped ``results`` already hold the total.

    One ranked search of the comments (its filter set is cached by the warm
    archive) costs a fraction of a full ``count`` at 100k documents; the
    articles are the rest. Falls back to ``count`` when a total is a lower bound.
    """
    if filters.kind:
        return {"article": 0, "comment": 0, filters.kind: results.total}
    comments = archive.search(query, replace(filters, kind="comment"), limit=1)
    if results.total_is_exact and comments.total_is_exact:
        return {"article": results.total - comments.total, "comment": comments.total}
    return archive.count(query, filters)


def search_page(request: Request) -> Response:
    """The search box and filters; with a query, a page of results grouped by post."""
    params = SearchParams.from_query(request.query_params)
    if (short := tidy(request, params)) is not None:
        return short
    if not params.q.strip():
        with request.app.state.archives.open() as archive:
            stats = archive.stats()
        return render(request, "search.html", p=params, stats=stats, results=None)
    try:
        filters = params.filters()
        with request.app.state.archives.open() as archive:
            results = archive.search_grouped(params.q, filters, sort=params.sort, limit=PAGE_SIZE,
                                             offset=(params.page - 1) * PAGE_SIZE)
            counts = kind_counts(archive, params.q, filters, results)
            suggestion = archive.did_you_mean(params.q, results.total, filters)
    except SearchkitError as exc:
        if status_for(exc) != 400:
            raise
        return render(request, "search.html", status=400, p=params, error=str(exc), results=None)
    pages = max(1, math.ceil(results.total_groups / PAGE_SIZE))
    return render(request, "search.html", p=params, results=results, counts=counts, suggestion=suggestion,
                  pages=pages, exact=results.total_is_exact, first=(params.page - 1) * PAGE_SIZE + 1)


def timeline_page(request: Request) -> Response:
    """Matching documents per month as a bar chart; each month links to the search narrowed to it."""
    params = SearchParams.from_query(request.query_params)
    if (short := tidy(request, params)) is not None:
        return short
    if not params.q.strip():
        return render(request, "timeline.html", p=params, chart=None)
    try:
        filters = params.filters()
        with request.app.state.archives.open() as archive:
            buckets = archive.count_by(params.q, "month", filters)
    except SearchkitError as exc:
        if status_for(exc) != 400:
            raise
        return render(request, "timeline.html", status=400, p=params, error=str(exc), chart=None)
    chart = month_chart(buckets, lambda month: params.url("/search", since=month, until=month))
    return render(request, "timeline.html", p=params, chart=chart, buckets=buckets)


def document_page(request: Request) -> Response:
    """One document whole, then its post's thread with that document marked (anchor ``#d-ID``)."""
    doc_id = request.path_params["doc_id"]
    with request.app.state.archives.open() as archive:
        doc = archive.document(doc_id)
        thread = archive.thread(doc_id)
    return render(request, "document.html", doc=doc, thread=thread)


def _all_hits(request: Request):
    params = SearchParams.from_query(request.query_params)
    filters = params.filters()
    with request.app.state.archives.open() as archive:
        return archive.search(params.q, filters, sort=params.sort, limit=None).hits


def export_csv(request: Request) -> Response:
    """Every hit of the current search (not one page) as the CLI's ``--csv``."""
    hits = _all_hits(request)
    out = io.StringIO()
    write_csv(hits, out)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="searchkit-results.csv"'})


def export_jsonl(request: Request) -> Response:
    """Every hit of the current search as the CLI's ``--json --flat``: one object a line."""
    hits = _all_hits(request)
    body = "".join(json_line(hit_record(h)) + "\n" for h in hits)
    return Response(body, media_type="application/x-ndjson; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="searchkit-results.jsonl"'})
