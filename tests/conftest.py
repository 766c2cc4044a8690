import os
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest_plugins = ["opensearch_node"]

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TESTS = Path(__file__).resolve().parent
# The seed sample alone (corpus/ also holds the demo's WXR export): the corpus most tests index.
CORPUS = Path(__file__).resolve().parent / "fixtures" / "seed"
SHARED = ROOT.parent / "shared"
SAMPLE = CORPUS / "000_caa8075c1ef2035a.txt"
CORPORA = SHARED / "corpora"

# Two tiers. The core tier needs only what the repository holds. The real-data
# tier (tests marked ``shared``, or using a fixture built from ../shared) reads
# the archives in ../shared/corpora: outside CI a missing ../shared leaves that
# tier out with one line saying so; with CI=true it is an error, so CI always
# runs everything.
SHARED_FIXTURES = {"bitcoinfrance_index", "alienlebarge_index", "generated"}
ELTEC = CORPORA / "eltec-fra-paragraphs.tsv.xz"
GENERATED_SIZE = 700  # documents: enough posts for several files and job batches


def _in_shared_tier(item) -> bool:
    return item.get_closest_marker("shared") is not None or bool(SHARED_FIXTURES & set(item.fixturenames))


def pytest_collection_modifyitems(config, items):
    if CORPORA.is_dir():
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"CI=true but {CORPORA} is missing: the real-data tier must run in CI")
    left_out = [item for item in items if _in_shared_tier(item)]
    if left_out:
        items[:] = [item for item in items if not _in_shared_tier(item)]
        config.hook.pytest_deselected(items=left_out)
        config._searchkit_left_out = len(left_out)


def pytest_terminal_summary(terminalreporter, config):
    n = getattr(config, "_searchkit_left_out", 0)
    if n:
        terminalreporter.write_line(
            f"real-data tier left out: {CORPORA} is missing ({n} tests); CI runs them", yellow=True)


@pytest.fixture
def runner():
    return CliRunner()


def build_index(tmp_path_factory, name: str, path: Path) -> Path:
    """Index ``path`` through the CLI into a fresh temporary index; fail loudly if it does not."""
    from searchkit.cli import main

    ix = tmp_path_factory.mktemp(name) / "index"
    result = CliRunner().invoke(main, ["index", str(path), "--index", str(ix)])
    assert result.exit_code == 0, result.output
    return ix


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory):
    """An index of the bundled corpus, built once through the CLI."""
    return build_index(tmp_path_factory, "sample", CORPUS)


THREADS = FIXTURES / "threads"
BITCOINFRANCE = SHARED / "corpora" / "bitcoinfrance-wordpress.xml"


@pytest.fixture(scope="session")
def threads_index(tmp_path_factory):
    """An index of tests/fixtures/threads (a small WXR export with threaded replies)."""
    return build_index(tmp_path_factory, "threads", THREADS)


@pytest.fixture(scope="session")
def bitcoinfrance_index(tmp_path_factory):
    """An index of the real threaded archive bitcoinfrance-wordpress.xml (107 replies)."""
    return build_index(tmp_path_factory, "bitcoinfrance", BITCOINFRANCE)


class IndexWriter:
    """Posts written straight into a fresh index, as tests build small indexes (``ingest.index_posts``)."""

    def __init__(self, index_dir, rebuild: bool = True):
        self.index_dir = index_dir
        self.posts: list = []

    def add_post(self, post) -> None:
        self.posts.append(post)

    def commit(self) -> None:
        from searchkit.ingest import index_posts

        index_posts(self.posts, self.index_dir, rebuild=True)


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    """A benchmark corpus (benchmarks/corpus.py, seed 7) built once from ELTeC: (folder, its manifest)."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import corpus as bench_corpus

    out = tmp_path_factory.mktemp("bench") / "corpus"
    return out, bench_corpus.build(GENERATED_SIZE, out, ELTEC, seed=7)


def stored_documents(index_dir):
    """Every document of the index's last commit, through the engine (for checks)."""
    from searchkit.engine import open_engine

    engine = open_engine(str(index_dir))
    try:
        return list(engine.documents())
    finally:
        engine.close()


def peak_rss_kib() -> int:
    """This process's own peak RSS since it started (VmHWM), in KiB.

    ``getrusage``'s ru_maxrss is no use in a child process: Linux carries the
    peak of the forked parent (pytest, hundreds of MB) over exec.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


# Runs ``searchkit`` in a child and prints its own peak RSS on stderr as it exits.
CLI_WITH_PEAK_RSS = (
    "import atexit, sys\n"
    "from conftest import peak_rss_kib\n"
    "atexit.register(lambda: print(f'peak-rss-kib: {peak_rss_kib()}', file=sys.stderr))\n"
    "from searchkit.cli import main\n"
    "main()\n"
)
