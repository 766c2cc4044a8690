"""Snippets: the best fragments of a document's original text, matches marked.

Pure text work on the stored original (no Whoosh, no length limit): the text
is run through the same analysis chain as the index, each word whose exact
form, stem or prefix the query asked for is a match, and the windows holding
the most distinct matches are kept. A match deep in a long thread is found
like one in the first line.

>>> segs = snippet("Les données de santé. Nos Données n’appartiennent pas à Microsoft.",
...                exact={"donnees"}, stems=set(), prefixes=set(), width=40)
>>> render_plain(segs)
'Les [données] de santé. Nos [Données]…'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from searchkit.analysis import EXACT, stem

Segment = tuple[str, bool]  # (text, is_match)
ELLIPSIS = "…"


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    key: str  # the exact term, so distinct words count once


def find_matches(text: str, exact: set[str], stems: set[str], prefixes: set[str],
                 phrases: Iterable[tuple[str, ...]] = (),
                 patterns: Iterable[tuple[str, str, int]] = ()) -> list[Match]:
    """Spans of ``text`` to mark: a phrase's run of words as one match, then
    each word whose exact form, stem or prefix was asked for, or that fits a
    pattern: ``("glob", "j?ux", 0)`` (wildcards) or ``("fuzzy", "microsft", 1)``
    (within that many edits), all on folded words.

    >>> text = "Le Privacy Shield tombe ; privacy et shield."
    >>> [text[m.start:m.end] for m in find_matches(text, set(), set(), set(), [("privacy", "shield")])]
    ['Privacy Shield']
    >>> text = "Les jeux de Microsoft"
    >>> [text[m.start:m.end] for m in find_matches(text, set(), set(), set(), (),
    ...                                             [("glob", "j?ux", 0), ("fuzzy", "microsft", 1)])]
    ['jeux', 'Microsoft']
    """
    tokens = list(EXACT(text))
    found: list[Match] = []
    taken: set[int] = set()
    for words in phrases:
        n = len(words)
        for i in range(len(tokens) - n + 1):
            if all(tokens[i + k].text == w for k, w in enumerate(words)) and i not in taken:
                found.append(Match(tokens[i].startchar, tokens[i + n - 1].endchar, " ".join(words)))
                taken.update(range(i, i + n))
    if phrases and not found:  # the phrase matched elsewhere (title): mark its words
        exact = exact | {w for words in phrases for w in words}
    for i, tok in enumerate(tokens):
        term = tok.text
        if i in taken:
            continue
        if term in exact or (stems and stem(term) in stems) or any(term.startswith(p) for p in prefixes) \
                or any(_fits(term, pattern) for pattern in patterns):
            found.append(Match(tok.startchar, tok.endchar, term))
    found.sort(key=lambda m: m.start)
    return found


def _fits(term: str, pattern: tuple[str, str, int]) -> bool:
    how, text, n = pattern
    if how == "glob":
        return fnmatchcase(term, text)
    return abs(len(term) - len(text)) <= n and edit_distance(term, text) <= n


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (adjacent transpositions count one), as Whoosh's fuzzy terms.

    >>> edit_distance("microsfot", "microsoft"), edit_distance("vacin", "vaccin")
    (1, 1)
    """
    prev2, prev = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def best_window(text: str, matches: list[Match], width: int) -> tuple[int, int]:
    """The span of about ``width`` characters holding the most distinct matches."""
    best, best_score = (0, min(len(text), width)), -1
    j = 0
    for i, m in enumerate(matches):
        while j < len(matches) and matches[j].end - m.start <= width:
            j += 1
        inside = matches[i:j]
        score = len({x.key for x in inside}) * 1000 + len(inside)
        if score > best_score:
            best_score = score
            best = (m.start, m.start + width)
    start, end = best
    # Give the first match some left context, then snap to word boundaries.
    if best_score >= 0:
        lead = min(width // 5, start)
        start, end = start - lead, end - lead
    return _snap(text, max(start, 0), min(end, len(text)))


def _snap(text: str, start: int, end: int) -> tuple[int, int]:
    if start > 0:
        space = text.find(" ", start, start + 20)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", max(start, end - 20), end)
        end = space if space != -1 else end
    return start, end


def snippet(text: str, exact: set[str], stems: set[str], prefixes: set[str],
            width: int = 220, fragments: int = 2,
            phrases: Iterable[tuple[str, ...]] = (),
            patterns: Iterable[tuple[str, str, int]] = ()) -> list[Segment]:
    """Up to ``fragments`` windows of ``text`` with matches marked, joined by « … ».

    The whole text is searched, however long (Whoosh's highlighter stops at
    32 KB by default): a match deep in a long thread is shown.
    """
    text = " ".join(text.split())  # one line: newlines and runs of spaces fold
    matches = find_matches(text, exact, stems, prefixes, phrases, patterns)
    if not matches:
        start, end = _snap(text, 0, min(len(text), width))
        return [(text[start:end] + (ELLIPSIS if end < len(text) else ""), False)]
    windows: list[tuple[int, int]] = []
    remaining = matches
    for _ in range(fragments):
        if not remaining:
            break
        w = best_window(text, remaining, width // fragments if windows else width)
        windows.append(w)
        remaining = [m for m in remaining if m.end <= w[0] or m.start >= w[1]]
        if len(windows) == 1 and not remaining:
            break
        width_used = sum(e - s for s, e in windows)
        if width_used >= width:
            break
    windows.sort()
    segments: list[Segment] = []
    for n, (start, end) in enumerate(windows):
        if start > 0 or n > 0:
            segments.append((ELLIPSIS if n == 0 else " " + ELLIPSIS + " ", False))
        pos = start
        for m in matches:
            if m.start >= start and m.end <= end:
                if m.start > pos:
                    segments.append((text[pos:m.start], False))
                segments.append((text[m.start:m.end], True))
                pos = m.end
        if pos < end:
            segments.append((text[pos:end], False))
    if windows[-1][1] < len(text):
        segments.append((ELLIPSIS, False))
    return _merge(segments)


def _merge(segments: list[Segment]) -> list[Segment]:
    out: list[Segment] = []
    for text, hit in segments:
        if out and out[-1][1] == hit:
            out[-1] = (out[-1][0] + text, hit)
        elif text:
            out.append((text, hit))
    return out


def render_plain(segments: list[Segment], mark: tuple[str, str] = ("[", "]")) -> str:
    return "".join(f"{mark[0]}{t}{mark[1]}" if hit else t for t, hit in segments)
