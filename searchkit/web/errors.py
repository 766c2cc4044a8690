"""HTTP status codes for the ``SearchkitError`` family, decided here and nowhere else.

Classes are looked up by name along the error's class hierarchy, so an error
class keeps its code when it moves between library modules.

>>> from searchkit.errors import IndexMissingError, QueryError
>>> status_for(QueryError("x")), status_for(IndexMissingError("x"))
(400, 503)
"""

from __future__ import annotations

from searchkit.errors import SearchkitError

STATUS_BY_CLASS = {
    "QueryError": 400,  # and EmptyQueryError: a query or a parameter that cannot be understood
    "DocumentNotFoundError": 404,
    "IndexMissingError": 503,
    "IndexDamagedError": 503,
    "IndexVersionError": 503,
    "IndexLockedError": 503,
}
DEFAULT_STATUS = 400  # any other SearchkitError: something the person asked for cannot be done


class ParameterError(SearchkitError):
    """A URL parameter has a value the server cannot use (a page number that is not a number...)."""


STATUS_BY_CLASS["ParameterError"] = 400


def status_for(exc: SearchkitError) -> int:
    for cls in type(exc).__mro__:
        if cls.__name__ in STATUS_BY_CLASS:
            return STATUS_BY_CLASS[cls.__name__]
    return DEFAULT_STATUS


def title_for(status: int) -> str:
    return {400: "Bad request", 404: "Not found", 405: "Method not allowed",
            503: "Index unavailable"}.get(status, "Server error")
