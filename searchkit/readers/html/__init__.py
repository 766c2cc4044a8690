"""Reader for saved blog pages (``*.html``, ``*.htm``): one page, one ``Post``.

Place in the flow: file bytes → ``parse_page`` → ``Post`` records for
ingest; ``warc.py`` hands it the HTML responses of web archives the same way.
A page saved by a browser, wget or HTTrack becomes its article and its
reader comments:

1. bytes to text: BOM, then the declared charset (HTTP header, XML
   declaration, ``<meta>``), then the content (``encoding.decode``), so a page
   declared ISO-8859-1 but written in Windows-1252 reads right;
2. lxml's HTML parser (libxml2, no network) builds a tree from real-world,
   often broken markup;
3. comments are found and taken out of the tree first: WordPress's walkers
   (``li.comment#comment-N``, legacy and HTML5 markup, and themes of their
   own such as ``li.comment#li-comment-N``), Blogger (``li.comment#cNNN``),
   SPIP forums (``div.comment#forumN``), the ``<dt>``/``<dd>`` lists of
   Dotclear and classic Blogger, and Movable Type (``div.comments-body``);
   pingbacks and trackbacks are counted as left out, not indexed; nested
   replies keep their parent;
4. the article is what remains: title (the page heading that the ``<title>``
   repeats), date, author, and the body container (``.entry-content``,
   ``.post-body``, ``.entry``...) with navigation, sidebars, related posts,
   sharing buttons and footers taken out.

Markup is recognised by structure and class names, never by site; dates go
to ``dates.parse_date`` and markup to ``htmltext.element_to_text``. Steps 1–2
live in ``tree``, step 3 in ``comments``, step 4 in ``article``; this module
runs them in that order.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from searchkit.errors import InputError
from searchkit.model import ARTICLE, COMMENT, Document, Post, comment_id_for, post_id_for
from searchkit.readers.encoding import clean_text, is_probably_binary
from searchkit.readers.files import read_page
from searchkit.readers.html.article import (
    clean_container,
    find_author,
    find_content,
    find_date,
    find_terms,
    find_title,
)
from searchkit.readers.html.comments import announced_comment_count, extract_comments, strip_comment_sections
from searchkit.readers.html.tree import canonical_url, decode_page, parse_tree
from searchkit.readers.htmltext import element_to_text

__all__ = ["parse_page", "read"]


def read(path: Path, source: str, report) -> Iterator[Post]:
    """The post of a saved page file (the reader ``readers.read_file`` calls)."""
    data = read_page(path, source, report)
    if is_probably_binary(data):
        raise InputError(f"{source}: binary content, not an HTML page")
    yield from parse_page(data, source, report)


def parse_page(data: bytes, source: str, report, url: str | None = None,
               content_type: str | None = None, label: str | None = None) -> Iterator[Post]:
    """The post (exactly one) of one HTML page given as bytes.

    ``source`` is the file the page comes from (stored on every document);
    ``url``, when known (a WARC record's target URI), is the page's address
    and the key of its id; otherwise the page's canonical URL is. ``label``
    names the page in messages (``file.warc.gz#uri``); ``content_type`` is an
    HTTP header that may declare the charset.
    """
    label = label or source
    text, encoding = decode_page(data, label, report, content_type)
    root = parse_tree(text, label, report)
    del text  # the tree holds the page now: a big page is not kept twice
    if root is None:
        raise InputError(f"{label}: no HTML could be parsed")
    page_url = clean_text(url or canonical_url(root, data) or "").strip() or None
    post_id = post_id_for(source, page_url or "")
    title = find_title(root) or ""

    announced = announced_comment_count(root)
    comments, items = extract_comments(root, page_url, report)
    if announced is not None and announced != items:
        elsewhere = " (comments shown on other pages are not in this file)" if announced > items else ""
        report.warn(f"{label}: the page announces {announced} comments, {items} found{elsewhere}")
    strip_comment_sections(root)
    categories, tags = find_terms(root)
    body_el, shown = find_content(root)
    if shown > 1:
        report.warn(f"{label}: the page shows {shown} posts (a home or archive page?); only the longest is read")
    date = find_date(root)
    author = find_author(root)
    body = clean_text(element_to_text(clean_container(body_el, title)))
    if not title and not body:
        report.warn(f"{label}: no article found in the page")
    article = Document(id=post_id, kind=ARTICLE, post_id=post_id, title=title, body=body, source=source,
                       author=author, date=date, url=page_url, meta={"encoding": encoding},
                       categories=categories, tags=tags)
    ids = {c.element: comment_id_for(post_id, n) for n, c in enumerate(comments, start=1)}
    docs = [
        Document(id=ids[c.element], kind=COMMENT, post_id=post_id, title=title, body=c.body, source=source,
                 author=c.author, date=c.date, url=clean_text(c.url) if c.url else None, number=n,
                 parent_id=ids.get(c.parent))
        for n, c in enumerate(comments, start=1)
    ]
    yield Post(article, docs)
