"""From what a user types to a Whoosh query over searchkit's fields.

The text is first tidied for the shell user (``tidy``): URLs and e-mail
addresses become quoted phrases, ``date:A..B`` becomes a Whoosh range, an
unbalanced quote or parenthesis is closed, and an unknown ``field:`` is
refused with the list of valid ones. Whoosh's parser then reads the syntax
(AND by default; ``AND``/``OR``/``NOT`` in capitals only, since « or » is a
French word; "phrases", prefix*, fuzzy~, field:value, ranges), and every
leaf is rewritten for our two-field design:

* a bare word matches the stemmed fields and, weighted higher, the exact
  (folded, unstemmed) fields, so the very word typed ranks first;
* a "quoted phrase" matches the exact fields only, stop words included;
* a prefix or wildcard applies to the folded, unstemmed form (``donn*``
  stays ``donn*``, where Whoosh's own parser would stem it);
* in an unquoted query, French stop words (``analysis.STOP_WORDS``) are
  dropped when other words remain: ``les données de santé`` needs only
  ``données`` and ``santé``; ``"ne pas"`` and a query of stop words alone
  are searched as typed.

>>> print(parse("DONNÉES de santé"))
((title_exact:donnees^4.0 OR title_stem:donne^2.0 OR body_exact:donnees^2.0 OR body:donne) AND (title_exact:sante^4.0 OR title_stem:sant^2.0 OR body_exact:sante^2.0 OR body:sant))
>>> print(parse('"Conseil d’État"'))
(title_exact:"conseil etat" OR body_exact:"conseil etat")
>>> print(parse("donn*"))
(title_exact:donn* OR body_exact:donn*)
"""

from __future__ import annotations

import copy
import re
from datetime import timedelta

from whoosh import fields, qparser, query as q
from whoosh.qparser.dateparse import DateParserPlugin

from searchkit.analysis import STOP_WORDS, fold, stem
from searchkit.errors import QueryError
from searchkit.engine.whoosh.schema import FrenchAnalyzer, make_schema
from searchkit.model import KINDS

# User-facing field names → the index fields they search.
TEXT_TARGETS = {
    "text": (("title_stem", "title_exact"), ("body", "body_exact")),
    "title": (("title_stem", "title_exact"),),
    "body": (("body", "body_exact"),),
}
EXACT_BOOST = 2.0
# Chosen on the relevance evaluation (docs/relevance.md): 1.0, 1.5, 2.0 and 3.0 measured.
TITLE_BOOST = 2.0
KEYWORD_FIELDS = ("kind", "id", "post_id", "source", "parent_id")
FIELD_NAMES = ("title", "body", "author", "kind", "date", "source", "id", "post_id", "parent_id")


def _parse_schema() -> fields.Schema:
    exact = FrenchAnalyzer("exact")
    text = dict(analyzer=exact, multitoken_query="phrase")
    return fields.Schema(
        text=fields.TEXT(**text),
        title=fields.TEXT(**text),
        body=fields.TEXT(**text),
        author=fields.TEXT(**text),
        date=fields.DATETIME(),
        **{name: fields.ID() for name in KEYWORD_FIELDS},
    )


_PARSER: qparser.QueryParser | None = None


def parser() -> qparser.QueryParser:
    global _PARSER
    if _PARSER is None:
        p = qparser.QueryParser("text", _parse_schema(), group=qparser.AndGroup)
        p.add_plugin(qparser.FuzzyTermPlugin())
        p.add_plugin(qparser.GtLtPlugin())
        p.add_plugin(DateParserPlugin())
        _PARSER = p
    return _PARSER


# --- tidying what the user typed --------------------------------------------

_URL_OR_EMAIL = re.compile(
    r"(?:https?|ftp)://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE
)
# ``date:2021-01..2021-03``, and Whoosh's ``date:[2021-01 TO 2021-03]`` with
# the same date forms (Whoosh's own date parser reads « 2021-01 » as a year).
_DATE_RANGE = re.compile(
    r"\bdate:(?:([\w/-]*)\.\.([\w/-]*)"
    r"|\[\s*(\d[\d/-]*)?\s*\bto\s+(\d[\d/-]*)?\s*\])",
    re.IGNORECASE,
)
# ``name:`` directly followed by a value; ``santé : x`` or ``Note: x`` are words.
_FIELD = re.compile(r"(?<![\w'’.\-])([^\W\d]\w*):(?=[^\s:])")


def tidy(text: str) -> str:
    """The query text made safe for Whoosh's parser, or a ``QueryError``.

    >>> tidy('voir https://example.com/a?b=1, ou "il a dit')
    'voir "https://example.com/a?b=1" , ou "il a dit"'
    >>> tidy("date:2021-01..2021-03 rgpd")
    'date:[20210101000000 TO 20210331235959] rgpd'
    >>> tidy("date:[2021-01 to 19/02/2021]")
    'date:[20210101000000 TO 20210219235959]'
    >>> tidy("titre:rgpd")
    Traceback (most recent call last):
    ...
    searchkit.errors.QueryError: unknown field 'titre:' in the query; the fields are title, body, author, kind, date, source, id, post_id, parent_id (put the text in quotes to search it as words)
    """
    parts = text.split('"')
    if len(parts) % 2 == 0:  # an unbalanced quote: close it at the end
        parts.append("")
    out = []
    for n, part in enumerate(parts):
        if n % 2:  # inside quotes: searched as words, whatever they hold
            out.append('"' + part + '"')
            continue
        part = _URL_OR_EMAIL.sub(lambda m: _quote_url(m.group()), part)
        pieces = part.split('"')
        for i in range(0, len(pieces), 2):  # not inside the quotes just added
            pieces[i] = _DATE_RANGE.sub(_date_range, pieces[i])
            _check_fields(pieces[i])
            pieces[i] = _balance_parens(pieces[i])
        out.append('"'.join(pieces))
    return "".join(out)


def _quote_url(url: str) -> str:
    trail = ""
    while url and url[-1] in ".,;:!?)»":
        url, trail = url[:-1], url[-1] + trail
    return f'"{url}"' + (f" {trail}" if trail else "")


def _check_fields(text: str) -> None:
    for m in _FIELD.finditer(text):
        name = m.group(1)
        if name.lower() not in FIELD_NAMES:
            raise QueryError(
                f"unknown field {name + ':'!r} in the query; the fields are {', '.join(FIELD_NAMES)} "
                f"(put the text in quotes to search it as words)"
            )


def _balance_parens(text: str) -> str:
    depth, kept = 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                continue  # a closing parenthesis with nothing open: dropped
            depth -= 1
        kept.append(ch)
    return "".join(kept) + ")" * depth


def _date_range(m: re.Match) -> str:
    """``date:A..B`` (either end may be left out) as Whoosh's ``date:[A TO B]``."""
    from searchkit.filters import parse_period

    start, end = (m.group(1), m.group(2)) if m.group(3) is None and m.group(4) is None \
        and "[" not in m.group() else (m.group(3), m.group(4))
    lo = parse_period(start, "date").start.strftime("%Y%m%d%H%M%S") if start else ""
    hi = ""
    if end:  # the last second of the day, month or year written
        last = parse_period(end, "date").end - timedelta(seconds=1)
        hi = last.strftime("%Y%m%d%H%M%S")
    if not lo and not hi:
        raise QueryError("date:.. needs a date on at least one side, e.g. date:2021-01..2021-03")
    return f"date:[{lo} TO {hi}]".replace("[ TO", "[TO").replace("TO ]", "TO]")


# --- parsing and rewriting ---------------------------------------------------


def parse(text: str) -> q.Query:
    """Parse a user's query into a query over the index fields.

    Returns ``q.NullQuery`` when nothing searchable is left (e.g. ``"?!"``).
    Raises ``QueryError`` (with a message for a person) and nothing else.
    """
    tidied = tidy(text)
    try:
        parsed = parser().parse(tidied)
        rewritten = rewrite(drop_stop_words(parsed)).normalize()
    except QueryError:
        raise
    except Exception as exc:  # Whoosh's parser raises assorted errors on odd input
        raise QueryError(
            f"cannot parse the query {text!r} ({exc}); put words in quotes to search them as text"
        ) from None
    for leaf in rewritten.leaves():
        if getattr(leaf, "fieldname", None) not in _index_fields():
            raise QueryError(f"cannot search {leaf} in the query {text!r}; put words in quotes to search them as text")
    return rewritten


def _index_fields() -> frozenset:
    global _INDEX_FIELDS
    if _INDEX_FIELDS is None:
        _INDEX_FIELDS = frozenset(make_schema().names()) | {None}
    return _INDEX_FIELDS


_INDEX_FIELDS: frozenset | None = None


def _is_stop(node: q.Query) -> bool:
    return (type(node) is q.Term and node.fieldname in TEXT_TARGETS
            and node.text in STOP_WORDS)


def drop_stop_words(node: q.Query) -> q.Query:
    """Remove stop-word terms from AND groups that hold other words.

    >>> print(drop_stop_words(parser().parse("les jeux de la mer")))
    (text:jeux AND text:mer)
    >>> print(drop_stop_words(parser().parse("les")))
    text:les
    """
    if isinstance(node, q.And):
        subs = [drop_stop_words(s) for s in node.subqueries]
        kept = [s for s in subs if not _is_stop(s)]
        if kept and any(not isinstance(s, q.Not) for s in kept):
            subs = kept
        return q.And(subs, boost=node.boost)
    if isinstance(node, q.CompoundQuery):
        return type(node)([drop_stop_words(s) for s in node.subqueries], boost=node.boost)
    return node


def _fold_pattern(pattern: str) -> str:
    """A wildcard pattern folded like the words it must meet (``*`` and ``?`` kept)."""
    return "".join(ch if ch in "*?" else (fold(ch) if ch.isalnum() else "") for ch in pattern)


def rewrite(node: q.Query) -> q.Query:
    """Map each leaf on a user field to the index fields that hold it."""
    if isinstance(node, q.Phrase):
        return _over(node.fieldname, lambda f, exact: q.Phrase(exact, node.words, slop=node.slop, boost=node.boost))
    if isinstance(node, q.FuzzyTerm):
        return _over(node.fieldname, lambda f, exact: q.FuzzyTerm(exact, node.text, boost=node.boost,
                                                                    maxdist=node.maxdist, prefixlength=node.prefixlength))
    if isinstance(node, (q.Prefix, q.Wildcard)):
        text = _fold_pattern(node.text) if isinstance(node, q.Wildcard) else fold(node.text).replace(" ", "")
        if not any(ch.isalnum() for ch in text):  # a lone * or ?: nothing to look for
            return q.NullQuery
        cls = type(node)
        return _over(node.fieldname, lambda f, exact: cls(exact, text, boost=node.boost))
    if isinstance(node, q.Every):
        return q.NullQuery
    if node.is_leaf() and getattr(node, "fieldname", None) == "date" and not isinstance(node, q.NumericRange):
        return _date_query(node)
    if isinstance(node, q.Term) and node.fieldname in TEXT_TARGETS:
        word = node.text
        return _over(node.fieldname, lambda f, exact: q.Or([
            q.Term(exact, word, boost=node.boost * EXACT_BOOST),
            q.Term(f, stem(word), boost=node.boost),
        ]))
    if isinstance(node, q.Term) and node.fieldname == "kind" and node.text not in KINDS:
        raise QueryError(f"unknown kind {node.text!r} in the query: use kind:{' or kind:'.join(KINDS)}")
    if node.is_leaf() and getattr(node, "fieldname", None) in TEXT_TARGETS:
        # Any other leaf on a user text field (a term range, a regex...) is
        # searched on the exact fields, as it was typed.
        def onto(f, exact):
            leaf = copy.copy(node)
            leaf.fieldname = exact
            return leaf
        return _over(node.fieldname, onto)
    if isinstance(node, q.Not):
        return q.Not(rewrite(node.query))
    if isinstance(node, q.CompoundQuery):
        return type(node)([rewrite(sub) for sub in node.subqueries], boost=node.boost)
    if isinstance(node, q.BinaryQuery):
        return type(node)(rewrite(node.a), rewrite(node.b))
    return node


def _date_query(node: q.Query) -> q.Query:
    """``date:2021`` as a range over that year; anything else on ``date:`` is refused."""
    text = getattr(node, "text", "")
    try:
        if type(node) is not q.Term:
            raise ValueError
        return _parse_schema()["date"].parse_query("date", text, boost=node.boost)
    except Exception:
        raise QueryError(
            f"date:{text} is not a date: write date:2021, date:2021-02, date:2021-02-19 "
            f"or a range date:2021-01..2021-03"
        ) from None


def _over(fieldname: str, make) -> q.Query:
    targets = TEXT_TARGETS.get(fieldname)
    if targets is None:  # author: and keyword fields are searched as they are
        return make(fieldname, fieldname)
    parts = [make(f, exact) for f, exact in targets]
    if len(parts) == 1:
        return parts[0]
    # A word in the title says more than one in the text: weight the title's
    # score (after BM25's saturation, where the schema's field_boost acts on
    # term frequency before it), as FTS5's column weights do.
    for part, (f, _) in zip(parts, targets):
        if f == "title_stem":
            _scale(part, TITLE_BOOST)
    return q.Or(parts)


def _scale(node: q.Query, factor: float) -> None:
    if node.is_leaf():
        node.boost *= factor
    else:
        for child in node.children():
            _scale(child, factor)


def terms_for_highlight(query: q.Query) -> tuple[set[str], set[str], set[str]]:
    """The exact terms, stems and prefixes a snippet should mark (phrases of
    several words are marked whole: see ``phrases_for_highlight``)."""
    exact, stems, prefixes = set(), set(), set()
    for leaf in _positive_leaves(query):
        field = getattr(leaf, "fieldname", None)
        if isinstance(leaf, q.Phrase):
            if len(leaf.words) == 1:
                exact.update(leaf.words)
        elif isinstance(leaf, q.Prefix):
            prefixes.add(leaf.text)
        elif isinstance(leaf, q.Term) and field in ("body_exact", "title_exact"):
            exact.add(leaf.text)
        elif isinstance(leaf, q.Term) and field in ("body", "title_stem"):
            stems.add(leaf.text)
    return exact, stems, prefixes


def patterns_for_highlight(query: q.Query) -> list[tuple[str, str, int]]:
    """Wildcards and fuzzy terms of a query, for ``snippets.find_matches``.

    >>> patterns_for_highlight(parse("J?ux microsft~"))
    [('glob', 'j?ux', 0), ('fuzzy', 'microsft', 1)]
    """
    found = []
    for leaf in _positive_leaves(query):
        if isinstance(leaf, q.Wildcard) and leaf.fieldname in ("body_exact", "title_exact"):
            pattern = ("glob", leaf.text, 0)
        elif isinstance(leaf, q.FuzzyTerm) and leaf.fieldname in ("body_exact", "title_exact"):
            pattern = ("fuzzy", leaf.text, leaf.maxdist)
        else:
            continue
        if pattern not in found:
            found.append(pattern)
    return found


def highlight_args(query: q.Query) -> dict:
    """Everything ``snippets.snippet`` needs to mark what ``query`` matched, as keywords."""
    exact, stems, prefixes = terms_for_highlight(query)
    return {"exact": exact, "stems": stems, "prefixes": prefixes,
            "phrases": phrases_for_highlight(query), "patterns": patterns_for_highlight(query)}


def phrases_for_highlight(query: q.Query) -> list[tuple[str, ...]]:
    """The quoted phrases of a query, as tuples of exact terms.

    >>> phrases_for_highlight(parse('"Privacy Shield" microsoft'))
    [('privacy', 'shield')]
    """
    found = []
    for leaf in _positive_leaves(query):
        if isinstance(leaf, q.Phrase) and len(leaf.words) > 1 and tuple(leaf.words) not in found:
            found.append(tuple(leaf.words))
    return found


def _positive_leaves(node: q.Query):
    """Leaves of the query outside any NOT: words the user wants to see."""
    if isinstance(node, q.Not):
        return
    if node.is_leaf():
        yield node
        return
    for child in node.children():
        yield from _positive_leaves(child)
