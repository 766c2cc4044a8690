"""The terminal view: snippets wrapped to the width with a hanging indent (checked in a real pty),
one-line fields that never spill, and archived control and bidi characters shown, never interpreted."""

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from datetime import datetime
from pathlib import Path

import pytest
from test_output_exports import CONTROL_FILE, hostile_index  # noqa: F401  (a fixture)

from searchkit.cli import main
from searchkit.model import Document
from searchkit.output.terminal import render_group, render_hit
from searchkit.output.text import Style, display_width, wrap_segments
from searchkit.records import Group, Hit, ThreadEntry

SEARCHKIT = str(Path(sys.executable).parent / "searchkit")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def in_a_terminal(columns: int, *args: str, no_color: bool = False) -> tuple[str, str, int]:
    """Run searchkit with stdout on a pseudo-terminal ``columns`` wide; (stdout, stderr, exit code)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    if no_color:
        env["NO_COLOR"] = "1"
    child = subprocess.Popen([SEARCHKIT, *args], stdout=slave, stderr=subprocess.PIPE, env=env)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    err = child.stderr.read().decode()
    return out.decode().replace("\r\n", "\n"), err, child.wait(timeout=60)


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize("mode", ["--group", "--flat"])
def test_snippets_are_wrapped_to_the_terminal_with_a_hanging_indent(sample_index, columns, mode):
    out, err, code = in_a_terminal(columns, "search", "données OR Microsoft", mode, "--index", str(sample_index))
    assert code == 0, err
    assert "\x1b[" in out  # a terminal: colours
    lines = ANSI.sub("", out).splitlines()
    assert all(display_width(line) <= columns for line in lines), [line for line in lines if len(line) > columns]
    # Some snippet needed more than one line, and its next line kept the indent of the first.
    wrapped = [(a, b) for a, b in zip(lines, lines[1:], strict=False)
               if a.startswith("  ") and b.startswith("  ") and display_width(a) > columns - 25]
    assert wrapped
    assert any(len(a) - len(a.lstrip()) == len(b) - len(b.lstrip()) for a, b in wrapped)


def test_the_matches_keep_bold_under_no_color_in_a_terminal(sample_index):
    out, _, code = in_a_terminal(80, "search", "Microsoft", "--flat", "--index", str(sample_index), no_color=True)
    assert code == 0
    assert "\x1b[1mMicrosoft\x1b[0m" in out
    assert not re.search(r"\x1b\[3\dm", out)


def _doc(**fields) -> Document:
    base = {"id": "0123456789ab", "kind": "article", "post_id": "0123456789ab", "title": "Titre", "body": "",
            "source": "s.jsonl"}
    return Document(**{**base, **fields})


LONG = {"author": "Jean-Baptiste Poquelin dit Molière, comédien et auteur dramatique",
        "source": "archives/2014/un-dossier-au-nom-tres-long/encore-plus-long-export-wordpress.xml"}


def test_the_author_date_id_line_fits_80_columns():
    doc = _doc(**LONG, number=12, kind="comment", id="0123456789ab-c12")
    text = render_hit(Hit(doc, 1.0, [("mot " * 80, False)]), Style("colour"), 80)
    for line in ANSI.sub("", text).splitlines():
        assert display_width(line) <= 80, line
    meta = ANSI.sub("", text).splitlines()[1]
    assert "0123456789ab-c12 (comment 12)" in meta  # the id is never what gets cut


def test_the_id_stays_whole_when_the_author_and_date_are_long():
    doc = _doc(**LONG, number=12, kind="comment", id="0123456789ab-c12", date=datetime(2014, 1, 4, 9, 30))
    meta = ANSI.sub("", render_hit(Hit(doc, 1.0, [("mot", False)]), Style("colour"), 80)).splitlines()[1]
    assert display_width(meta) <= 80
    assert meta.endswith("2014-01-04 09:30  0123456789ab-c12 (comment 12)")
    assert meta.startswith("  Jean-Baptiste Poquelin")


def test_a_grouped_post_fits_80_columns_even_deep_in_a_thread():
    article = _doc(**LONG)
    entries = [ThreadEntry(_doc(id=f"0123456789ab-c{n}", kind="comment", number=n, date=datetime(2014, 1, 4, 9, 30),
                                **LONG), n,
                           Hit(_doc(id=f"x{n}", kind="comment", **LONG), 1.0, [("mot " * 60, False), ("clé", True)]))
               for n in range(1, 25)]
    text = render_group(Group(article, Hit(article, 1.0, [("mot " * 60, False)]), entries, 24), Style("colour"), 80)
    for line in ANSI.sub("", text).splitlines():
        assert display_width(line) <= 80, line
    for n in range(1, 25):  # every comment keeps its whole id, however deep
        assert re.search(rf"#{n} .*0123456789ab-c{n}$", ANSI.sub("", text), re.M), n


def test_a_match_is_never_cut_in_two_by_the_wrapping():
    lines = wrap_segments([("a " * 30, False), ("Privacy Shield", True), (" b" * 30, False)], 40, "  ", 10)
    pieces = [(t, m) for line in lines for word in line for t, m in word if m]
    assert pieces == [("Privacy", True), ("Shield", True)]


def test_control_and_bidi_characters_from_the_archive_are_shown_not_run(runner, hostile_index):  # noqa: F811
    result = runner.invoke(main, ["search", "jasmin", "--flat", "--index", str(hostile_index)])
    out = result.stdout
    assert "\u202e" not in out and "\t" not in out
    assert "Titre \\u202eesrever" in out
    assert "bad\\x09name\\x0a.jsonl" in out
    assert len(out.rstrip("\n").splitlines()) == 3  # a newline in a file name does not split the line


def test_index_messages_show_control_characters_in_file_names(runner, tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "vide\u202e\n.txt").write_text("")
    result = runner.invoke(main, ["index", str(corpus), "--index", str(tmp_path / "ix")])
    assert "vide\\u202e\\x0a.txt" in result.stderr
    assert "\u202e" not in result.stderr


def test_a_terminal_control_sequence_in_a_file_name_is_escaped(runner, hostile_index):  # noqa: F811
    result = runner.invoke(main, ["count", "jasmin", "--by", "source", "--index", str(hostile_index)])
    assert result.stdout.splitlines()[1].endswith("bad\\x09name\\x0a.jsonl")
    assert CONTROL_FILE not in result.stdout
