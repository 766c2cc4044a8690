"""Where the query's words stand in each hit's body, from the node's unified highlighter (for searchkit's snippets).

The highlight asks what a snippet marks (``searchkit.query.marks``: the
positive words of the main query only, so ``--in-article``,
``--with-comments`` and the filters mark nothing), on ``body`` (the exact
field, whose postings hold offsets: nothing is re-analysed), as plain terms
and phrases. ``number_of_fragments: 0`` returns the whole field with
private-use tags around each match, so the offsets are those of the Python
string.

Terms, not patterns: the highlighter reads a prefix, wildcard or fuzzy query
by walking the whole terms dictionary for each hit (~2 ms a hit at 100k), and
the stemmed field has no offsets (highlighting it re-analyses every hit's text
on the node: ~25 ms for the common word's top 10 at 100k, as slow as searchkit
in Python). So the patterns, and the stems, are first expanded to the index's
own words by one ``_validate/query?rewrite=true`` request (``expansion``), a
stem through the prefix every word stemmed to it starts with
(``stem_prefix``), kept when searchkit's stemmer agrees (``terms``).

The node may mark more than searchkit would (a phrase's words one by one):
the snippet checks each place with searchkit's own analysis
(``snippets.snippet(spans=...)``). What the highlighter cannot cover asks for
no highlight, and the snippets are made in Python as before: a fuzzy word
beyond 2 edits, a wildcard with ``[`` or ``\\``, a stem shorter than 2 letters
once its ending is taken off, an expansion of more than ``MAX_TERMS`` words.

>>> from searchkit.query import marks, parse
>>> request = highlight_request(marks(parse('"privacy shield" maison')), ["maison", "maisons"])
>>> list(request["fields"]), request["number_of_fragments"], len(request["highlight_query"]["bool"]["should"])
(['body'], 0, 3)
>>> located({"highlight": {"body": ["Le \ue000Privacy\ue001 \ue000Shield\ue001."]}}, "Le Privacy Shield.")
Located(spans=((3, 10), (11, 17)), upto=18)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from searchkit.analysis import IRREGULAR_PLURALS, stem
from searchkit.engine.base import Located
from searchkit.engine.opensearch.settings import EXACT_ANALYZER
from searchkit.query.marks import Marks

# Tags around a match: private-use characters; a body holding one is left to Python (``located``).
PRE, POST = "\ue000", "\ue001"
# The most edits the node's fuzzy automata allow.
MAX_EDITS = 2
# Words a highlight query may hold (OpenSearch refuses a bool of more than 1,024 clauses).
MAX_TERMS = 1_000
_TERM = re.compile(r"\bbody:([^\s()^]+)")


def stem_prefix(s: str) -> str:
    """The start every folded word that Snowball French stems to ``s`` shares with it.

    Snowball only takes endings off, but for these rewrites of the last
    letters: -ence → -ent, -amment/-emment → -ant/-ent, -ic → -iqu, -euse → -eux,
    -abil → -abl, -aux → -al, a final y → i (the irregular plurals, travaux →
    travail, are added by ``terms``). Checked on the 83,413 words of the 100k
    benchmark corpus and the test corpora: every one starts with it.

    >>> [stem_prefix(s) for s in ("maison", "evident", "critiqu", "fameux", "cheval", "voi")]
    ['maison', 'evide', 'criti', 'fameu', 'cheva', 'vo']
    """
    if s.endswith(("ent", "ant", "iqu")):
        return s[:-2]
    if s.endswith(("eux", "abl", "al", "i")):
        return s[:-1]
    return s


def expansion(wanted: Marks) -> dict[str, Any] | None | bool:
    """The query whose rewrite lists the index's words for the stems and patterns of ``wanted``.

    False when there is none to expand; None when the highlighter cannot stand for them.
    """
    rewrite = "scoring_boolean"  # a bool of every matching term, which the validate API spells out
    clauses: list[dict[str, Any]] = []
    for s in sorted(wanted.stems):
        start = stem_prefix(s)
        if len(start) < 2:
            return None
        clauses.append({"prefix": {"body": {"value": start, "rewrite": rewrite}}})
    clauses += [{"prefix": {"body": {"value": p, "rewrite": rewrite}}} for p in sorted(wanted.prefixes)]
    for how, text, n in wanted.patterns:
        if how == "glob":
            if "[" in text or "\\" in text:  # fnmatch's sets, Lucene's escapes: not the same language
                return None
            clauses.append({"wildcard": {"body": {"value": text, "rewrite": rewrite}}})
        else:
            if n > MAX_EDITS:
                return None
            # Damerau edits and no common prefix, as the snippet's own test (``snippets._fits``).
            clauses.append({"fuzzy": {"body": {"value": text, "fuzziness": n, "transpositions": True,
                                               "prefix_length": 0, "rewrite": rewrite}}})
    if not clauses:
        return False
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def terms(wanted: Marks, answer: dict[str, Any] | None) -> list[str] | None:
    """The words to highlight: ``wanted``'s own and those of the expansion's ``answer`` (None: no expansion)
    that searchkit marks; None when the answer is incomplete or there are too many."""
    found = set(wanted.exact)
    found |= {plural for plural, singular in IRREGULAR_PLURALS.items() if stem(singular) in wanted.stems}
    if answer is not None:
        explanations = answer.get("explanations") or []
        if answer.get("_shards", {}).get("failed") or not explanations or not all(e.get("valid") for e in explanations):
            return None
        expanded: Iterable[str] = {t for e in explanations for t in _TERM.findall(e.get("explanation", ""))}
        if not wanted.patterns:  # keep the words searchkit marks (a fuzzy word's test is left to the snippet)
            expanded = {t for t in expanded if stem(t) in wanted.stems or t.startswith(tuple(wanted.prefixes))}
        found |= set(expanded)
    return sorted(found) if len(found) <= MAX_TERMS else None


def highlight_request(wanted: Marks, words: list[str]) -> dict[str, Any] | None:
    """The ``highlight`` part of a search body marking ``words`` and ``wanted``'s phrases; None: nothing."""
    should: list[dict[str, Any]] = [{"term": {"body": w}} for w in words]
    should += [{"match_phrase": {"body": {"query": " ".join(p), "analyzer": EXACT_ANALYZER}}} for p in wanted.phrases]
    if not should or len(should) > MAX_TERMS:
        return None
    return {
        "type": "unified", "pre_tags": [PRE], "post_tags": [POST], "number_of_fragments": 0,
        "require_field_match": True, "highlight_query": {"bool": {"should": should, "minimum_should_match": 1}},
        "fields": {"body": {}},
    }


def located(hit: dict[str, Any], body: str) -> Located | None:
    """The spans the node marked in ``body`` (the hit's ``_source`` body), or None when they cannot be trusted."""
    if not body or PRE in body or POST in body:
        return None
    found: set[tuple[int, int]] = set()
    shown = hit.get("highlight") or {}
    for tagged in shown.get("body", ()):
        spans = _spans(tagged, body)
        if spans is None:
            return None
        found.update(spans)
    return Located(tuple(sorted(found)), len(body))  # from the postings: the whole body


def _spans(tagged: str, body: str) -> list[tuple[int, int]] | None:
    """(start, end) of each tagged run of ``tagged``; None unless, untagged, it is ``body`` itself."""
    parts = tagged.split(PRE)
    plain, pos, spans = [parts[0]], len(parts[0]), []
    for part in parts[1:]:
        word, tag, rest = part.partition(POST)
        if not tag:
            return None
        spans.append((pos, pos + len(word)))
        pos += len(word) + len(rest)
        plain += (word, rest)
    return spans if "".join(plain) == body else None
