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

from dataclasses import dataclass

from searchkit.analysis import EXACT, stem

Segment = tuple[str, bool]  # (text, is_match)
ELLIPSIS = "…"


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    key: str  # the exact term, so distinct words count once


def find_matches(text: str, exact: set[str], stems: set[str], prefixes: set[str]) -> list[Match]:
    found = []
    for tok in EXACT(text):
        term = tok.text
        if term in exact or (stems and stem(term) in stems) or any(term.startswith(p) for p in prefixes):
            found.append(Match(tok.startchar, tok.endchar, term))
    return found


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
            width: int = 220, fragments: int = 2) -> list[Segment]:
    """Up to ``fragments`` windows of ``text`` with matches marked, joined by « … »."""
    text = " ".join(text.split())  # one line: newlines and runs of spaces fold
    matches = find_matches(text, exact, stems, prefixes)
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
