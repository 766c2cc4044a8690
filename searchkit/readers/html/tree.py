"""A saved page's bytes to an lxml tree, and the element helpers the article and comment readers share."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from searchkit.readers.encoding import clean_text, declared_charset, decode, normalise_label
from searchkit.readers.htmltext import collapse_runs

_GLUED = ("related", "sidebar", "widget", "breadcrumb", "sharing")
_WHITE_SPACE = re.compile(r"\s+")
# libxml2's nesting limit with XML_PARSE_HUGE (huge_tree); 256 without it.
MAX_DEPTH = 2048
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SAVED_FROM = (
    re.compile(rb"<!--\s*Mirrored from\s+(\S+?)\s+by HTTrack", re.IGNORECASE),
    re.compile(rb"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.IGNORECASE),
)


def decode_page(data: bytes, label: str, report, content_type: str | None = None) -> tuple[str, str]:
    """The page's text and the encoding read; warns when a declaration was wrong."""
    declared = declared_charset(data, content_type)
    text, used = decode(data, declared)
    wanted = normalise_label(declared)
    if wanted and wanted != used and not (wanted == "utf-8" and used == "utf-8-sig"):
        if wanted == "utf-8" or used not in ("utf-8", "utf-8-sig"):
            report.warn(f"{label}: declared charset {declared} does not fit its bytes; read as {used}")
    return text, used


def parse_tree(text: str, label: str = "", report=None):
    """An lxml tree of the page; None if libxml2 finds no element at all.

    The text is handed over as UTF-8 bytes with that encoding forced: lxml
    refuses a str holding an encoding declaration, and a ``<meta charset>``
    must not re-decode text already decoded. ``huge_tree`` lifts libxml2's
    default depth limit of 256 (a page of 400 comments, each leaving a
    ``<div>`` unclosed, nests deeper) to ``MAX_DEPTH``; past that, libxml2
    stops the page, and the loss is reported as an error.
    """
    parser = lxml.html.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True,
                                  remove_pis=True, recover=True, huge_tree=True)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    if report is not None and any("Excessive depth" in e.message for e in parser.error_log):
        report.error(f"{label}: elements nested more than {MAX_DEPTH} deep (unclosed tags?); the HTML "
                     f"parser stops there, so the rest of the page is lost")
    for el in list(root.iter("script", "style", "noscript", "template", "svg")):
        drop(el)
    # libxml2 keeps control characters that entities spell (``&#27;[31m``) in
    # text nodes, where lxml then refuses any edit: clean them at once.
    for el in root.iter():
        for attr in ("text", "tail"):
            value = getattr(el, attr)
            if value and _XML_UNSAFE.search(value):
                setattr(el, attr, clean_text(value))
    return root


def canonical_url(root, data: bytes) -> str | None:
    """The page's own address: og:url, then rel=canonical, then the saver's note.

    Only absolute http(s) URLs count: wget and HTTrack rewrite links to local
    files (``../familiers.1.html``), which would identify nothing.
    """
    candidates = [m.get("content") for m in root.iter("meta") if m.get("property") == "og:url"]
    candidates += [link.get("href") for link in root.iter("link")
                   if "canonical" in (link.get("rel") or "").lower().split()]
    for value in candidates:
        value = (value or "").strip()
        if value.lower().startswith(("http://", "https://")):
            return value
    for pattern in _SAVED_FROM:
        m = pattern.search(data[:1_000_000])
        if m:
            found = m.group(1).decode("utf-8", "replace")
            return found if "://" in found else "http://" + found
    return None


# --- helpers -----------------------------------------------------------------------------------

def classes(el) -> set[str]:
    return set((el.get("class") or "").split())


def name_parts(el) -> set[str]:
    """Every class and the id, whole and split on ``-``/``_``: ``kenta-related-posts`` → related.

    A few words too telling to miss are also found glued to others
    (``jp-relatedposts``, ``sidebarwidget``).
    """
    tokens = (el.get("class") or "").split()
    if el.get("id"):
        tokens.append(el.get("id"))
    parts = set()
    for token in tokens:
        token = token.lower()
        parts.add(token)
        parts.update(re.split(r"[-_]", token))
        parts.update(word for word in _GLUED if word in token)
    return parts


def text_of(el) -> str:
    """An element's text, white space collapsed.

    >>> import lxml.html
    >>> text_of(lxml.html.fromstring("<p> Un\\u00a0:\\n <b>deux</b>  trois </p>"))
    'Un : deux trois'
    """
    return collapse_spaces(el.text_content())


def collapse_spaces(text: str) -> str:
    """Runs of any white space (NBSP too) made one space, the ends stripped, in bounded memory.

    >>> collapse_spaces(" a \\u00a0 b ")
    'a b'
    """
    return collapse_runs(text, _WHITE_SPACE)


def short_text(el, limit: int) -> str | None:
    """``text_of(el)`` if it is shorter than ``limit`` characters, else None, without building it whole.

    >>> import lxml.html
    >>> short_text(lxml.html.fromstring("<p>12  <b>Commentaires</b></p>"), 150)
    '12 Commentaires'
    >>> short_text(lxml.html.fromstring("<p>" + "mot " * 100 + "</p>"), 150) is None
    True
    """
    parts, length = [], 0
    for piece in el.itertext():
        length += len(piece)
        if length > 8 * limit:  # white space collapses, but not by that much
            return None
        parts.append(piece)
    text = " ".join("".join(parts).split())
    return text if len(text) < limit else None


def with_class(root, name: str) -> list:
    return root.xpath(f"descendant-or-self::*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]")


def drop(el) -> None:
    """Take an element out of the tree, its tail text kept in place."""
    if el.getparent() is not None:
        el.drop_tree()


def first_match(el, xpaths: tuple[str, ...]):
    for xp in xpaths:
        found = el.xpath(xp)
        if found:
            return found[0]
    return None


def class_xpath(name: str) -> str:
    return f".//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"
