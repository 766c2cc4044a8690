"""A search as URL parameters: read and checked from a request, written back into links.

Every search is a plain GET URL (``/search?q=%22Privacy+Shield%22&kind=comment&since=2016``):
these are its parameters, their checks (with the CLI's messages) and the
links that change one of them (a page, a month, a corrected query).

>>> s = SearchParams(q="Privacy Shield", kind="comment")
>>> s.url("/search", page=2)
'/search?q=Privacy+Shield&kind=comment&page=2'
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from urllib.parse import urlencode

from searchkit.api import Filters
from searchkit.web.errors import ParameterError

SORTS = ("relevance", "date", "-date")
FILTER_NAMES = ("kind", "since", "until", "author", "source", "in_article", "with_comments")


@dataclass(frozen=True)
class SearchParams:
    """What a search URL says: the query, its filters, its order and which page."""

    q: str = ""
    kind: str = ""
    since: str = ""
    until: str = ""
    author: str = ""
    source: str = ""
    in_article: str = ""
    with_comments: str = ""
    sort: str = "relevance"
    page: int = 1

    @classmethod
    def from_query(cls, params) -> SearchParams:
        """The parameters of a request's query string; unknown ones are ignored."""
        values = {f.name: params.get(f.name, "").strip() for f in fields(cls) if f.name not in ("q", "page")}
        values["sort"] = values["sort"] or "relevance"
        if values["kind"] in ("both", "all"):
            values["kind"] = ""
        if values["sort"] not in SORTS:
            raise ParameterError(f"--sort: unknown order {values['sort']!r}: use one of {', '.join(SORTS)}")
        page = whole_number(params.get("page", ""), "page", 1, minimum=1)
        return cls(q=params.get("q", ""), page=page, **values)

    def filters(self) -> Filters:
        """The filters, checked (``QueryError`` with the CLI's message for a bad date or kind)."""
        return Filters.from_options(**{name: getattr(self, name) or None for name in FILTER_NAMES})

    def items(self, **changes) -> list[tuple[str, str]]:
        """The non-default parameters as (name, value), in a stable order, after ``changes``."""
        current = replace(self, **changes)
        out = []
        for f in fields(self):
            value = getattr(current, f.name)
            if value != f.default:
                out.append((f.name, str(value)))
        return out

    def url(self, path: str, **changes) -> str:
        """``path`` with these parameters (``page`` back to 1 unless changed)."""
        changes.setdefault("page", 1)
        query = urlencode(self.items(**changes))
        return f"{path}?{query}" if query else path

    @property
    def has_filters(self) -> bool:
        return any(getattr(self, name) for name in FILTER_NAMES) or self.sort != "relevance"


def whole_number(text: str, name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    """A URL parameter as an int, ``default`` when absent.

    >>> whole_number("3", "page", 1)
    3
    >>> whole_number("x", "page", 1)
    Traceback (most recent call last):
    ...
    searchkit.web.errors.ParameterError: page: 'x' is not a whole number
    """
    text = (text or "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise ParameterError(f"{name}: {text!r} is not a whole number") from None
    if value < minimum:
        raise ParameterError(f"{name}: {value} is below {minimum}")
    if maximum is not None and value > maximum:
        raise ParameterError(f"{name}: {value} is above {maximum}")
    return value
