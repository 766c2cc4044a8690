"""The OpenAPI 3.1 document of the JSON API, served at ``/api/openapi.json``.

The tests check every endpoint's real answers against these schemas.
"""

from __future__ import annotations

from searchkit import __version__


def _obj(props: dict, required: list[str] | None = None, extra: bool = False) -> dict:
    return {"type": "object", "properties": props, "required": required if required is not None else list(props),
            "additionalProperties": extra}


STR, INT, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
NSTR, NINT = {"type": ["string", "null"]}, {"type": ["integer", "null"]}
KIND = {"type": "string", "enum": ["article", "comment"]}

METADATA = {"id": STR, "kind": KIND, "post_id": STR, "parent_id": NSTR, "number": NINT, "title": STR,
            "author": NSTR, "date": {**NSTR, "description": "ISO 8601, local time of the archive"},
            "url": NSTR, "source": STR}
# WordPress categories and tags, on a whole document (empty lists when the archive has none).
LISTS = {"categories": {"type": "array", "items": STR}, "tags": {"type": "array", "items": STR}}
HIT = {**METADATA, "score": {"type": ["number", "null"], "description": "null when sorted by date"},
       "snippet": STR, "highlights": {"type": "array", "items": STR}}

SCHEMAS = {
    "Hit": _obj(HIT),
    "GroupHit": _obj({**HIT, "depth": INT}),
    "Group": _obj({"post_id": STR, "title": STR, "author": NSTR, "date": NSTR, "url": NSTR, "source": STR,
                   "article_matches": BOOL, "comment_count": INT,
                   "hits": {"type": "array", "items": {"$ref": "#/components/schemas/GroupHit"}}}),
    "Document": _obj({**METADATA, **LISTS, "meta": {"type": "object"}, "body": STR}),
    "ThreadDocument": _obj({**METADATA, **LISTS, "meta": {"type": "object"}, "body": STR, "depth": INT,
                            "focus": BOOL}),
    "Suggestion": _obj({"did_you_mean": STR, "command": STR, "url": STR, "hits": INT,
                        "corrections": {"type": "array", "items": _obj({"typed": STR, "suggested": STR})}}),
    "Error": _obj({"error": {**STR, "description": "the message the CLI prints"}, "status": INT}),
}
SUGGESTION = {"oneOf": [{"$ref": "#/components/schemas/Suggestion"}, {"type": "null"}]}
SCHEMAS["SearchResults"] = _obj({
    "query": STR, "total": INT, "total_is_exact": BOOL, "offset": INT,
    "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}}, "did_you_mean": SUGGESTION})
SCHEMAS["GroupedResults"] = _obj({
    "query": STR, "total": INT, "total_groups": INT, "total_is_exact": BOOL, "offset": INT,
    "groups": {"type": "array", "items": {"$ref": "#/components/schemas/Group"}}, "did_you_mean": SUGGESTION})
SCHEMAS["Counts"] = _obj({"article": INT, "comment": INT, "total": INT}, ["total"])
SCHEMAS["CountsBy"] = _obj({
    "by": {"type": "string", "enum": ["kind", "month", "year", "author", "source"]}, "total": INT,
    "buckets": {"type": "array", "items": {
        "type": "object", "required": ["count", "article", "comment"],
        "description": "the key is named period (month, year), author, source or kind; null: none",
        "properties": {"period": NSTR, "author": NSTR, "source": NSTR, "kind": NSTR,
                       "count": INT, "article": INT, "comment": INT}, "additionalProperties": False}}})
SCHEMAS["Thread"] = _obj({"id": STR, "post_id": STR,
                          "documents": {"type": "array", "items": {"$ref": "#/components/schemas/ThreadDocument"}}})
SCHEMAS["Stats"] = _obj({"articles": INT, "comments": INT, "documents": INT, "sources": {"type": "array", "items": STR},
                         "index": STR, "index_bytes": INT, "schema_version": INT, "engine": STR})


def _param(name: str, description: str, schema: dict | None = None, required: bool = False,
           where: str = "query") -> dict:
    return {"name": name, "in": where, "required": required, "description": description, "schema": schema or STR}


QUERY = _param("q", "the query, in the CLI's query language", required=True)
FILTERS = [
    _param("kind", "only articles or only comments", {"type": "string", "enum": ["article", "comment", ""]}),
    _param("since", "from this day, month or year on (2021, 2021-02, 2021-02-19, 19/02/2021)"),
    _param("until", "up to the end of this day, month or year"),
    _param("author", "only documents by this author (words of the name)"),
    _param("source", "only documents from sources matching this glob"),
    _param("in_article", "only comments whose article matches this query"),
    _param("with_comments", "only articles having a comment that matches this query"),
]
SORT = _param("sort", "order", {"type": "string", "enum": ["relevance", "date", "-date"], "default": "relevance"})
WINDOW = [_param("limit", "how many (1 to 1000)", {"type": "integer", "minimum": 1, "maximum": 1000, "default": 10}),
          _param("offset", "how many to skip", {"type": "integer", "minimum": 0, "default": 0})]
DOC_ID = _param("doc_id", "a document id as search prints it", required=True, where="path")


def _ok(schema: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def _errors(*codes: int) -> dict:
    why = {400: "bad query or parameter", 404: "unknown document id", 503: "index missing, damaged or too new"}
    return {str(c): _ok("Error", why[c]) for c in codes}


OPENAPI: dict = {
    "openapi": "3.1.0",
    "info": {"title": "searchkit", "version": __version__,
             "description": "Search archived French blog posts and their comments; the records of the CLI's --json."},
    "paths": {
        "/api/search": {"get": {
            "summary": "Ranked hits with snippets", "parameters": [QUERY, *FILTERS, SORT, *WINDOW],
            "responses": {"200": _ok("SearchResults", "a page of hits"), **_errors(400, 503)}}},
        "/api/search/grouped": {"get": {
            "summary": "Hits grouped by post (limit and offset count posts)",
            "parameters": [QUERY, *FILTERS, SORT, *WINDOW],
            "responses": {"200": _ok("GroupedResults", "a page of posts"), **_errors(400, 503)}}},
        "/api/count": {"get": {
            "summary": "Matching documents per kind, or per month, year, author or source with by",
            "parameters": [QUERY, *FILTERS,
                           _param("by", "what to count by", {"type": "string", "enum": list(SCHEMAS["CountsBy"][
                               "properties"]["by"]["enum"])})],
            "responses": {"200": {"description": "counts", "content": {"application/json": {"schema": {"oneOf": [
                {"$ref": "#/components/schemas/Counts"}, {"$ref": "#/components/schemas/CountsBy"}]}}}},
                **_errors(400, 503)}}},
        "/api/doc/{doc_id}": {"get": {
            "summary": "One document whole", "parameters": [DOC_ID],
            "responses": {"200": _ok("Document", "the document"), **_errors(404, 503)}}},
        "/api/thread/{doc_id}": {"get": {
            "summary": "The whole post of a document: article (depth 0), then comments in reading order",
            "parameters": [DOC_ID],
            "responses": {"200": _ok("Thread", "the thread"), **_errors(404, 503)}}},
        "/api/stats": {"get": {
            "summary": "What the index holds",
            "responses": {"200": _ok("Stats", "counts, sources and size"), **_errors(503)}}},
    },
    "components": {"schemas": SCHEMAS},
}
