"""The OpenSearch index settings and mapping: searchkit's French analysis and its document fields.

Analysis. Two custom analyzers redo ``searchkit.analysis``'s chains, step for
step and in the same order (not the built-in ``french`` analyzer, which drops
stop words, stems lightly and does not fold accents):

* ``searchkit_exact`` = ``EXACT``: elision of searchkit's ``ELISIONS`` with
  its five apostrophes, in any case (a char filter, see ``ELISION_PATTERN``)
  → a pattern tokenizer with searchkit's ``WORD`` expression (acronyms with
  dots, apostrophes inside words, hyphens separate) → acronym dots removed →
  lowercase → every apostrophe made ``'`` → ASCII folding (é → e, œ → oe).
* ``searchkit_stemmed`` = ``STEMMED``: the same, then ``singular`` (the -eux
  plurals and the irregular ones, rewritten before the stemmer) and Snowball
  French on the folded form.

The lists come from ``searchkit.analysis`` itself, so the two cannot drift.
What still differs (unidecode vs Lucene's ASCII folding on non-Latin scripts,
the start offset of an elided word) is measured and listed in
docs/opensearch-analysis.md, by tests/test_opensearch_analysis.py.

Fields. Whoosh's schema keeps each text twice (``body`` stemmed and
``body_exact``); here each text is in ``_source`` once and indexed twice as
a multi-field: ``body`` (exact, positions and offsets, so phrases match and
the unified highlighter reads offsets from the postings and the snippet comes
from the original text) with ``body.stem`` (stemmed, no positions: Whoosh's
stemmed fields have ``phrase=False`` too). ``WHOOSH_FIELDS`` maps Whoosh's
names to these paths. Only articles index a title; a comment carries its
article's title in ``post_title``, shown but never searched (as in Whoosh).

Articles and comments. A ``join`` field (``relation``: article → comment),
every document routed by its ``post_id`` so a post lives in one shard. It
makes the cross-queries single requests to the cluster: ``has_parent``
finds "comments under articles matching Y" (``--in-article``), ``has_child``
"articles having a comment matching Y" (``--with-comments``). Grouped
results are a ``collapse`` on ``post_id`` (posts ranked by their best hit,
whatever its kind, with their matching documents as inner hits; a comment
whose article the archive lost is grouped all the same, which ``has_child``
from the article could not do).
Flat documents carrying ``post_id`` would need the article ids fetched
first and sent back as a terms filter (two round trips, and an id list that
grows with the corpus); ``collapse`` groups flat hits but counts documents,
not posts. Nested documents would make comments non-hits and force a whole
post to be re-indexed when one comment changes. The cost of ``join``: routing
on every write and delete (all by ``post_id``, which every document has) and
global ordinals rebuilt at refresh. Measured on one node (the shared corpora
copied 20 times, 36,220 documents, a loaded 2-core machine): comments
matching « merci » under articles matching « bitcoin » take 13 ms with
``has_parent`` and 297 ms flat (article ids scanned, then a terms filter);
articles with such a comment 24 ms with ``has_child``, 474 ms flat; the
index is 1.4 % larger; bulk loading took 71 s with the join field and 41 s
without when the join index was loaded first, 52 s and 55 s the other way
round: the machine's load decides, not the join field.

>>> index_body()["mappings"]["properties"]["relation"]
{'type': 'join', 'relations': {'article': 'comment'}}
>>> WHOOSH_FIELDS["body"], WHOOSH_FIELDS["body_exact"]
('body.stem', 'body')
"""

from __future__ import annotations

from typing import Any

from searchkit import analysis
from searchkit.analysis import APOSTROPHES, ELISIONS, EU_NOUNS, IRREGULAR_PLURALS

# Bumped when the mapping or the analysis changes: an index written by an
# older searchkit must be rebuilt (the engine compares it to ``_meta``).
SCHEMA_VERSION = 1

EXACT_ANALYZER = "searchkit_exact"
STEMMED_ANALYZER = "searchkit_stemmed"

# searchkit.analysis.WORD in Java's regex dialect. Python's ``\w`` is Unicode
# (letters, digits, underscore) while Java's is ASCII unless a flag is set,
# and with the flag takes combining marks too: spelled out as \p{L} (letters)
# and \p{N} (numbers), as Python has them.
_LETTER = r"\p{L}"
_W = r"[\p{L}\p{N}_]"
_APOS = f"[{APOSTROPHES}]"


def java_pattern(python: str) -> str:
    r"""A Python regular expression of searchkit's in Java's dialect.

    >>> java_pattern(r"(?:[^\W\d_]\.){2,}|\w+")
    '(?:\\p{L}\\.){2,}|[\\p{L}\\p{N}_]+'
    """
    java = python.replace(r"[^\W\d_]", _LETTER).replace(r"\w", _W)
    if "\\W" in java or "\\d" in java:
        raise ValueError(f"no Java translation for {python!r}")
    return java


WORD_PATTERN = java_pattern(analysis.WORD.pattern)
# An elided article or pronoun at the start of a word (l’, qu’, jusqu’…), as
# searchkit's ElisionFilter drops it: removed before the tokenizer, by a char
# filter, so the word's span starts after it and a highlight marks
# « Assurance », not « l’Assurance » (Lucene's elision token filter keeps the
# article inside the span). Longest first; not inside a word (aujourd’hui).
ELISION_PATTERN = (
    rf"(?<!{_W})(?<!{_W}{_APOS})(?:" + "|".join(sorted(ELISIONS, key=lambda a: (-len(a), a))) + rf"){_APOS}(?={_W})"
)

# Lucene's Snowball French is an older release than PyStemmer's, which takes
# the x off these -oux plurals (genoux → genou) and Lucene's does not: made
# singular before the stemmer (the commonest in the shared corpora; proper
# names in -oux remain a difference, see docs/opensearch-analysis.md).
OUX_PLURALS = ("bijou", "caillou", "chou", "epou", "genou", "hibou", "jalou", "joujou", "pou")

# Whoosh field name (as searchkit's compilers speak) → OpenSearch field path.
WHOOSH_FIELDS = {
    "title_exact": "title",
    "title_stem": "title.stem",
    "body_exact": "body",
    "body": "body.stem",
    "author": "author",
    "tags": "tags",
    "categories": "categories",
}

RELATION = "relation"
ARTICLE_RELATION = "article"
COMMENT_RELATION = "comment"


def _filters() -> dict[str, Any]:
    """The token filters the analyzers are made of, by name."""
    filters: dict[str, Any] = {
        "searchkit_acronym": {"type": "pattern_replace", "pattern": r"\.", "replacement": ""},
        # A hyphenated compound: its parts, and the parts joined at the first
        # part's position (e-mail = email). Only hyphens split: apostrophes and
        # _ are letters here, digits do not split from letters (typo3).
        "searchkit_compound": {
            "type": "word_delimiter_graph",
            "generate_word_parts": True, "generate_number_parts": True, "catenate_all": True,
            "split_on_case_change": False, "split_on_numerics": False, "stem_english_possessive": False,
            "preserve_original": False,
            "type_table": [f"{c} => ALPHA" for c in APOSTROPHES + "_"],
        },
        # searchkit writes every apostrophe of a word as ' (aujourd’hui = aujourd'hui).
        "searchkit_apostrophe": {"type": "pattern_replace", "pattern": _APOS, "replacement": "'"},
        "searchkit_eu_plural": {
            "type": "pattern_replace", "pattern": "^(" + "|".join(sorted(EU_NOUNS)) + ")x$", "replacement": "$1",
        },
        "searchkit_oux_plural": {
            "type": "pattern_replace", "pattern": "^(" + "|".join(OUX_PLURALS) + ")x$", "replacement": "$1",
        },
        "searchkit_snowball": {"type": "stemmer", "language": "french"},
    }
    for plural, singular in sorted(IRREGULAR_PLURALS.items()):
        filters[f"searchkit_plural_{plural}"] = {
            "type": "pattern_replace", "pattern": f"^{plural}$", "replacement": singular,
        }
    return filters


def _equivalent(step: analysis.Filter, filters: dict[str, Any]) -> list[str]:
    """The OpenSearch filters doing what one filter of searchkit's chain does."""
    name = type(step).__name__
    if name == "AcronymFilter":
        return ["searchkit_acronym"]
    if name == "CompoundFilter":
        return ["searchkit_compound"]
    if name == "LowercaseFilter":
        return ["lowercase"]
    if name == "ElisionFilter":  # the articles went in the char filter; the apostrophes are made '
        return ["searchkit_apostrophe"]
    if name == "FoldFilter":
        return ["asciifolding"]
    if name == "StemFilter" and getattr(step, "algorithm", None) == "snowball":
        irregular = sorted(f for f in filters if f.startswith("searchkit_plural_"))
        return ["searchkit_eu_plural", *irregular, "searchkit_oux_plural", "searchkit_snowball"]
    raise ValueError(f"searchkit's analysis step {step!r} has no OpenSearch equivalent in {__name__}")


def analysis_settings() -> dict[str, Any]:
    """The ``index.analysis`` settings: searchkit's two chains as OpenSearch analyzers.

    Built from the chains themselves (``EXACT.filters``, ``STEMMED.filters``),
    step for step and in their order: a step with no equivalent here raises.
    """
    filters = _filters()
    chain = {"type": "custom", "char_filter": ["searchkit_elision"], "tokenizer": "searchkit_word"}
    analyzers = {}
    for name, source in ((EXACT_ANALYZER, analysis.EXACT), (STEMMED_ANALYZER, analysis.STEMMED)):
        analyzers[name] = {**chain, "filter": [f for step in source.filters for f in _equivalent(step, filters)]}
    used = {f for a in analyzers.values() for f in a["filter"]}
    return {
        "char_filter": {
            "searchkit_elision": {
                "type": "pattern_replace", "pattern": ELISION_PATTERN, "replacement": "", "flags": "CASE_INSENSITIVE",
            },
        },
        "tokenizer": {"searchkit_word": {"type": "pattern", "pattern": WORD_PATTERN, "group": 0}},
        "filter": {name: f for name, f in filters.items() if name in used},
        "analyzer": analyzers,
    }


def _text(stem: bool = True) -> dict[str, Any]:
    """An exact-analysed text field with offsets (phrases, highlighting), and a stemmed subfield."""
    field: dict[str, Any] = {"type": "text", "analyzer": EXACT_ANALYZER, "index_options": "offsets"}
    if stem:
        field["fields"] = {"stem": {"type": "text", "analyzer": STEMMED_ANALYZER, "index_options": "freqs"}}
    return field


def _exact_with_raw() -> dict[str, Any]:
    """Exact-analysed text (searched word by word) and its value as written (counted)."""
    return {
        "type": "text",
        "analyzer": EXACT_ANALYZER,
        "fields": {"raw": {"type": "keyword", "ignore_above": 512}},
    }


def mappings() -> dict[str, Any]:
    """The mapping of a searchkit index; unknown fields are refused (``dynamic: strict``)."""
    keyword = {"type": "keyword"}
    shown = {"type": "keyword", "index": False, "doc_values": False}
    return {
        "dynamic": "strict",
        "_meta": {"searchkit_schema": SCHEMA_VERSION},
        "properties": {
            "id": keyword,
            "kind": keyword,
            "post_id": keyword,
            "parent_id": keyword,
            "source": keyword,
            RELATION: {"type": "join", "relations": {ARTICLE_RELATION: COMMENT_RELATION}},
            "title": _text(),
            "post_title": {"type": "text", "index": False},
            "body": _text(),
            "author": _exact_with_raw(),
            "tags": _exact_with_raw(),
            "categories": _exact_with_raw(),
            "date": {"type": "date", "format": "strict_date_optional_time"},
            "number": {"type": "integer"},
            "url": shown,
            "meta": {"type": "object", "enabled": False},
        },
    }


def index_body(shards: int = 1, replicas: int | None = None) -> dict[str, Any]:
    """The body of the create-index request: settings and mapping.

    ``replicas`` None: one replica when the cluster has two nodes or more, none
    on a single node (``auto_expand_replicas`` 0-1: a replica is never on its
    primary's node, so one there would keep the index yellow forever).

    >>> index_body()["settings"]["index"]["auto_expand_replicas"]
    '0-1'
    >>> {k: v for k, v in index_body(3, 1)["settings"]["index"].items() if "shards" in k or "replicas" in k}
    {'number_of_shards': 3, 'number_of_replicas': 1}
    """
    layout: dict[str, Any] = {"number_of_shards": shards}
    if replicas is None:
        layout["auto_expand_replicas"] = "0-1"
    else:
        layout["number_of_replicas"] = replicas
    return {
        "settings": {
            # max_inner_result_window: the matching documents of one post that a grouped search returns.
            "index": {**layout, "max_inner_result_window": 1000},
            "analysis": analysis_settings(),
        },
        "mappings": mappings(),
    }
