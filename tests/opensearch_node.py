"""Pytest plugin: one real OpenSearch node for the whole test run, and 3-node clusters on demand."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

NODE_PY = Path(__file__).resolve().parent.parent / "tools" / "opensearch" / "node.py"


def _load_node_module() -> ModuleType:
    # tools/ is not a package: load node.py by path, under a name no other module uses.
    spec = importlib.util.spec_from_file_location("searchkit_tools_opensearch_node", NODE_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


node_py = _load_node_module()


# Tests in the OpenSearch tier: marked ``opensearch`` or using one of these fixtures.
NODE_FIXTURES = {"opensearch_node", "opensearch_url", "opensearch_cluster"}
_LEFT_OUT = pytest.StashKey[str]()  # the summary line, when the tier was left out


def why_left_out() -> str | None:
    """Outside CI, why the OpenSearch tier cannot run here (None when it can, and always with CI=true).

    With CI=true nothing is left out: a missing java or mvn then fails the build or the start, as an error.
    """
    if os.environ.get("CI") == "true":
        return None
    # Once built, a node needs java only; the first build also needs mvn.
    missing = [tool for tool in node_py.missing_tools() if tool == "java" or not node_py.is_built()]
    return f"{' and '.join(missing)} not found on PATH" if missing else None


def require_java() -> None:
    """Skip the calling test or fixture when :func:`why_left_out` says the tier cannot run."""
    reason = why_left_out()
    if reason:
        pytest.skip(f"OpenSearch tier left out: {reason}")


def _in_tier(item: pytest.Item) -> bool:
    return item.get_closest_marker("opensearch") is not None or bool(
        NODE_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = why_left_out()
    left_out = [item for item in items if _in_tier(item)] if reason else []
    if left_out:
        items[:] = [item for item in items if not _in_tier(item)]
        config.hook.pytest_deselected(items=left_out)
        config.stash[_LEFT_OUT] = f"OpenSearch tier left out: {reason} ({len(left_out)} tests); CI runs them"


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    line = config.stash.get(_LEFT_OUT, None)
    if line:
        terminalreporter.write_line(line, yellow=True)



def http(method: str, url: str, body: Any = None, *, timeout: float = 60) -> tuple[int, Any]:
    """One JSON request: (status, decoded body). A list body is sent as NDJSON (for _bulk)."""
    if isinstance(body, list):
        data: bytes | None = "".join(json.dumps(line) + "\n" for line in body).encode()
        ctype = "application/x-ndjson"
    else:
        data = None if body is None else json.dumps(body).encode()
        ctype = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": ctype})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def ok(method: str, url: str, body: Any = None, *, timeout: float = 60) -> Any:
    """Like :func:`http`, but the request must succeed (a 2xx) and a _bulk must have no item errors.

    The answer is an object, or a list for the _cat APIs (``?format=json``)."""
    status, answer = http(method, url, body, timeout=timeout)
    assert 200 <= status < 300, f"{method} {url} -> {status}: {answer}"
    assert not (isinstance(answer, dict) and answer.get("errors")), f"{method} {url} had item errors: {answer}"
    return answer


@pytest.fixture(scope="session")
def opensearch_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One single-node cluster for the whole run: free ports, data in a temp folder, green, stopped at the end."""
    require_java()
    node_py.build()
    http_port, transport_port = node_py.free_ports(2)
    node = node_py.start_node("test-node", http_port, transport_port, tmp_path_factory.mktemp("opensearch"),
                              cluster_name="searchkit-test", heap="1g")
    try:
        node.wait_for("green", timeout=180)
        yield node
    finally:
        node.stop()


@pytest.fixture(scope="session")
def opensearch_url(opensearch_node: Any) -> str:
    """The URL of the session's node, e.g. ``http://127.0.0.1:41234``."""
    return str(opensearch_node.url)


# A running node to use instead of starting one (development): its URL in this variable.
TEST_NODE_ENV = "SEARCHKIT_TEST_OPENSEARCH"


@pytest.fixture(scope="module")
def node_url(request: pytest.FixtureRequest) -> str:
    """The node the engine's tests use: $SEARCHKIT_TEST_OPENSEARCH if set, else the session's own."""
    return os.environ.get(TEST_NODE_ENV) or request.getfixturevalue("opensearch_url")


@pytest.fixture(scope="module")
def os_client(node_url: str) -> Iterator[Any]:
    """An opensearch-py client of the test node, for a module's checks and clean-up."""
    from opensearchpy import OpenSearch

    client = OpenSearch(node_url)
    yield client
    client.close()


@pytest.fixture
def fresh_index_url(node_url: str, os_client: Any, request: pytest.FixtureRequest) -> Iterator[str]:
    """A new index URL for one test; its indexes, lock and commit marker are deleted after (the node stays green)."""
    import uuid

    from searchkit.engine.opensearch.lock import CONTROL_INDEX

    prefix = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_opensearch_").replace("_", "-")
    name = f"test-{prefix}-{uuid.uuid4().hex[:8]}"
    yield f"{node_url}/{name}"
    os_client.indices.delete(index=f"{name}*", ignore_unavailable=True, expand_wildcards="all")
    for doc in (name, f"{name}:commit"):
        os_client.delete(index=CONTROL_INDEX, id=doc, ignore=[404])


def start_test_cluster(base_dir: Path, n: int = 3) -> list[Any]:
    """Start an ``n``-node cluster (512 MB heap each) under ``base_dir``, green; the caller stops it."""
    require_java()
    return list(node_py.start_cluster(n, base_dir, cluster_name="searchkit-test-cluster", heap="512m"))


@pytest.fixture
def opensearch_cluster(tmp_path: Path) -> Iterator[list[Any]]:
    """A green 3-node cluster for one test (each node its own JVM, so a test may kill one), stopped after."""
    nodes = start_test_cluster(tmp_path / "cluster")
    try:
        yield nodes
    finally:
        for node in nodes:
            node.stop()
