"""The Whoosh schema of a searchkit index: fields, the analyzer binding, documents to fields and back.

Part of the index format: Whoosh pickles the schema, analyzers included, into
every index, so the class path ``searchkit.engine.whoosh.schema.FrenchAnalyzer``
and ``SCHEMA_VERSION`` are on-disk contracts. Change the schema or the terms
the analysis makes and bump the version (and CHANGELOG.md): an older index is
then refused with the ``--rebuild`` advice, read from ``searchkit.json``
before Whoosh unpickles anything.
"""

from __future__ import annotations

from datetime import datetime

from whoosh import fields
from whoosh.analysis import Analyzer
from whoosh.analysis import Token as WhooshToken

from searchkit import analysis
from searchkit.engine.whoosh import access  # noqa: F401  (first: checks the Whoosh version)
from searchkit.model import ARTICLE, Document

# 3: the engine seam (analyzer moved to this module; tags and categories).
SCHEMA_VERSION = 3

# Text fields and the chain each is analysed with. ``*_exact`` fields hold the
# folded, unstemmed words with positions (phrases, prefixes, exact boost); the
# stemmed fields hold frequencies only, which is all a bare word needs.
CHAINS = {"exact": analysis.EXACT, "stemmed": analysis.STEMMED}
LIST_SEPARATOR = "\n"  # tags and categories are stored as one string


class FrenchAnalyzer(Analyzer):
    """Adapts an ``analysis`` chain to Whoosh's analyzer protocol.

    Pickled into the schema by name only, so the chain's code can change
    without breaking old indexes (a change of terms bumps SCHEMA_VERSION).
    """

    def __init__(self, chain: str):
        self.chain = chain

    def __eq__(self, other):
        return type(other) is type(self) and other.chain == self.chain

    def __hash__(self):
        return hash(self.chain)

    def __repr__(self):
        return f"FrenchAnalyzer({self.chain!r})"

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True,
                 mode="", **kwargs):
        t = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        t.stopped = False
        t.boost = 1.0
        for tok in CHAINS[self.chain](value, tokenize=tokenize):
            t.text = tok.text
            if keeporiginal:
                t.original = value[tok.startchar:tok.endchar]
            if positions:
                t.pos = start_pos + tok.pos
            if chars:
                t.startchar = start_char + tok.startchar
                t.endchar = start_char + tok.endchar
            yield t


def make_schema() -> fields.Schema:
    exact = FrenchAnalyzer("exact")
    stemmed = FrenchAnalyzer("stemmed")
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        kind=fields.ID(stored=True),
        post_id=fields.ID(stored=True),
        parent_id=fields.ID(stored=True),
        source=fields.ID(stored=True),
        # Only articles index their title: a comment stores its article's
        # title for display, but must not match a search on it.
        title=fields.STORED,
        title_stem=fields.TEXT(analyzer=stemmed, phrase=False, field_boost=2.0),
        title_exact=fields.TEXT(analyzer=exact, field_boost=2.0),
        body=fields.TEXT(analyzer=stemmed, stored=True, phrase=False),
        body_exact=fields.TEXT(analyzer=exact),
        author=fields.TEXT(analyzer=exact, stored=True, field_boost=0.5),
        tags=fields.TEXT(analyzer=exact, stored=True),
        categories=fields.TEXT(analyzer=exact, stored=True),
        date=fields.DATETIME(stored=True, sortable=True),
        number=fields.NUMERIC(stored=True),
        url=fields.STORED,
        meta=fields.STORED,
    )


def document_fields(doc: Document) -> dict:
    """The Whoosh field values of one document."""
    article = doc.kind == ARTICLE
    values = {
        "id": doc.id,
        "kind": doc.kind,
        "post_id": doc.post_id,
        "source": doc.source,
        "title": doc.title,
        "title_stem": doc.title if article else None,
        "title_exact": doc.title if article else None,
        "body": doc.body,
        "body_exact": doc.body,
        "author": doc.author,
        "tags": LIST_SEPARATOR.join(doc.tags) if doc.tags else None,
        "categories": LIST_SEPARATOR.join(doc.categories) if doc.categories else None,
        # Indexed at the day, stored and sorted at the second: every date a query
        # can ask for (--since, --until, date:) starts at midnight, so a day
        # matches what the exact time matched, and a document's date is no longer
        # a term of its own (43 % of an index's terms were dates).
        "date": _day(doc.date),
        "_stored_date": doc.date,
        "number": doc.number,
        "parent_id": doc.parent_id,
        "url": doc.url,
        "meta": doc.meta or None,
    }
    return {k: v for k, v in values.items() if v is not None and v != ""}


def _day(when: datetime | None) -> datetime | None:
    """Midnight of ``when``'s day; None without a date, and ``when`` itself on 9999-12-31
    (the one period end that is not a midnight: ``query.filters._after``)."""
    if when is None or (when.year, when.month, when.day) == (9999, 12, 31):
        return when
    return when.replace(hour=0, minute=0, second=0, microsecond=0)


def stored_to_document(stored: dict) -> Document:
    """Rebuild a ``Document`` from a hit's stored fields."""
    return Document(
        id=stored["id"],
        kind=stored["kind"],
        post_id=stored["post_id"],
        title=stored.get("title", ""),
        body=stored.get("body", ""),
        source=stored.get("source", ""),
        author=stored.get("author"),
        date=stored.get("date"),
        url=stored.get("url"),
        number=stored.get("number"),
        parent_id=stored.get("parent_id"),
        meta=stored.get("meta") or {},
        tags=stored["tags"].split(LIST_SEPARATOR) if stored.get("tags") else [],
        categories=stored["categories"].split(LIST_SEPARATOR) if stored.get("categories") else [],
    )


def check_analysable(doc: Document) -> None:
    """Run the analysis a document will get, so a failure happens before Whoosh.

    Whoosh's writer cannot take back the postings of a half-added document,
    so anything that would raise must raise here, while nothing is written.
    """
    # The exact and stemmed terms of each word are worked out (and cached)
    # once, here, and reused by the writer: a word already met costs a look-up.
    for text in (doc.title, doc.body, doc.author or "", *doc.tags, *doc.categories):
        analysis.check_indexable(text)
