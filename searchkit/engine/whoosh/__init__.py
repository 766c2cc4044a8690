"""The embedded engine: a Whoosh index in a folder (the default, one machine, one writer).

Importing any module of this package first imports Whoosh without the modules
it never needs here (``import_whoosh_light``), then ``access``, which checks
the installed Whoosh version; every module below may then import ``whoosh``
in plain sorted order. A search imports only what reading needs: the
writer's modules (``internals``, ``writer``: ``multiprocessing``, Whoosh's
writer) are imported by ``searchkit index``.
"""

from __future__ import annotations

import functools
import sys
import types


def _refuse_download(*args, **kwargs):
    raise RuntimeError("searchkit imported Whoosh without urllib.request: no downloads")


def _variations(word):
    """``whoosh.lang.morph_en.variations``, imported on first use (Whoosh's ``Variations`` query)."""
    from whoosh.lang.morph_en import variations

    return variations(word)


def _html_escape(s, quote=True):
    """``html.escape``, imported on first use (Whoosh's highlighter)."""
    import html

    return html.escape(s, quote)


def _stand_in(name: str, **attributes) -> types.ModuleType:
    module = types.ModuleType(name, "searchkit stand-in while Whoosh loads")
    module.__dict__.update(attributes)
    return module


def import_whoosh_light() -> None:
    """Import Whoosh while light stand-ins replace modules it never needs here, or only later.

    ``whoosh.compat`` imports ``urllib.request`` (~17 ms) for a download helper
    nothing calls; ``whoosh.reading`` imports the ``cached_property`` package,
    which imports ``asyncio`` (~12 ms). ``whoosh.query`` imports
    ``whoosh.lang.morph_en`` (~7 ms of regular expressions compiled) for the
    ``Variations`` query, which searchkit never builds, and ``whoosh.compat``
    ``html`` (~2 ms) for the highlighter: each is a function that imports the
    real module when first called. The stand-ins are removed right after, so a
    later ``import urllib.request`` (or ``html``...) gets the real module.
    """
    if "whoosh.reading" in sys.modules:
        return
    stand_ins = {
        "urllib.request": _stand_in("urllib.request", urlretrieve=_refuse_download),
        "cached_property": _stand_in("cached_property", cached_property=functools.cached_property),
        "whoosh.lang.morph_en": _stand_in("whoosh.lang.morph_en", variations=_variations),
        "html": _stand_in("html", escape=_html_escape),
    }
    installed = [name for name in stand_ins if name not in sys.modules]
    for name in installed:
        sys.modules[name] = stand_ins[name]
    try:
        import whoosh.compat  # noqa: F401
        import whoosh.query  # noqa: F401
        import whoosh.reading  # noqa: F401
    finally:
        for name in installed:
            if sys.modules.get(name) is stand_ins[name]:
                del sys.modules[name]


import_whoosh_light()

from searchkit.engine.whoosh import access  # noqa: E402, F401
