"""The ``searchkit`` command line: thin click commands over the backend-neutral API and the printers.

``app`` holds the group and the error handling, ``options`` the shared
options, ``help`` the help text (also ``docs/cli.md``, made by ``docs``), and
one module per command. ``searchkit.cli:main`` is the entry point.
"""

from searchkit.cli import count_cmd, index_cmd, search_cmd, show_cmd, stats_cmd  # noqa: F401  (registers them)
from searchkit.cli.app import main
from searchkit.web.command import serve

main.add_command(serve)

__all__ = ["main"]
