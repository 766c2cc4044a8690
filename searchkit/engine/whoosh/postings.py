"""A Whoosh ``SegmentWriter.add_document`` that analyses each French text once for its exact and stemmed fields.

Imported by ``internals`` (which checks the Whoosh version first). Whoosh runs
a field's analyzer, then its format's ``word_values`` (a generator of Token
objects, a dictionary of counts, one encoding per term), then one
``PostingPool.add`` per posting, for every field: the body twice, once per
chain. Here the exact and the stemmed terms of a text come from one pass
(``analysis.index_terms``), each field's postings are encoded as Whoosh's
``Frequency`` and ``Positions`` formats encode them, and they enter the pool
a field at a time: the same postings, so the same index files, byte for byte
(``tests/test_parallel_writer.py`` compares them).

A document whose analysis raises leaves nothing in the pool (Whoosh's own
``add_document`` would have left the postings of the fields before it).
"""

from __future__ import annotations

import zlib
from typing import Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3FieldWriter
from whoosh.compat import dumps
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_int, pack_uint, pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import PostingPool, SegmentWriter

from searchkit.analysis import index_terms

# Whoosh's estimate of one posting's memory (PostingPool.add), less the lengths
# of its field name, term and value: kept so that spills happen as often.
_POSTING_OVERHEAD = 28 + 4 * 5 + 21 + 26 + 18 + 16 + 21


class OnePassAnalysis:
    """Mixin for a Whoosh ``SegmentWriter``: French text fields analysed once per text."""

    # What the SegmentWriter this is mixed into provides.
    schema: Any
    pool: Any
    perdocwriter: Any
    docnum: int
    _added: bool
    _check_state: Any
    _check_fields: Any
    _doc_boost: Any
    _field_boost: Any

    _one_pass_plan: tuple[dict[str, tuple[int, bool]] | None] | None = None  # worked out on first use

    def _one_pass_fields(self) -> dict[str, tuple[int, bool]] | None:
        """Field name → (0 exact or 1 stemmed, positions or not), for the fields
        analysed here; None for a schema with spelling or vector fields (Whoosh's
        own ``add_document`` then does everything)."""
        if self._one_pass_plan is None:
            from searchkit.engine.whoosh.schema import FrenchAnalyzer  # the schema imports this module's importer

            plan: dict[str, tuple[int, bool]] = {}
            for name, field in self.schema.items():
                analyzer = getattr(field, "analyzer", None)
                if field.indexed and type(analyzer) is FrenchAnalyzer and type(field.format) in (Frequency, Positions):
                    plan[name] = (0 if analyzer.chain == "exact" else 1, type(field.format) is Positions)
            plain = any(field.vector or field.separate_spelling() for _, field in self.schema.items())
            self._one_pass_plan = (None if plain else plan,)
        return self._one_pass_plan[0]

    def add_document(self, **fields):
        # Whoosh's SegmentWriter.add_document (2.7.5), with the indexed part of
        # the French text fields done by _postings_of.
        one_pass = self._one_pass_fields()
        if one_pass is None or not isinstance(self.pool, PostingPool):
            return SegmentWriter.add_document(self, **fields)
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)

        analysed: dict[str, tuple] = {}  # text → its exact and stemmed terms, shared by its fields
        postings: list[tuple[str, list, int]] = []  # (field name, postings, pool size estimate)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    how = one_pass.get(fieldname)
                    if how is not None and isinstance(value, str):
                        terms = analysed.get(value)
                        if terms is None:
                            terms = analysed[value] = index_terms(value)
                        items, length, size = _postings_of(fieldname, field, terms[how[0]], how[1],
                                                           docnum, fieldboost)
                    elif fieldname in _UNIQUE:
                        items, length, size = _whoosh_postings(fieldname, field, value, docnum, fieldboost)
                    else:
                        items, length, size = self._repeated_postings(fieldname, field, value, docnum, fieldboost)
                    postings.append((fieldname, items, size))
                # Whoosh's add_document from here on: the stored value and the columns.
                customval = fields.get(f"_stored_{fieldname}", value)
                sv = customval if field.stored else None
                perdocwriter.add_field(fieldname, field, sv, length)
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        # Only once every field is analysed: a failure above adds nothing.
        pool = self.pool
        for fieldname, items, size in postings:
            if items:
                pool.fieldnames.add(fieldname)
                pool.current.extend(items)
                pool.currentsize += size
        if pool.currentsize > pool.limit:
            pool.save()
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1


    _terms_of_value: dict | None = None

    def _repeated_postings(self, fieldname, field, value, docnum, fieldboost):
        """``_whoosh_postings`` for a field whose values repeat (a day, a kind, a post, a source, a number):
        each value's terms are worked out once (a date's were 10 % of a worker's CPU: six trie terms each)."""
        cache = self._terms_of_value
        if cache is None or len(cache) > _VALUES_KEPT:
            cache = self._terms_of_value = {}
        key = (fieldname, value)
        found = cache.get(key)
        if found is None:
            found = cache[key] = _whoosh_postings(fieldname, field, value, 0, 1.0)
        terms, length, size = found
        return [(fieldname, t, docnum, w * fieldboost, v) for _, t, _, w, v in terms], length, size


# Fields whose every value is new (no use remembering their terms), and how many values are remembered.
_UNIQUE = frozenset({"id"})
_VALUES_KEPT = 20_000


def _postings_of(fieldname, field, terms, positional, docnum, fieldboost):
    """A French text field's postings, encoded as its Whoosh format would; its length; their size estimate."""
    fb = field.format.field_boost
    encode: Any = getattr(field.format, "encode", None)  # Frequency has none: its value is the frequency
    items = []
    length = 0
    size = 0
    overhead = _POSTING_OVERHEAD + len(fieldname)
    for tbytes, positions in terms.items():
        freq = len(positions)
        # Whoosh sums a boost of 1.0 per token, times the format's boost, times the document's.
        vbytes = encode(positions) if positional else pack_uint(freq)
        items.append((fieldname, tbytes, docnum, float(freq) * fb * fieldboost, vbytes))
        length += freq
        size += overhead + 2 * len(tbytes) + len(vbytes)
    return items, (length if field.scorable else 0), size


def _whoosh_postings(fieldname, field, value, docnum, fieldboost):
    """Any other field's postings, as Whoosh's add_document makes them."""
    items = []
    length = 0
    scorable = field.scorable
    for tbytes, freq, weight, vbytes in field.index(value):
        if scorable:
            length += freq
        items.append((fieldname, tbytes, docnum, weight * fieldboost, vbytes))
    return items, length, sum(_size(p) for p in items)


def _size(posting) -> int:
    return _POSTING_OVERHEAD + len(posting[0]) + 2 * len(posting[1]) + len(posting[4] or b"")


def write_postings(fieldwriter, schema, columns, items) -> None:
    """Whoosh's ``FieldWriter.add_postings`` for its own codec (whoosh3), per posting doing only what it must.

    ``items`` are the pool's sorted postings; ``columns(fieldname)`` gives a
    field's length for each document (a list), or None if it has none. Whoosh
    makes three calls and four type assertions per posting, and one more call
    for its length; here a posting is appended to the codec's block buffers
    as its ``add_posting`` would, and blocks and terms are finished by the
    codec itself: the same files, byte for byte.
    """
    if type(fieldwriter) is not W3FieldWriter:
        return fieldwriter.add_postings(schema, _ColumnLengths(columns), items)
    lastfn = None
    lasttext = None
    pw: Any = None
    ids: Any = None
    column: list[int] = []
    for fieldname, btext, docnum, weight, value in items:
        if fieldname != lastfn:
            if lasttext is not None:
                _finish_term(fieldwriter, pw)
            if lastfn is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, schema[fieldname])
            pw = fieldwriter._postwriter
            blocklimit = pw._blocklimit
            column = columns(fieldname) or []
            lastfn = fieldname
            lasttext = None
        if docnum == -1:  # Whoosh's marker of a spelling word, which it skips here too
            continue
        if btext != lasttext:
            if lasttext is not None:
                _finish_term(fieldwriter, pw)
            fieldwriter.start_term(btext)
            lasttext = btext
            ids, weights, values = pw._ids, pw._weights, pw._values
        # W3PostingsWriter.add_posting, inlined.
        if len(ids) >= blocklimit:
            pw._write_block()
            ids, weights, values = pw._ids, pw._weights, pw._values
        ids.append(docnum)
        weights.append(weight)
        if weight > pw._maxweight:
            pw._maxweight = weight
        if value:
            values.append(value)
        length = column[docnum] if docnum < len(column) else 0
        if length:
            if pw._minlength is None or length < pw._minlength:
                pw._minlength = length
            if length > pw._maxlength:
                pw._maxlength = length
    if lasttext is not None:
        _finish_term(fieldwriter, pw)
    if lastfn is not None:
        fieldwriter.finish_field()


def _finish_term(fieldwriter, pw) -> None:
    """``W3FieldWriter.finish_term`` in one function for the usual term, whose postings fit one block.

    Whoosh's finish_postings, W3TermInfo.add_block and _write_block(last=True)
    inlined, in their order, writing the same bytes; a term of several blocks
    goes through Whoosh's own code.
    """
    ids = pw._ids
    if pw._blockcount or not ids:
        fieldwriter.finish_term()
        return
    terminfo = pw._terminfo
    # W3TermInfo.add_block
    terminfo._weight += sum(pw._weights)
    terminfo._df += len(ids)
    minlength = pw._minlength
    terminfo._minlength = minlength if terminfo._minlength is None else min(terminfo._minlength, minlength)
    terminfo._maxlength = max(terminfo._maxlength, pw._maxlength)
    terminfo._maxweight = max(terminfo._maxweight, pw._maxweight)
    if terminfo._minid is None:
        terminfo._minid = ids[0]
    terminfo._maxid = ids[-1]
    # W3PostingsWriter._write_block(last=True): header, block length (negative: the last), info, data.
    databytes = dumps((pw._mini_ids(), pw._mini_weights(), pw._mini_values()), 2)
    comp = pw._compression
    if comp:
        databytes = zlib.compress(databytes, comp)
    infobytes = dumps((len(ids), ids[-1], pw._maxweight, comp, length_to_byte(minlength),
                       length_to_byte(pw._maxlength)), 2)
    block = WHOOSH3_HEADER_MAGIC + pack_int(-(len(infobytes) + len(databytes))) + infobytes + databytes
    pw._postfile.write(block)
    pw._blockcount += 1
    # finish_postings: the extent in the postings file; finish_term: the term table's row.
    terminfo.set_extent(pw._startoffset, len(block))
    pw._terminfo = None
    pw._new_block()
    fieldwriter._tindex.add(pack_ushort(fieldwriter._fieldid) + fieldwriter._btext, terminfo.to_bytes())


class _ColumnLengths:
    """``doc_field_length`` over ``columns``, for Whoosh's own ``add_postings``."""

    def __init__(self, columns):
        self.columns = columns

    def doc_field_length(self, docnum, fieldname, default=0):
        column = self.columns(fieldname) or []
        return column[docnum] if docnum < len(column) else default
