"""Part of the index/search layer: imports Whoosh without two modules it never uses here.

Imported by ``index`` and ``search`` *before* their own Whoosh imports. A
fresh ``searchkit search`` process spends most of its time importing, and two
of Whoosh's imports are dead weight for searchkit:

* ``whoosh.compat`` imports ``urllib.request`` (with ``http.client`` and
  ``email``, ~17 ms) for a download helper nothing calls;
* ``whoosh.reading`` imports the ``cached_property`` package, which imports
  ``asyncio`` (~12 ms) to support async properties Whoosh does not have.

While those two Whoosh modules load, light stand-ins sit in ``sys.modules``
(a download function that refuses, and ``functools.cached_property``, which
behaves the same for Whoosh's one plain cached property); they are removed
right after, so any later ``import urllib.request`` gets the real module.
If either is already imported, or Whoosh is, nothing is replaced.
"""

from __future__ import annotations

import functools
import sys
import types


def _refuse_download(*args, **kwargs):
    raise RuntimeError("searchkit imported Whoosh without urllib.request: no downloads")


def import_whoosh_light() -> None:
    if "whoosh.reading" in sys.modules:
        return
    stand_ins = {
        "urllib.request": types.ModuleType("urllib.request", "searchkit stand-in while Whoosh loads"),
        "cached_property": types.ModuleType("cached_property", "searchkit stand-in while Whoosh loads"),
    }
    stand_ins["urllib.request"].urlretrieve = _refuse_download
    stand_ins["cached_property"].cached_property = functools.cached_property
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
