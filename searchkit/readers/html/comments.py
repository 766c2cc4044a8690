"""Reader comments of a saved page: WordPress, Blogger, SPIP, Dotclear and Movable Type markup."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import lxml.html

from searchkit.readers.dates import parse_date
from searchkit.readers.encoding import clean_text
from searchkit.readers.html.tree import (
    class_xpath,
    classes,
    drop,
    first_match,
    name_parts,
    short_text,
    text_of,
    with_class,
)
from searchkit.readers.htmltext import element_to_text

# An element is a comment when its id is a comment anchor (WordPress
# ``comment-N`` or ``li-comment-N``, Blogger ``cNNN``, SPIP ``forumN``) and a
# class says so.
_COMMENT_ID = re.compile(r"^(?:li-)?comment-(\d+)$|^c(\d{3,})$|^forum(\d+)$")
COMMENT_CLASSES = frozenset(("comment", "pingback", "trackback"))
LINKBACK_CLASSES = ("pingback", "trackback")
# Pieces of a comment that are not its text.
COMMENT_FURNITURE = frozenset(
    "comment-author vcard author comment-meta commentmetadata comment-metadata reply "
    "comment-reply-link avatar says comment-awaiting-moderation comment-edit-link comment-actions "
    "comment-header date datetime comment-date user children comment-replies fn".split()
)
_SAYS = re.compile(r"\s*(?:dit|says|said|a dit|a écrit|wrote)\s*(?::|\.\.\.|…)?\s*$", re.IGNORECASE)
_DOTCLEAR_BY = re.compile(r"\b(?:par|by)\s+(.+?)\s*$", re.IGNORECASE)
_POSTED_BY = re.compile(r"posted\s+by\s*:?\s*(.+?)\s+(?:at|on|le|à)\s", re.IGNORECASE | re.DOTALL)
_ANNOUNCED = re.compile(r"^(\d+|une?|one|aucun|no)\s+(?:commentaires?|comments?|réponses?|responses?|replies|reply"
                       r"|messages?)\b", re.IGNORECASE)
_WORD_NUMBERS = {"un": 1, "une": 1, "one": 1, "aucun": 0, "no": 0}


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
    for el in _announcing_candidates(root):
        text = short_text(el, 150)
        m = _ANNOUNCED.match(text) if text else None
        if m:
            word = m.group(1).lower()
            return int(word) if word.isdigit() else _WORD_NUMBERS[word]
    return None


def _announcing_candidates(root) -> Iterator:
    """Headings, then lines inside elements named for comments, each in page order.

    A generator, the named elements found once: on a page of 50,000
    comments a list of every line with its ancestors took ~200 MB.
    """
    yield from root.iter("h1", "h2", "h3", "h4", "h5")
    named = [el for el in root.iter() if isinstance(el.tag, str) and "comments" in name_parts(el)]
    inside = set(named)
    for container in named:
        if not any(a in inside for a in container.iterancestors()):
            yield from container.iter("span", "div", "p", "a", "strong")


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
    """A copy of a comment element without the replies nested in it.

    The replies are taken out of the page for the copy and put back: copying
    them only to drop them was quadratic on a deep thread (400 comments each
    leaving a ``<div>`` open, every one nested in the one before).
    """
    number = _number(el)
    nested = []
    stack = list(el)
    while stack:
        inner = stack.pop()
        if not isinstance(inner.tag, str):
            continue
        if is_comment_element(inner) and _number(inner) != number or classes(inner) & {"children",
                                                                                        "comment-replies"}:
            nested.append(inner)
        else:
            stack.extend(inner)
    places = sorted(((inner.getparent().index(inner), inner.getparent(), inner) for inner in nested),
                    key=lambda place: place[0])
    for _, parent, inner in places:
        parent.remove(inner)  # its tail goes with it, and comes back with it
    try:
        return copy.deepcopy(el)
    finally:
        for index, parent, inner in places:  # ascending: each index is true again when its turn comes
            parent.insert(index, inner)


def _comment_author(own) -> str | None:
    el = first_match(own, (class_xpath("fn"), ".//cite", class_xpath("comment-author"), class_xpath("author"),
                      class_xpath("user"), ".//*[@itemprop='author']"))
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
        for el in own.xpath(class_xpath(name)):
            value = parse_date(text_of(el))
            if value:
                return value
    return None


def _comment_body(own):
    found = first_match(own, (class_xpath("comment-content"), class_xpath("text"), ".//*[@itemprop='text']"))
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
        posted = own.xpath(class_xpath("comments-post"))
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
