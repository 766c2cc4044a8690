"""French text analysis: text → tokens with positions and original character spans.

Composed like Whoosh's own chains, ``Tokenizer | Filter | Filter``, but with
no Whoosh import (the index module adapts it), so analysis knows nothing of
files or engines. Every filter keeps each token's ``startchar``/``endchar`` in
the *original* text, so a highlight shows « Données », not ``donn``.

Two chains are used, the same at index and query time:

* ``EXACT``: words → acronyms joined (R.G.P.D. → rgpd) → lowercase →
  elision (l’, qu’, jusqu’…) → accent folding. Quoted phrases, prefixes and
  the "exact form" boost use it.
* ``STEMMED``: ``EXACT`` then French stemming of the *folded* form (after
  ``singular``: jeux → jeu), so that ``activites`` and ``activités`` meet.

>>> [t.text for t in EXACT("L’Assurance maladie s’oppose à Microsoft")]
['assurance', 'maladie', 'oppose', 'a', 'microsoft']
>>> [(t.text, t.startchar, t.endchar) for t in EXACT("Données")]
[('donnees', 0, 7)]
>>> [t.text for t in STEMMED("Les données de santé")]
['le', 'donne', 'de', 'sant']

Stop words are kept: ``"ne pas"`` and ``"Conseil d'Etat"`` are phrases people
search; ``STOP_WORDS`` is for the query side only (see ``query``). Choices and
measurements: docs/relevance.md; proof on real text: tests/test_analysis_golden.py.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# Apostrophes as they occur in archived French: typographic, ASCII, modifier
# letter, grave accent and left quote (both typed in place of ’).
APOSTROPHES = "’'ʼ`‘"
_APOSTROPHE_RE = re.compile(f"[{APOSTROPHES}]")

# Hyphens that join the parts of a compound (crypto-monnaie, e‑mail).
HYPHENS = "-‐‑"
# A word: an acronym written with dots (R.G.P.D., U.S.A), or letters and
# digits with apostrophes inside (aujourd’hui, l’État), possibly hyphenated
# (États-Unis: split into its parts by ``CompoundFilter``). Everything else
# separates words: NBSP and narrow NBSP, « », slashes of dates, the
# punctuation of URLs and e-mail addresses, emoji.
_LETTER = r"[^\W\d_]"
_PART = rf"\w+(?:[{APOSTROPHES}]\w+)*"
WORD = re.compile(
    rf"(?:{_LETTER}\.){{2,}}(?:{_LETTER}(?!\w))?"
    rf"|{_PART}(?:[{HYPHENS}]{_PART})*"
)
_HYPHEN_RE = re.compile(f"[{HYPHENS}]")
# A compound of more parts than this is split but not joined (a-b-c-d-e is no word).
MAX_COMPOUND_PARTS = 4

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
    # At the same position as the token before it: the joined form of a
    # hyphenated compound, stacked on its first part.
    stacked: bool = False


class Filter(ABC):
    """One step of a chain: takes tokens, yields tokens (keeping their spans)."""

    @abstractmethod
    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        """Yield the tokens this step makes of ``tokens``."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class CompoundFilter(Filter):
    """Split a hyphenated compound into its parts and add the parts joined,
    at the first part's position, so that ``e-mail`` and ``email``,
    ``crypto-monnaie`` and ``cryptomonnaie`` meet, and the phrase
    ``"crypto monnaie"`` still matches the hyphenated form.

    >>> [(t.text, t.startchar, t.endchar, t.stacked) for t in EXACT("l’e-mail")]
    [('e', 2, 3, False), ('email', 2, 8, True), ('mail', 4, 8, False)]
    """

    def __call__(self, tokens):
        for t in tokens:
            text = t.text
            if not _HYPHEN_RE.search(text):
                yield t
                continue
            parts, pos = [], 0
            for piece in _HYPHEN_RE.split(text):
                if piece:
                    parts.append(Token(piece, t.startchar + pos, t.startchar + pos + len(piece)))
                pos += len(piece) + 1
            # Built before any part is yielded: the next filters change the parts in place.
            joined = Token("".join(p.text for p in parts), t.startchar, t.endchar, stacked=True)
            for n, part in enumerate(parts):
                yield part
                if n == 0 and 1 < len(parts) <= MAX_COMPOUND_PARTS:
                    yield joined


class LowercaseFilter(Filter):
    def __call__(self, tokens):
        for t in tokens:
            t.text = t.text.lower()
            yield t


class AcronymFilter(Filter):
    """Join an acronym written with dots into one word: R.G.P.D. = RGPD.

    >>> [(t.text, t.startchar, t.endchar) for t in EXACT("le R.G.P.D. et la SNCF")]
    [('le', 0, 2), ('rgpd', 3, 11), ('et', 12, 14), ('la', 15, 17), ('sncf', 18, 22)]
    """

    def __call__(self, tokens):
        for t in tokens:
            if "." in t.text:
                t.text = t.text.replace(".", "")
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


# Nouns in -eu whose plural takes an x (jeu → jeux). Snowball leaves
# ``jeux`` as it is (it cannot tell them from adjectives in -eux, heureux),
# so these plurals are made singular before stemming.
EU_NOUNS = frozenset(
    "jeu enjeu feu lieu milieu cheveu neveu voeu dieu adieu aveu desaveu pieu epieu "
    "essieu moyeu hebreu boutefeu".split()
)
# Plurals Snowball stems away from their singular (travaux → traval).
IRREGULAR_PLURALS = {
    "travaux": "travail", "yeux": "oeil", "cieux": "ciel", "aieux": "aieul",
    "noyaux": "noyau", "tuyaux": "tuyau", "joyaux": "joyau", "boyaux": "boyau",
}


def singular(term: str) -> str:
    """The singular of the plurals Snowball misses, else the term itself.

    Folded -ée/-ées endings are left alone on purpose: Snowball keeps
    ``donnees`` (données) apart from ``don``/``donner``; making them -e would
    stem données to ``don`` (measured on the golden table and the evaluation).

    >>> [singular(w) for w in ("jeux", "enjeux", "heureux", "travaux", "jeu")]
    ['jeu', 'enjeu', 'heureux', 'travail', 'jeu']
    """
    if term.endswith("x"):
        if term in IRREGULAR_PLURALS:
            return IRREGULAR_PLURALS[term]
        if term[:-1] in EU_NOUNS:
            return term[:-1]
    return term


def light_stem(term: str) -> str:
    """A minimal French stemmer (Savoy's, as Lucene's FrenchMinimalStemmer):
    plural and feminine endings only. Kept to measure against Snowball
    (see docs/relevance.md); the index uses Snowball.

    >>> [light_stem(w) for w in ("collectivites", "collections", "chevaux", "donnees")]
    ['collectivit', 'collection', 'cheval', 'don']
    """
    n = len(term)
    if n < 6:
        return term
    if term.endswith("x"):
        return term[:-3] + "al" if term.endswith("aux") else term[:-1]
    for end in "sree":  # -s, -r, -e, then the -e left of a folded -ée
        if term.endswith(end):
            term = term[:-1]
    if len(term) > 1 and term[-1] == term[-2] and term[-1].isalpha():
        term = term[:-1]
    return term


class StemFilter(Filter):
    """French stemming of the folded form, after ``singular``.

    ``snowball`` (default) is PyStemmer, the C build of Whoosh's algorithm;
    ``light`` is ``light_stem``.

    >>> STEMMED.words("jeux jeu activités activite")
    ['jeu', 'jeu', 'activit', 'activit']
    """

    def __init__(self, algorithm: str = "snowball"):
        self.algorithm = algorithm
        if algorithm == "snowball":
            import Stemmer

            self._stem = Stemmer.Stemmer("french").stemWord
        elif algorithm == "light":
            self._stem = light_stem
        else:
            raise ValueError(f"unknown stemmer {algorithm!r}: snowball or light")

    def __repr__(self) -> str:
        return f"StemFilter({self.algorithm!r})"

    def __call__(self, tokens):
        stem = self._stem
        for t in tokens:
            t.text = stem(singular(t.text))
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
        self._cache: dict[str, tuple[tuple[str, int, int, bool], ...]] = {}

    def __or__(self, other: Filter) -> Chain:
        return Chain(self.tokenizer, (*self.filters, other))

    def terms_of(self, surface: str) -> tuple[tuple[str, int, int, bool], ...]:
        """The terms one surface form yields, with spans relative to it (and stacked or not)."""
        found = self._cache.get(surface)
        if found is None:
            tokens: Iterable[Token] = [Token(surface, 0, len(surface))]
            for f in self.filters:
                tokens = f(tokens)
            found = tuple((t.text, t.startchar, t.endchar, t.stacked) for t in tokens)
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
            for term, s, e, stacked in terms_of(surface):
                if stacked:
                    if pos == 0:  # its first part folded to nothing: it takes the position
                        stacked = False
                    else:
                        pos -= 1
                yield Token(term, start + s, start + e, pos, stacked)
                pos += 1

    def words(self, text: str) -> list[str]:
        """Just the terms, for queries and tests.

        >>> STEMMED.words("Activités, activites")
        ['activit', 'activit']
        """
        return [t.text for t in self(text)]


EXACT = Tokenizer() | AcronymFilter() | CompoundFilter() | LowercaseFilter() | ElisionFilter() | FoldFilter()
STEMMED = EXACT | StemFilter()


def use_stemmer(algorithm: str) -> None:
    """Swap the stemmer of ``STEMMED`` in place (for the relevance evaluation,
    which builds one index per stemmer; an index must be searched with the
    stemmer it was written with)."""
    STEMMED.filters = (*STEMMED.filters[:-1], StemFilter(algorithm))
    STEMMED._cache.clear()
    _INDEX_CACHE.clear()


# Indexing: each text goes into an exact and a stemmed field. Both chains
# share every step but the stemmer, so one tokenisation and one cache entry
# per surface form serve both (the same terms and positions as ``EXACT`` and
# ``STEMMED`` give, as UTF-8 bytes, which is what the index stores).
IndexTerms = dict[bytes, list[int]]  # term → its positions in the text
_INDEX_CACHE: dict[str, tuple[tuple[bytes, bytes, bool], ...]] = {}


def _index_forms(surface: str) -> tuple[tuple[bytes, bytes, bool], ...]:
    """(exact term, stemmed term, stacked) for each term of one surface form; cached, bounded."""
    tokens: Iterable[Token] = [Token(surface, 0, len(surface))]
    for f in EXACT.filters:
        tokens = f(tokens)
    stemmer = STEMMED.filters[-1]
    found = []
    for t in tokens:
        exact = t.text
        stemmed = next(iter(stemmer([Token(exact, 0, 0)]))).text
        # Encoding here makes a term that cannot be stored fail before anything is written.
        found.append((exact.encode("utf-8"), stemmed.encode("utf-8"), t.stacked))
    if len(_INDEX_CACHE) >= Chain.CACHE_LIMIT:
        _INDEX_CACHE.clear()
    result = _INDEX_CACHE[surface] = tuple(found)
    return result


def check_indexable(text: str) -> None:
    """Raise what indexing ``text`` would raise, at the cost of a tokenisation
    and one look-up per word once its forms are known."""
    for surface in set(WORD.findall(text)).difference(_INDEX_CACHE):
        _index_forms(surface)


def index_terms(text: str) -> tuple[IndexTerms, IndexTerms]:
    """The exact and the stemmed terms of ``text`` with their positions, as ``EXACT`` and ``STEMMED`` make them.

    >>> exact, stemmed = index_terms("Les e-mails des données")
    >>> exact
    {b'les': [0], b'e': [1], b'emails': [1], b'mails': [2], b'des': [3], b'donnees': [4]}
    >>> stemmed
    {b'le': [0], b'e': [1], b'email': [1], b'mail': [2], b'de': [3], b'donne': [4]}
    """
    exact: IndexTerms = {}
    stemmed: IndexTerms = {}
    cache_get = _INDEX_CACHE.get
    pos = 0
    for surface in WORD.findall(text):
        forms = cache_get(surface)
        if forms is None:
            forms = _index_forms(surface)
        for e, s, stacked in forms:
            if stacked and pos:  # the joined form of a compound, at its first part's position
                pos -= 1
            found = exact.get(e)
            if found is None:
                exact[e] = [pos]
            else:
                found.append(pos)
            found = stemmed.get(s)
            if found is None:
                stemmed[s] = [pos]
            else:
                found.append(pos)
            pos += 1
    return exact, stemmed


# Curated French stop words, folded. Nothing is dropped at index time (so
# "ne pas" and "Conseil d'Etat" stay searchable phrases); the query side drops
# them from *unquoted* queries that hold other words (see ``query``). Unlike
# Whoosh's list it holds « les », « cet », « cette » and no verb forms: « été »
# (summer), « or » (gold), « pas », « sans », « contre » stay searchable.
STOP_WORDS = frozenset("""
    le la les un une des du de au aux a ce cet cette ces ca ceci cela celui celle ceux celles
    et ou ni mais donc car que qui quoi dont quel quelle quels quelles
    en y dans par pour sur sous avec chez vers entre
    je tu il elle on nous vous ils elles me te se moi toi lui leur leurs soi
    mon ma mes ton ta tes son sa ses notre nos votre vos ne
""".split())


def fold(text: str) -> str:
    """The folded form of a whole string, as the EXACT chain makes each word.

    >>> fold("Donn")
    'donn'
    >>> fold("l’État")
    'etat'
    >>> fold("e-ma")
    'e ma'
    """
    return " ".join(t.text for t in EXACT(text, tokenize=False) if not t.stacked)


def stem(term: str) -> str:
    """The stemmed form of one folded term.

    >>> stem("donnees")
    'donne'
    """
    found = STEMMED.filters[-1]([Token(term, 0, len(term))])
    return next(iter(found)).text
