"""Stored fields read per document (``access.LazyStoredReader``) are Whoosh's, byte for byte."""

from __future__ import annotations

import zlib
from io import BytesIO

import pytest
from whoosh import columns
from whoosh.filedb.structfile import StructFile

from searchkit.engine.whoosh import storage
from searchkit.engine.whoosh.access import LazyStoredReader

VALUES = {0: b"premier", 2: "l\u2019\u00e9t\u00e9 ".encode() * 50, 3: b"x", 6: b"dernier"}  # 1, 4, 5, 7: none
DOCCOUNT = 8


def column_file(offsets_stored: bool) -> tuple[StructFile, int, int]:
    """A stored-fields column as Whoosh writes it, after 5 bytes of something else: (file, start, length)."""
    buffer = BytesIO()
    out = StructFile(buffer)
    out.write(b"head:")
    writer = columns.CompressedBytesColumn().writer(out)
    writer.cutoff = 0 if offsets_stored else 2**15  # Whoosh stores offsets past 32,768 documents
    for docnum, value in VALUES.items():
        writer.add(docnum, value)
    writer.finish(DOCCOUNT)
    data = buffer.getvalue()
    assert (data[-1:] == b"X") == offsets_stored
    return StructFile(BytesIO(data)), 5, len(data) - 5


@pytest.mark.parametrize("offsets_stored", [False, True])
def test_each_document_reads_as_whooshs_reader_reads_it(offsets_stored):
    dbfile, start, length = column_file(offsets_stored)
    whoosh_reader = columns.CompressedBytesColumn().reader(dbfile, start, length, DOCCOUNT)
    lazy = LazyStoredReader(dbfile, start, length, DOCCOUNT, zlib.decompress)
    expected = [VALUES.get(d, b"") for d in range(DOCCOUNT)]
    assert [whoosh_reader[d] for d in range(DOCCOUNT)] == expected  # the fixture is what Whoosh reads
    assert [lazy[d] for d in reversed(range(DOCCOUNT))] == expected[::-1]
    assert list(lazy) == expected and len(lazy) == DOCCOUNT
    assert lazy[-2] == VALUES[6]
    with pytest.raises(IndexError):
        lazy[DOCCOUNT]


def test_an_opened_index_reads_its_stored_fields_lazily_and_the_same(sample_index):
    import whoosh.index

    ix = storage.open_index(sample_index)
    reader = ix.reader()
    plain = whoosh.index.open_dir(str(sample_index), indexname=storage.INDEX_NAME).reader()
    try:
        kinds = [type(leaf._perdoc._readers["_stored"]._child) for leaf, _ in reader.leaf_readers()]
        assert kinds and set(kinds) == {LazyStoredReader}
        n = plain.doc_count_all()
        assert n == 10  # the article and its comments
        assert [reader.stored_fields(d) for d in range(n)] == [plain.stored_fields(d) for d in range(n)]
    finally:
        reader.close()
        plain.close()
