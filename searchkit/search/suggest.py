"""Did you mean: close indexed words for a search that found little, checked to find something.

Engine-neutral: the engine lists indexed folded terms near a typed word
(``similar_terms``) and their document frequencies; each word of the query
the index does not hold (or holds far more rarely than a neighbour) is
replaced by its closest, most frequent neighbour, shown as the archive writes
it (« Microsoft », « données »: the commonest surface form in a few documents
holding the term). The API runs each candidate query and offers only one that
finds something (``Archive.did_you_mean``).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterator

from searchkit.analysis import EXACT
from searchkit.engine.base import Engine
from searchkit.snippets import edit_distance

# A search with fewer hits than this gets a suggestion, if one is found.
SUGGEST_BELOW = 3
# A rare word is replaced only by one this many times more frequent.
RARE_RATIO = 20
# Candidate words kept per typed word, and candidate queries checked at most.
PER_WORD = 3
MAX_CHECKS = 8
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})


def max_distance(term: str) -> int:
    """Edits allowed for a word of this length: 1 up to 5 letters, else 2."""
    return 1 if len(term) <= 5 else 2


def neighbours(engine: Engine, term: str) -> list[tuple[str, int]]:
    """Indexed terms near ``term``, best first (fewest edits, then most documents).

    Candidates share the first letter (most misspellings keep it, and it
    bounds the work to one slice of the vocabulary).
    """
    if len(term) < 3 or not term.isalpha():
        return []
    limit = max_distance(term)
    scored = []
    for cand in engine.similar_terms(term, limit, prefix=1):
        if cand != term:
            df = engine.doc_frequency(cand)
            scored.append((edit_distance(cand, term), -df, cand))
    return [(cand, -neg_df) for _, neg_df, cand in sorted(scored)]


def surface_form(engine: Engine, term: str, typed: str = "", docs: int = 20) -> str:
    """The way most documents holding a folded ``term`` write it.

    Each document counts once per form, so one misspelt page (« hébérgement »)
    cannot outvote the others; among equals, a form with accents wins, then
    the one closest to what was ``typed``, then the lower-case one. The term
    itself if no stored text shows it.
    """
    forms: Counter[str] = Counter()
    for text in engine.texts_with(term, docs):
        seen = {text[tok.startchar:tok.endchar] for tok in EXACT(text) if tok.text == term}
        forms.update(seen)
    if not forms:
        return term
    typed = typed.lower()
    return max(forms.items(), key=lambda kv: (kv[1], not kv[0].isascii(), -edit_distance(kv[0].lower(), typed),
                                              kv[0] == kv[0].lower()))[0]


def _skippable(text: str, start: int, end: int) -> bool:
    """Words of the query syntax, not of the search: ``title:``, ``AND``, ``word*``, ``word~``."""
    after = text[end:end + 1]
    if after in (":", "*", "?", "~"):
        return True
    if start > 0 and text[start - 1] in "*?":
        return True
    return text[start:end] in _OPERATORS


def candidates(engine: Engine, text: str) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """Corrected queries for ``text``, most likely first, with what each changed (typed, suggested)."""
    options: list[tuple[int, int, str, list[str]]] = []  # (start, end, typed, surfaces)
    for tok in EXACT(text):
        if tok.stacked:  # the joined form of a compound: its parts are checked
            continue
        if _skippable(text, tok.startchar, tok.endchar):
            continue
        typed = text[tok.startchar:tok.endchar]
        df = engine.doc_frequency(tok.text)
        if df > 2:  # known well enough
            continue
        surfaces: list[str] = []
        for cand, cand_df in neighbours(engine, tok.text)[:PER_WORD]:
            if df and cand_df < RARE_RATIO * df:
                continue
            surface = surface_form(engine, cand, typed)
            if surface != typed and surface not in surfaces:
                surfaces.append(surface)
        if surfaces:
            options.append((tok.startchar, tok.endchar, typed, surfaces))
    if not options:
        return
    for choice in itertools.islice(itertools.product(*(o[3] for o in options)), MAX_CHECKS):
        out, pos = [], 0
        for (start, end, _, _), surface in zip(options, choice, strict=True):
            out.append(text[pos:start])
            out.append(surface)
            pos = end
        out.append(text[pos:])
        corrections = [(o[2], s) for o, s in zip(options, choice, strict=True)]
        yield re.sub(r"\s+", " ", "".join(out)).strip(), corrections
