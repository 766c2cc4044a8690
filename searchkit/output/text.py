"""Text for a terminal: archived strings made safe, cut and wrapped to a width, styled by mode.

Every string that comes from an archive passes ``safe`` before it reaches a
terminal: control characters (newline and tab included, in one-line fields),
bidi overrides and lone surrogates are shown as escapes, never interpreted.
Snippets are wrapped at word boundaries with a hanging indent, measured in
terminal columns (a wide character takes two, a combining accent none).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import unicodedata
from datetime import datetime

import click

from searchkit.records import Segment

# C0 and C1 controls, DEL, bidi embeddings/overrides/isolates and marks, line
# and paragraph separators, and lone surrogates (invalid stored text).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(match: re.Match) -> str:
    char = match.group()
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: str | None) -> str:
    """Text with every control, bidi and surrogate character made visible, fit for one terminal line.

    >>> print(safe("a\\x1b[31mb\\nc\\td\\u202ee"))
    a\\x1b[31mb\\x0ac\\x09d\\u202ee
    """
    if not text:
        return ""
    return _UNSAFE.sub(_escape, text)


def clean(text: str) -> str:
    """Text fit for UTF-8 output: a lone surrogate (invalid stored text) becomes U+FFFD.

    >>> clean("caf\\udce9") == "caf\\ufffd"
    True
    """
    return _SURROGATE.sub("\ufffd", text)


def char_width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal.

    >>> display_width("été"), display_width("漢字")
    (3, 4)
    """
    return sum(char_width(c) for c in text)


# --- where and how to write -----------------------------------------------------------------------


def no_color() -> bool:
    """Whether NO_COLOR asks for no colour (set and not empty, as no-color.org says)."""
    return bool(os.environ.get("NO_COLOR"))


def use_colour(stream_is_tty: bool) -> bool:
    return stream_is_tty and not no_color()


def stdout_is_terminal() -> bool:
    """Whether a person reads standard output (colours, grouping, wrapping by default)."""
    try:
        return bool(sys.stdout and sys.stdout.isatty())
    except (AttributeError, ValueError):  # replaced or closed stream
        return False


def terminal_width() -> int:
    """The width to lay text out in: the terminal's (``COLUMNS`` first), at least 40."""
    return max(40, shutil.get_terminal_size((80, 24)).columns)


class Style:
    """How text is decorated: ``colour`` (a terminal), ``bold`` (a terminal with NO_COLOR: bold
    is not a colour, so matches keep a mark) or ``plain`` (a file, a pipe, a program)."""

    def __init__(self, mode: str = "plain"):
        self.mode = mode

    @classmethod
    def for_terminal(cls, terminal: bool) -> Style:
        if not terminal:
            return cls("plain")
        return cls("bold" if no_color() else "colour")

    def __call__(self, text: str, **kw) -> str:
        """Colours, dim and bold for the layout: only in colour mode."""
        return click.style(text, **kw) if self.mode == "colour" and text and kw else text

    def match(self, text: str) -> str:
        if self.mode == "colour":
            return click.style(text, bold=True, fg="red")
        if self.mode == "bold":
            return click.style(text, bold=True)
        return text


# --- one line -------------------------------------------------------------------------------------


def shorten(text: str, width: int) -> str:
    """Text on one line of at most ``width`` columns, cut with « … ».

    >>> shorten("Les données de santé\\nsont à nous", 18)
    'Les données de…'
    """
    text = " ".join(text.split())
    if display_width(text) <= width:
        return text
    cut, used = "", 0
    for char in text:
        if used + char_width(char) > width - 1:
            break
        cut += char
        used += char_width(char)
    space = cut.rfind(" ")
    return (cut[:space] if space > width // 2 else cut).rstrip(" ,;:") + "…"


def format_date(value: datetime | None) -> str:
    """A date as ``YYYY-MM-DD``, with the time when there is one; four-digit years always.

    >>> format_date(datetime(201, 5, 3)), format_date(datetime(2021, 2, 19, 9, 5))
    ('0201-05-03', '2021-02-19 09:05')
    """
    if not value:
        return ""
    day = f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    if value.hour == value.minute == value.second == 0:
        return day
    return f"{day} {value.hour:02d}:{value.minute:02d}"


# --- snippets -------------------------------------------------------------------------------------

Word = list[Segment]  # the pieces of one word, some of them matches


def _words(segments: list[Segment]) -> list[Word]:
    """The snippet's words (runs of non-space), each a list of (piece, is_match)."""
    words: list[Word] = []
    current: Word = []
    for text, is_match in segments:
        for part in re.split(r"(\s+)", text):
            if not part:
                continue
            if part.isspace():
                if current:
                    words.append(current)
                current = []
            else:
                current.append((safe(part), is_match))
    if current:
        words.append(current)
    return words


def _word_width(word: Word) -> int:
    return sum(display_width(t) for t, _ in word)


def _split_long(word: Word, room: int) -> list[Word]:
    """A word wider than a line, cut into pieces of ``room`` columns."""
    pieces: list[Word] = [[]]
    used = 0
    for text, is_match in word:
        for char in text:
            if used + char_width(char) > room and pieces[-1]:
                pieces.append([])
                used = 0
            last = pieces[-1]
            if last and last[-1][1] == is_match:
                last[-1] = (last[-1][0] + char, is_match)
            else:
                last.append((char, is_match))
            used += char_width(char)
    return pieces


def wrap_segments(segments: list[Segment], width: int, indent: str, max_lines: int) -> list[list[Word]]:
    """A snippet laid out in at most ``max_lines`` lines of ``width`` columns after ``indent``,
    cut at a word boundary with « … » when it does not fit; each line a list of words.

    >>> lines = wrap_segments([("Bitcoin est une ", False), ("monnaie", True), (" libre et ouverte", False)],
    ...                       22, "  ", 2)
    >>> [" ".join("".join(t for t, _ in w) for w in line) for line in lines]
    ['Bitcoin est une', 'monnaie libre et…']
    """
    room = max(10, width - display_width(indent))
    words: list[Word] = []
    for word in _words(segments):
        words.extend(_split_long(word, room) if _word_width(word) > room else [word])
    lines: list[list[Word]] = []
    line: list[Word] = []
    used = 0
    for n, word in enumerate(words):
        w = _word_width(word)
        if line and used + 1 + w > room:
            lines.append(line)
            line, used = [], 0
            if len(lines) == max_lines:
                _ellipsis(lines[-1], room, cut=n < len(words))
                return lines
        used += w + (1 if line else 0)
        line.append(word)
    if line:
        lines.append(line)
    return lines


def _ellipsis(line: list[Word], room: int, cut: bool) -> None:
    """End a full last line with « … », dropping words until it fits."""
    if not cut:
        return
    while line and sum(_word_width(w) for w in line) + len(line) - 1 + 1 > room:
        line.pop()
    if line:
        last = line[-1]
        text, is_match = last[-1]
        if not is_match:
            last[-1] = (text.rstrip(" ,;:"), False)
        last.append(("…", False))
    else:
        line.append([("…", False)])


def render_wrapped(lines: list[list[Word]], indent: str, style: Style) -> str:
    """Wrapped snippet lines as text, matches styled, each line after ``indent``."""
    out = []
    for line in lines:
        out.append(indent + " ".join("".join(style.match(t) if m else t for t, m in word if t) for word in line))
    return "\n".join(out)


def snippet_lines(segments: list[Segment], width: int, indent: str, max_lines: int, style: Style) -> str:
    return render_wrapped(wrap_segments(segments, width, indent, max_lines), indent, style)


def wrap_text(text: str, width: int, indent: str) -> str:
    """Paragraphs wrapped to ``width`` columns with ``indent`` before every line.

    >>> print(wrap_text("Un deux trois\\n\\nquatre", 12, "  "))
      Un deux
      trois
    <BLANKLINE>
      quatre
    """
    paragraphs = []
    for para in re.split(r"\n\s*\n", text or ""):
        if para.strip():
            lines = wrap_segments([(para, False)], width, indent, 10**9)
            paragraphs.append(render_wrapped(lines, indent, Style()))
    return ("\n" + indent.rstrip() + "\n").join(paragraphs)
