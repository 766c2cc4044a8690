"""Prefixes, wildcards and fuzzy words that find their terms once per segment within one search.

A relevance page reads a query's postings (``scan``) and then has Whoosh score
a few documents with the same query: both expand ``jard*`` or ``jardim~2``
into terms, segment by segment, and a fuzzy word's expansion (Whoosh's
Levenshtein automaton walked over the term list in Python) is most of its
search (0.13 s CPU for ``jardim~`` at 100k documents). Each query object here
keeps the terms it found per segment reader, so the second expansion is free.
A query object lives for one search (``compile.to_whoosh`` makes a new one),
and a segment reader never changes, so the kept terms are always current.
"""

from __future__ import annotations

from whoosh import query as wq


class _Kept:
    """Keeps ``_btexts`` per reader (the reader itself is held: its id is never reused meanwhile)."""

    def _btexts(self, ixreader):
        kept = self.__dict__.setdefault("_kept", [])
        for reader, texts in kept:
            if reader is ixreader:
                return texts
        texts = list(super()._btexts(ixreader))  # type: ignore[misc]
        kept.append((ixreader, texts))
        return texts


class Prefix(_Kept, wq.Prefix):
    """Whoosh's ``Prefix``, its terms found once per segment reader."""


class Wildcard(_Kept, wq.Wildcard):
    """Whoosh's ``Wildcard``, its terms found once per segment reader."""

    def normalize(self):
        simpler = super().normalize()
        if type(simpler) is wq.Prefix:  # "jard*" written as a wildcard
            return Prefix(simpler.fieldname, simpler.text, boost=simpler.boost)
        return simpler


class FuzzyTerm(_Kept, wq.FuzzyTerm):
    """Whoosh's ``FuzzyTerm``, its terms found once per segment reader."""
