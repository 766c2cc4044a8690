"""Every error a user can meet outside the query language, by its exact text (the query's own are in test_query_language.py).

Each row is a command line and the one stderr line it must print; the exit
code is 2 unless the row says otherwise (an unknown id is 1, like nothing found).
"""

from __future__ import annotations

import shutil

import pytest
from conftest import CORPUS, FIXTURES

from searchkit.cli import main


@pytest.fixture(scope="module")
def places(tmp_path_factory, sample_index):
    root = tmp_path_factory.mktemp("errors")
    (root / "a-file").write_text("not a folder")
    (root / "notes").mkdir()
    (root / "notes" / "todo.md").write_text("mes notes")
    (root / "photo.txt").write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8)
    shutil.copy(FIXTURES / "pagedump" / "one-comment.txt", root / "billet.txt")
    return {"root": root, "ix": sample_index}


CASES = [
    # (arguments, expected stderr with {ix} and {root} filled in, exit code)
    (["search", "santé", "--index", "{root}/nowhere"],
     "searchkit: no index at {root}/nowhere: run `searchkit index PATH --index {root}/nowhere` to build one "
     "(or set SEARCHKIT_INDEX to the index to use)", 2),
    (["index", "{root}/billet.txt", "--index", "{root}/a-file"],
     "searchkit: {root}/a-file is a file, not an index folder: choose another --index", 2),
    (["index", "{root}/billet.txt", "--index", "{root}/notes"],
     "searchkit: {root}/notes holds files that are not a searchkit index: refusing to write an index into it; "
     "choose another --index folder", 2),
    (["show", "nope", "--index", "{ix}"], "searchkit: no document with id 'nope' in {ix}", 1),
    (["search", "santé", "--source", "*.warc", "--index", "{ix}"],
     "searchkit: --source: no indexed source matches '*.warc' (see `searchkit stats` for the sources)", 2),
    (["search", "santé", "--author", "«»", "--index", "{ix}"], "searchkit: --author: '«»' holds no word to search for", 2),
    (["search", "santé", "--since", "2021-13", "--index", "{ix}"],
     "searchkit: --since: '2021-13' is not a date: write 2021, 2021-02, 2021-02-19 or 19/02/2021", 2),
    (["search", "santé", "--since", "2022", "--until", "2021", "--index", "{ix}"],
     "searchkit: --since 2022 is after --until 2021: nothing can match", 2),
    (["search", "santé", "date:..", "--index", "{ix}"],
     "searchkit: date:.. needs a date on at least one side, e.g. date:2021-01..2021-03", 2),
    (["search", "santé", "--csv", "--json", "--index", "{ix}"],
     "searchkit: choose one output: --csv cannot go with --json or --count", 2),
    (["count", "santé", "--json", "--csv", "--index", "{ix}"], "searchkit: choose one output among --json and --csv", 2),
    (["search", "santé", "--in-article", "x", "--with-comments", "y", "--index", "{ix}"],
     "searchkit: --in-article keeps comments and --with-comments keeps articles: use one of them", 2),
    (["search", "santé", "--index", "http://127.0.0.1:9/blogs"],
     "searchkit: http://127.0.0.1:9/blogs: the OpenSearch server does not answer (Failed to establish a new "
     "connection: [Errno 111] Connection refused): check the URL and that the server runs", 2),
]


@pytest.mark.parametrize("args, expected, code", CASES, ids=[" ".join(c[0][:2]) + f" #{n}" for n, c in enumerate(CASES)])
def test_error_message(runner, places, args, expected, code):
    fill = {"ix": places["ix"], "root": places["root"]}
    result = runner.invoke(main, [a.format(**fill) for a in args])
    assert result.exit_code == code, result.output
    assert result.stderr == expected.format(**fill) + "\n"


def test_an_unreadable_file_among_good_ones_is_named_with_its_reason(runner, places, tmp_path):
    root = places["root"]
    result = runner.invoke(main, ["index", str(root / "photo.txt"), str(CORPUS), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 2
    assert "error: photo.txt: " in result.stderr
    assert "indexed 1 file(s): 1 articles, 9 comments" in result.stderr
