"""The French rules on the query side: a word as typed → the tree's leaves.

Each word goes through the index's own chain (``analysis.EXACT``): folded,
elided, acronyms joined, hyphenated compounds split. A word that yields
several terms (``États-Unis``, ``19/02/2021``) is searched as a phrase, and a
hyphenated one also as its parts joined (``e-mail`` finds ``email``).
Stop words are dropped from AND groups that hold other words
(``drop_stop_words``); an elided stop word (``jusqu’à``, ``qu’il``) is dropped
always: alone it would match nearly every French document.

>>> bare("text", "DONNÉES")
Word(field='text', exact='donnees', stem='donne')
>>> bare("text", "e-mail")
Or(children=(Phrase(field='text', words=('e', 'mail'), slop=1), Word(field='text', exact='email', stem='email')))
>>> print(bare("text", "jusqu’à"))
None
"""

from __future__ import annotations

import re

from searchkit.analysis import APOSTROPHES, EXACT, STOP_WORDS, fold, stem
from searchkit.errors import QueryError
from searchkit.query.tree import TEXT_FIELDS, And, Fuzzy, Node, Not, Or, Phrase, Prefix, Wildcard, Word

# Limits (README, "Limits"): the longest word searched. Longer "words" are
# pasted data, and every fuzzy or prefix scan of the vocabulary grows with it.
MAX_WORD_CHARS = 100
# Lucene's cap, for the same reason: the terms within 3 edits of a word are
# most of a vocabulary (``bitcoin~5`` took 15 s on 2,000 posts).
MAX_FUZZY_DISTANCE = 2
_FUZZY_SPEC = re.compile(r"(\d{0,3})(?:/(\d{1,3}))?")


def _check_length(term: str) -> None:
    if len(term) > MAX_WORD_CHARS:
        raise QueryError(
            f"the word {term[:20] + '…'!r} is {len(term):,} characters long; searchkit searches words "
            f"of up to {MAX_WORD_CHARS} characters"
        )


def word(field: str, exact: str) -> Word:
    _check_length(exact)
    return Word(field, exact, stem(exact))


def terms(text: str) -> tuple[list[str], list[str]]:
    """The folded terms of ``text`` in order, and the joined forms of its compounds."""
    main: list[str] = []
    joined: list[str] = []
    for tok in EXACT(text):
        _check_length(tok.text)
        (joined if tok.stacked else main).append(tok.text)
    return main, joined


def bare(field: str, text: str) -> Node | None:
    """An unquoted word (no wildcard, no ``~``) on a text or name field; None if nothing is left."""
    toks = [t for t in EXACT(text) if not t.stacked]
    if len(toks) == 1 and toks[0].text in STOP_WORDS and toks[0].startchar > 0 \
            and text[toks[0].startchar - 1] in APOSTROPHES:
        return None  # jusqu’à, qu’il, l’on
    main, joined = terms(text)
    if not main:
        return None
    if len(main) == 1:
        return word(field, main[0])
    phrase = Phrase(field, tuple(main))
    if not joined:
        return phrase
    return Or((phrase, *(word(field, j) for j in joined)))


def phrase(field: str, text: str, slop: int = 1) -> Node | None:
    """Quoted text: its words in order, as written (not stemmed, stop words kept)."""
    main, _ = terms(text)
    return Phrase(field, tuple(main), slop) if main else None


def fold_pattern(pattern: str) -> str:
    """A wildcard pattern folded like the words it must meet (``*`` and ``?`` kept).

    >>> fold_pattern("J?ux-É*")
    'j?uxe*'
    """
    return "".join(ch if ch in "*?" else (fold(ch) if ch.isalnum() else "") for ch in pattern)


def wildcard(field: str, text: str) -> Node | None:
    """``donn*`` (a prefix) or ``j?ux`` (a pattern), on the folded unstemmed form."""
    if text.endswith("*") and "*" not in text[:-1] and "?" not in text:
        folded = fold(text[:-1]).replace(" ", "")
        _check_length(folded)
        return Prefix(field, folded) if folded else None
    pattern = fold_pattern(text)
    _check_length(pattern)
    return Wildcard(field, pattern) if any(ch.isalnum() for ch in pattern) else None


def fuzzy(field: str, text: str, spec: str) -> Node | None:
    """``word~``, ``word~2``, ``word~1/3`` (distance 1 or 2, then how many first letters must match)."""
    whole = f"{text}~{spec}"
    m = _FUZZY_SPEC.fullmatch(spec)
    if not m:
        return bare(field, whole)  # not the fuzzy syntax: searched as words
    dist_text, prefix_text = m.group(1), m.group(2)
    dist = int(dist_text) if dist_text else 1
    if dist > MAX_FUZZY_DISTANCE:
        raise QueryError(
            f"{whole!r}: a fuzzy search allows up to {MAX_FUZZY_DISTANCE} edits "
            f"(write {text}~1 or {text}~{MAX_FUZZY_DISTANCE})"
        )
    prefix = int(prefix_text) if prefix_text else 0
    main, _joined = terms(text)
    if not main:
        return None
    for term in main:
        if prefix > len(term):
            raise QueryError(
                f"{whole!r}: the first {prefix} letters must match, but {term!r} has {len(term)} "
                f"(write {text}~{dist}/{len(term)} or less)"
            )
    leaves: list[Node] = [Fuzzy(field, term, dist, prefix) for term in main]
    return leaves[0] if len(leaves) == 1 else And(tuple(leaves))


def _is_stop(node: Node) -> bool:
    return isinstance(node, Word) and node.field in TEXT_FIELDS and node.exact in STOP_WORDS


def drop_stop_words(children: list[Node]) -> list[Node]:
    """The children of an AND group without its stop words, if other words remain.

    >>> drop_stop_words([word("text", "les"), word("text", "jeux")])
    [Word(field='text', exact='jeux', stem='jeu')]
    >>> drop_stop_words([word("text", "les")])
    [Word(field='text', exact='les', stem='le')]
    """
    kept = [c for c in children if not _is_stop(c)]
    if kept and any(not isinstance(c, Not) for c in kept):
        return kept
    return children
