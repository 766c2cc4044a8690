"""The project's own OpenSearch node: green, with the analysis, join and delete-by-query searchkit needs."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import Stemmer
from opensearch_node import http, node_py, ok


@pytest.fixture
def index(opensearch_url: str) -> Iterator[str]:
    """A fresh index name on the session node, deleted after the test."""
    url = f"{opensearch_url}/t-{uuid.uuid4().hex[:8]}"
    yield url
    http("DELETE", url)


def analyze(url: str, filters: list, text: str) -> list[str]:
    answer = ok("POST", f"{url}/_analyze", {"tokenizer": "standard", "filter": filters, "text": text})
    return [token["token"] for token in answer["tokens"]]


@pytest.mark.opensearch
def test_the_node_is_green_and_runs_2_19_6(opensearch_url):
    assert ok("GET", f"{opensearch_url}/_cluster/health")["status"] == "green"
    assert ok("GET", opensearch_url)["version"]["number"] == "2.19.6"


@pytest.mark.opensearch
def test_elision_strips_articles_before_both_apostrophes(opensearch_url):
    elision = {"type": "elision", "articles": ["l", "d", "qu", "j"], "articles_case": True}
    assert analyze(opensearch_url, [elision], "L’avion d'Été qu’il j'aime aujourd’hui") == [
        "avion", "Été", "il", "aime", "aujourd’hui"]


@pytest.mark.opensearch
def test_asciifolding_folds_accents_and_ligatures(opensearch_url):
    assert analyze(opensearch_url, ["asciifolding"], "Été cœur naïf Æsop") == ["Ete", "coeur", "naif", "AEsop"]


@pytest.mark.opensearch
def test_stemmer_french_is_snowball(opensearch_url):
    words = ["élégantes", "continuellement", "maisons", "nationales", "mangeaient"]
    stems = analyze(opensearch_url, ["lowercase", {"type": "stemmer", "language": "french"}], " ".join(words))
    # The same Snowball algorithm as PyStemmer (searchkit's stemmer), not the light French stemmer.
    assert stems == Stemmer.Stemmer("french").stemWords(words) == ["éleg", "continuel", "maison", "national", "mang"]
    light = analyze(opensearch_url, ["lowercase", {"type": "stemmer", "language": "light_french"}], " ".join(words))
    assert light != stems


@pytest.mark.opensearch
def test_join_field_answers_has_child_and_has_parent(index):
    ok("PUT", index, {
        "settings": {"number_of_shards": 1, "number_of_replicas": 0},
        "mappings": {"properties": {
            "text": {"type": "text"},
            "relation": {"type": "join", "relations": {"post": "comment"}},
        }},
    })
    # A comment is routed to its post's shard: the join needs parent and children together.
    ok("POST", f"{index}/_bulk?refresh=true", [
        {"index": {"_id": "p1"}}, {"text": "Le Privacy Shield est invalidé", "relation": "post"},
        {"index": {"_id": "p2"}}, {"text": "Recette de la tarte", "relation": "post"},
        {"index": {"_id": "c1", "routing": "p1"}},
        {"text": "Bonne analyse juridique", "relation": {"name": "comment", "parent": "p1"}},
        {"index": {"_id": "c2", "routing": "p2"}},
        {"text": "Trop sucrée", "relation": {"name": "comment", "parent": "p2"}},
    ])
    has_child = {"has_child": {"type": "comment", "query": {"match": {"text": "analyse"}}, "inner_hits": {}}}
    hits = ok("POST", f"{index}/_search", {"query": has_child})["hits"]["hits"]
    assert [hit["_id"] for hit in hits] == ["p1"]
    assert [inner["_id"] for inner in hits[0]["inner_hits"]["comment"]["hits"]["hits"]] == ["c1"]
    has_parent = {"has_parent": {"parent_type": "post", "query": {"match": {"text": "privacy"}}}}
    hits = ok("POST", f"{index}/_search", {"query": has_parent})["hits"]["hits"]
    assert [hit["_id"] for hit in hits] == ["c1"]


@pytest.mark.opensearch
def test_delete_by_query_removes_only_the_matching_documents(index):
    ok("PUT", index, {"settings": {"number_of_shards": 1, "number_of_replicas": 0},
                      "mappings": {"properties": {"source": {"type": "keyword"}}}})
    docs = []
    for i in range(10):
        docs += [{"index": {"_id": str(i)}}, {"source": "old.xml" if i < 4 else "new.xml"}]
    ok("POST", f"{index}/_bulk?refresh=true", docs)
    answer = ok("POST", f"{index}/_delete_by_query?refresh=true", {"query": {"term": {"source": "old.xml"}}})
    assert answer["deleted"] == 4 and answer["failures"] == []
    assert ok("GET", f"{index}/_count")["count"] == 6
    assert ok("GET", f"{index}/_count?q=source:old.xml")["count"] == 0


# --- starting and stopping: what a user of make opensearch / node.py sees -------------------------


def listening_socket() -> tuple[socket.socket, int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock, sock.getsockname()[1]


def test_start_refuses_a_port_in_use(tmp_path, capsys):
    sock, port = listening_socket()
    with sock:
        assert node_py.main(["start", "--port", str(port), "--data", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"error: port {port} on 127.0.0.1 is already in use\n"


def test_stop_and_status_when_no_node_runs(tmp_path, capsys):
    assert node_py.main(["stop", "--data", str(tmp_path)]) == 0
    assert node_py.main(["status", "--data", str(tmp_path)]) == 1
    assert capsys.readouterr().out == f"no OpenSearch node running (data {tmp_path.resolve()})\n" * 2


def test_without_java_and_maven_building_and_starting_say_so(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(node_py.NodeError) as err:
        node_py.build(force=True)
    assert str(err.value) == "cannot build the OpenSearch launcher: java and mvn not found on PATH"
    with pytest.raises(node_py.NodeError) as err:
        node_py.start_node("n1", 1, 2, tmp_path, cluster_name="c")
    assert str(err.value) == "cannot start the OpenSearch node n1: java not found on PATH"


@pytest.mark.opensearch
def test_a_node_that_cannot_start_is_an_error_that_ends_with_why(tmp_path):
    home = tmp_path.resolve()
    sock, port = listening_socket()
    with sock:
        node = node_py.start_node("busy", port, node_py.free_port(), home, cluster_name="busy", heap="256m")
        try:
            with pytest.raises(node_py.NodeError) as err:
                node.wait_for("green", timeout=180)
        finally:
            node.stop()
    first, shown, *_, last = str(err.value).splitlines()
    assert first == "the OpenSearch node busy exited (code 1) before the cluster was green"
    assert shown == f"--- last lines of {home / 'node.out'} (log: {home / 'logs' / 'busy.log'}):"
    assert last.endswith("opensearch launcher: the node failed to start: BindHttpException: "
                         f"Failed to bind to 127.0.0.1:{port} <- BindException: Address already in use")


@pytest.mark.opensearch
def test_the_command_line_starts_reports_and_stops_a_detached_node(tmp_path: Path, capsys):
    data = tmp_path.resolve() / ".opensearch"
    http_port, transport_port = node_py.free_ports(2)
    url = f"http://127.0.0.1:{http_port}"
    start = ["start", "--port", str(http_port), "--transport-port", str(transport_port), "--data", str(data)]
    pid = None
    try:
        assert node_py.main([*start, "--heap", "512m"]) == 0
        assert capsys.readouterr().out == f"{url}\n"
        assert ok("GET", f"{url}/_cluster/health")["status"] == "green"
        pid = node_py._running_state(data)["pid"]
        assert node_py.main(start) == 0
        assert capsys.readouterr().out == f"already running: {url} (pid {pid}, data {data})\n"
        assert node_py.main(["status", "--data", str(data)]) == 0
        assert capsys.readouterr().out == f"{url} pid {pid}: green\n"
    finally:
        assert node_py.main(["stop", "--data", str(data)]) == 0
    assert capsys.readouterr().out == f"stopped the OpenSearch node at {url} (pid {pid})\n"
    assert not node_py._is_launcher(pid)  # gone (in this test, a zombie until its parent, pytest, reaps it)
    assert node_py.main(["status", "--data", str(data)]) == 1


@pytest.mark.opensearch
def test_waiting_for_a_colour_the_cluster_does_not_reach_times_out_with_the_colour_seen(opensearch_node, index):
    ok("PUT", index, {"settings": {"number_of_shards": 1, "number_of_replicas": 1}})  # no node for the replica
    with pytest.raises(node_py.NodeError) as err:
        opensearch_node.wait_for("green", timeout=3)
    first, shown, *_ = str(err.value).splitlines()
    assert first == f"the OpenSearch node test-node at {opensearch_node.url} was not green after 3 s (yellow)"
    # Then the tail of the node's output; at WARN level a healthy node may have said nothing.
    out = opensearch_node.out_file
    assert shown == f"(no output in {out})" or shown.startswith(f"--- last lines of {out} ")
    assert opensearch_node.wait_for("yellow", timeout=30)["status"] == "yellow"
