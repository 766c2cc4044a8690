"""TEMPORARY adapters until the query tree lands (deleted at merge)."""
from whoosh import query as q

from searchkit import query as sk_query
from searchkit import snippets as sk_snippets
from searchkit.errors import EmptyQueryError
from searchkit.filters import Filters, check_sort  # noqa: F401


def parse(text, option="query"):
    parsed = sk_query.parse(text)
    if parsed is q.NullQuery:
        where = "the query" if option == "query" else option
        raise EmptyQueryError(f"{where} {text!r} holds no word to search for")
    return parsed


def marks(node):
    return sk_query.highlight_args(node)


def snippet(text, marks):
    return sk_snippets.snippet(text, **marks)
