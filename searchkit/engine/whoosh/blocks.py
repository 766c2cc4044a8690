"""A term's posting blocks read straight from the postings file, one read per term, decoded only when asked.

Whoosh's ``W3LeafMatcher`` reads a block with several file calls and
method calls (seek, length, pickled header, data), and turns its ids from
deltas with a Python generator. A search reading ~80,000 postings pays
those per block and per posting. Here a term's whole extent is read in one
piece, each block's header is unpickled from it, and a block's ids are
summed from their deltas by ``itertools.accumulate`` (in C). The values
are Whoosh's own: the same pickled tuple of (id deltas, weights, values),
so what is decoded is exactly what Whoosh would decode.

The layout read is whoosh-reloaded 2.7.5's (``W3PostingsWriter._write_block``,
checked by ``internals`` at import): a 4-byte magic, then per block a signed
big-endian int (its length, negative for the last block), a pickled header
(count, last id, max weight, compression, min and max length bytes) and the
data (a pickle of (id deltas, weights, values), zlib-compressed if the
header says so).
"""

from __future__ import annotations

import io
import zlib
from array import array
from bisect import bisect_left
from itertools import accumulate
from pickle import Unpickler, loads
from struct import Struct

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3LeafMatcher, W3TermsReader
from whoosh.matching import ReadTooFar
from whoosh.reading import TermNotFound

_INT = Struct("!i")
_MAGIC_SIZE = 4


# Where a block's pickled values begin when they are byte strings (a positions format's):
# protocol 2 pickles bytes as ``_codecs.encode(str, "latin1")``, one call per posting, the
# dearest part of a block to decode and never needed to score it.
_VALUES = b"(c_codecs\nencode\n"
_BYTES = b"cbuiltins\nbytes\n"  # the same global's place taken by bytes(str, "latin1") (``whole``)
_HEAD_BYTES = 2048  # decompressed at first: ~128 ids and weights fit


def head(raw: bytes, compressed: bool, count: int) -> tuple | None:
    """(id deltas, weights) of a block's data, from its head when its values are byte strings (else from
    the whole data, decompressed once); None if the cut does not parse as expected (decode it whole)."""
    if not compressed:
        data = raw
        at = data.find(_VALUES)
    else:
        unzip = zlib.decompressobj()
        data = unzip.decompress(raw, _HEAD_BYTES)
        at = data.find(_VALUES)
        while at < 0 and unzip.unconsumed_tail:
            seen = len(data)
            data += unzip.decompress(unzip.unconsumed_tail, _HEAD_BYTES)
            at = data.find(_VALUES, max(0, seen - len(_VALUES)))
        if at < 0:
            data += unzip.flush()
    try:
        if at < 0:  # no byte-string values (a frequency or fixed-size format): the whole data is small
            ids, weights = loads(data)[:2]
        else:
            ids, weights = loads(data[:at] + b"\x86.")  # TUPLE2, STOP: the pair (ids, weights)
    except Exception:  # the marker's bytes stood inside the ids or weights: not a place to cut
        return None
    if not isinstance(ids, tuple) or len(ids) != count:
        return None
    if not (weights is None or isinstance(weights, float) or (isinstance(weights, tuple) and len(weights) == count)):
        return None
    return ids, weights


def whole(data: bytes, count: int) -> tuple:
    """A block's whole (id deltas, weights, values), its byte-string values made by ``bytes(str, "latin1")``.

    The pickle makes each value by calling ``_codecs.encode(str, "latin1")``
    (the global is named once, then fetched from the memo); ``bytes`` makes
    the same bytes without the codec registry's look-up: the values of
    ``body_exact:la`` at 100k unpickled in 13.2 ms instead of 20.9. In a
    Whoosh block the marker cannot occur before the values (the ids and
    weights are ints and floats: no ``c`` opcode, no ``s`` after a float).
    """
    at = data.find(_VALUES)
    if at < 0:
        return loads(data)
    found = loads(data[:at + 1] + _BYTES + data[at + len(_VALUES):])
    if len(found[0]) != count:  # never seen; decode as written
        return loads(data)
    return found


class Block:
    """One posting block: its last id and count from the header; ids, weights and values decoded on demand.

    The ids and weights are unpickled from the block's head alone when its
    values are byte strings: the data is decompressed only as far as the
    values' start, and the pickle is cut there and closed as the tuple
    (ids, weights). Checked: it must parse, and give ``count`` ids and as
    many weights; otherwise (or any other layout) the whole block is decoded.
    """

    __slots__ = ("count", "maxid", "_raw", "_start", "_end", "_compressed", "_data", "_head")

    def __init__(self, raw: bytes, start: int, end: int, count: int, maxid: int, compressed: bool):
        self._raw, self._start, self._end, self._compressed = raw, start, end, compressed
        self.count, self.maxid = count, maxid
        self._data: tuple | None = None
        self._head: tuple | None = None

    def _decoded(self):
        if self._data is None:
            data = self._raw[self._start:self._end]
            self._data = whole(zlib.decompress(data) if self._compressed else data, self.count)
        return self._data

    def _ids_weights(self):
        if self._head is None:
            self._head = self._data[:2] if self._data is not None else (self._cut() or self._decoded()[:2])
        return self._head

    def _cut(self):
        return head(self._raw[self._start:self._end], self._compressed, self.count)

    def ids(self) -> list[int]:
        return list(accumulate(self._ids_weights()[0]))

    def weights(self) -> list[float] | tuple[float, ...]:
        weights = self._ids_weights()[1]
        if weights is None:
            return [1.0] * self.count
        if isinstance(weights, float):
            return [weights] * self.count
        return weights

    def values(self) -> tuple:
        """The values as pickled: for a variable-size format (positions...), each posting's byte string."""
        return self._decoded()[2]


def blocks(reader, fieldname: str, btext: bytes) -> list[Block] | None:
    """The posting blocks of a term of ``reader`` (a segment reader), or None for postings inlined in the term
    info (the caller reads those through Whoosh). The term must be in the segment."""
    terms = reader._terms
    info = terms.term_info(fieldname, btext)
    if info.is_inlined():
        return None
    offset, length = info.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes keeps the length as struct.unpack's 1-tuple
        length = length[0]
    raw = terms._postfile.get(offset, length)
    if raw[:_MAGIC_SIZE] != WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"not a Whoosh 3 posting list at {offset}")
    stream = io.BytesIO(raw)
    load = Unpickler(stream).load
    out: list[Block] = []
    pos, end = _MAGIC_SIZE, len(raw)
    while pos < end:
        size = _INT.unpack_from(raw, pos)[0]
        last = size < 0
        stop = pos + _INT.size + abs(size)
        stream.seek(pos + _INT.size)
        count, maxid, _maxweight, compression, _mn, _mx = load()
        out.append(Block(raw, stream.tell(), stop, count, maxid, bool(compression)))
        if last:
            break
        pos = stop
    return out


class LeafMatcher(W3LeafMatcher):
    """Whoosh's leaf matcher, its blocks' ids and weights read from their heads (``head``), and
    ``skip_to`` bisecting within a block where Whoosh steps one posting at a time.

    Whoosh scores the few documents the block scan leaves in doubt by skipping to each:
    per skip, every posting before it was a ``next()`` and an ``id()`` call, and each
    block's positions were unpickled. Same ids, weights, values and moves.
    """

    _head: tuple | bool | None = None
    _i: int

    def _goto(self, position):
        super()._goto(position)
        self._head = None

    def _pair(self):
        if self._data is None and self._head is None:
            raw = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
            self._head = head(raw, bool(self._compression), self._blocklength) or False
        if self._data is not None or self._head is False:
            if self._data is None:
                self._read_data()
            return self._data
        return self._head

    def _read_data(self):
        raw = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
        self._data = whole(zlib.decompress(raw) if self._compression else raw, self._blocklength)

    def _read_ids(self):
        ids = self._pair()[0]
        self._ids = ids if self._byteids else tuple(accumulate(ids))

    def _read_weights(self):
        weights = self._pair()[1]
        if weights is None:
            self._weights = array("f", (1.0 for _ in range(self._blocklength)))
        elif isinstance(weights, float):
            self._weights = array("f", (weights for _ in range(self._blocklength)))
        else:
            self._weights = weights

    def skip_to(self, targetid):
        if not self.is_active():
            raise ReadTooFar
        if targetid > self._maxid:  # past this block: Whoosh's id() here would decode it for nothing
            self._skip_to_block(lambda: targetid > self._maxid)
            if not self.is_active():
                return
        if self._ids is None:
            self._read_ids()
        # The block's last id is at least the target: the bisection stays within the block.
        here: int = self._i
        self._i = max(here, bisect_left(self._ids, targetid, here))


class Postings:
    """Stands for a terms reader's codec so that its postings are read by ``LeafMatcher``."""

    def __init__(self, codec):
        self._codec = codec

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return self._codec.postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return LeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)

    def __getattr__(self, name):
        return getattr(self._codec, name)


class Terms:
    """Stands for a segment's terms reader: each term's info is looked up once per search reader.

    A look-up in Whoosh's term table hashes the key and reads the table file
    a few bytes at a time (~30-90 µs); a search and Whoosh's scoring of its
    candidates look the same term up 15-75 times (whether it exists, its
    document frequency, its postings, in each segment). A segment never
    changes under a reader, so what it answered once holds.
    """

    LIMIT = 4096  # terms kept (a fuzzy word's expansion may ask for many); past it, forgotten and asked again

    def __init__(self, terms):
        self._terms = terms
        self._infos: dict[tuple[str, bytes], object] = {}

    def _info(self, fieldname: str, tbytes: bytes):
        key = (fieldname, tbytes)
        infos = self._infos
        if key in infos:
            return infos[key]
        try:
            info = self._terms.term_info(fieldname, tbytes)
        except TermNotFound:
            info = None
        if len(infos) >= self.LIMIT:
            infos.clear()
        infos[key] = info
        return info

    def __contains__(self, term) -> bool:
        return self._info(*term) is not None

    def term_info(self, fieldname: str, tbytes: bytes):
        info = self._info(fieldname, tbytes)
        if info is None:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}")
        return info

    def frequency(self, fieldname: str, tbytes: bytes):
        info = self._info(fieldname, tbytes)
        if info is None:
            raise KeyError(tbytes)  # as Whoosh's table: the segment reader answers 0
        return info.weight()

    def doc_frequency(self, fieldname: str, tbytes: bytes):
        info = self._info(fieldname, tbytes)
        if info is None:
            raise KeyError(tbytes)
        return info.doc_frequency()

    def matcher(self, fieldname: str, tbytes: bytes, format_, scorer=None):
        terms = self._terms
        return terms._codec.postings_reader(terms._postfile, self.term_info(fieldname, tbytes), format_,
                                            term=(fieldname, tbytes), scorer=scorer)

    def __getattr__(self, name):
        return getattr(self._terms, name)


def read_postings_fast(leaf) -> None:
    """Have a segment reader's postings read by ``LeafMatcher``, its term infos kept (Whoosh 3 terms only)."""
    terms = getattr(leaf, "_terms", None)
    if terms is not None and type(terms) is W3TermsReader and type(terms._codec) is W3Codec:
        terms._codec = Postings(terms._codec)
        leaf._terms = Terms(terms)
