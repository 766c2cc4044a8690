"""The embedded engine: a Whoosh index in a folder (the default, one machine, one writer).

Importing any module of this package first runs ``internals``: it checks the
installed Whoosh version and imports Whoosh without the modules it never
needs here, so every module below may import ``whoosh`` in plain sorted order.
"""

from searchkit.engine.whoosh import internals  # noqa: F401
