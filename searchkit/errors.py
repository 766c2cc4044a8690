"""The one family of errors the library raises; the CLI and the web layer turn them into messages.

Every message is written for a person and says what to do next. Each class
carries its exit code (2, ripgrep's "error", unless it says otherwise: an
unknown document id is 1, like a search that matched nothing), which the CLI
applies in one place; the web layer maps the classes to HTTP codes in one place.
"""


class SearchkitError(Exception):
    """Base of every error searchkit reports to a user."""

    exit_code = 2


class InputError(SearchkitError):
    """One input file (or one record in it) cannot be read; the run goes on."""


class IndexMissingError(SearchkitError):
    """There is no index where one was expected."""


class IndexVersionError(SearchkitError):
    """The index was written by an incompatible version of searchkit."""


class IndexDamagedError(SearchkitError):
    """The index exists but its files cannot be read."""


class IndexLockedError(SearchkitError):
    """Another process is writing the index."""


class IndexWriteError(SearchkitError):
    """The index folder cannot be written (read-only, disk full...); the previous index is intact."""


class QueryError(SearchkitError):
    """The query cannot be understood (e.g. an unknown field)."""


class EmptyQueryError(QueryError):
    """The query holds nothing searchable (only punctuation, stop words after an elision...)."""


class DocumentNotFoundError(SearchkitError):
    """No document has the id asked for: like a search that matched nothing."""

    exit_code = 1
