"""searchkit: full-text search for archived French blog posts and their comments.

The flow, one module per stage: ``readers`` (one per archive format) yield
``model.Post`` records → ``analysis`` (French tokens, no Whoosh) → ``index``
(Whoosh schema and writer) → ``search`` (queries, hits) → ``output`` (terminal,
JSON, CSV), with ``cli`` a thin click layer on top.
"""

__version__ = "0.1.0"
