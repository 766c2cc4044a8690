"""The article of a saved page: its title, body container, date, author, categories and tags."""

from __future__ import annotations

import copy
import re
from datetime import datetime

from searchkit.readers.dates import parse_date
from searchkit.readers.encoding import clean_text
from searchkit.readers.html.tree import class_xpath, classes, drop, name_parts, text_of, with_class

# Class or id parts that mark page furniture inside an article container.
_BOILERPLATE = frozenset(
    "related yarpp crp share shares sharing sharedaddy social addtoany navigation nav breadcrumb "
    "breadcrumbs widget sidebar comments comment respond meta byline posted tags tagcloud "
    "line-numbers bio advert ads adsense subscribe newsletter footer postmetadata "
    "screen-reader-text".split()
)
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
_PREFIX = re.compile(r"^\s*(?:posted\s+by|written\s+by|publié\s+par|écrit\s+par|by|par|l['’]auteur\s+est)\s*:?\s*",
                     re.IGNORECASE)
_BY_IN_META = re.compile(r"\b(?:par|by)\s*:?\s+([^\W\d][^,:|·\n]*?)\s*(?:,|::|\||·|$|\s(?:le|on|at|à|dans|in)\s)",
                         re.IGNORECASE)


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
        lengths = {el: len(text_of(el)) for el in with_class(root, name)}  # each text measured once
        found = [el for el, length in lengths.items() if length]
        if found:
            outermost = [el for el in found if not any(a in lengths for a in el.iterancestors())]
            posts = sum(1 for el in outermost if lengths[el] >= LISTING_MIN_TEXT)
            return max(found, key=lambda el: lengths[el]), posts
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
    for abbr in root.xpath(class_xpath("published")):
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
    for xp in (class_xpath("byline"), class_xpath("post-author") + "//*[@rel='author']",
               class_xpath("entry-author"), class_xpath("author-name"), class_xpath("fn"),
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


# Where a blog lists other posts' terms (tag clouds, related posts): not this article's.
_STATES = frozenset(("no", "has", "with", "without"))
_ELSEWHERE = frozenset("widget sidebar related relatedposts yarpp crp tagcloud cloud".split())


def find_terms(root) -> tuple[list[str], list[str]]:
    """The article's categories and tags, as WordPress and Open Graph markup give them.

    WordPress links a post's categories with ``rel="category tag"`` and its
    tags with ``rel="tag"``; Open Graph has ``article:section`` and
    ``article:tag``. Links in sidebars, tag clouds and related posts belong
    to other posts and are left out (comments are already out of the tree).

    >>> import lxml.html
    >>> find_terms(lxml.html.fromstring(
    ...     '<div><p>Texte</p><a rel="category tag">Droit</a> <a rel="tag">RGPD</a> <a rel="tag">RGPD</a>'
    ...     '<aside class="widget"><a rel="tag">Autre</a></aside></div>'))
    (['Droit'], ['RGPD'])
    """
    categories: list[str] = []
    tags: list[str] = []
    for a in root.iter("a"):
        rel = (a.get("rel") or "").lower().split()
        if "tag" not in rel or _in_furniture(a):
            continue
        _add(categories if "category" in rel else tags, text_of(a))
    for m in root.iter("meta"):
        prop = (m.get("property") or "").lower()
        if prop in ("article:tag", "article:section"):
            _add(categories if prop == "article:section" else tags, m.get("content") or "")
    return categories, tags


def _in_furniture(el) -> bool:
    """Inside an aside, a nav, or an element named as a widget, sidebar, cloud or related posts.

    A class saying what a page has or has not (``kenta-no-sidebar``,
    ``has-sidebar``) names no place.
    """
    for a in el.iterancestors():
        if a.tag in ("aside", "nav"):
            return True
        for token in [*(a.get("class") or "").split(), a.get("id") or ""]:
            parts = re.split(r"[-_]", token.lower())
            if any(part in _ELSEWHERE and (i == 0 or parts[i - 1] not in _STATES) for i, part in enumerate(parts)):
                return True
    return False


def _add(terms: list[str], name: str) -> None:
    name = clean_text(" ".join(name.split()))
    if name and name not in terms:
        terms.append(name)
