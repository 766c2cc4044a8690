"""The embedded engine: a Whoosh index in a folder (the default, one machine, one writer).

Importing any module of this package first imports Whoosh without the modules
it never needs here (``import_whoosh_light``), then ``internals``, which checks
the installed Whoosh version; every module below may then import ``whoosh``
in plain sorted order.
"""

from __future__ import annotations

import functools
import sys
import types


def _refuse_download(*args, **kwargs):
    raise RuntimeError("searchkit imported Whoosh without urllib.request: no downloads")


def import_whoosh_light() -> None:
    """Import Whoosh while light stand-ins replace two modules it never needs here.

    ``whoosh.compat`` imports ``urllib.request`` (~17 ms) for a download helper
    nothing calls; ``whoosh.reading`` imports the ``cached_property`` package,
    which imports ``asyncio`` (~12 ms). The stand-ins are removed right after,
    so a later ``import urllib.request`` gets the real module.
    """
    if "whoosh.reading" in sys.modules:
        return
    stand_ins = {
        "urllib.request": types.ModuleType("urllib.request", "searchkit stand-in while Whoosh loads"),
        "cached_property": types.ModuleType("cached_property", "searchkit stand-in while Whoosh loads"),
    }
    stand_ins["urllib.request"].urlretrieve = _refuse_download  # type: ignore[attr-defined]
    stand_ins["cached_property"].cached_property = functools.cached_property  # type: ignore[attr-defined]
    installed = [name for name in stand_ins if name not in sys.modules]
    for name in installed:
        sys.modules[name] = stand_ins[name]
    try:
        import whoosh.compat  # noqa: F401
        import whoosh.reading  # noqa: F401
    finally:
        for name in installed:
            if sys.modules.get(name) is stand_ins[name]:
                del sys.modules[name]


import_whoosh_light()

from searchkit.engine.whoosh import internals  # noqa: E402, F401
