"""The Whoosh index: schema, opening with version checks, and writing posts.

This module and ``search`` are the only ones that import Whoosh. Whoosh
pickles the schema, analyzers included, into the index, so the class path
``searchkit.index.FrenchAnalyzer`` and ``SCHEMA_VERSION`` are part of the
on-disk format: change the schema or the analysis and bump the version, and
an older index is refused with a message instead of a crash.

Each post is written as one Whoosh group (article first, then its comments),
so that nested queries can join them and a post is always replaced whole.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from whoosh import fields, index as whoosh_index
from whoosh.analysis import Analyzer, Token as WhooshToken
from whoosh.query import Term

from searchkit import __version__, analysis
from searchkit.errors import IndexDamagedError, IndexMissingError, IndexVersionError, SearchkitError
from searchkit.model import ARTICLE, Document, Post

SCHEMA_VERSION = 1
META_FILE = "searchkit.json"
INDEX_NAME = "MAIN"

# Text fields and the chain each is analysed with. ``*_exact`` fields hold the
# folded, unstemmed words with positions (phrases, prefixes, exact boost); the
# stemmed fields hold frequencies only, which is all a bare word needs.
CHAINS = {"exact": analysis.EXACT, "stemmed": analysis.STEMMED}


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
        date=fields.DATETIME(stored=True, sortable=True),
        number=fields.NUMERIC(stored=True),
        url=fields.STORED,
        meta=fields.STORED,
    )


def document_fields(doc: Document) -> dict:
    """The Whoosh field values of one document."""
    values = {
        "id": doc.id,
        "kind": doc.kind,
        "post_id": doc.post_id,
        "source": doc.source,
        "title": doc.title,
        "title_stem": doc.title if doc.kind == ARTICLE else None,
        "title_exact": doc.title if doc.kind == ARTICLE else None,
        "body": doc.body,
        "body_exact": doc.body,
        "author": doc.author,
        "date": doc.date,
        "number": doc.number,
        "parent_id": doc.parent_id,
        "url": doc.url,
        "meta": doc.meta or None,
    }
    return {k: v for k, v in values.items() if v is not None and v != ""}


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
    )


def check_analysable(doc: Document) -> None:
    """Run the analysis a document will get, so a failure happens before Whoosh.

    Whoosh's writer cannot take back the postings of a half-added document,
    so anything that would raise must raise here, while nothing is written.
    """
    for text in (doc.title, doc.body, doc.author or ""):
        for chain in CHAINS.values():
            for tok in chain(text):
                tok.text.encode("utf-8")


# --- opening ----------------------------------------------------------------


def exists(index_dir: Path) -> bool:
    return whoosh_index.exists_in(str(index_dir), indexname=INDEX_NAME)


def read_meta(index_dir: Path) -> dict:
    try:
        return json.loads((index_dir / META_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def check_version(index_dir: Path) -> None:
    version = read_meta(index_dir).get("schema_version")
    if version != SCHEMA_VERSION:
        raise IndexVersionError(
            f"the index at {index_dir} was written by another version of searchkit "
            f"(schema {version or 'unknown'}, this one reads {SCHEMA_VERSION}): "
            f"run `searchkit index --rebuild --index {index_dir}`"
        )


def open_index(index_dir: Path):
    """Open an existing index for reading, refusing missing, stale or damaged ones."""
    if not exists(index_dir):
        raise IndexMissingError(
            f"no index at {index_dir}: run `searchkit index PATH --index {index_dir}` to build one"
        )
    check_version(index_dir)
    try:
        return whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)
    except SearchkitError:
        raise
    except Exception as exc:  # Whoosh raises many kinds on a damaged TOC
        raise IndexDamagedError(
            f"the index at {index_dir} is damaged ({type(exc).__name__}: {exc}): "
            f"run `searchkit index --rebuild --index {index_dir}`"
        ) from None


def create_index(index_dir: Path):
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(index_dir), make_schema(), indexname=INDEX_NAME)
    write_meta(index_dir)
    return ix


def write_meta(index_dir: Path) -> None:
    meta = {"schema_version": SCHEMA_VERSION, "searchkit": __version__}
    tmp = index_dir / (META_FILE + ".tmp")
    tmp.write_text(json.dumps(meta, indent=2) + "\n", "utf-8")
    os.replace(tmp, index_dir / META_FILE)


# --- writing ----------------------------------------------------------------


@dataclass
class WriteStats:
    articles: int = 0
    comments: int = 0


class IndexWriter:
    """Adds and replaces whole posts; nothing is visible until ``commit``.

    Whoosh commits by writing new segment files and then renaming a new table
    of contents into place, so an interrupted run leaves the last commit
    intact; the orphan files it may leave are removed by the next commit.
    """

    def __init__(self, index_dir: Path, rebuild: bool = False):
        self.index_dir = index_dir
        if rebuild or not exists(index_dir):
            self.ix = create_index(index_dir)
        else:
            self.ix = open_index(index_dir)
        # compound=False: a compound segment file is read whole into memory on open.
        self.writer = self.ix.writer(limitmb=128, compound=False)
        self.stats = WriteStats()

    def delete_source(self, source: str) -> None:
        self.writer.delete_by_term("source", source)

    def add_post(self, post: Post, on_error=None) -> None:
        """Write a post as one group; a document that cannot be analysed is skipped."""
        docs = []
        for doc in post.documents:
            try:
                check_analysable(doc)
            except Exception as exc:  # analysis of archived text must never stop the run
                if on_error:
                    on_error(doc, exc)
                if doc.kind == ARTICLE:
                    return
                continue
            docs.append(doc)
        with self.writer.group():
            for doc in docs:
                self.writer.add_document(**document_fields(doc))
                if doc.kind == ARTICLE:
                    self.stats.articles += 1
                else:
                    self.stats.comments += 1

    def add_posts(self, posts: Iterable[Post]) -> None:
        for post in posts:
            self.add_post(post)

    def commit(self) -> None:
        self.writer.commit(optimize=False, merge=True)
        write_meta(self.index_dir)

    def cancel(self) -> None:
        self.writer.cancel()
