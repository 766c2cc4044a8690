"""The ``searchkit serve`` command: the web page and JSON API on a local port until Ctrl-C."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from searchkit.errors import SearchkitError

if TYPE_CHECKING:
    import socket

# The server's own modules (sockets, threads, the browser) are imported when it
# starts: every other searchkit command imports this module to list `serve`.


class ServeError(SearchkitError):
    """The server cannot start (the port is taken, the address is not this machine's...)."""


def is_loopback(host: str) -> bool:
    """
    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("::1"), is_loopback("0.0.0.0")
    (True, True, True, False)
    """
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening socket, bound here so a taken port is one clear message (and ``--port 0`` picks a free one)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, proto, _, address = infos[0]
        # proto must say TCP: asyncio sets TCP_NODELAY on accepted connections only then, and without it
        # every keep-alive answer waits ~40 ms (Nagle's algorithm against the client's delayed ACK).
        sock = socket.socket(family, kind, proto or socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def _use_ca_cert(value: str | None) -> None:
    # The same as ``searchkit.cli.options.ca_cert_option`` (importing it here would be circular).
    from searchkit.engine.opensearch import connection

    connection.ca_cert_option = value


@click.command()
@click.option("--index", "location", default="index", show_default=True, metavar="FOLDER",
              envvar="SEARCHKIT_INDEX", show_envvar=True, help="Index folder (or OpenSearch index URL) to serve.")
@click.option("--ca-cert", type=click.Path(exists=True, dir_okay=False), envvar="SEARCHKIT_OPENSEARCH_CA_CERT",
              show_envvar=True, expose_value=False, callback=lambda ctx, param, value: _use_ca_cert(value),
              metavar="FILE", help="CA certificate to verify an https OpenSearch server with (default: the system's).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback lets other machines read the archive.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the default browser.")
def serve(location, host, port, open_browser):
    """A web page and JSON API over the index, until Ctrl-C.

    Prints its URL and serves on this machine only (127.0.0.1) unless --host
    says otherwise; it warns then, since the archive holds personal data.

    \b
    Examples:
      searchkit serve --index index/
      searchkit serve --port 0 --open
    """
    import signal
    import threading
    import time
    import webbrowser

    import uvicorn

    from searchkit.web.app import create_app
    from searchkit.web.archives import Archives

    archives = Archives(location)
    with archives.open():  # a missing or damaged index is said now, not on the first page; one stays open
        pass
    sock = bind(host, port)
    bound_port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound_port}/"
    if not is_loopback(host):
        click.echo(f"warning: listening on {host}: anyone who can reach this machine can read the archive, "
                   "and it holds personal data", err=True)
    config = uvicorn.Config(create_app(location, archives), log_level="warning", access_log=False,
                            server_header=False, timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)

    def announce() -> None:
        """The URL once the server answers (and handles Ctrl-C itself): a reader of it can use it at once."""
        while not server.started and not server.should_exit:
            time.sleep(0.01)
        if server.started:
            click.echo(f"searchkit: serving {location} at {url} (Ctrl-C to stop)")
            sys.stdout.flush()  # a program reading the URL from a pipe sees it now
            if open_browser:
                webbrowser.open(url)

    threading.Thread(target=announce, daemon=True).start()
    try:
        try:
            server.run(sockets=[sock])
        finally:  # a second Ctrl-C (or the one uvicorn raises again once stopped) is no error
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    except KeyboardInterrupt:
        pass
    click.echo("searchkit: stopped", err=True)
