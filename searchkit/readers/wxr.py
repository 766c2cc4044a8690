"""Reader for WordPress WXR exports (``Tools → Export`` in WordPress, ``*.xml``).

A WXR file is RSS with WordPress elements. Each ``<item>`` is a post, page,
attachment, menu item...; its approved reader comments are ``<wp:comment>``
children. What becomes what:

- an article per item with ``wp:status`` ``publish`` and ``wp:post_type``
  ``post`` or ``page``: ``title``, ``dc:creator`` (author), ``wp:post_date``,
  ``link`` (url) and ``content:encoded`` turned from HTML into text (entities
  decoded, including those inside CDATA, paragraphs kept);
- a comment per ``wp:comment`` with ``wp:comment_approved`` = 1 and a type
  empty or ``comment``, numbered by position under its post, its url the
  WordPress permalink ``link#comment-<wp:comment_id>`` and ``parent_id`` our
  id of the comment it answers (``wp:comment_parent``), so threads survive;
- the item's ``<category domain="category">`` and ``domain="post_tag"`` are
  the article's ``categories`` and ``tags`` (post formats and menus are not).

Everything else (drafts, private and pending items, attachments, menu items,
pingbacks, trackbacks, unapproved or spam comments) is left out and counted
by reason with ``report.skip``.

Safety and damage: the file is streamed with lxml ``iterparse`` (memory stays
flat on big exports; a post's comments leave the tree as they are read),
never resolves entities nor touches the network, and a file declaring a DTD
or entities (``<!DOCTYPE``/``<!ENTITY``: "billion laughs",
``file:///etc/passwd``) is refused before parsing, since no WordPress export
has one. A file that is not well-formed is read in lxml's recover mode: an
undeclared namespace prefix (a known WordPress.com export bug) loses nothing
and is a warning; any other damage (a truncated file...) may lose content and
is an error, after indexing what could be recovered.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from lxml import etree

from searchkit.errors import InputError
from searchkit.model import ARTICLE, COMMENT, Document, Post, comment_id_for, post_id_for
from searchkit.readers.encoding import clean_text, is_probably_binary
from searchkit.readers.files import open_regular, read_head
from searchkit.readers.htmltext import html_to_text

ARTICLE_TYPES = ("post", "page")
COMMENT_TYPES = ("", "comment")
PROLOG_BYTES = 1 << 20  # where a DOCTYPE could hide: before the root element

_XML_COMMENT = re.compile(rb"<!--.*?(?:-->|\Z)", re.DOTALL)
_ROOT_START = re.compile(rb"<[A-Za-z_]")
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
# WordPress shortcodes wrapping content ([caption ...]...[/caption]): their
# markers are not text, what they wrap is.
_SHORTCODE = re.compile(
    r"\[/?(?:caption|wp_caption|gallery|embed|audio|video|playlist|youtube|vimeo|dailymotion"
    r"|googlemaps|sourcecode|source|code|wpvideo|slideshow|soundcloud)\b[^\]]*\]",
    re.IGNORECASE,
)
_WS = re.compile(r"\s+")


def read(path: Path, source: str, report) -> Iterator[Post]:
    refuse_dtd(path, source)
    with open_regular(path, source) as fh:
        yield from _read_items(fh, source, report)


def _read_items(fh, source: str, report) -> Iterator[Post]:
    """The posts of an open export, streamed item by item."""
    context = etree.iterparse(
        fh, events=("end",), tag=("item", "{*}comment"), recover=True, resolve_entities=False,
        no_network=True, load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True,
    )
    items = 0
    # Each post is held back until the next one is read: the last item of a
    # truncated file is closed by recovery, not by its end tag, and is dropped.
    held: tuple[Post, int] | None = None
    taken: set[str] = set()  # post ids given so far: two items never share one
    # The comments of the item being read, as plain fields: each <wp:comment>
    # leaves the tree once read, so a post with 50,000 comments never holds
    # them all as elements.
    comments: list[dict[str, str]] = []
    try:
        for _, item in context:
            if item.tag != "item":
                parent = item.getparent()
                if parent is not None and parent.tag == "item" and _key(item) == "wp:comment":
                    comments.append({_key(f): _text(f) for f in item if isinstance(f.tag, str)})
                    parent.remove(item)
                continue
            items += 1
            post = item_to_post(item, source, report, taken, comments)
            comments = []
            line = item.sourceline or 0
            # Free what is parsed so far: memory stays flat however big the export.
            item.clear()
            parent = item.getparent()
            if parent is not None:
                while item.getprevious() is not None:
                    del parent[0]
            if post is not None:
                if held is not None:
                    yield held[0]
                held = (post, line)
    except etree.XMLSyntaxError as exc:
        if not items:
            raise InputError(f"{source}: not readable as XML ({_first_line(str(exc))})") from None
        report.error(f"{source}: XML broken after {items} items ({_first_line(str(exc))}); "
                     "the rest of the file is lost")
        if held is not None:
            yield held[0]
        return
    root = context.root
    if root is None:
        raise InputError(f"{source}: not readable as XML (no element found)")
    if _local(root.tag) != "rss" or not items and not _is_wordpress(root):
        raise InputError(f"{source}: XML but not a WordPress export (WXR): root element "
                         f"<{_local(root.tag)}>")
    damage_line = report_damage(context.error_log, source, report)
    if held is not None:
        post, line = held
        if damage_line is not None and damage_line >= line:
            report.error(f"{source}: the item at line {line} ({post.article.title[:60]!r}) is cut "
                         "off by the damage; not indexed")
        else:
            yield post


def refuse_dtd(path: Path, source: str) -> None:
    """Refuse a file whose prolog declares a DTD or entities, before any parsing.

    No WordPress export has one, and a DTD is how XML bombs ("billion laughs")
    and external entities (``file:///etc/passwd``) get in.
    """
    head = read_head(path, source, PROLOG_BYTES)
    if is_probably_binary(head):
        raise InputError(f"{source}: binary content, not a WordPress export (WXR)")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="replace").encode("utf-8")
    # Comments out, their line breaks kept so that line numbers stay true.
    head = _XML_COMMENT.sub(lambda m: b"\n" * m.group().count(b"\n"), head)
    root = _ROOT_START.search(head)
    prolog = head[: root.start()] if root else head
    m = _DTD.search(prolog)
    if m:
        line = prolog[: m.start()].count(b"\n") + 1
        entities = b"<!entity" in prolog.lower()
        raise InputError(
            f"{source}: refused: line {line} declares a DTD (<!DOCTYPE>)"
            + (" with entities" if entities else "")
            + "; WordPress exports never have one, and DTD entities can expand without end "
            "(\"billion laughs\") or read local files"
        )


def report_damage(error_log, source: str, report) -> int | None:
    """Warn about recovered namespace slips; report any other damage as an error.

    Returns the line where content-losing damage starts, if there is any.
    """
    errors = [e for e in error_log if e.level_name in ("ERROR", "FATAL")]
    if not errors:
        return None
    first = errors[0]
    if all(e.domain_name == "NAMESPACE" for e in errors):
        prefixes = sorted(set(re.findall(r"prefix (\S+) on", " ".join(e.message for e in errors))))
        what = (f"undeclared namespace prefix {', '.join(map(repr, prefixes))}" if prefixes
                else first.message.strip())
        report.warn(f"{source}: not well-formed XML (line {first.line}: {what}); "
                    "recovered, nothing lost")
        return None
    damage = [e for e in errors if e.domain_name != "NAMESPACE"]
    more = f" and {len(damage) - 1} more problem(s)" if len(damage) > 1 else ""
    report.error(f"{source}: not well-formed XML (line {damage[0].line}: "
                 f"{_first_line(damage[0].message)}{more}); indexed what could be recovered, "
                 "text near the damage may be lost")
    return damage[0].line


def item_to_post(item, source: str, report, taken: set[str] | None = None,
                 comments: list[dict[str, str]] | None = None) -> Post | None:
    """One ``<item>`` as a Post, or None (and a skip counted) if it is not indexed.

    ``comments`` are its ``<wp:comment>`` elements already read as fields
    (``wp:comment_id`` → text); any still in the item are read here.
    """
    fields: dict[str, etree._Element] = {}
    comments = comments if comments is not None else []
    categories: list[str] = []
    tags: list[str] = []
    for child in item:
        if not isinstance(child.tag, str):
            continue
        key = _key(child)
        if key == "wp:comment":
            comments.append({_key(f): _text(f) for f in child if isinstance(f.tag, str)})
        elif key == "category":
            # WordPress writes its categories and tags so; plain RSS has no domain
            # (a category); post formats and menus are not the author's words.
            domain = child.get("domain") or "category"
            name = _plain(_text(child))
            if name and domain in ("category", "post_tag"):
                found = categories if domain == "category" else tags
                if name not in found:
                    found.append(name)
        else:
            fields.setdefault(key, child)

    def text(key: str) -> str:
        el = fields.get(key)
        return _text(el) if el is not None else ""

    post_type = text("wp:post_type").strip() or "post"
    status = text("wp:status").strip() or "publish"
    if post_type not in ARTICLE_TYPES:
        _leave_out(post_type, comments, report)
        return None
    if status != "publish":
        _leave_out(status, comments, report)
        return None

    wp_id = text("wp:post_id").strip()
    title = _plain(text("title"))
    link = text("link").strip() or None
    key = wp_id or link or title
    post_id = post_id_for(source, key)
    if taken is not None:
        if post_id in taken:  # a damaged or hand-merged export: keep both, apart
            report.warn(f"{source}: line {item.sourceline}: post key {key!r} used twice; "
                        "both items indexed")
            post_id = post_id_for(source, f"{key}@{item.sourceline}")
        taken.add(post_id)
    # A plain RSS feed read as an export has its text in <description>.
    body = wordpress_html_to_text(text("content:encoded") or text("description"))
    meta: dict = {"wp_post_id": wp_id, "post_type": post_type}
    article = Document(
        id=post_id, kind=ARTICLE, post_id=post_id, title=title, body=body, source=source,
        author=_plain(text("dc:creator")) or None, date=wordpress_date(text("wp:post_date")),
        url=link, meta=meta, categories=categories, tags=tags,
    )
    return Post(article, read_comments(comments, article, report))  # empties ``comments``


def _leave_out(reason: str, comments: list, report) -> None:
    report.skip(reason)
    if comments:
        report.skip("comment on a left-out item", len(comments))


def read_comments(fields: list[dict[str, str]], article: Document, report) -> list[Document]:
    """The approved reader comments of one post, numbered, replies linked to parents."""
    kept: list[tuple[str, Document]] = []  # (wp:comment_parent, comment)
    by_wp_id: dict[str, str] = {}
    for i, c in enumerate(fields):
        fields[i] = {}  # the raw fields go as soon as read: a post's comments are not held twice
        ctype = c.get("wp:comment_type", "").strip()
        approved = c.get("wp:comment_approved", "1").strip()
        if ctype not in COMMENT_TYPES:
            report.skip(ctype)
            continue
        if approved != "1":
            report.skip({"0": "unapproved comment", "spam": "spam comment",
                         "trash": "trashed comment"}.get(approved, f"{approved} comment"))
            continue
        number = len(kept) + 1
        wp_id = c.get("wp:comment_id", "").strip()
        doc = Document(
            id=comment_id_for(article.post_id, number), kind=COMMENT, post_id=article.post_id,
            title=article.title, body=wordpress_html_to_text(c.get("wp:comment_content", "")),
            source=article.source, author=_plain(c.get("wp:comment_author", "")) or None,
            date=wordpress_date(c.get("wp:comment_date", "")), number=number,
            url=f"{article.url}#comment-{wp_id}" if article.url and wp_id else article.url,
            meta={"wp_comment_id": wp_id},
        )
        if wp_id:
            by_wp_id[wp_id] = doc.id
        kept.append((c.get("wp:comment_parent", "").strip(), doc))
    for parent, doc in kept:
        if parent and parent != "0":
            doc.parent_id = by_wp_id.get(parent)
            if doc.parent_id is None:  # answers a pingback or an unapproved comment
                doc.meta["wp_parent_id"] = parent
    return [doc for _, doc in kept]


def wordpress_html_to_text(content: str) -> str:
    """Text of WordPress post or comment HTML (blank lines are paragraphs there).

    >>> wordpress_html_to_text("L&#8217;été&nbsp;:\\n\\n[caption id=\\"a\\"]<img src=x> Légende[/caption]")
    'L’été\\xa0:\\n\\nLégende'
    """
    if not content:
        return ""
    return clean_text(html_to_text(_SHORTCODE.sub("", content), source_newlines=True))


def wordpress_date(value: str) -> datetime | None:
    """``wp:post_date`` as a datetime; WordPress writes zeros for "no date".

    >>> wordpress_date("2013-04-19 22:09:00")
    datetime.datetime(2013, 4, 19, 22, 9)
    >>> wordpress_date("0000-00-00 00:00:00") is None
    True
    """
    value = value.strip()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


def _plain(value: str) -> str:
    """A one-line field (title, author): entities decoded, white space collapsed.

    >>> _plain(" L&#8217;Europe &amp; la\\n vie ")
    'L’Europe & la vie'
    """
    if "&" in value:
        value = html.unescape(value)
    return clean_text(_WS.sub(" ", value).strip())


def _text(el) -> str:
    return "".join(el.itertext()) if len(el) else (el.text or "")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _key(el) -> str:
    """``prefix:name`` for an element, with WordPress's usual prefixes whatever its
    namespace URI (WXR 1.0, 1.1 and 1.2 differ): ``wp:status``, ``content:encoded``."""
    tag = el.tag
    if not tag.startswith("{"):
        return tag
    uri, local = tag[1:].split("}", 1)
    if "wordpress.org/export" in uri:
        prefix = "excerpt" if "excerpt" in uri else "wp"
    elif "purl.org/rss/1.0/modules/content" in uri:
        prefix = "content"
    elif "purl.org/dc/elements" in uri:
        prefix = "dc"
    else:
        prefix = el.prefix or "ns"
    return f"{prefix}:{local}"


def _is_wordpress(root) -> bool:
    return any("wordpress.org/export" in (uri or "") for uri in root.nsmap.values())


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "unknown error"
