"""The limits readers put on hostile or oversized input, each in one named constant.

Every limit is documented in the README's limits section; a message naming
the file says what was cut or refused, and why, whenever one is reached.
"""

from __future__ import annotations

from searchkit.model import Document, Post

# Characters of text one document (an article or a comment) keeps: past it the
# body is cut, with a warning naming the file, the document and what was cut.
# A novel is ~1,000,000 characters; no blog post or comment comes near it.
MAX_DOCUMENT_CHARS = 1_000_000

# Characters of a title: past it the title is cut (a warning says so).
MAX_TITLE_CHARS = 1000

# Bytes of one HTML page (a file, or a WARC record's payload) or page dump that
# are read. Past it the rest of the page is not read (a warning says so): the
# parsed tree of a page costs several times its size in memory.
MAX_PAGE_BYTES = 32 * 1024 * 1024

# Bytes one line of a text file may hold before it is cut while reading
# (a page dump written as one 200 MB line); the rest of the line is skipped.
MAX_LINE_BYTES = 4 * MAX_DOCUMENT_CHARS

# Bytes of one JSON Lines line: a longer line is refused (naming file:line),
# since a JSON value cannot be cut without reading it whole.
MAX_JSON_LINE_BYTES = 32 * 1024 * 1024

# Bytes a WARC record's payload may inflate to (gzip records, HTTP
# Content-Encoding gzip or deflate): past it the record is refused as a
# decompression bomb, and the rest of the file is not read.
MAX_PAYLOAD_BYTES = MAX_PAGE_BYTES

# A gzip-compressed WARC whose record declares more than this many times the
# whole file's size (and more than MAX_PAYLOAD_BYTES) is a bomb: text and HTML
# compress 5 to 10 times, gzip at most ~1,000 times (only on repeated bytes).
MAX_INFLATE_RATIO = 100


def mib(n: int) -> str:
    """A size in bytes as people read it.

    >>> mib(32 * 1024 * 1024), mib(1536)
    ('32 MiB', '1.5 KiB')
    """
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


def describe(doc: Document) -> str:
    """How a message names one document: the article, or which comment of it.

    >>> describe(Document("a", "comment", "p", "Un titre", "", "x.txt", number=3))
    "comment 3 of 'Un titre'"
    """
    title = doc.title if len(doc.title) <= 60 else doc.title[:59] + "…"
    if doc.kind == "comment":
        return f"comment {doc.number} of {title!r}"
    return f"article {title!r}"


def cap_post(post: Post, report) -> None:
    """Cut the title and every body of a post to the limits above, warning for each cut."""
    title = post.article.title
    if len(title) > MAX_TITLE_CHARS:
        short = title[:MAX_TITLE_CHARS]
        report.warn(f"{post.article.source}: a title of {len(title):,} characters cut to its first "
                    f"{MAX_TITLE_CHARS:,} (the limit for a title): {short[:60]!r}…")
        for doc in post.documents:
            if doc.title == title:
                doc.title = short
    for doc in post.documents:
        cap_document(doc, report)


def cap_document(doc: Document, report) -> None:
    """Cut ``doc``'s body to ``MAX_DOCUMENT_CHARS``, warning with what was cut.

    A reader that already dropped text while reading (a line too long to
    hold) records the full length as ``meta["full_length"]``.
    """
    full = max(len(doc.body), doc.meta.get("full_length", 0))
    if full <= MAX_DOCUMENT_CHARS:
        doc.meta.pop("full_length", None)
        return
    doc.body = doc.body[:MAX_DOCUMENT_CHARS]
    doc.meta["full_length"] = full
    report.warn(f"{doc.source}: {describe(doc)} is {full:,} characters long; only its first "
                f"{MAX_DOCUMENT_CHARS:,} are indexed ({full - MAX_DOCUMENT_CHARS:,} cut: the limit for one "
                f"document)")
