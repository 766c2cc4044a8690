"""A minimal WordPress WXR parser for the relevance evaluation only.

It yields published posts and their approved reader comments (no
pingbacks, drafts, pages or attachments) as ``searchkit.model`` records, so
the evaluation can index the shared corpora even without the project's WXR
reader. HTML is reduced to text with lxml; nothing here is used by the
searchkit package itself.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from searchkit.model import ARTICLE, COMMENT, Document, Post

NS = {
    "wp": None,  # filled from the file: WXR 1.0/1.1/1.2 use different URIs
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
}


def html_to_text(markup: str) -> str:
    """Visible text of an HTML fragment, paragraphs on their own lines."""
    if not markup or not markup.strip():
        return ""
    markup = re.sub(r"(?i)<br\s*/?>|</p>|</li>|</h\d>", "\n", markup)
    try:
        text = lxml_html.fromstring(f"<div>{markup}</div>").text_content()
    except (etree.ParserError, ValueError):
        text = re.sub(r"<[^>]+>", " ", markup)
    return html.unescape(text).strip()


def _date(text: str | None) -> datetime | None:
    try:
        value = datetime.strptime((text or "").strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return None if value.year < 1990 else value


def read_posts(path: Path) -> list[Post]:
    tree = etree.parse(str(path), etree.XMLParser(recover=True, huge_tree=True))
    root = tree.getroot()
    wp = next((uri for prefix, uri in root.nsmap.items() if prefix == "wp"), None)
    ns = dict(NS, wp=wp)
    source = path.name
    blog = source.split("-")[0]  # ids a person can look up: blog:wp_post_id[#cwp_comment_id]
    posts = []
    for item in root.iter("item"):
        if item.findtext("wp:post_type", namespaces=ns) != "post":
            continue
        if item.findtext("wp:status", namespaces=ns) != "publish":
            continue
        key = item.findtext("wp:post_id", namespaces=ns)
        post_id = f"{blog}:{key}"
        title = html.unescape(item.findtext("title") or "").strip()
        article = Document(
            id=post_id, kind=ARTICLE, post_id=post_id, title=title,
            body=html_to_text(item.findtext("content:encoded", namespaces=ns) or ""),
            source=source, author=item.findtext("dc:creator", namespaces=ns),
            date=_date(item.findtext("wp:post_date", namespaces=ns)),
            url=item.findtext("link"),
        )
        comments = []
        number = 0
        for c in item.findall("wp:comment", namespaces=ns):
            if c.findtext("wp:comment_approved", namespaces=ns) != "1":
                continue
            if (c.findtext("wp:comment_type", namespaces=ns) or "").strip() in ("pingback", "trackback"):
                continue
            body = html_to_text(c.findtext("wp:comment_content", namespaces=ns) or "")
            if not body:
                continue
            number += 1
            comments.append(Document(
                id=f"{post_id}#c{c.findtext('wp:comment_id', namespaces=ns)}", kind=COMMENT, post_id=post_id,
                title=title,
                body=body, source=source, author=c.findtext("wp:comment_author", namespaces=ns),
                date=_date(c.findtext("wp:comment_date", namespaces=ns)), number=number,
                meta={"wp_comment_id": c.findtext("wp:comment_id", namespaces=ns)},
            ))
        posts.append(Post(article, comments))
    return posts
