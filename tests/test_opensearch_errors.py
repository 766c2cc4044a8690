"""What `--index URL` says when the server, the credentials, the index or the cluster is wrong, by exact text.

Authentication and the credentials' origin are tested against a small local
HTTP server answering as OpenSearch does (401 with its JSON error), since the
test node runs without the security plugin; the index errors on the real node.
"""

from __future__ import annotations

import base64
import json
import shutil
import ssl
import subprocess
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from searchkit.cli import main
from searchkit.engine.opensearch import connection


class FakeCluster(BaseHTTPRequestHandler):
    """Refuses every request with OpenSearch's 401, remembering the Authorization header it was sent."""

    seen: list[str | None] = []

    def _refuse(self) -> None:
        FakeCluster.seen.append(self.headers.get("Authorization"))
        body = json.dumps({"error": {"type": "security_exception", "reason": "authentication required"},
                           "status": 401}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = do_POST = do_PUT = _refuse

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def fake():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeCluster)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeCluster.seen = []
    connection._warned.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def tls_fake(tmp_path):
    """The same refusing server over TLS, with a self-signed certificate for 127.0.0.1 (made by openssl)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl not found: no certificate to serve TLS with")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeCluster)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeCluster.seen = []
    yield f"https://127.0.0.1:{server.server_address[1]}", cert
    server.shutdown()
    server.server_close()


def cli(*args: str, env: dict[str, str] | None = None):
    return CliRunner(env=env).invoke(main, list(args))


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_authentication_refused_says_which_variables_to_set(fake):
    url = f"{fake}/blogs"
    result = cli("search", "santé", "--index", url,
                 env={"SEARCHKIT_OPENSEARCH_USER": "lecteur", "SEARCHKIT_OPENSEARCH_PASSWORD": "faux"})
    assert result.exit_code == 2
    assert result.stderr == (f"searchkit: {url}: authentication refused: set SEARCHKIT_OPENSEARCH_USER and "
                             "SEARCHKIT_OPENSEARCH_PASSWORD to an account of the cluster\n")
    assert FakeCluster.seen[0] == basic("lecteur", "faux")


def test_credentials_in_the_url_are_used_with_a_warning_and_the_variables_win(fake):
    host = fake.removeprefix("http://")
    result = cli("stats", "--index", f"http://moi:s%C3%A9cret@{host}/blogs",
                 env={"SEARCHKIT_OPENSEARCH_USER": None, "SEARCHKIT_OPENSEARCH_PASSWORD": None})  # type: ignore[dict-item]
    assert result.stderr.splitlines()[0] == (
        "searchkit: warning: credentials in the --index URL end up in shell histories and process lists: "
        "set SEARCHKIT_OPENSEARCH_USER and SEARCHKIT_OPENSEARCH_PASSWORD instead")
    assert FakeCluster.seen[0] == basic("moi", "sécret")
    FakeCluster.seen.clear()
    result = cli("stats", "--index", f"http://moi:x@{host}/blogs",
                 env={"SEARCHKIT_OPENSEARCH_USER": "env", "SEARCHKIT_OPENSEARCH_PASSWORD": "pw"})
    assert "warning" not in result.stderr and FakeCluster.seen[0] == basic("env", "pw")


def test_no_credentials_sends_no_authorization(fake):
    cli("stats", "--index", f"{fake}/blogs",
        env={"SEARCHKIT_OPENSEARCH_USER": None, "SEARCHKIT_OPENSEARCH_PASSWORD": None})  # type: ignore[dict-item]
    assert FakeCluster.seen[0] is None


def test_a_missing_ca_certificate_file_is_named(tmp_path):
    missing = tmp_path / "ca.pem"
    result = cli("search", "santé", "--index", "https://127.0.0.1:9/blogs", "--ca-cert", str(missing))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == ("Error: Invalid value for '--ca-cert' (env var: "
                                              f"'SEARCHKIT_OPENSEARCH_CA_CERT'): File '{missing}' does not exist.")


def test_tls_is_verified_and_an_unknown_certificate_says_to_give_ca_cert(tls_fake):
    server, cert = tls_fake
    url = f"{server}/blogs"
    result = cli("search", "santé", "--index", url, env={"SEARCHKIT_OPENSEARCH_CA_CERT": None})  # type: ignore[dict-item]
    assert result.exit_code == 2
    # OpenSSL's own words for the reason vary by release ("self-signed certificate", "self signed certificate").
    prefix = f"searchkit: {url}: the server's TLS certificate cannot be verified (certificate verify failed: self"
    suffix = " certificate): give its CA certificate with --ca-cert FILE (or SEARCHKIT_OPENSEARCH_CA_CERT)\n"
    assert result.stderr.startswith(prefix) and result.stderr.endswith(suffix)
    assert len(result.stderr) - len(prefix) - len(suffix) == len("-signed")
    assert FakeCluster.seen == []  # nothing was sent over the unverified connection
    result = cli("search", "santé", "--index", url, "--ca-cert", str(cert))
    assert "authentication refused" in result.stderr  # verified against FILE: the request reached the server


def test_the_ca_certificate_option_reaches_the_client(monkeypatch, tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("not really a certificate")
    seen = {}

    def fake_client(server, **options):
        seen.update(options)
        raise RuntimeError("stop here")

    monkeypatch.setattr("opensearchpy.OpenSearch", fake_client)
    cli("stats", "--index", "https://search.example.org/blogs", "--ca-cert", str(ca))
    assert seen["verify_certs"] is True and seen["ca_certs"] == str(ca)
    seen.clear()
    cli("stats", "--index", "https://search.example.org/blogs", env={"SEARCHKIT_OPENSEARCH_CA_CERT": str(ca)})
    assert seen["ca_certs"] == str(ca)
    seen.clear()
    cli("stats", "--index", "https://search.example.org/blogs",
        env={"SEARCHKIT_OPENSEARCH_CA_CERT": None})  # type: ignore[dict-item]
    assert seen["verify_certs"] is True and seen["ca_certs"] is None  # the system's certificates, still verified


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on: a node that is down."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_url_naming_several_nodes_goes_on_when_one_does_not_answer(fake):
    down = closed_port()
    host = fake.removeprefix("http://")
    # The client tries the nodes in a random order: 12 runs, each of which would meet the dead node
    # first with odds of one in two, show that a dead node is passed over, not reported.
    for hosts in [f"127.0.0.1:{down},{host}", f"{host},127.0.0.1:{down}"] * 6:
        FakeCluster.seen.clear()
        result = cli("stats", "--index", f"http://{hosts}/blogs")
        # The live node was reached whichever the client tried first: it answered (401 here).
        assert result.exit_code == 2 and "authentication refused" in result.stderr, result.stderr
        assert FakeCluster.seen


def test_a_url_whose_only_node_is_down_says_it_does_not_answer():
    url = f"http://127.0.0.1:{closed_port()}/blogs"
    result = cli("stats", "--index", url)
    assert result.exit_code == 2
    assert result.stderr == (f"searchkit: {url}: the OpenSearch server does not answer (Failed to establish a new "
                             "connection: [Errno 111] Connection refused): check the URL and that the server runs\n")


@pytest.mark.timeout(60)  # without a connect timeout of its own, the read timeout (120 s) would apply
def test_a_node_whose_packets_are_lost_is_given_up_after_the_connect_timeout(monkeypatch):
    import socket

    # A listening socket whose queue is full drops new connections' packets, as a machine that is gone does.
    with socket.socket() as server, socket.socket() as filler:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        filler.connect(server.getsockname())
        monkeypatch.setattr(connection, "CONNECT_TIMEOUT", 0.5)
        url = f"http://127.0.0.1:{server.getsockname()[1]}/blogs"
        result = cli("stats", "--index", url)
    assert result.exit_code == 2
    assert result.stderr == (f"searchkit: {url}: the OpenSearch server does not answer (Connection to 127.0.0.1 "
                             "timed out. (connect timeout=0.5)): check the URL and that the server runs\n")


@pytest.mark.parametrize("url, host", [
    ("http://127.0.0.1:9200,127.0.0.1:x/blogs", "127.0.0.1:x"),
    ("http://127.0.0.1:9200,/blogs", ""),
])
def test_a_node_of_the_url_that_is_no_host_is_named(url, host):
    result = cli("stats", "--index", url)
    assert result.exit_code == 2
    assert result.stderr == (f"searchkit: {url}: {host!r} is not a host[:port]: write http://host:port/index, "
                             "or for several nodes of one cluster http://host1:9200,host2:9200/index\n")


# --- on the node ------------------------------------------------------------------------


@pytest.fixture
def client(node_url):
    from opensearchpy import OpenSearch

    client = OpenSearch(node_url)
    yield client
    client.close()


@pytest.fixture
def name(client):
    name = f"test-errors-{uuid.uuid4().hex[:8]}"
    yield name
    client.indices.delete(index=f"{name}*", ignore_unavailable=True, expand_wildcards="all")


@pytest.mark.opensearch
def test_index_missing_says_to_index_first(node_url, name):
    url = f"{node_url}/{name}"
    result = cli("search", "santé", "--index", url)
    assert result.exit_code == 2
    assert result.stderr == f"searchkit: {url}: no such index: run searchkit index … --index {url} first\n"


@pytest.mark.opensearch
def test_an_index_from_another_searchkit_version_must_be_rebuilt(node_url, name, client):
    from searchkit.engine.opensearch.settings import index_body
    from tests.conftest import CORPUS

    url = f"{node_url}/{name}"
    body = index_body()
    body["mappings"]["_meta"] = {"searchkit_schema": 0}
    client.indices.create(index=f"{name}-20200101-000000-000000", body=body)
    client.indices.put_alias(index=f"{name}-20200101-000000-000000", name=name)
    expected = (f"searchkit: {url}: written by an older searchkit (schema 0): rebuild it with "
                f"searchkit index … --index {url} --rebuild\n")
    for args in (["search", "santé"], ["index", str(CORPUS)]):
        result = cli(*args, "--index", url)
        assert result.exit_code == 2 and result.stderr == expected
    result = cli("index", str(CORPUS), "--index", url, "--rebuild")
    assert result.exit_code == 0, result.output
    assert cli("search", "santé", "--index", url, "--count").exit_code == 0


@pytest.mark.opensearch
def test_an_index_searchkit_did_not_write(node_url, name, client):
    url = f"{node_url}/{name}"
    client.indices.create(index=name)
    result = cli("search", "santé", "--index", url)
    assert result.stderr == (f"searchkit: {url}: not a searchkit index: rebuild it with "
                             f"searchkit index … --index {url} --rebuild\n")
    from tests.conftest import CORPUS

    result = cli("index", str(CORPUS), "--index", url)
    assert result.stderr == (f"searchkit: {url}: {name!r} is an index, not the alias searchkit writes through: "
                             "delete it or choose another name\n")


@pytest.mark.opensearch
def test_a_red_cluster_says_to_wait(node_url, name, client):
    from searchkit.engine.opensearch.settings import index_body

    url = f"{node_url}/{name}"
    body = index_body()
    body["settings"]["index"]["routing.allocation.require._name"] = "no-such-node"  # its shard never starts: red
    physical = f"{name}-20200101-000000-000000"
    client.indices.create(index=physical, body=body, params={"wait_for_active_shards": "0"})
    client.indices.put_alias(index=physical, name=name)
    try:
        for args in (["search", "santé"], ["stats"]):
            result = cli(*args, "--index", url)
            assert result.exit_code == 2
            assert result.stderr == (
                f"searchkit: {url}: the OpenSearch cluster is red (shards of the index are unavailable): "
                "wait until GET /_cluster/health says yellow or green, then try again\n")
    finally:
        client.indices.delete(index=physical)
