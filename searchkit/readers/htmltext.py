"""HTML to readable plain text, shared by the readers that meet HTML.

Readers of WordPress exports (``content:encoded``, comment text), saved HTML
pages and JSON Lines (``body_html``) turn markup into the plain text that is
indexed and shown. The text keeps the structure a reader sees: block elements
(``p``, ``div``, ``li``, headings, ``blockquote``...) become paragraphs
separated by a blank line, ``<br>`` a line break; scripts, styles and other
non-text elements are dropped; entities (``&#8217;``, ``&nbsp;``...) are
decoded by the parser; runs of white space are collapsed (``<pre>`` keeps its
own).

Two entry points:

- ``html_to_text(html)`` for a string of HTML, a fragment or a whole page;
- ``element_to_text(el)`` for an element of an lxml tree a reader already has
  (e.g. one comment's ``<div>`` in a parsed page).

``source_newlines=True`` reads line breaks in the source the way WordPress
displays its own content (its ``wpautop``): a blank line starts a paragraph,
a single newline is a line break. WordPress stores posts and comments so.

Parsing uses lxml's HTML parser (libxml2): it copes with the broken markup of
real pages and never fetches anything from the network.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

# Elements that start and end a paragraph of text.
BLOCKS = frozenset(
    "address article aside blockquote body caption center dd details dialog div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main nav ol p pre "
    "section summary table tbody thead tfoot tr ul".split()
)
# Elements whose content is never text for a reader.
DROPPED = frozenset(
    "script style noscript template head iframe object embed svg canvas math audio video "
    "select button input textarea map".split()
)
# Cells of a table row stay on one line, separated by a space.
CELLS = frozenset(("td", "th"))

_SPACES = re.compile(r"[ \t\n\r\f\v]+")  # ASCII white space only: NBSP is meaningful in French
_BLANK_LINE = re.compile(r"[ \t\r\f\v]*\n[ \t\r\f\v\u00a0]*\n\s*")


def collapse_runs(text: str, pattern: re.Pattern = _SPACES, window: int = 1 << 20) -> str:
    """Each run of ``pattern`` (ASCII white space) made one space, the ends stripped.

    A window of ``window`` characters at a time: one ``re.sub`` (or
    ``" ".join(text.split())``) over a 32 MB text builds a list of its 8
    million words first, ~600 MB; a window at a time holds one window's.

    >>> collapse_runs(" a  b\\t\\n c\\u00a0d ", window=2)
    'a b c\\xa0d'
    """
    if len(text) <= window:
        return pattern.sub(" ", text).strip()
    out = []
    start = 0
    while start < len(text):
        end = min(len(text), start + window)
        while end < len(text) and text[end].isspace():  # a run of white space stays in one window
            end += 1
        out.append(pattern.sub(" ", text[start:end]))
        start = end
    return "".join(out).strip()


class _TextBuilder:
    """Collects text into paragraphs of lines, collapsing white space."""

    def __init__(self) -> None:
        self.paragraphs: list[list[str]] = []
        self.lines: list[str] = []
        self.parts: list[str] = []

    def text(self, s: str) -> None:
        if s:
            self.parts.append(s)

    def line_break(self) -> None:
        self.lines.append("".join(self.parts))
        self.parts = []

    def paragraph_break(self) -> None:
        self.line_break()
        lines = [collapse_runs(line) for line in self.lines]
        lines = [line for line in lines if line]
        if lines:
            self.paragraphs.append(lines)
        self.lines = []

    def preformatted(self, s: str) -> None:
        """Text of a ``<pre>``: its lines kept as they are (right-stripped)."""
        self.paragraph_break()
        lines = [line.rstrip() for line in s.strip("\n").split("\n")]
        if any(line.strip() for line in lines):
            self.paragraphs.append(lines)

    def result(self) -> str:
        self.paragraph_break()
        return "\n\n".join("\n".join(lines) for lines in self.paragraphs)


def _emit_text(builder: _TextBuilder, s: str | None, source_newlines: bool) -> None:
    if not s:
        return
    if not source_newlines:
        builder.text(s)
        return
    for i, para in enumerate(_BLANK_LINE.split(s)):
        if i:
            builder.paragraph_break()
        for j, line in enumerate(para.split("\n")):
            if j:
                builder.line_break()
            builder.text(line)


def _tag(el) -> str | None:
    tag = el.tag if isinstance(el.tag, str) else None  # comments and PIs have no str tag
    return tag.rsplit("}", 1)[-1].lower() if tag is not None else None


def _walk(root, builder: _TextBuilder, source_newlines: bool) -> None:
    """Text of ``root`` and its tail, in document order.

    A loop with its own stack, not recursion: pages nest elements thousands
    deep (unclosed ``<div>`` per comment), past Python's recursion limit.
    """
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        el, closing = stack.pop()
        tag = _tag(el)
        if closing:
            if tag in BLOCKS:
                builder.paragraph_break()
            elif tag in CELLS:
                builder.text(" ")
        elif tag is None or tag in DROPPED:
            pass
        elif tag == "br":
            builder.line_break()
        elif tag == "pre":
            builder.preformatted("".join(el.itertext()))
        else:
            if tag in BLOCKS:
                builder.paragraph_break()
            _emit_text(builder, el.text, source_newlines)
            stack.append((el, True))  # its closing and tail, once its children are done
            stack.extend((child, False) for child in reversed(el))
            continue
        _emit_text(builder, el.tail, source_newlines)


def element_to_text(el, source_newlines: bool = False) -> str:
    """The readable text of one lxml element (its tail excluded).

    >>> from lxml import html
    >>> element_to_text(html.fromstring("<div><p>Un&nbsp;:</p><p>deux<br>trois</p></div>"))
    'Un\\xa0:\\n\\ndeux\\ntrois'
    """
    builder = _TextBuilder()
    tail, el.tail = el.tail, None
    try:
        _walk(el, builder, source_newlines)
    finally:
        el.tail = tail
    return builder.result()


def html_to_text(html: str, source_newlines: bool = False) -> str:
    """Plain text of an HTML string: paragraphs kept, markup and entities gone.

    >>> html_to_text("<p>L&#8217;été&nbsp;!</p><p>Deux <b>mots</b><br/>et  une\\nligne</p>")
    'L’été\\xa0!\\n\\nDeux mots\\net une ligne'
    >>> html_to_text("<script>alert(1)</script>Texte <!-- more --> seul")
    'Texte seul'
    >>> html_to_text("Un.\\n\\nDeux,\\ntrois.", source_newlines=True)
    'Un.\\n\\nDeux,\\ntrois.'
    >>> html_to_text("")
    ''
    """
    if not html or not html.strip():
        return ""
    if "<" not in html and "&" not in html:  # plain text: no parser needed
        builder = _TextBuilder()
        _emit_text(builder, html, source_newlines)
        return builder.result()
    # Parsed as UTF-8 bytes: lxml refuses a str holding an encoding declaration,
    # and a <meta charset> in the markup must not re-decode text already decoded.
    parser = etree.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True,
                              remove_pis=True, recover=True, default_doctype=False, huge_tree=True)
    try:
        root = etree.fromstring(html.encode("utf-8", "replace"), parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        root = None
    if root is None:  # nothing libxml2 could make a tree of: keep the text itself
        builder = _TextBuilder()
        _emit_text(builder, html, source_newlines)
        return builder.result()
    return element_to_text(root, source_newlines)
