"""Output for a person or a program: the terminal, JSON Lines and CSV, one printer per format.

``choose_printer(fmt, stream, style, width)`` returns the printer for the
format chosen once; it takes the plain records of ``searchkit.records``.
``text`` makes archived strings safe for a terminal and wraps them,
``records`` builds the JSON/CSV records, ``terminal`` and ``histogram`` lay
out text, ``streams`` handles a full, closed or vanished stdout and stderr.
"""

from searchkit.output.printers import FORMATS, Printer, choose_printer
from searchkit.output.records import CSV_COLUMNS
from searchkit.output.streams import OutputError, ReaderGone, note
from searchkit.output.text import Style, safe, stdout_is_terminal, terminal_width, use_colour

__all__ = [
    "CSV_COLUMNS", "FORMATS", "OutputError", "Printer", "ReaderGone", "Style", "choose_printer", "note", "safe",
    "stdout_is_terminal", "terminal_width", "use_colour",
]
