"""Standard output and error full, closed or gone, through a real process: a clear message and the
right exit code, never a traceback (issue 13, streams)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES

SEARCHKIT = str(Path(sys.executable).parent / "searchkit")
FULL = "searchkit: cannot write the results to standard output (No space left on device)\n"


def shell(command: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120, **kwargs)


needs_dev_full = pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")


@needs_dev_full
@pytest.mark.parametrize("args", [
    "search vaccin",
    "search vaccin --json -n 0",
    "search vaccin --csv",
    "search vaccin --group",
    "count vaccin --by month",
    "stats",
])
def test_stdout_on_a_full_device_is_a_clear_error(threads_index, args):
    result = shell(f"{SEARCHKIT} {args} --index {threads_index} > /dev/full")
    assert result.returncode == 2
    assert result.stderr == FULL


@needs_dev_full
def test_stderr_on_a_full_device_keeps_the_exit_code_of_the_hits(threads_index):
    result = shell(f"{SEARCHKIT} search vaccin --index {threads_index} > /dev/null 2> /dev/full")
    assert result.returncode == 0
    nothing = shell(f"{SEARCHKIT} search zygomatique --index {threads_index} > /dev/null 2> /dev/full")
    assert nothing.returncode == 1


def test_stdout_closed_is_an_error_not_ten_shown(threads_index):
    result = shell(f"{SEARCHKIT} search vaccin --index {threads_index} >&-")
    assert result.returncode == 2
    assert result.stderr == "searchkit: standard output is closed: the results cannot be written\n"


def test_index_errors_read_by_a_reader_that_went_away_still_exit_2(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "pagedump", corpus)
    # `searchkit index corpus 2>&1 | head -1`: the reader leaves after one line
    result = shell(f"{SEARCHKIT} index {corpus} --index {tmp_path / 'ix'} 2>&1 | head -1; exit ${{PIPESTATUS[0]}}")
    assert result.returncode == 2
    assert result.stdout.startswith("error: ")


def test_index_errors_into_a_closed_pipe_exit_2(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "pagedump", corpus)
    child = subprocess.Popen([SEARCHKIT, "index", str(corpus), "--index", str(tmp_path / "ix")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stderr.close()  # nobody reads stderr: every note meets a broken pipe
    child.stdout.close()
    assert child.wait(timeout=120) == 2


def test_hits_into_a_closed_pipe_end_quietly(threads_index):
    child = subprocess.Popen([SEARCHKIT, "search", "vaccin", "--json", "-n", "0", "--index", str(threads_index)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdout.close()
    err = child.stderr.read().decode()
    assert child.wait(timeout=120) == 0
    assert "Traceback" not in err and "Exception ignored" not in err


def test_head_reads_one_hit_and_nothing_complains(threads_index):
    result = shell(f"{SEARCHKIT} search vaccin OR Microsoft --json -n 0 --index {threads_index} | head -1")
    assert result.returncode == 0
    assert result.stdout.count("\n") == 1
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
