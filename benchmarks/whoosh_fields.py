"""What each field costs in a Whoosh index folder: term dictionary, postings and column bytes per field.

A benchmark tool, run by ``bench.py`` in a subprocess after a build (it reads
Whoosh's segment files directly, as no searchkit API exposes them)::

    .venv/bin/python benchmarks/whoosh_fields.py benchmarks/work/index-100k

Prints one JSON object: ``segments`` (how many), ``fields`` (name -> terms,
term-dictionary bytes, postings bytes, column bytes) and ``seconds``.
Postings stored inline in the term dictionary (rare terms) count as
term-dictionary bytes.
"""

from __future__ import annotations

import json
import re
import struct
import sys
import time
from pathlib import Path


def field_sizes(folder: Path) -> dict:
    from whoosh import index
    from whoosh.codec.whoosh3 import W3TermInfo

    start = time.perf_counter()
    ix = index.open_dir(str(folder), indexname="MAIN")
    head = W3TermInfo._struct.size  # flags, weight, df... then (offset: 8 bytes, length: 4 bytes) or inline postings
    fields: dict[str, dict[str, int]] = {}
    segments = ix._segments()
    for seg in segments:
        terms = seg.codec().terms_reader(ix.storage, seg)
        names = terms._fieldunmap
        for key, value in terms._tindex.items():
            name = names[struct.unpack(">H", key[:2])[0]]
            f = fields.setdefault(name, {"terms": 0, "terms_bytes": 0, "postings_bytes": 0, "column_bytes": 0})
            f["terms"] += 1
            f["terms_bytes"] += len(key) + len(value)
            if not value[0]:  # postings in the .pst file: their length closes the value
                f["postings_bytes"] += struct.unpack(">i", value[head + 8:head + 12])[0]
        terms.close()
    # Per-field columns: MAIN_<segment>.<field>.col, and _<field>_len.col for lengths.
    for path in folder.glob("MAIN_*.col"):
        m = re.match(r"MAIN_[^.]+\.(.+)\.col$", path.name)
        if m:
            name = m.group(1)
            name = name[1:-4] if name.startswith("_") and name.endswith("_len") else name
            f = fields.setdefault(name, {"terms": 0, "terms_bytes": 0, "postings_bytes": 0, "column_bytes": 0})
            f["column_bytes"] += path.stat().st_size
    ix.close()
    return {"segments": len(segments), "fields": fields, "seconds": time.perf_counter() - start}


if __name__ == "__main__":
    print(json.dumps(field_sizes(Path(sys.argv[1]))))
