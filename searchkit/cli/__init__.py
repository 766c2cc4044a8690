"""The ``searchkit`` command line: thin click commands over the backend-neutral API and the printers.

``app`` holds the group and the error handling, ``options`` the shared
options, ``help`` the help text (also ``docs/cli.md``, made by ``docs``), and
one module per command, imported only when its command runs or is listed
(``app.COMMANDS``): ``searchkit search`` never loads the indexer or the web
server. ``searchkit.cli:main`` is the entry point.
"""

from searchkit.cli.app import main

__all__ = ["main"]
