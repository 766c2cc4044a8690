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
to ``dates.parse_date`` and markup to ``htmltext.element_to_text``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import lxml.html
from lxml import etree

from searchkit.errors import InputError
from searchkit.model import ARTICLE, COMMENT, Document, Post, comment_id_for, post_id_for
from searchkit.readers.dates import parse_date
from searchkit.readers.encoding import clean_text, declared_charset, decode, is_probably_binary, normalise_label
from searchkit.readers.htmltext import element_to_text

# An element is a comment when its id is a comment anchor (WordPress
# ``comment-N`` or ``li-comment-N``, Blogger ``cNNN``, SPIP ``forumN``) and a
# class says so.
_COMMENT_ID = re.compile(r"^(?:li-)?comment-(\d+)$|^c(\d{3,})$|^forum(\d+)$")
COMMENT_CLASSES = frozenset(("comment", "pingback", "trackback"))
LINKBACK_CLASSES = ("pingback", "trackback")

# Class or id parts that mark page furniture inside an article container.
_BOILERPLATE = frozenset(
    "related yarpp crp share shares sharing sharedaddy social addtoany navigation nav breadcrumb "
    "breadcrumbs widget sidebar comments comment respond meta byline posted tags tagcloud "
    "line-numbers bio advert ads adsense subscribe newsletter footer postmetadata "
    "screen-reader-text".split()
)
_GLUED = ("related", "sidebar", "widget", "breadcrumb", "sharing")
FURNITURE_TAGS = ("nav", "aside", "form", "footer", "button", "select", "textarea", "input", "iframe")
# A heading marked so, or inside a post, is likely the post's title...
_POST_MARKS = frozenset(("entry-title", "post-title", "hentry", "post", "type-post"))
# ...and one where a site's own name sits is not.
_SITE_HEADER = frozenset("banner masthead branding logo site-title site-name blog-title site-header".split())

# Article containers, best first; among several matches the longest text wins.
CONTENT_CLASSES = ("entry-content", "post-body", "post-content", "article-content", "single-content",
                   "entry", "blogbody", "story-content", "hentry", "type-post")
# Text a post's container holds at least, for a page showing several to be a listing.
LISTING_MIN_TEXT = 300
# Where an article's date is written, best first.
DATE_CLASSES = ("published", "entry-date", "post-date", "posted-on", "posted", "post-timestamp",
                "date-header", "date", "dateline", "meta", "post-meta", "entry-meta", "postmetadata",
                "post-info", "entry-info")
DATE_METAS = ("article:published_time", "datepublished", "date", "dc.date", "dc.date.created",
              "dcterms.created", "og:published_time")
# Pieces of a comment that are not its text.
COMMENT_FURNITURE = frozenset(
    "comment-author vcard author comment-meta commentmetadata comment-metadata reply "
    "comment-reply-link avatar says comment-awaiting-moderation comment-edit-link comment-actions "
    "comment-header date datetime comment-date user children comment-replies fn".split()
)
_PREFIX = re.compile(r"^\s*(?:posted\s+by|written\s+by|publié\s+par|écrit\s+par|by|par|l['’]auteur\s+est)\s*:?\s*",
                     re.IGNORECASE)
_SAYS = re.compile(r"\s*(?:dit|says|said|a dit|a écrit|wrote)\s*(?::|\.\.\.|…)?\s*$", re.IGNORECASE)
_DOTCLEAR_BY = re.compile(r"\b(?:par|by)\s+(.+?)\s*$", re.IGNORECASE)
_BY_IN_META = re.compile(r"\b(?:par|by)\s*:?\s+([^\W\d][^,:|·\n]*?)\s*(?:,|::|\||·|$|\s(?:le|on|at|à|dans|in)\s)",
                         re.IGNORECASE)
_POSTED_BY = re.compile(r"posted\s+by\s*:?\s*(.+?)\s+(?:at|on|le|à)\s", re.IGNORECASE | re.DOTALL)
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ANNOUNCED = re.compile(r"^(\d+|une?|one|aucun|no)\s+(?:commentaires?|comments?|réponses?|responses?|replies|reply"
                       r"|messages?)\b", re.IGNORECASE)
_WORD_NUMBERS = {"un": 1, "une": 1, "one": 1, "aucun": 0, "no": 0}
_SAVED_FROM = (
    re.compile(rb"<!--\s*Mirrored from\s+(\S+?)\s+by HTTrack", re.IGNORECASE),
    re.compile(rb"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.IGNORECASE),
)


def read(path: Path, source: str, report) -> Iterator[Post]:
    """The post of a saved page file (the reader ``readers.read_file`` calls)."""
    data = path.read_bytes()
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
    root = parse_tree(text)
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
    body_el, shown = find_content(root)
    if shown > 1:
        report.warn(f"{label}: the page shows {shown} posts (a home or archive page?); only the longest is read")
    date = find_date(root)
    author = find_author(root)
    body = clean_text(element_to_text(clean_container(body_el, title)))
    if not title and not body:
        report.warn(f"{label}: no article found in the page")
    article = Document(id=post_id, kind=ARTICLE, post_id=post_id, title=title, body=body, source=source,
                       author=author, date=date, url=page_url, meta={"encoding": encoding})
    ids = {c.element: comment_id_for(post_id, n) for n, c in enumerate(comments, start=1)}
    docs = [
        Document(id=ids[c.element], kind=COMMENT, post_id=post_id, title=title, body=c.body, source=source,
                 author=c.author, date=c.date, url=clean_text(c.url) if c.url else None, number=n,
                 parent_id=ids.get(c.parent))
        for n, c in enumerate(comments, start=1)
    ]
    yield Post(article, docs)


# --- bytes to tree -----------------------------------------------------------------------------

def decode_page(data: bytes, label: str, report, content_type: str | None = None) -> tuple[str, str]:
    """The page's text and the encoding read; warns when a declaration was wrong."""
    declared = declared_charset(data, content_type)
    text, used = decode(data, declared)
    wanted = normalise_label(declared)
    if wanted and wanted != used and not (wanted == "utf-8" and used == "utf-8-sig"):
        if wanted == "utf-8" or used not in ("utf-8", "utf-8-sig"):
            report.warn(f"{label}: declared charset {declared} does not fit its bytes; read as {used}")
    return text, used


def parse_tree(text: str):
    """An lxml tree of the page; None if libxml2 finds no element at all.

    The text is handed over as UTF-8 bytes with that encoding forced: lxml
    refuses a str holding an encoding declaration, and a ``<meta charset>``
    must not re-decode text already decoded.
    """
    parser = lxml.html.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True,
                                  remove_pis=True, recover=True)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8", "surrogatepass"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
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
    return " ".join(el.text_content().split())


def with_class(root, name: str) -> list:
    return root.xpath(f"descendant-or-self::*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]")


def drop(el) -> None:
    """Take an element out of the tree, its tail text kept in place."""
    if el.getparent() is not None:
        el.drop_tree()


# --- comments ----------------------------------------------------------------------------------

@dataclass
class FoundComment:
    """One comment as read from the page, before it becomes a ``Document``."""

    element: object  # its element in the page: replies point at their parent's
    parent: object | None
    author: str | None
    date: datetime | None
    body: str
    url: str | None


def is_comment_element(el) -> bool:
    """A comment's own element: a comment anchor as id and a class saying so.

    WordPress's ``comment-N`` is enough on a block element (themes such as
    Twenty Ten put it, classless, inside ``li.comment#li-comment-N``: the two
    are then read once); an empty ``<a id="comment-N">`` marks a place, not
    a comment.
    """
    m = _COMMENT_ID.match(el.get("id") or "")
    if not m:
        return False
    if classes(el) & COMMENT_CLASSES:
        return True
    return el.get("id").startswith("comment-") and el.tag in ("li", "div", "article", "section")


def extract_comments(root, page_url: str | None, report) -> tuple[list[FoundComment], int]:
    """Every comment of the page, in page order, and how many items the list had.

    The items count includes pingbacks and empty comments, left out. The
    comments' elements leave the tree. The first markup found wins:
    WordPress/Blogger/SPIP threaded lists, then the definition lists of
    Dotclear and classic Blogger templates, then Movable Type's
    ``div.comments-body``.
    """
    found = [el for el in root.iter() if isinstance(el.tag, str) and is_comment_element(el)]
    if found:
        comments, items = _threaded_comments(found, page_url, report)
        outer = set(found)
        for el in found:
            if not any(a in outer for a in el.iterancestors()):
                drop(el)
        return comments, items
    for extract in (_definition_list_comments, _movable_type_comments):
        comments = extract(root, page_url)
        if comments:
            for c in comments:
                drop(c.element)
            return [c for c in comments if _keep(c, report)], len(comments)
    return [], 0


def announced_comment_count(root) -> int | None:
    """The number of comments the page says it has (« 81 Commentaires », « 28 Comments »).

    A heading first, else a line inside an element named for comments (the
    post's meta line); the first found, as related-post cards come later.
    """
    candidates = list(root.iter("h1", "h2", "h3", "h4", "h5"))
    candidates += [el for el in root.iter("span", "div", "p", "a", "strong")
                   if any("comments" in name_parts(a) for a in (el, *el.iterancestors()))]
    for el in candidates:
        text = text_of(el)
        m = _ANNOUNCED.match(text) if len(text) < 150 else None
        if m:
            word = m.group(1).lower()
            return int(word) if word.isdigit() else _WORD_NUMBERS[word]
    return None


def _number(el) -> str:
    m = _COMMENT_ID.match(el.get("id") or "")
    assert m is not None  # only called on comment elements
    return next(g for g in m.groups() if g)


def _thread_parent(el, keep: set):
    """The comment ``el`` answers, or None.

    Most markups nest a reply inside its parent's element; SPIP nests it in
    the list item whose first child is the parent's element
    (``li > div.comment#forum1 + ul > li > div.comment#forum2``).
    """
    for a in el.iterancestors():
        if a in keep:
            return a
        if a.tag == "li":
            for child in a:
                if child in keep and child is not el:
                    return child
    return None


def _threaded_comments(found: list, page_url: str | None, report) -> tuple[list[FoundComment], int]:
    keep = set(found)
    comments = []
    items = 0
    for el in found:
        parent = _thread_parent(el, keep)
        if parent is not None and _number(parent) == _number(el):
            continue  # the same comment's inner anchor (``div#comment-N`` inside ``li#li-comment-N``)
        items += 1
        linkback = next((name for name in LINKBACK_CLASSES if name in classes(el)), None)
        if linkback:
            report.skip(linkback)
            continue
        own = _own_part(el)
        comment = FoundComment(
            element=el,
            parent=parent,
            author=_comment_author(own),
            date=_comment_date(own),
            body=clean_text(element_to_text(_comment_body(own))),
            url=f"{page_url}#{_anchor(el)}" if page_url else None,
        )
        if _keep(comment, report):
            comments.append(comment)
    return comments, items


def _anchor(el) -> str:
    """The anchor a link to this comment uses: ``comment-N`` when the page has it, else the id."""
    wordpress = f"comment-{_number(el)}"
    if el.get("id") != wordpress and el.xpath(f".//*[@id='{wordpress}']"):
        return wordpress
    return el.get("id")


def _keep(comment: FoundComment, report) -> bool:
    if comment.body.strip():
        return True
    report.skip("empty comment")
    return False


def _own_part(el):
    """A copy of a comment element without the replies nested in it."""
    own = copy.deepcopy(el)
    for inner in list(own.iter()):
        if inner is own or inner.getparent() is None:
            continue
        nested = is_comment_element(inner) and _number(inner) != _number(el)
        if nested or classes(inner) & {"children", "comment-replies"}:
            drop(inner)
    return own


def _first(el, xpaths: tuple[str, ...]):
    for xp in xpaths:
        found = el.xpath(xp)
        if found:
            return found[0]
    return None


def _class_xpath(name: str) -> str:
    return f".//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"


def _comment_author(own) -> str | None:
    el = _first(own, (_class_xpath("fn"), ".//cite", _class_xpath("comment-author"), _class_xpath("author"),
                      _class_xpath("user"), ".//*[@itemprop='author']"))
    if el is None:
        return None
    el = copy.deepcopy(el)
    for inner in list(el.iter()):
        if inner is not el and inner.getparent() is not None and classes(inner) & {
                "says", "date", "datetime", "comment-meta", "avatar", "comment-metadata"}:
            drop(inner)
    return _person(text_of(el))


def _person(text: str | None) -> str | None:
    """A commenter's name without « dit : » or « said… » around it."""
    name = _SAYS.sub("", text or "").strip()
    return clean_text(name) or None


def _comment_date(own):
    for t in own.iter("time"):
        value = parse_date(t.get("datetime")) or parse_date(text_of(t))
        if value:
            return value
    for abbr in own.xpath(".//abbr[@title]"):
        value = parse_date(abbr.get("title"))
        if value:
            return value
    for name in ("comment-metadata", "commentmetadata", "comment-meta", "comment-date", "datetime",
                 "date", "comment-time", "comment-timestamp", "published"):
        for el in own.xpath(_class_xpath(name)):
            value = parse_date(text_of(el))
            if value:
                return value
    return None


def _comment_body(own):
    found = _first(own, (_class_xpath("comment-content"), _class_xpath("text"), ".//*[@itemprop='text']"))
    if found is not None:
        return found
    for inner in list(own.iter()):
        if inner is own or inner.getparent() is None:
            continue
        if classes(inner) & COMMENT_FURNITURE or inner.tag == "cite":
            drop(inner)
    return own


def _definition_list_comments(root, page_url: str | None) -> list[FoundComment]:
    """Dotclear and classic Blogger: ``<dt>`` who and when, then ``<dd>`` the text.

    Dotclear: ``<dt id="c12"><a class="comment-number">1.</a> Le 5 janvier
    2011, 10:12 par <a>Nom</a></dt><dd><p>…</p></dd>``; Blogger:
    ``<dt class="comment-author" id="c123"><a>Nom</a> a dit…</dt>
    <dd class="comment-body">…</dd><dd class="comment-footer">date</dd>``.
    """
    lists = root.xpath("//dl[@id='comments-block' or @id='comments-list' or ancestor::*[@id='comments']]")
    comments = []
    for dl in lists:
        for dt in dl.findall("dt"):
            parts = []
            for sibling in dt.itersiblings():
                if sibling.tag == "dt":
                    break
                if sibling.tag == "dd":
                    parts.append(sibling)
            if not parts:
                continue
            body = lxml.html.Element("div")
            for dd in parts:
                if not classes(dd) & {"comment-footer", "comment-timestamp"}:
                    body.append(copy.deepcopy(dd))
            who = copy.deepcopy(dt)
            for a in who.xpath(".//a[contains(concat(' ', @class, ' '), ' comment-number ')]"):
                drop(a)
            line = text_of(who)
            by = _DOTCLEAR_BY.search(line)
            anchor = dt.get("id") or next((a.get("name") for a in dt.iter("a") if a.get("name")), None)
            comment = FoundComment(
                element=dt, parent=None,
                author=_person(by.group(1) if by else line),
                date=parse_date(line) or next(filter(None, (parse_date(text_of(dd)) for dd in parts[1:])), None),
                body=clean_text(element_to_text(body)),
                url=f"{page_url}#{anchor}" if page_url and anchor else page_url,
            )
            comments.append(comment)
            for dd in parts:
                drop(dd)
    return comments


def _movable_type_comments(root, page_url: str | None) -> list[FoundComment]:
    """Movable Type 3: the text, then ``Posted by: <a>Name</a> at June 16, 2008 02:36 PM``."""
    comments = []
    for el in with_class(root, "comments-body"):
        own = copy.deepcopy(el)
        posted = own.xpath(_class_xpath("comments-post"))
        author = date = None
        if posted:
            line = text_of(posted[0])
            link = posted[0].find(".//a")
            m = _POSTED_BY.search(line + " ")
            author = text_of(link) if link is not None else (m.group(1) if m else None)
            date = parse_date(line)
            for p in posted:
                drop(p)
        anchor = el.getprevious()
        name = anchor.get("id") or anchor.get("name") if anchor is not None and anchor.tag == "a" else None
        comments.append(FoundComment(
            element=el, parent=None, author=_person(author), date=date,
            body=clean_text(element_to_text(own)),
            url=f"{page_url}#{name}" if page_url and name else page_url,
        ))
    return comments


def strip_comment_sections(root) -> None:
    """Comment lists' leftovers, forms and headings: not part of the article."""
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        if el.get("id") in ("comments", "respond", "disqus_thread") or classes(el) & {
                "comments-area", "comment-respond", "comments-head", "comment-list", "commentlist",
                "comments-list", "comment-thread", "comments"}:
            drop(el)


# --- the article -------------------------------------------------------------------------------

def page_title(root) -> str:
    titles = [text_of(t) for t in root.iter("title")]
    titles += [m.get("content") or "" for m in root.iter("meta") if m.get("property") == "og:title"]
    return " ".join(titles)


def find_title(root) -> str | None:
    """The article's title: the page heading that the ``<title>`` repeats.

    A blog's ``<title>`` is « Post title | Site name » in some order, and the
    site's name is often a heading too; among headings found in it, one
    marked as a post's title (or inside a post) wins, one in the site's banner
    loses, and then the longest. Without any, the ``<title>`` with the site's
    name taken off.
    """
    whole = " ".join(page_title(root).split())
    site = next((m.get("content") for m in root.iter("meta") if m.get("property") == "og:site_name"), None)
    best, best_score = None, None
    for h in root.iter("h1", "h2", "h3", "h4"):
        text = text_of(h)
        if not text or text == site or text not in whole:
            continue
        score = len(text) + 1000 * _in_post(h) - 1000 * _in_site_header(h)
        if best_score is None or score > best_score:
            best, best_score = text, score
    if best:
        return clean_text(best)
    titles = [text_of(t) for t in root.iter("title")]
    if not titles or not titles[0]:
        return None
    title = titles[0]
    parts = re.split(r"\s+(?:\||–|—|-|::|»|«)\s+|:\s+", title)
    parts = [p for p in parts if p and p != site]
    return clean_text(max(parts, key=len) if parts else title)


def _in_post(h) -> bool:
    return any(classes(el) & _POST_MARKS or el.tag == "article" for el in (h, *h.iterancestors()))


def _in_site_header(h) -> bool:
    return any(name_parts(a) & _SITE_HEADER or "header" in (a.get("id"), *classes(a)) for a in h.iterancestors())


def find_content(root) -> tuple[object, int]:
    """The element holding the article's text, and how many such posts the page shows.

    Among several containers of the same kind the longest wins; more than
    one long one means a listing (a home or archive page), not a post.
    """
    for name in CONTENT_CLASSES:
        found = [el for el in with_class(root, name) if text_of(el)]
        if found:
            outermost = [el for el in found if not any(a in found for a in el.iterancestors())]
            posts = sum(1 for el in outermost if len(text_of(el)) >= LISTING_MIN_TEXT)
            return max(found, key=lambda el: len(text_of(el))), posts
    for el in root.iter("article"):
        return el, 1
    return _densest(root), 1


def _densest(root):
    """The element whose own paragraphs hold the most text (readability's idea, reduced)."""
    scores: dict = {}
    for p in root.iter("p"):
        parent = p.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + len(text_of(p))
    if scores:
        return max(scores, key=lambda el: scores[el])
    body = root.find("body")
    return body if body is not None else root


def clean_container(el, title: str):
    """A copy of the article container without furniture, nor its own title heading."""
    el = copy.deepcopy(el)
    for inner in list(el.iter()):
        if inner is el or not isinstance(inner.tag, str) or inner.getparent() is None:
            continue
        if inner.tag in FURNITURE_TAGS or name_parts(inner) & _BOILERPLATE:
            drop(inner)
        elif inner.tag in ("h1", "h2", "h3", "h4") and title and text_of(inner) == title:
            drop(inner)
    return el


def find_date(root) -> datetime | None:
    """When the article was published: metadata, then machine-readable, then written dates."""
    for m in root.iter("meta"):
        if (m.get("property") or m.get("name") or m.get("itemprop") or "").lower() in DATE_METAS:
            value = parse_date(m.get("content"))
            if value:
                return value
    times = list(root.iter("time"))
    preferred = [t for t in times if classes(t) & {"published", "entry-date"} or t.get("itemprop") == "datePublished"]
    for t in preferred + times:
        value = parse_date(t.get("datetime")) or parse_date(text_of(t))
        if value:
            return value
    for abbr in root.xpath(_class_xpath("published")):
        value = parse_date(abbr.get("title"))
        if value:
            return value
    for name in DATE_CLASSES:
        for el in with_class(root, name):
            value = parse_date(text_of(el))
            if value:
                return value
    return None


def find_author(root) -> str | None:
    """Who wrote the article, when the page says so (comments are already out of the tree)."""
    for m in root.iter("meta"):
        if m.get("name") == "author" and m.get("content") and "://" not in m.get("content"):
            return clean_text(m.get("content").strip())
    for xp in (_class_xpath("byline"), _class_xpath("post-author") + "//*[@rel='author']",
               _class_xpath("entry-author"), _class_xpath("author-name"), _class_xpath("fn"),
               ".//*[@itemprop='author']"):
        for el in root.xpath(xp):
            name = _PREFIX.sub("", text_of(el)).strip()
            if name:
                return clean_text(name)
    # « Publié le 3 mai 2012 par Anne », « Posted by ajh59 at June 13, 2008 »
    for name in ("posted", "post-info", "postmetadata", "post-meta", "entry-meta", "meta"):
        for el in with_class(root, name):
            m = _BY_IN_META.search(text_of(el))
            if m:
                return clean_text(m.group(1).strip())
    return None
