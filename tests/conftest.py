from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
SAMPLE = CORPUS / "000_caa8075c1ef2035a.txt"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory):
    """An index of the bundled corpus, built once through the CLI."""
    from searchkit.cli import main

    ix = tmp_path_factory.mktemp("sample") / "index"
    result = CliRunner().invoke(main, ["index", str(CORPUS), "--index", str(ix)])
    assert result.exit_code == 0, result.output
    return ix


THREADS = FIXTURES / "threads"
BITCOINFRANCE = SHARED / "corpora" / "bitcoinfrance-wordpress.xml"


@pytest.fixture(scope="session")
def threads_index(tmp_path_factory):
    """An index of tests/fixtures/threads (a small WXR export with threaded replies)."""
    from searchkit.cli import main

    ix = tmp_path_factory.mktemp("threads") / "index"
    result = CliRunner().invoke(main, ["index", str(THREADS), "--index", str(ix)])
    assert result.exit_code == 0, result.output
    return ix


@pytest.fixture(scope="session")
def bitcoinfrance_index(tmp_path_factory):
    """An index of the real threaded archive bitcoinfrance-wordpress.xml (107 replies)."""
    from searchkit.cli import main

    ix = tmp_path_factory.mktemp("bitcoinfrance") / "index"
    result = CliRunner().invoke(main, ["index", str(BITCOINFRANCE), "--index", str(ix)])
    assert result.exit_code == 0, result.output
    return ix
