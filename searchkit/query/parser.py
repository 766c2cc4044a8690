"""The query language read into the tree: operators, groups, fields, dates.

Grammar, from the loosest binding to the tightest (as Whoosh's parser read it,
so queries keep their meaning)::

    query    := binary*                      words side by side: all of them
    binary   := either ((ANDNOT | ANDMAYBE) either)*
    either   := both (OR both)*
    both     := unary (AND unary)*
    unary    := NOT* atom
    atom     := "(" query ")" | field ":" atom | "phrase" | url | word

Operators are capitals only: « ou », « et », « or » are French words. An
operator with nothing on one side is an error that says so; parentheses left
open are closed at the end, and a ``)`` with nothing open is dropped.

>>> parse("les jeux NOT title:vidéo")  # doctest: +NORMALIZE_WHITESPACE
And(children=(Word(field='text', exact='jeux', stem='jeu'),
              Not(child=Word(field='title', exact='video', stem='video'))))
>>> parse("date:2021-01..2021-02")
DateRange(start=datetime.datetime(2021, 1, 1, 0, 0), end=datetime.datetime(2021, 3, 1, 0, 0))
>>> parse("bitcoin AND")
Traceback (most recent call last):
...
searchkit.errors.QueryError: AND needs a word after it in the query 'bitcoin AND' (write 'and' ...
"""

from __future__ import annotations

import re
from datetime import datetime

from searchkit.errors import EmptyQueryError, QueryError
from searchkit.model import KINDS
from searchkit.query import words
from searchkit.query.filters import parse_period
from searchkit.query.lexer import Tok, scan
from searchkit.query.tree import (
    KEYWORD_FIELDS,
    And,
    AndMaybe,
    AndNot,
    Boost,
    DateRange,
    Keyword,
    Node,
    Not,
    Or,
    Prefix,
    Wildcard,
)

# Limits (README, "Limits"): the longest query read, and the deepest nesting
# of parentheses. Past them the query is refused with a message.
MAX_QUERY_CHARS = 2_000
MAX_NESTING = 32

_EXAMPLES = {"title": "rgpd", "body": "rgpd", "author": '"sophie martin"', "tag": "bitcoin",
             "category": "actualite", "kind": "comment", "date": "2021-01..2021-03", "source": "blog.xml",
             "id": "post-12", "post_id": "12", "parent_id": "12"}
_BINARY = ("AND", "OR", "ANDNOT", "ANDMAYBE")
_DATE_TO = re.compile(r"\s*\bto\b\s*", re.IGNORECASE)
_DATE_CMP = re.compile(r"(>=|<=|>|<)(.*)")


def parse(text: str, option: str = "query") -> Node:
    """The tree of ``text``; ``QueryError`` (with a message for a person) and nothing else.

    ``option`` names where the text came from (``--in-article``...) for messages.
    """
    where = "the query" if option == "query" else option
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"{where} is {len(text):,} characters long; searchkit reads queries of up to "
            f"{MAX_QUERY_CHARS:,} characters"
        )
    toks = scan(text)
    if len(toks) == 1 and toks[0].kind == "op":  # « OR » alone: nothing else can be meant
        toks = [Tok("word", toks[0].text)]
    node = _Parser(toks, f"{where} {text!r}").query(0)
    if node is None:
        raise EmptyQueryError(f"{where} {text!r} holds no word to search for")
    return node


def _all(items: list[Node | None]) -> Node | None:
    """The AND of ``items``; nested ANDs are flattened first, so that a stop word
    kept inside ``les AND NOT x`` is dropped when the whole query holds other words."""
    flat: list[Node] = []
    for item in items:
        if isinstance(item, And):
            flat.extend(item.children)
        elif item is not None:
            flat.append(item)
    kept = words.drop_stop_words(flat)
    return None if not kept else kept[0] if len(kept) == 1 else And(tuple(kept))


def _any(items: list[Node | None]) -> Node | None:
    kept = [i for i in items if i is not None]
    return None if not kept else kept[0] if len(kept) == 1 else Or(tuple(kept))


class _Parser:
    def __init__(self, toks: list[Tok], context: str):
        self.toks = toks
        self.i = 0
        self.context = context

    def peek(self) -> Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def _missing(self, op: str, side: str) -> QueryError:
        return QueryError(f"{op} needs a word {side} it in {self.context} "
                          f"(write {op.lower()!r} in lower case to search the word)")

    def _needs_operand(self, op: str) -> None:
        t = self.peek()
        if t is None or t.kind == ")" or (t.kind == "op" and t.text in _BINARY):
            raise self._missing(op, "after")

    def query(self, depth: int, field: str = "text") -> Node | None:
        items: list[Node | None] = []
        while (t := self.peek()) is not None:
            if t.kind == ")":
                if depth:
                    break
                self.i += 1  # nothing open: dropped
                continue
            items.append(self.binary(depth, field))
        return _all(items)

    def binary(self, depth: int, field: str) -> Node | None:
        left = self.either(depth, field)
        while (t := self.peek()) is not None and t.kind == "op" and t.text in ("ANDNOT", "ANDMAYBE"):
            self.i += 1
            self._needs_operand(t.text)
            right = self.either(depth, field)
            if t.text == "ANDNOT":
                left = left if right is None else Not(right) if left is None else AndNot(left, right)
            else:
                left = right if left is None else left if right is None else AndMaybe(left, right)
        return left

    def either(self, depth: int, field: str) -> Node | None:
        items = [self.both(depth, field)]
        while (t := self.peek()) is not None and t.kind == "op" and t.text == "OR":
            self.i += 1
            self._needs_operand("OR")
            items.append(self.both(depth, field))
        return _any(items)

    def both(self, depth: int, field: str) -> Node | None:
        items = [self.unary(depth, field)]
        while (t := self.peek()) is not None and t.kind == "op" and t.text == "AND":
            self.i += 1
            self._needs_operand("AND")
            items.append(self.unary(depth, field))
        return _all(items)

    def unary(self, depth: int, field: str) -> Node | None:
        nots = 0
        while (t := self.peek()) is not None and t.kind == "op" and t.text == "NOT":
            self.i += 1
            nots += 1
            self._needs_operand("NOT")
        node = self.atom(depth, field)
        if node is None or nots % 2 == 0:
            return node
        return Not(node)

    def atom(self, depth: int, field: str) -> Node | None:
        t = self.peek()
        assert t is not None  # callers check
        if t.kind == "op":  # a binary operator where a word should be
            raise self._missing(t.text, "before")
        self.i += 1
        if t.kind == "(":
            if depth >= MAX_NESTING:
                raise QueryError(f"{self.context} nests parentheses more than {MAX_NESTING} deep")
            node = self.query(depth + 1, field)
            if (c := self.peek()) is not None and c.kind == ")":
                self.i += 1
            return node
        if t.kind in ("field", "empty field"):
            nxt = self.peek()
            if t.kind == "empty field" or nxt is None or nxt.kind not in ("(", "phrase", "url", "word", "range"):
                raise QueryError(f"{t.text}: needs a value right after the colon in {self.context}, "
                                 f"e.g. {t.text}:{_EXAMPLES[t.text]}")
            return self.atom(depth, t.text)
        node = self.leaf(t, field)
        return Boost(node, t.boost) if node is not None and t.boost != 1.0 else node

    def leaf(self, t: Tok, field: str) -> Node | None:
        if field == "date":
            return self.date(t.text, t.kind)
        if t.kind == "range":  # only date: takes [a to b]
            return words.bare(field, t.text)
        if field in KEYWORD_FIELDS:
            return self.keyword(field, t.text)
        if t.kind in ("phrase", "url"):
            return words.phrase(field, t.text, t.slop)
        text = t.text
        if "~" in text:
            head, _, spec = text.rpartition("~")
            if head and "*" not in head and "?" not in head:
                return words.fuzzy(field, head, spec)
        if "*" in text or "?" in text:
            return words.wildcard(field, text)
        return words.bare(field, text)

    def keyword(self, field: str, value: str) -> Node | None:
        value = value.strip()
        if not value:
            return None
        if field == "kind" and value not in KINDS:
            raise QueryError(f"unknown kind {value!r} in the query: use kind:{' or kind:'.join(KINDS)}")
        if value.endswith("*") and "*" not in value[:-1] and "?" not in value:
            return Prefix(field, value[:-1]) if value[:-1] else None
        if "*" in value or "?" in value:
            return Wildcard(field, value)
        return Keyword(field, value)

    def date(self, text: str, kind: str) -> DateRange:
        if kind == "range":
            text = _DATE_TO.sub("..", text, count=1)
        if (m := _DATE_CMP.fullmatch(text.strip())) is not None:
            op, value = m.groups()
            if not value.strip():
                raise QueryError(f"date:{op} needs a date after it, e.g. date:{op}2021")
            period = parse_period(value, "date")
            bounds: dict[str, tuple[datetime | None, datetime | None]] = {
                ">": (period.end, None), ">=": (period.start, None),
                "<": (None, period.start), "<=": (None, period.end)}
            return DateRange(*bounds[op])
        elif ".." not in text:
            period = parse_period(text, "date")
            return DateRange(period.start, period.end)
        lo, _, hi = text.partition("..")
        start = parse_period(lo, "date").start if lo.strip() else None
        end = parse_period(hi, "date").end if hi.strip() else None
        if start is None and end is None:
            raise QueryError("date:.. needs a date on at least one side, e.g. date:2021-01..2021-03")
        if start is not None and end is not None and start >= end:
            raise QueryError(f"date:{text.strip()} ends before it starts: nothing can match")
        return DateRange(start, end)
