"""Reader for plain-text page dumps: a French WordPress page copied as text.

The layout, read as a person would read it::

    Title                           first non-blank line
    body paragraphs ...             up to the page furniture
     509 total views,  1 views today    furniture: kept as metadata, never indexed
    image_pdf
    11 Commentaires                 declared comment count
      1. First comment ...          a comment: an indented number and a dot,
         more lines of it           then every line indented under it
      2. ...
    Les commentaires sont fermés.

Paragraphs are separated by lines holding only white space, non-breaking
spaces included. Files with no furniture, no comments or ``1 Commentaire``
are read the same way.

Not every ``*.txt`` is a page dump: a file whose first line is not a title
followed by a blank line (a provenance note, a licence) or that is named as
notes are (``README.txt``, ``LICENSE.txt``...) is skipped with a warning, not
an error: nothing was lost, and the run's exit code stays 0.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from searchkit.errors import InputError
from searchkit.model import ARTICLE, COMMENT, Document, Post, comment_id_for, post_id_for
from searchkit.readers.encoding import clean_text, decode, is_probably_binary
from searchkit.readers.files import read_lines
from searchkit.readers.limits import MAX_LINE_BYTES, MAX_PAGE_BYTES, mib

_VIEWS = re.compile(r"^\s*([\d\s.,\u00a0\u202f]+?)\s*total views?\b", re.IGNORECASE)
_COUNT_HEADER = re.compile(
    r"^\s*(\d+|un|une|aucun|no|one)\s+(commentaires?|comments?|réponses?)\s*:?\s*$", re.IGNORECASE
)
_FURNITURE = re.compile(
    r"^\s*(image_pdf|image_print|les commentaires sont fermés\.?|comments are closed\.?"
    r"|laisser un commentaire|leave a (comment|reply))\s*$",
    re.IGNORECASE,
)
_COMMENT_START = re.compile(r"^([ \t\u00a0]+)(\d+)\.[ \t\u00a0]+(\S.*)$")
_WORD_NUMBERS = {"un": 1, "une": 1, "one": 1, "aucun": 0, "no": 0}
# A page's title is one line; a longer first line is a paragraph, not a title.
MAX_TITLE_LINE = 300
# Text files that sit beside pages and are never pages.
_NOTES_NAME = re.compile(r"^(readme|read_me|lisezmoi|licen[cs]e|copying|notes?|sources?|provenance|credits|authors"
                         r"|auteurs|changelog|changes|todo|robots)([._-].*)?\.txt$", re.IGNORECASE)


def is_blank(line: str) -> bool:
    """A line of white space only, non-breaking spaces included.

    >>> is_blank("\\u00a0 \\t"), is_blank(" a ")
    (True, False)
    """
    return not line.strip()


def paragraphs(lines: list[str]) -> str:
    """Join lines into text, one blank line between paragraphs.

    >>> paragraphs(["Un.", "\\u00a0", "", "Deux,", "trois."])
    'Un.\\n\\nDeux,\\ntrois.'
    """
    out: list[list[str]] = [[]]
    for line in lines:
        if is_blank(line):
            if out[-1]:
                out.append([])
        else:
            out[-1].append(line.rstrip())
    return "\n\n".join("\n".join(p) for p in out if p)


def is_furniture(line: str) -> bool:
    return bool(_VIEWS.match(line) or _COUNT_HEADER.match(line) or _FURNITURE.match(line))


def read(path: Path, source: str, report) -> Iterator[Post]:
    data, cut = _read_bounded(path, source, report)
    if is_probably_binary(data):
        raise InputError(f"{source}: binary content, not a text page dump")
    text, _ = decode(data)
    text = clean_text(text)
    reason = not_a_page_dump(path.name, text)
    if reason:
        # A notes or licence file beside the pages: not an error, nothing lost.
        report.warn(f"{source}: not a page dump ({reason}); skipped")
        return
    post = parse(text, source, report)
    for head, lost in cut:
        # The document holding a cut line is marked with its full length for the warning.
        doc = next((d for d in post.documents if head and (head in d.body or head in d.title)), None)
        if doc is not None:
            doc.meta["full_length"] = doc.meta.get("full_length", len(doc.body)) + lost
        else:
            report.warn(f"{source}: a line of {lost + MAX_LINE_BYTES:,} bytes cut to its first "
                        f"{MAX_LINE_BYTES:,} (the limit for one line)")
    yield post


def _read_bounded(path: Path, source: str, report) -> tuple[bytes, list[tuple[str, int]]]:
    """The file's bytes with each line cut to ``MAX_LINE_BYTES``, at most ``MAX_PAGE_BYTES`` in all.

    Also, for each cut line, the end of what was kept (to find its document
    later) and how many bytes were dropped.
    """
    chunks: list[bytes] = []
    cut: list[tuple[str, int]] = []
    total = 0
    for line, lost in read_lines(path, source):
        if total + len(line) > MAX_PAGE_BYTES:
            report.warn(f"{source}: the page dump is longer than {mib(MAX_PAGE_BYTES)}; the rest is not read "
                        "(the limit for one page)")
            break
        chunks.append(line)
        total += len(line)
        if lost:
            # The end of what was kept is in its document's text, whatever began the line ("  2. ").
            cut.append((line[-200:].decode("utf-8", "ignore")[-40:].strip(), lost))
    return b"".join(chunks), cut


def not_a_page_dump(name: str, text: str) -> str | None:
    """Why a text file is not a page dump, or None when it has the shape of one.

    A page dump starts with its title: one line of at most ``MAX_TITLE_LINE``
    characters, then a blank line, then the article. A provenance note, a
    README or a licence file beside the pages does not, or is named so.

    >>> not_a_page_dump("p.txt", "Un titre\\n\\nUn texte.")
    >>> not_a_page_dump("p.txt", "Source : wget, le 3 mars 2021.\\nLicence CC BY-SA.\\n")
    'its first line is not a title followed by a blank line'
    >>> not_a_page_dump("LICENSE.txt", "Un titre\\n\\nUn texte.")
    'LICENSE.txt is the name of a notes file'
    """
    if _NOTES_NAME.match(name):
        return f"{name} is the name of a notes file"
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if not is_blank(line)), None)
    if start is None:
        return None  # empty: parse() says so
    if len(lines[start].strip()) > MAX_TITLE_LINE:
        return f"its first line is {len(lines[start].strip()):,} characters long, not a title"
    rest = lines[start + 1:]
    if not rest or not any(not is_blank(line) for line in rest):
        return None  # a title alone: parse() warns
    if not is_blank(rest[0]):
        return "its first line is not a title followed by a blank line"
    return None


def parse(text: str, source: str, report) -> Post:
    """Split one page dump into its article and comments."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if not is_blank(line)), None)
    if start is None:
        raise InputError(f"{source}: no text (only white space)")
    title = lines[start].strip()
    meta: dict = {}

    # The article ends at the first furniture line or, on pages without any,
    # where the numbered comment list begins.
    end = len(lines)
    for i in range(start + 1, len(lines)):
        if is_furniture(lines[i]) or _COMMENT_START.match(lines[i]) and _starts_list(lines, i):
            end = i
            break
    body = paragraphs(lines[start + 1 : end])

    comment_blocks: list[tuple[int, list[str]]] = []
    current: list[str] | None = None
    for line in lines[end:]:
        if m := _VIEWS.match(line):
            meta["views"] = int(re.sub(r"\D", "", m.group(1)) or 0)
            continue
        if m := _COUNT_HEADER.match(line):
            word = m.group(1).lower()
            meta["declared_comments"] = int(word) if word.isdigit() else _WORD_NUMBERS[word]
            continue
        if m := _COMMENT_START.match(line):
            current = [m.group(3)]
            comment_blocks.append((int(m.group(2)), current))
            continue
        if current is not None and (is_blank(line) or line[:1] in " \t\u00a0"):
            current.append(line.strip())
            continue
        if not is_blank(line):
            current = None  # unindented text ends the comment list ("Les commentaires sont fermés.")
            if not is_furniture(line):
                report.warn(f"{source}: ignored text after the comments: {line.strip()[:60]!r}")

    post_id = post_id_for(source)
    article = Document(
        id=post_id, kind=ARTICLE, post_id=post_id, title=title, body=body, source=source, meta=meta
    )
    comments = [
        Document(
            id=comment_id_for(post_id, position),
            kind=COMMENT,
            post_id=post_id,
            title=title,
            body=paragraphs(block),
            source=source,
            number=number,
        )
        for position, (number, block) in enumerate(comment_blocks, start=1)
    ]
    declared = meta.get("declared_comments")
    if declared is not None and declared != len(comments):
        report.warn(f"{source}: declared {declared} comments, found {len(comments)}")
    if not body and not comments:
        report.warn(f"{source}: a title and nothing else")
    return Post(article, comments)


def _starts_list(lines: list[str], i: int) -> bool:
    """A comment list starts with ``1.`` and runs to the end of the page."""
    m = _COMMENT_START.match(lines[i])
    return m is not None and m.group(2) == "1" and all(
        is_blank(line) or line[:1] in " \t\u00a0" or is_furniture(line) for line in lines[i:]
    )
