"""Duplicates: the same post archived twice is indexed once.

Ingest passes every post it read to ``Deduplicator.check`` before writing it.
A post is a duplicate of one already met **in another file** when

- their URLs are the same once normalised (``http``/``https``, ``www.``,
  letter case of the host, a trailing ``/``, the ``#fragment`` and tracking
  parameters do not count), or
- their title and text are the same once normalised (letter case, accents,
  punctuation and white space do not count), for posts with at least
  ``MIN_TEXT`` characters of text: two different posts can share a title and
  a one-line body, so short posts are matched by URL only.

The first copy met (corpus files are read in a stable, sorted order) is kept;
the later one, its comments included, is not indexed and ``check`` returns a
``Duplicate`` saying where it is and which file it duplicates. Posts inside
one file are never merged: an archive's own items are distinct records
(WordPress can hold two posts with the same title, on purpose).

The same comment posted twice under one post (a double click on "Send": it
happens in the real corpora) is **kept**, both times: each copy is a record of
the archive with its own permalink, replies may answer either, and the counts
users check against their blog's count them both. The later copy is marked
``meta["duplicate_of"] = <id of the first>`` so a consumer can fold them.

Limits: duplicates are found within one ``index`` run; a post indexed by an
earlier run is not compared with the files of a later one.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import MutableMapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from unidecode import unidecode

from searchkit.model import Post

MIN_TEXT = 80
# Query parameters that say how a page was reached, not which page it is.
TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|replytocom|amp)$", re.IGNORECASE)
_NON_WORD = re.compile(r"[\W_]+")


class _Transliteration(dict):
    """unidecode's table, one code point at a time, filled on first use.

    unidecode maps each character on its own, in Python: on French text it
    was most of the fingerprint's cost. As a ``str.translate`` table the same
    mapping runs in C once each character has been met (a few hundred of them).
    """

    def __missing__(self, codepoint: int) -> str:
        value = self[codepoint] = unidecode(chr(codepoint))
        return value


_ASCII = _Transliteration()


def normalise_url(url: str | None) -> str | None:
    """A URL reduced to what names the page, or None if there is none.

    >>> normalise_url("HTTPS://www.Example.fr:443/2016/07/privacy-shield/?utm_source=x#comment-3")
    'example.fr/2016/07/privacy-shield'
    >>> normalise_url("http://example.fr/2016/07/privacy-shield") == normalise_url(
    ...     "https://example.fr/2016/07/privacy-shield/")
    True
    >>> normalise_url("http://example.fr/?p=12&utm_medium=rss")
    'example.fr/?p=12'
    >>> normalise_url("  ") is None
    True
    """
    if not url or not url.strip():
        return None
    parts = urlsplit(url.strip())
    if not parts.netloc:
        return url.strip().rstrip("/").lower() or None
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host += f":{parts.port}"
    path = parts.path.rstrip("/")
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if not TRACKING.match(k)))
    return f"{host}{path}" + (f"/?{query}" if query and not path else f"?{query}" if query else "")


def normalise_text(text: str) -> str:
    """Text reduced to its words: case, accents, punctuation and spacing gone.

    >>> normalise_text("L’Été\\u00a0: « Privacy  Shield » !")
    'l ete privacy shield'
    """
    text = unicodedata.normalize("NFC", text).translate(_ASCII).casefold()
    return _NON_WORD.sub(" ", text).strip()


def text_key(post: Post) -> str | None:
    """A digest of a post's normalised title and body; None for a short post."""
    body = normalise_text(post.article.body)
    if len(body) < MIN_TEXT:
        return None
    title = normalise_text(post.article.title)
    return hashlib.sha1(f"{title}\x00{body}".encode()).hexdigest()


@dataclass(frozen=True)
class Original:
    source: str
    id: str
    comments: int


@dataclass(frozen=True)
class Duplicate:
    """A post not indexed because the same post came from another file first."""

    source: str
    title: str
    url: str | None
    comments: int
    original: Original
    reason: str  # "same url" or "same text"

    def __str__(self) -> str:
        where = f"{self.source}: post {self.title[:60]!r}"
        extra = ""
        if self.comments != self.original.comments:
            extra = f"; this copy has {self.comments} comment(s), the one kept {self.original.comments}"
        return f"{where} duplicates {self.original.source} ({self.reason}), not indexed again{extra}"


class Deduplicator:
    """Remembers the posts of one run and tells which ones were met before."""

    def __init__(self, urls: MutableMapping[str, Original] | None = None,
                 texts: MutableMapping[str, Original] | None = None) -> None:
        # A run passes tables on disk (``ingest.scratch``): one key per post would otherwise grow with the corpus.
        self.urls: MutableMapping[str, Original] = {} if urls is None else urls
        self.texts: MutableMapping[str, Original] = {} if texts is None else texts

    def check(self, post: Post, source: str) -> Duplicate | None:
        """The ``Duplicate`` if ``post`` repeats one from another file, else None.

        A post that is not a duplicate is remembered; its repeated comments
        are marked (see the module's docstring).
        """
        url = normalise_url(post.article.url)
        text = text_key(post)
        for key, seen, reason in ((url, self.urls, "same url"), (text, self.texts, "same text")):
            original = seen.get(key) if key else None
            if original is not None and original.source != source:
                return Duplicate(source, post.article.title, post.article.url, len(post.comments),
                                 original, reason)
        original = Original(source, post.article.id, len(post.comments))
        if url:
            self.urls.setdefault(url, original)
        if text:
            self.texts.setdefault(text, original)
        mark_repeated_comments(post)
        return None


def mark_repeated_comments(post: Post) -> int:
    """Mark each comment repeating an earlier one (same author, same text); count them.

    >>> from searchkit.model import Document
    >>> def c(i, author, body):
    ...     return Document(f"p-c{i}", "comment", "p", "T", body, "s", author=author)
    >>> post = Post(Document("p", "article", "p", "T", "", "s"),
    ...             [c(1, "Ana", "Merci !"), c(2, "Bob", "Merci !"), c(3, "ana", "Merci  !")])
    >>> mark_repeated_comments(post), post.comments[2].meta
    (1, {'duplicate_of': 'p-c1'})
    """
    first: dict[tuple[str, str], str] = {}
    repeated = 0
    for doc in post.comments:
        body = normalise_text(doc.body)
        if not body:
            continue
        key = (normalise_text(doc.author or ""), body)
        if key in first:
            doc.meta["duplicate_of"] = first[key]
            repeated += 1
        else:
            first[key] = doc.id
    return repeated
