"""An OpenSearch URL (``http://host:9200/blogs``) → a client and an index name, with errors that say what to do.

The URL's path is the index name, which is an alias: each build writes a
physical index ``<name>-<UTC time>`` and the alias is moved to it at commit,
so a search never sees a half-built index. The URL may name several nodes of
one cluster, comma-separated (``http://node1:9200,node2:9200/blogs``, as
libpq and MongoDB URLs do): the client sends each request to one of them and,
when a node does not answer, marks it dead for the rest of the command and
sends the request again to another, so a command goes on while a node is
down. With one node named, that node is the only door: when it is down, the
command says the server does not answer (the cluster itself, with replicas,
has lost nothing: name more nodes, or put a load balancer in front). The
client does not sniff the cluster for its other nodes: the addresses nodes
publish are often not reachable from outside (containers, cloud services).
Credentials come from
``SEARCHKIT_OPENSEARCH_USER`` / ``SEARCHKIT_OPENSEARCH_PASSWORD`` (or the URL's
user part, with a warning: a URL ends up in shell histories and process
lists); TLS certificates are verified, against ``--ca-cert`` /
``SEARCHKIT_OPENSEARCH_CA_CERT`` when given.

>>> parse_url("http://127.0.0.1:9200/blogs")
(['http://127.0.0.1:9200'], 'blogs', None)
>>> parse_url("https://me:secret@search.example.org/archive/")
(['https://search.example.org:443'], 'archive', ('me', 'secret'))
>>> parse_url("http://127.0.0.1:9200,127.0.0.1:9201,[::1]/blogs")
(['http://127.0.0.1:9200', 'http://127.0.0.1:9201', 'http://[::1]:9200'], 'blogs', None)
>>> is_url("index/") or is_url("C:/index")
False
"""

from __future__ import annotations

import base64
import os
import re
import sys
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from searchkit.errors import IndexMissingError, IndexVersionError, SearchkitError

USER_ENV = "SEARCHKIT_OPENSEARCH_USER"
PASSWORD_ENV = "SEARCHKIT_OPENSEARCH_PASSWORD"
CA_CERT_ENV = "SEARCHKIT_OPENSEARCH_CA_CERT"

CONNECT_TIMEOUT = 10.0  # seconds to open a connection to a node before trying the next
READ_TIMEOUT = 120.0  # seconds to wait for an answer (a bulk request, a delete by query)

# The CA certificate ``--ca-cert`` gave (the CLI sets it once per command); else $SEARCHKIT_OPENSEARCH_CA_CERT.
ca_cert_option: str | None = None
_warned: set[str] = set()  # URLs whose user part was already warned against (serve opens many times)

# Lowercase, no leading - _ +, none of \ / * ? " < > | , # : or space (OpenSearch's rules).
_INDEX_NAME = re.compile(r"^[a-z0-9][a-z0-9._+-]*$")


def is_url(location: str) -> bool:
    """True for an http(s) URL: the index is on OpenSearch, not in a folder."""
    return location.startswith(("http://", "https://"))


def parse_url(url: str) -> tuple[list[str], str, tuple[str, str] | None]:
    """(the address of each node named, index name, credentials from the URL or None)."""
    parts = urlsplit(url)
    userinfo, _, hosts = parts.netloc.rpartition("@")
    if parts.scheme not in ("http", "https") or not hosts:
        raise SearchkitError(f"{url}: not an OpenSearch URL (http://host:port/index)")
    name = parts.path.strip("/")
    if not name:
        raise SearchkitError(f"{url}: the URL names no index (add it to the path: {url.rstrip('/')}/blogs)")
    if not _INDEX_NAME.match(name):
        raise SearchkitError(f"{url}: {name!r} cannot be an OpenSearch index name "
                             "(lowercase letters, digits and . _ + -, not starting with . _ + -)")
    servers = [_server(parts.scheme, host, url) for host in hosts.split(",")]
    auth = None
    if userinfo:
        user, _, password = userinfo.partition(":")
        auth = (unquote(user), unquote(password))
    return servers, name, auth


def _server(scheme: str, host: str, url: str) -> str:
    """``scheme://host:port`` for one ``host[:port]`` of the URL (9200, or 443 with https, by default)."""
    one = urlsplit(f"{scheme}://{host.strip()}")
    try:
        port = one.port or (443 if scheme == "https" else 9200)
    except ValueError:
        port = None
    if not one.hostname or port is None:
        raise SearchkitError(f"{url}: {host!r} is not a host[:port]: write http://host:port/index, or for "
                             "several nodes of one cluster http://host1:9200,host2:9200/index")
    hostname = f"[{one.hostname}]" if ":" in one.hostname else one.hostname  # IPv6
    return f"{scheme}://{hostname}:{port}"


def client_for(url: str, ca_cert: str | None = None) -> tuple[Any, str]:
    """An ``OpenSearch`` client for the nodes ``url`` names, and the index name."""
    import urllib3
    from opensearchpy import OpenSearch

    servers, name, auth = parse_url(url)
    server = ",".join(servers)
    user = os.environ.get(USER_ENV)
    if user:
        auth = (user, os.environ.get(PASSWORD_ENV, ""))
    elif auth and server not in _warned:
        _warned.add(server)
        sys.stderr.write(f"searchkit: warning: credentials in the --index URL end up in shell histories and "
                         f"process lists: set {USER_ENV} and {PASSWORD_ENV} instead\n")
    # A node that does not answer is retried on the next one named (each at least once), so a
    # command goes on while one is down; with one node, twice on the same (a restart in progress).
    # A machine that is gone refuses nothing, its packets are lost: a short connect timeout moves
    # on to the next node; a long read timeout leaves a heavy request the time it needs.
    timeout = urllib3.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT)
    options: dict[str, Any] = {"timeout": timeout, "max_retries": max(2, len(servers)), "retry_on_timeout": True}
    if auth:
        # Built here in UTF-8: the client's own basic auth encodes Latin-1 and garbles any other password.
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
        options["headers"] = {"Authorization": f"Basic {token}"}
    if server.startswith("https://"):
        ca_cert = ca_cert or ca_cert_option or os.environ.get(CA_CERT_ENV) or None
        options.update(verify_certs=True, ca_certs=ca_cert)
    return OpenSearch(servers, **options), name


def physical_name(alias: str) -> str:
    """A new physical index for the alias ``alias``, named after the time it was built."""
    return f"{alias}-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S-%f')}"


def translate(exc: Exception, url: str) -> SearchkitError:
    """A client exception as a message for a person."""
    from opensearchpy import exceptions as ex

    if isinstance(exc, SearchkitError):
        return exc
    if isinstance(exc, ex.SSLError):
        return SearchkitError(f"{url}: the server's TLS certificate cannot be verified ({_reason(exc)}): "
                              f"give its CA certificate with --ca-cert FILE (or {CA_CERT_ENV})")
    if isinstance(exc, ex.ConnectionError):
        return SearchkitError(f"{url}: the OpenSearch server does not answer ({_reason(exc)}): "
                              "check the URL and that the server runs")
    if isinstance(exc, ex.AuthenticationException):
        return SearchkitError(f"{url}: authentication refused: set {USER_ENV} and {PASSWORD_ENV} "
                              "to an account of the cluster")
    if isinstance(exc, ex.TransportError) and exc.status_code == 503:  # "all shards failed": unassigned shards
        return red(url)
    if isinstance(exc, ex.AuthorizationException):
        return SearchkitError(f"{url}: this user may not use the index")
    if isinstance(exc, ex.NotFoundError):
        return IndexMissingError(f"{url}: no such index: run searchkit index … --index {url} first")
    if isinstance(exc, ex.TransportError):
        return SearchkitError(f"{url}: OpenSearch refused the request: {_short(exc.error)} ({exc.status_code})")
    return SearchkitError(f"{url}: {_short(exc)}")


def red(url: str) -> SearchkitError:
    """The index's shards are not all assigned: nothing can be read or written reliably."""
    return SearchkitError(f"{url}: the OpenSearch cluster is red (shards of the index are unavailable): "
                          "wait until GET /_cluster/health says yellow or green, then try again")


def check_version(mapping_meta: dict[str, Any] | None, url: str, expected: int) -> None:
    """Refuse an index whose mapping was written by another searchkit schema."""
    found = (mapping_meta or {}).get("searchkit_schema")
    if found != expected:
        what = "not a searchkit index" if found is None else f"written by an older searchkit (schema {found})"
        raise IndexVersionError(f"{url}: {what}: rebuild it with searchkit index … --index {url} --rebuild")


def _reason(exc: Exception) -> str:
    """A connection failure's reason without the client's object names.

    >>> _reason(ValueError("HTTPConnection(host='h', port=9): Failed to establish a new connection: "
    ...                    "[Errno 111] Connection refused"))
    'Failed to establish a new connection: [Errno 111] Connection refused'
    >>> _reason(ValueError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate "
    ...                    "(_ssl.c:1006)"))
    'certificate verify failed: self-signed certificate'
    """
    info = getattr(exc, "info", None)
    if isinstance(info, Exception) and len(info.args) > 1 and isinstance(info.args[-1], str):
        info = info.args[-1]  # urllib3's timeouts: (the connection object, the message)
    text = _short(info if isinstance(info, str | Exception) and str(info) else exc)
    text = re.sub(r"^\w*Connection(Pool)?\([^)]*\):\s*", "", text)
    # OpenSSL's codes and Python's source line: "[SSL: CERTIFICATE_VERIFY_FAILED] … (_ssl.c:1006)".
    return re.sub(r"\[SSL: \w+\]\s*|\s*\(_ssl\.c:\d+\)", "", text)


def _short(reason: object) -> str:
    text = str(reason).strip().splitlines()[0] if str(reason).strip() else type(reason).__name__
    return text[:200]
