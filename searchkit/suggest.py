"""Did you mean: close words from the index vocabulary for a search that found little.

Part of searching (it reads the index's lexicon, so it may import Whoosh):
``Searcher.did_you_mean`` calls ``suggest`` and the CLI prints the plain
``Suggestion`` it gets back. Each word of the query that the index does not
hold (or holds far more rarely than a neighbour) is compared with the
folded, unstemmed vocabulary (``body_exact``, ``title_exact``) by
Damerau-Levenshtein distance; the closest, most frequent term wins. The
index holds folded terms (``microsoft``), so the word is shown as the
archive writes it (« Microsoft », « vaccin », « données »): the most common
surface form of that term in a few documents that contain it.
"""

from __future__ import annotations

import re
from collections import Counter

from whoosh.query import Or, Term
from whoosh.support.levenshtein import distance

from searchkit.analysis import EXACT
from searchkit.records import Suggestion

# A search with fewer hits than this gets a suggestion, if one is found.
SUGGEST_BELOW = 3
TEXT_FIELDS = ("body_exact", "title_exact")
# A rare word is replaced only by one this many times more frequent.
RARE_RATIO = 20
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})


def max_distance(term: str) -> int:
    """Edits allowed for a word of this length: 1 up to 5 letters, else 2."""
    return 1 if len(term) <= 5 else 2


def doc_frequency(reader, term: str) -> int:
    return sum(reader.doc_frequency(f, term) for f in TEXT_FIELDS if f in reader.schema)


def closest_term(reader, term: str) -> tuple[str, int] | None:
    """The nearest indexed term and its document frequency, or None.

    Candidates share the first letter (most misspellings keep it, and it
    bounds the work to one slice of the lexicon).
    """
    if len(term) < 3 or not term.isalpha():
        return None
    best: tuple[int, int, str] | None = None
    seen: set[str] = set()
    for fieldname in TEXT_FIELDS:
        if fieldname not in reader.schema:
            continue
        for cand in reader.terms_within(fieldname, term, max_distance(term), prefix=1):
            if cand == term or cand in seen:
                continue
            seen.add(cand)
            key = (distance(cand, term, limit=max_distance(term)), -doc_frequency(reader, cand), cand)
            if best is None or key < best:
                best = key
    return (best[2], -best[1]) if best else None


def surface_form(searcher, term: str, typed: str = "", docs: int = 20) -> str:
    """The way most documents holding a folded ``term`` write it.

    Each document counts once per form, so one misspelt page (« hébérgement »)
    cannot outvote the others; among equals, a form with accents wins, then
    the one closest to what was ``typed``, then the lower-case one. The term
    itself if no stored text shows it.
    """
    forms: Counter[str] = Counter()
    query = Or([Term(f, term) for f in TEXT_FIELDS])
    for hit in searcher.search(query, limit=docs):
        stored = hit.fields()
        seen = set()
        for text in (stored.get("title") or "", stored.get("body") or ""):
            for tok in EXACT(text):
                if tok.text == term:
                    seen.add(text[tok.startchar:tok.endchar])
        forms.update(seen)
    if not forms:
        return term
    typed = typed.lower()
    return max(forms.items(), key=lambda kv: (kv[1], not kv[0].isascii(), -distance(kv[0].lower(), typed),
                                              kv[0] == kv[0].lower()))[0]


def _skippable(text: str, start: int, end: int) -> bool:
    """Words of the query syntax, not of the search: ``title:``, ``AND``, ``word*``, ``word~``."""
    after = text[end:end + 1]
    if after in (":", "*", "?", "~"):
        return True
    if start > 0 and text[start - 1] in "*?":
        return True
    return text[start:end] in _OPERATORS


def suggest(searcher, text: str) -> Suggestion | None:
    """A better query for ``text`` from the index vocabulary, or None.

    ``searcher`` is an open Whoosh searcher of a searchkit index.
    """
    reader = searcher.reader()
    replacements: list[tuple[int, int, str]] = []
    corrections: list[tuple[str, str]] = []
    for tok in EXACT(text):
        if tok.stacked:  # the joined form of a compound: its parts are checked
            continue
        if _skippable(text, tok.startchar, tok.endchar):
            continue
        typed = text[tok.startchar:tok.endchar]
        df = doc_frequency(reader, tok.text)
        if df > 2:  # known well enough
            continue
        found = closest_term(reader, tok.text)
        if not found:
            continue
        cand, cand_df = found
        if df and cand_df < RARE_RATIO * df:
            continue
        surface = surface_form(searcher, cand, typed)
        if surface == typed:
            continue
        replacements.append((tok.startchar, tok.endchar, surface))
        corrections.append((typed, surface))
    if not replacements:
        return None
    out, pos = [], 0
    for start, end, surface in replacements:
        out.append(text[pos:start])
        out.append(surface)
        pos = end
    out.append(text[pos:])
    return Suggestion(re.sub(r"\s+", " ", "".join(out)).strip(), corrections)
