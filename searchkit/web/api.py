"""The JSON API under ``/api/``: the CLI's ``--json`` records, described by ``/api/openapi.json``."""

from __future__ import annotations

from dataclasses import asdict

from starlette.requests import Request
from starlette.responses import JSONResponse

from searchkit.web.errors import ParameterError
from searchkit.web.openapi import OPENAPI
from searchkit.web.params import SearchParams, whole_number
from searchkit.web.records import bucket_record, document_record, group_record, hit_record

MAX_LIMIT = 1000  # hits (or posts) per answer; page with offset for more
BY = ("kind", "month", "year", "author", "source")


def exact(results) -> bool:
    """Whether ``total`` is exact (an engine may stop counting: then it is a lower bound)."""
    return results.total_is_exact


def _window(request: Request) -> tuple[int, int]:
    q = request.query_params
    return (whole_number(q.get("limit", ""), "limit", 10, minimum=1, maximum=MAX_LIMIT),
            whole_number(q.get("offset", ""), "offset", 0, minimum=0))


def _suggestion(archive, params: SearchParams, found: int, filters) -> dict | None:
    suggestion = archive.did_you_mean(params.q, found, filters)
    if suggestion is None:
        return None
    return {**suggestion.record(), "url": params.url("/search", q=suggestion.query)}


def search(request: Request) -> JSONResponse:
    """Ranked hits, one record each as ``searchkit search --json --flat`` prints them."""
    params = SearchParams.from_query(request.query_params)
    limit, offset = _window(request)
    filters = params.filters()
    with request.app.state.archives.open() as archive:
        results = archive.search(params.q, filters, sort=params.sort, limit=limit, offset=offset)
        suggestion = _suggestion(archive, params, results.total, filters)
    return JSONResponse({
        "query": params.q, "total": results.total, "total_is_exact": exact(results),
        "offset": offset, "hits": [hit_record(h) for h in results.hits], "did_you_mean": suggestion,
    })


def search_grouped(request: Request) -> JSONResponse:
    """Hits gathered by post, one record per post as ``searchkit search --json --group``; limit counts posts."""
    params = SearchParams.from_query(request.query_params)
    limit, offset = _window(request)
    filters = params.filters()
    with request.app.state.archives.open() as archive:
        results = archive.search_grouped(params.q, filters, sort=params.sort, limit=limit, offset=offset)
        suggestion = _suggestion(archive, params, results.total, filters)
    return JSONResponse({
        "query": params.q, "total": results.total, "total_groups": results.total_groups,
        "total_is_exact": exact(results), "offset": offset,
        "groups": [group_record(g) for g in results.groups], "did_you_mean": suggestion,
    })


def count(request: Request) -> JSONResponse:
    """Matching documents per kind (``search --count --json``), or with ``by`` as ``count --by … --json``."""
    params = SearchParams.from_query(request.query_params)
    by = request.query_params.get("by", "").strip()
    if by and by not in BY:
        raise ParameterError(f"--by: unknown {by!r}: use one of {', '.join(BY)}")
    filters = params.filters()
    with request.app.state.archives.open() as archive:
        if not by:
            counts = archive.count(params.q, filters)
            return JSONResponse({**counts, "total": sum(counts.values())})
        buckets = archive.count_by(params.q, by, filters)
    return JSONResponse({"by": by, "total": sum(b.count for b in buckets),
                         "buckets": [bucket_record(b, by) for b in buckets]})


def document(request: Request) -> JSONResponse:
    """One document whole, as ``searchkit show ID --json``."""
    with request.app.state.archives.open() as archive:
        doc = archive.document(request.path_params["doc_id"])
    return JSONResponse(document_record(doc))


def thread(request: Request) -> JSONResponse:
    """The post of a document: its article at depth 0, then every comment, as ``show ID --thread --json``."""
    doc_id = request.path_params["doc_id"]
    with request.app.state.archives.open() as archive:
        doc = archive.document(doc_id)
        whole = archive.thread(doc_id)
    art = whole.article
    documents = [document_record(art, depth=0, focus=art.id == doc.id)] if art is not None else []
    documents += [document_record(e.doc, depth=e.depth + 1, focus=e.doc.id == doc.id) for e in whole.comments]
    return JSONResponse({"id": doc.id, "post_id": doc.post_id, "documents": documents})


def stats(request: Request) -> JSONResponse:
    """What the index holds, as ``searchkit stats --json``."""
    with request.app.state.archives.open() as archive:
        data = archive.stats()
    return JSONResponse({**asdict(data), "documents": data.documents})


def openapi(request: Request) -> JSONResponse:
    return JSONResponse(OPENAPI)
