"""Opening an index checks its files against the sizes its manifest recorded at the commit."""

from __future__ import annotations

import shutil

import pytest

from searchkit.engine.whoosh import manifest, storage


@pytest.fixture
def index_copy(sample_index, tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(sample_index, copy)
    return copy


def test_the_manifest_records_every_file_of_the_commit(index_copy):
    generation, sizes = manifest.info(index_copy)
    assert generation == storage.latest_generation(index_copy)
    assert sizes and all((index_copy / name).stat().st_size == size for name, size in sizes.items())


def test_no_manifest_records_nothing_and_the_index_still_opens(index_copy):
    (index_copy / manifest.MANIFEST_FILE).unlink()
    assert manifest.info(index_copy) is None
    storage.open_index(index_copy).close()


def test_a_truncated_segment_file_is_reported_on_opening(index_copy):
    name, size = next((n, v) for n, v in sorted(manifest.info(index_copy)[1].items()) if n.endswith(".pst"))
    with open(index_copy / name, "r+b") as fh:
        fh.truncate(size - 1)
    with pytest.raises(storage.IndexDamagedError) as err:
        storage.open_index(index_copy)
    assert str(err.value) == (
        f"the index at {index_copy} is damaged (index file {name} is {size - 1} bytes, {size} when written): "
        f"run `searchkit index --rebuild --index {index_copy}` to build it again")
