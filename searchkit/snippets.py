"""Snippets: the best fragments of a document's original text, matches marked.

Pure text work on the stored original (no engine): a window of the text is
run through the same analysis chain as the index, each word whose exact form,
stem or prefix the query asked for is a match, and the passages holding the
most distinct matches are kept.

The time and memory of a snippet do not grow with the document: at most
``WINDOW_CHARS`` characters are analysed. The first window is the text's
start; if nothing matches there, a cheap scan (one regular expression, no
analysis, no copy) of the first ``SCAN_CHARS`` characters finds the first
place a marked word may stand, and the window is taken there. So a match deep
in a long thread is still shown.

>>> from searchkit.query import Marks
>>> segs = snippet("Les données de santé. Nos Données n’appartiennent pas à Microsoft.",
...                Marks(exact={"donnees"}), width=40)
>>> render_plain(segs)
'Les [données] de santé. Nos [Données]…'
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from searchkit.analysis import EXACT, stem
from searchkit.query.marks import Marks

Segment = tuple[str, bool]  # (text, is_match)
ELLIPSIS = "…"
# Limit (README, "Limits"): the most characters of one document analysed for
# its snippet (about 40 pages of text); a 50 MB comment took 25 s and 1.1 GB
# when the whole text was analysed.
WINDOW_CHARS = 100_000
# Limit (README, "Limits"): how far into a document the cheap scan looks for a
# marked word past the first window (about 0.25 s of one regular expression).
# A document's only match further in than this gets a snippet of its start.
SCAN_CHARS = 5_000_000


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    key: str  # the exact term, so distinct words count once


def find_matches(text: str, marks: Marks) -> list[Match]:
    """Spans of ``text`` to mark: a phrase's run of words as one match, then
    each word whose exact form, stem or prefix was asked for, or that fits a
    pattern: ``("glob", "j?ux", 0)`` (wildcards) or ``("fuzzy", "microsft", 1)``
    (within that many edits), all on folded words. Matches never overlap.

    >>> text = "Le Privacy Shield tombe ; privacy et shield."
    >>> [text[m.start:m.end] for m in find_matches(text, Marks(phrases=[("privacy", "shield")]))]
    ['Privacy Shield']
    >>> text = "Les jeux de Microsoft, l'e-mail"
    >>> [text[m.start:m.end] for m in find_matches(text, Marks(exact={"email"},
    ...     patterns=[("glob", "j?ux", 0), ("fuzzy", "microsft", 1)]))]
    ['jeux', 'Microsoft', 'e-mail']
    """
    tokens = list(EXACT(text))
    found: list[Match] = []
    taken: set[int] = set()
    # Phrases run over positions: the joined form of a compound sits on its first part.
    plain = [i for i, tok in enumerate(tokens) if not tok.stacked]
    for words in marks.phrases:
        n = len(words)
        for k in range(len(plain) - n + 1):
            first, last = plain[k], plain[k + n - 1]
            if first in taken or not all(tokens[plain[k + j]].text == w for j, w in enumerate(words)):
                continue
            found.append(Match(tokens[first].startchar, tokens[last].endchar, " ".join(words)))
            taken.update(range(first, last + 1))
    exact, stems, prefixes, patterns = marks.exact, marks.stems, marks.prefixes, marks.patterns
    if marks.phrases and not found:  # the phrase matched elsewhere (title): mark its words
        exact = exact | {w for words in marks.phrases for w in words}
    stem_of = _stem_of
    for i, tok in enumerate(tokens):
        term = tok.text
        if i in taken:
            continue
        if term in exact or (stems and stem_of(term) in stems) \
                or (prefixes and any(term.startswith(p) for p in prefixes)) \
                or (patterns and any(_fits(term, pattern) for pattern in patterns)):
            found.append(Match(tok.startchar, tok.endchar, term))
    found.sort(key=lambda m: (m.start, -m.end))
    kept: list[Match] = []
    for m in found:  # a compound's joined form and its parts cover the same text
        if not kept or m.start >= kept[-1].end:
            kept.append(m)
    return kept


# Each folded word's stem, kept: a snippet stems every word of its window when the query
# has stems, and French text repeats its words (the stemmer never changes in a process).
_STEMS: dict[str, str] = {}
_STEMS_LIMIT = 200_000


def _stem_of(term: str) -> str:
    found = _STEMS.get(term)
    if found is None:
        if len(_STEMS) >= _STEMS_LIMIT:
            _STEMS.clear()
        found = _STEMS[term] = stem(term)
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


# Letters a folded word may stand for in the original text (for the cheap scan).
_VARIANTS = {"a": "aàáâãäå", "c": "cç", "e": "eèéêë", "i": "iìíîï", "n": "nñ", "o": "oòóôõöœ", "u": "uùúûü",
             "y": "yýÿ"}


def _scan_pattern(marks: Marks) -> re.Pattern[str] | None:
    """A regular expression finding, in the original text, where a marked word may stand."""
    heads = set(marks.exact) | set(marks.prefixes) | {words[0] for words in marks.phrases}
    heads |= {text.split("?")[0].split("*")[0] for how, text, _ in marks.patterns if how == "glob"}
    heads |= {text[:3] for how, text, _ in marks.patterns if how == "fuzzy"}
    heads |= {s[:4] for s in marks.stems}
    heads = {h for h in heads if h}
    if not heads:
        return None
    alternatives = ("".join(f"[{_VARIANTS[ch]}]" if ch in _VARIANTS else re.escape(ch) for ch in h)
                    for h in sorted(heads, key=len, reverse=True))
    return re.compile("(?<!\\w)(?:" + "|".join(alternatives) + ")", re.IGNORECASE)


def _window(text: str, marks: Marks) -> tuple[str, bool, bool]:
    """At most ``WINDOW_CHARS`` of ``text`` to analyse, and whether text was left out before and after."""
    if len(text) <= WINDOW_CHARS:
        return text, False, False
    head = text[:WINDOW_CHARS]
    if find_matches(head, marks):
        return head, False, True
    pattern = _scan_pattern(marks)
    found = pattern.search(text, WINDOW_CHARS - 200, SCAN_CHARS) if pattern else None
    if found is None:
        return head, False, True
    start = max(0, found.start() - WINDOW_CHARS // 10)
    return text[start:start + WINDOW_CHARS], start > 0, start + WINDOW_CHARS < len(text)


def snippet(text: str, marks: Marks, width: int = 220, fragments: int = 2,
            spans: Sequence[tuple[int, int]] | None = None) -> list[Segment]:
    """Up to ``fragments`` passages of ``text`` with matches marked, joined by « … ».

    Only a window of ``WINDOW_CHARS`` characters is analysed (see the module's doc).
    ``spans``, when an engine found the words itself (its highlighter): offsets
    in ``text`` of places holding every match of its first ``WINDOW_CHARS``
    characters; only those places are analysed (``matches_near``).
    """
    near = matches_near(text, marks, spans) if spans is not None else None
    if near is not None:
        text, cut_before, cut_after, matches = near
    else:
        window, cut_before, cut_after = _window(text, marks)
        text = " ".join(window.split())  # one line: newlines and runs of spaces fold
        matches = find_matches(text, marks)
    if not matches:
        start, end = _snap(text, 0, min(len(text), width))
        return [(text[start:end] + (ELLIPSIS if end < len(text) or cut_after else ""), False)]
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
    windows = _joined(windows)
    segments: list[Segment] = []
    for n, (start, end) in enumerate(windows):
        if start > 0 or n > 0 or cut_before:
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
    if windows[-1][1] < len(text) or cut_after:
        segments.append((ELLIPSIS, False))
    return _merge(segments)


def _joined(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The passages in text order, those that overlap or touch made one (no text shown twice).

    >>> _joined([(50, 90), (0, 60)])
    [(0, 90)]
    """
    out: list[tuple[int, int]] = []
    for start, end in sorted(windows):
        if out and start <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


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


# --- matches an engine located --------------------------------------------------------

_RUNS = re.compile(r"\s{2,}")  # what " ".join(text.split()) shortens (\s is str.isspace, as split's)
_WORDY = re.compile(r"\w")
# Stand between two places put side by side, so no phrase runs across what was left out between them.
_BREAKERS = tuple("0123456789")


def matches_near(text: str, marks: Marks, spans: Sequence[tuple[int, int]]
                 ) -> tuple[str, bool, bool, list[Match]] | None:
    r"""What ``snippet`` makes of ``text`` (its window, one line; cut before, after; matches), analysing only
    the words at ``spans`` (see ``snippet``); None when that cannot give ``find_matches``'s answer.

    The places are cut at spaces and analysed together, joined by an inert word,
    so phrases, compounds and elisions are read as in the whole text and the
    distinct-match keys are the same. Left to the whole analysis: a phrase
    asked for that is not found at ``spans`` (its words are then marked one by
    one, wherever they stand), a long text with no match in its first window
    (the snippet looks further), no inert word (``_BREAKERS``) for ``marks``.

    >>> text = "Le  Privacy Shield\ntombe ; privacy et shield, l'Europe."
    >>> wanted = Marks(phrases=[("privacy", "shield")], exact={"europe"})
    >>> near = matches_near(text, wanted, [(4, 11), (12, 18), (47, 53)])
    >>> [near[0][m.start:m.end] for m in near[3]], [m.key for m in near[3]]
    (['Privacy Shield', 'Europe'], ['privacy shield', 'europe'])
    """
    long = len(text) > WINDOW_CHARS
    window = text[:WINDOW_CHARS] if long else text
    line = " ".join(window.split())
    places = _to_line(window, [(s, min(e, len(window))) for s, e in spans if s < len(window)])
    if long and line:  # the last word may be cut by the window: read as the whole analysis reads it
        places.append((len(line) - 1, len(line)))
    breaker = _inert(marks)
    if breaker is None:
        return None
    regions: list[tuple[int, int]] = []
    for start, end in sorted(places):
        start, end = line.rfind(" ", 0, start) + 1, line.find(" ", end)
        end = len(line) if end == -1 else end
        if regions and (start <= regions[-1][1] or not _WORDY.search(line, regions[-1][1], start)):
            regions[-1] = (regions[-1][0], max(end, regions[-1][1]))  # touching, or nothing but signs between
        else:
            regions.append((start, end))
    joined, starts, at = [], [], 0
    for start, end in regions:
        starts.append(at)
        joined.append(line[start:end])
        at += end - start + len(breaker)
    found = find_matches(breaker.join(joined), marks) if regions else []
    matches = []
    for m in found:
        n = bisect_right(starts, m.start) - 1
        shift = regions[n][0] - starts[n]
        matches.append(Match(m.start + shift, m.end + shift, m.key))
    if long and not matches:
        return None
    if marks.phrases and not {" ".join(words) for words in marks.phrases} & {m.key for m in matches}:
        return None
    return line, False, long, matches


def _to_line(window: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` of ``window`` as offsets in ``" ".join(window.split())`` (spans never start or end in spaces)."""
    lead = len(window) - len(window.lstrip())
    ends, removed = [0], [lead]
    for run in _RUNS.finditer(window, lead):
        ends.append(run.end())
        removed.append(removed[-1] + len(run.group()) - 1)
    out = []
    for start, end in spans:
        out.append((start - removed[bisect_right(ends, start) - 1], end - removed[bisect_right(ends, end - 1) - 1]))
    return out


def _inert(marks: Marks) -> str | None:
    """A word (between spaces) that no mark of ``marks`` matches, not even a phrase's word alone."""
    alone = Marks(marks.exact | {w for words in marks.phrases for w in words}, marks.stems, marks.prefixes,
                  [], marks.patterns)
    return next((f" {b} " for b in _BREAKERS if not find_matches(b, alone)), None)
