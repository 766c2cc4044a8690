"""Shards and replicas of an OpenSearch index (``searchkit index --shards N --replicas N``), and the commit marker
that lets a long-lived reader notice another process's commit (``current()``, ``Archive.refresh``)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from searchkit.api import open_archive
from searchkit.cli import main
from searchkit.engine.opensearch.engine import OpenSearchEngine
from tests.conftest import CORPUS, FIXTURES, ROOT

THREADS = FIXTURES / "threads" / "sante-numerique.xml"


@pytest.fixture(scope="module")
def client(os_client):
    return os_client


@pytest.fixture
def url(fresh_index_url):
    return fresh_index_url


def index(*args, code: int = 0):
    result = CliRunner().invoke(main, ["index", *map(str, args)])
    assert result.exit_code == code, result.output
    return result


def layout(client, url: str) -> tuple[str, dict[str, str]]:
    """The physical index behind the URL's alias and its shard and replica settings, as the node's _settings show."""
    alias = url.rsplit("/", 1)[1]
    (physical, found), = client.indices.get_settings(index=alias).items()
    settings = found["settings"]["index"]
    return physical, {"number_of_shards": settings["number_of_shards"],
                      "number_of_replicas": settings["number_of_replicas"],
                      "auto_expand_replicas": settings.get("auto_expand_replicas", "false")}  # unset: off


def notes(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("note:")]


@pytest.mark.opensearch
def test_a_first_build_takes_the_shards_and_replicas_asked(url, client):
    index(CORPUS, "--index", url, "--shards", "3", "--replicas", "0")
    assert layout(client, url)[1] == {"number_of_shards": "3", "number_of_replicas": "0",
                                      "auto_expand_replicas": "false"}
    with open_archive(url) as archive:  # every shard answers: the whole archive is there
        assert (archive.stats().articles, archive.stats().comments) == (1, 9)


@pytest.mark.opensearch
def test_by_default_one_shard_and_a_replica_only_when_the_cluster_has_room(url, client):
    index(CORPUS, "--index", url)
    assert layout(client, url)[1] == {"number_of_shards": "1", "number_of_replicas": "0",
                                      "auto_expand_replicas": "0-1"}
    assert client.cluster.health(index=url.rsplit("/", 1)[1])["status"] == "green"  # one node: no replica


@pytest.mark.opensearch
def test_an_incremental_run_keeps_the_shards_and_sets_replicas_in_place(url, client):
    index(CORPUS, "--index", url, "--shards", "2")
    physical, _ = layout(client, url)
    result = index(CORPUS, "--index", url, "--shards", "3", code=2)
    assert result.stderr == (f"searchkit: {url}: the index has 2 shard(s), and shards are set when an index is "
                             "built: add --rebuild to build it again with --shards 3\n")
    index(CORPUS, "--index", url, "--shards", "2")  # what it has: nothing to say
    result = index(CORPUS, "--index", url, "--replicas", "1")
    assert notes(result) == [
        "note: the index now has 1 replica(s) of each shard (before: automatic, 0-1)",
        "note: 1 replica(s) of each shard need 2 data nodes and the cluster has 1: a replica is never on its "
        "primary's node, so the index stays yellow until nodes join",
    ]
    assert layout(client, url) == (physical, {"number_of_shards": "2", "number_of_replicas": "1",
                                              "auto_expand_replicas": "false"})
    assert "files: 0 added, 0 updated, 0 removed, 1 unchanged" in result.stderr.splitlines()
    result = index(CORPUS, "--index", url, "--replicas", "0")
    assert notes(result) == ["note: the index now has 0 replica(s) of each shard (before: 1)"]
    assert layout(client, url)[1]["number_of_replicas"] == "0"


@pytest.mark.opensearch
def test_a_rebuild_keeps_the_layout_unless_told_and_swaps_the_alias(url, client):
    index(CORPUS, "--index", url, "--shards", "2", "--replicas", "0")
    first, _ = layout(client, url)
    index(CORPUS, "--index", url, "--rebuild")
    second, settings = layout(client, url)
    assert second != first and settings == {"number_of_shards": "2", "number_of_replicas": "0",
                                             "auto_expand_replicas": "false"}
    index(CORPUS, "--index", url, "--rebuild", "--shards", "3")
    third, settings = layout(client, url)
    assert third != second and settings["number_of_shards"] == "3" and settings["number_of_replicas"] == "0"
    assert not client.indices.exists(index=first) and not client.indices.exists(index=second)
    with open_archive(url) as archive:
        assert archive.stats().comments == 9


def test_a_folder_index_refuses_shards_and_replicas_before_reading_anything(tmp_path):
    folder = tmp_path / "ix"
    for option in ("--shards", "--replicas"):
        result = index(CORPUS, "--index", folder, option, "2", code=2)
        assert result.stderr == (f"searchkit: {folder}: --shards and --replicas lay out an OpenSearch index "
                                 "(--index http://host:9200/name); a folder index has neither\n")
    assert not folder.exists()


def test_shards_must_be_a_positive_number(tmp_path):
    result = index(CORPUS, "--index", tmp_path / "ix", "--shards", "0", code=2)
    assert result.stderr.splitlines()[-1] == "Error: Invalid value for '--shards': 0 is not in the range 1<=x<=1024."


# --- the commit marker: current() and Archive.refresh -------------------------------------------------


def index_elsewhere(*args) -> subprocess.CompletedProcess:
    """``searchkit index`` run by another process, as a cron job next to a running ``searchkit serve``."""
    done = subprocess.run([sys.executable, "-m", "searchkit", "index", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done


@pytest.mark.opensearch
@pytest.mark.timeout(600)
def test_a_reader_notices_another_process_commit_and_refresh_reads_it(url, client, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "000_caa8075c1ef2035a.txt", corpus)
    index(corpus, "--index", url)
    engine = OpenSearchEngine(url)
    with open_archive(url) as archive:
        assert engine.current()
        assert archive.search("vaccin", limit=None).total == 2
        assert "files: 0 added, 0 updated, 0 removed, 1 unchanged" in index_elsewhere(corpus, "--index", url).stderr
        assert engine.current()  # a run with nothing to write commits nothing: readers keep what they have

        shutil.copy(THREADS, corpus)
        index_elsewhere(corpus, "--index", url)
        assert not engine.current()
        before = archive._engine
        archive.refresh()
        assert archive._engine is not before and archive._engine.current()
        assert (archive.stats().articles, archive.stats().comments) == (1 + 4, 9 + 7)
        assert archive.search("vaccin", limit=None).total == 2 + 5

        index_elsewhere(corpus, "--index", url, "--rebuild")  # the alias moves to a new build
        assert not archive._engine.current()
        archive.refresh()
        assert archive._engine.current() and archive._engine.index == layout(client, url)[0]
        # An engine never refreshed still answers, every request following the alias once its build is gone.
        assert not client.indices.exists(index=engine.index)
        assert engine.doc_frequency("vaccin") == archive._engine.doc_frequency("vaccin") > 0
        assert engine.index == archive._engine.index
    engine.close()
