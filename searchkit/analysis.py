"""French text analysis: text → tokens with positions and original character spans.

Composed like Whoosh's own chains, ``Tokenizer | Filter | Filter``, but with
no Whoosh import (the index module adapts it), so analysis knows nothing of
files or engines. Every filter keeps each token's ``startchar``/``endchar`` in
the *original* text, so a highlight shows « Données », not ``donn``.

Two chains are used, the same at index and query time:

* ``EXACT``: words → lowercase → elision (l’, qu’, jusqu’…) → accent folding.
  Quoted phrases, prefixes and the "exact form" boost use it.
* ``STEMMED``: ``EXACT`` then French stemming of the *folded* form, so that
  ``activites`` and ``activités`` meet.

>>> [t.text for t in EXACT("L’Assurance maladie s’oppose à Microsoft")]
['assurance', 'maladie', 'oppose', 'a', 'microsoft']
>>> [(t.text, t.startchar, t.endchar) for t in EXACT("Données")]
[('donnees', 0, 7)]
>>> [t.text for t in STEMMED("Les données de santé")]
['le', 'donne', 'de', 'sant']

Stop words are kept: ``"ne pas"`` and ``"Conseil d'Etat"`` are phrases people search.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# Apostrophes as they occur in archived French: typographic, ASCII, modifier
# letter, grave accent and left quote (both typed in place of ’).
APOSTROPHES = "’'ʼ`‘"
_APOSTROPHE_RE = re.compile(f"[{APOSTROPHES}]")

# A word: letters and digits, with apostrophes inside (aujourd’hui, l’État).
WORD = re.compile(rf"\w+(?:[{APOSTROPHES}]\w+)*")

ELISIONS = frozenset(
    "l d j m n s t c qu jusqu lorsqu puisqu quoiqu".split()
)


@dataclass(slots=True)
class Token:
    """A term and where its surface form stands in the original text."""

    text: str
    startchar: int
    endchar: int
    pos: int = 0


class Filter:
    """One step of a chain: takes tokens, yields tokens (keeping their spans)."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        raise NotImplementedError  # pragma: no cover - every filter defines it

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class LowercaseFilter(Filter):
    def __call__(self, tokens):
        for t in tokens:
            t.text = t.text.lower()
            yield t


class ElisionFilter(Filter):
    """Drop elided articles and pronouns; keep words that own their apostrophe.

    >>> [t.text for t in EXACT("jusqu’à l'Etat, aujourd’hui, presqu’île, prud’hommes")]
    ['a', 'etat', "aujourd'hui", "presqu'ile", "prud'hommes"]
    """

    def __call__(self, tokens):
        for t in tokens:
            text = t.text
            if _APOSTROPHE_RE.search(text):
                text = _APOSTROPHE_RE.sub("'", text)
                head, _, rest = text.partition("'")
                if head in ELISIONS and rest:
                    t.startchar += len(head) + 1
                    text = rest
                t.text = text
            yield t


class FoldFilter(Filter):
    """Fold accents and ligatures to ASCII with unidecode (é → e, œ → oe).

    Tokens that fold to nothing (emoji, symbols) are dropped.

    >>> [t.text for t in EXACT("Œuvre ÉTÉ cœur")]
    ['oeuvre', 'ete', 'coeur']
    """

    def __call__(self, tokens):
        from unidecode import unidecode

        for t in tokens:
            if not t.text.isascii():
                t.text = unidecode(t.text).replace(" ", "").lower()
                if not t.text:
                    continue
            yield t


class StemFilter(Filter):
    """French Snowball stemming (PyStemmer, the C build of the same algorithm)."""

    def __init__(self, language: str = "french"):
        import Stemmer

        self.language = language
        self._stem = Stemmer.Stemmer(language).stemWord

    def __call__(self, tokens):
        stem = self._stem
        for t in tokens:
            t.text = stem(t.text)
            yield t


class Tokenizer:
    """Splits text into words; ``tokenizer | filter`` makes a chain."""

    pattern = WORD

    def spans(self, text: str) -> Iterator[tuple[str, int]]:
        for m in self.pattern.finditer(text):
            yield m.group(), m.start()

    def __or__(self, other: Filter) -> Chain:
        return Chain(self, (other,))


class Chain:
    """A tokenizer and its filters, with a cache from surface form to terms.

    French text is Zipfian: most words recur, so each distinct surface form
    ("Données", "l’Assurance") is run through the filters once and the result
    (terms with offsets inside the form) reused.
    """

    CACHE_LIMIT = 500_000

    def __init__(self, tokenizer: Tokenizer, filters: tuple[Filter, ...]):
        self.tokenizer = tokenizer
        self.filters = filters
        self._cache: dict[str, tuple[tuple[str, int, int], ...]] = {}

    def __or__(self, other: Filter) -> Chain:
        return Chain(self.tokenizer, (*self.filters, other))

    def terms_of(self, surface: str) -> tuple[tuple[str, int, int], ...]:
        """The terms one surface form yields, with spans relative to it."""
        found = self._cache.get(surface)
        if found is None:
            tokens: Iterable[Token] = [Token(surface, 0, len(surface))]
            for f in self.filters:
                tokens = f(tokens)
            found = tuple((t.text, t.startchar, t.endchar) for t in tokens)
            if len(self._cache) >= self.CACHE_LIMIT:
                self._cache.clear()
            self._cache[surface] = found
        return found

    def __call__(self, text: str, tokenize: bool = True) -> Iterator[Token]:
        """Tokens of ``text``; with ``tokenize=False`` the whole text is one form."""
        spans = self.tokenizer.spans(text) if tokenize else [(text.strip(), 0)]
        pos = 0
        terms_of = self.terms_of
        for surface, start in spans:
            for term, s, e in terms_of(surface):
                yield Token(term, start + s, start + e, pos)
                pos += 1

    def words(self, text: str) -> list[str]:
        """Just the terms, for queries and tests.

        >>> STEMMED.words("Activités, activites")
        ['activit', 'activit']
        """
        return [t.text for t in self(text)]


EXACT = Tokenizer() | LowercaseFilter() | ElisionFilter() | FoldFilter()
STEMMED = EXACT | StemFilter()


def fold(text: str) -> str:
    """The folded form of a whole string, as the EXACT chain makes each word.

    >>> fold("Donn")
    'donn'
    >>> fold("l’État")
    'etat'
    """
    return " ".join(t.text for t in EXACT(text, tokenize=False))


def stem(term: str) -> str:
    """The stemmed form of one folded term.

    >>> stem("donnees")
    'donne'
    """
    found = STEMMED.filters[-1]([Token(term, 0, len(term))])
    return next(iter(found)).text
