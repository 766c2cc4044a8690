"""Which index fields a user's field searches, and how much each weighs: one table for every engine.

The Whoosh schema's field names are the reference; an engine with other names
maps them (``opensearch.settings.WHOOSH_FIELDS``). A bare word searches the
stemmed and the exact (folded, unstemmed) field of each target, the exact one
weighted ``EXACT_BOOST`` times more; the title's part of a query weighs
``TITLE_BOOST`` times the body's.
"""

from __future__ import annotations

# User-facing text fields → (stemmed, exact) index fields, title first.
TEXT_TARGETS = {
    "text": (("title_stem", "title_exact"), ("body", "body_exact")),
    "title": (("title_stem", "title_exact"),),
    "body": (("body", "body_exact"),),
}
# Exact-analysed fields searched as they are (user name → index field).
NAME_TARGETS = {"author": "author", "tag": "tags", "category": "categories"}
EXACT_BOOST = 2.0
# Chosen on the relevance evaluation (docs/relevance.md): 1.0, 1.5, 2.0 and 3.0 measured.
TITLE_BOOST = 2.0
