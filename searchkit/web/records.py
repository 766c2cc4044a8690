"""The one place the web layer takes the CLI's JSON records and text helpers from.

They are moving to ``searchkit/output/``: when they do, only these imports change.
"""

from searchkit.output import (  # noqa: F401  (re-exported for the web layer)
    cut_segments,
    document_record,
    format_date,
    group_record,
    hit_record,
    json_line,
    safe,
    write_csv,
)
from searchkit.timeline import bucket_record  # noqa: F401

__all__ = ["bucket_record", "cut_segments", "document_record", "format_date", "group_record",
           "hit_record", "json_line", "safe", "write_csv"]
