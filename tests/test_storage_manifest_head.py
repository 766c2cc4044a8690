"""Opening an index checks its files against the manifest's sizes read from its head (``committed_sizes``)."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from searchkit.engine.whoosh import manifest, storage


@pytest.fixture
def index_copy(sample_index, tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(sample_index, copy)
    return copy


def rewrite(index_dir, change) -> None:
    path = index_dir / manifest.MANIFEST_FILE
    path.write_text(change(path.read_text("utf-8")), "utf-8")


def test_the_head_holds_what_the_whole_manifest_holds(index_copy):
    m = manifest.load(index_copy)
    assert m is not None and m.segments and m.files
    assert storage.committed_sizes(index_copy) == (m.generation, m.segments)


def test_any_order_or_spacing_of_the_members_reads_the_same(index_copy):
    m = manifest.load(index_copy)
    data = json.loads((index_copy / manifest.MANIFEST_FILE).read_text("utf-8"))
    reordered = {"files": data["files"], "segments": data["segments"], "generation": data["generation"],
                 "format": data["format"]}
    rewrite(index_copy, lambda _: json.dumps(reordered, indent=3))
    assert storage.committed_sizes(index_copy) == (m.generation, m.segments)


def test_a_head_longer_than_what_is_read_first_is_parsed_whole(index_copy, monkeypatch):
    m = manifest.load(index_copy)
    monkeypatch.setattr(storage, "HEAD_BYTES", 40)  # cuts inside "segments"
    assert storage.committed_sizes(index_copy) == (m.generation, m.segments)


@pytest.mark.parametrize("change", [
    lambda text: text.replace('"format":1', '"format":2'),
    lambda text: re.sub(r'"generation":(\d+)', r'"generation":"\1"', text),  # read as a number by both
    lambda text: re.sub(r'("segments":\{"[^"]+":)(\d+)', r'\1"\2"', text),
    lambda text: re.sub(r'("segments":\{"[^"]+":)(\d+)', r'\1true', text),
    lambda text: "[]",
    lambda text: "",
])
def test_a_manifest_of_another_shape_reads_as_the_whole_manifest_reads(index_copy, change):
    rewrite(index_copy, change)
    m = manifest.load(index_copy)
    assert storage.committed_sizes(index_copy) == (None if m is None else (m.generation, m.segments))


def test_a_damaged_file_list_does_not_hide_the_sizes(index_copy):
    # The one difference with reading it whole: the sizes are still checked.
    m = manifest.load(index_copy)
    rewrite(index_copy, lambda text: text[:text.index('"files":') + 20])
    assert manifest.load(index_copy) is None
    assert storage.committed_sizes(index_copy) == (m.generation, m.segments)


def test_no_manifest_records_nothing(index_copy):
    (index_copy / manifest.MANIFEST_FILE).unlink()
    assert storage.committed_sizes(index_copy) is None


def test_a_truncated_segment_file_is_reported_on_opening(index_copy):
    name, size = next((n, v) for n, v in sorted(manifest.load(index_copy).segments.items()) if n.endswith(".pst"))
    with open(index_copy / name, "r+b") as fh:
        fh.truncate(size - 1)
    with pytest.raises(storage.IndexDamagedError) as err:
        storage.open_index(index_copy)
    assert str(err.value) == (
        f"the index at {index_copy} is damaged (index file {name} is {size - 1} bytes, {size} when written): "
        f"run `searchkit index --rebuild --index {index_copy}` to build it again")
