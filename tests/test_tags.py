"""WordPress categories and tags: searchable with category: and tag:, shown by show and its --json."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES

from searchkit.cli import main

WXR = FIXTURES / "wxr" / "small-blog.xml"


@pytest.fixture(scope="module")
def tagged_index(tmp_path_factory):
    from conftest import build_index

    return build_index(tmp_path_factory, "tags", WXR)


def hits(runner, ix, query):
    result = runner.invoke(main, ["search", query, "--index", str(ix), "--json", "--flat"])
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_category_and_tag_find_the_article_that_carries_them(runner, tagged_index):
    by_category = hits(runner, tagged_index, "category:droit")
    by_tag = hits(runner, tagged_index, "tag:rgpd")
    assert len(by_category) == 1 and by_category[0]["kind"] == "article"
    assert [h["id"] for h in by_tag] == [h["id"] for h in by_category]
    assert hits(runner, tagged_index, "tag:droit") == []  # a category is not a tag


def test_show_prints_them_and_its_json_carries_them(runner, tagged_index):
    doc_id = hits(runner, tagged_index, "tag:rgpd")[0]["id"]
    record = json.loads(runner.invoke(main, ["show", doc_id, "--json", "--index", str(tagged_index)]).stdout)
    assert (record["categories"], record["tags"]) == (["Droit"], ["RGPD"])
    shown = runner.invoke(main, ["show", doc_id, "--index", str(tagged_index)]).stdout
    assert "categories  Droit" in shown and "tags        RGPD" in shown
