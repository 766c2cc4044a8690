"""``python -m searchkit``: the same command line as ``searchkit``."""

from searchkit.cli import main

main()
