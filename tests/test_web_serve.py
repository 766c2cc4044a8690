"""The ``searchkit serve`` command: its URL, its warnings, its errors and Ctrl-C."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys

from click.testing import CliRunner

from searchkit.cli import main


def test_serve_says_when_the_index_is_missing(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--index", str(tmp_path / "none"), "--port", "0"])
    assert result.exit_code == 2
    assert result.stderr == (f"searchkit: no index at {tmp_path / 'none'}: run `searchkit index PATH --index "
                             f"{tmp_path / 'none'}` to build one (or set SEARCHKIT_INDEX to the index to use)\n")


def test_serve_says_when_the_port_is_taken(threads_index):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--index", str(threads_index), "--port", str(port)])
    assert result.exit_code == 2
    assert result.stderr == f"searchkit: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def test_the_listening_socket_is_tcp_so_answers_are_not_delayed_by_nagle():
    from searchkit.web.command import bind

    with bind("127.0.0.1", 0) as sock:  # asyncio sets TCP_NODELAY on accepted sockets only when proto is TCP
        assert sock.proto == socket.IPPROTO_TCP


def test_serve_prints_its_url_and_warns_when_not_on_loopback(threads_index):
    proc = subprocess.Popen([sys.executable, "-m", "searchkit", "serve", "--index", str(threads_index),
                             "--host", "0.0.0.0", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert re.fullmatch(rf"searchkit: serving {re.escape(str(threads_index))} at http://0\.0\.0\.0:\d+/ "
                            r"\(Ctrl-C to stop\)\n", line)
        assert proc.stderr.readline() == ("warning: listening on 0.0.0.0: anyone who can reach this machine can "
                                          "read the archive, and it holds personal data\n")
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        assert proc.wait(timeout=10) == 0
        assert proc.stderr.read() == "searchkit: stopped\n"
    finally:
        proc.kill()
        proc.wait(timeout=10)
