"""`search --group`: hits gathered under their article, comments in thread order."""

import json

from conftest import BITCOINFRANCE
from lxml import etree

from searchkit.cli import main

WP = "{http://wordpress.org/export/1.2/}"


def run(runner, index, *args):
    return runner.invoke(main, [*args, "--index", str(index)])


def indent(line):
    return len(line) - len(line.lstrip(" "))


def line_with(lines, text):
    matches = [n for n, line in enumerate(lines) if text in line]
    assert len(matches) == 1, (text, lines)
    return matches[0]


def test_grouped_output_indents_a_reply_under_its_parent(runner, threads_index):
    result = run(runner, threads_index, "search", "trahison", "--group")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    parent = line_with(lines, "#1 Marie Dubois")
    reply = line_with(lines, "#3 Paul")
    assert parent < reply
    assert indent(lines[reply]) > indent(lines[parent])
    assert "↳" in lines[reply]


def test_grouped_comments_follow_the_thread_not_the_file_order(runner, threads_index):
    # In the export, Jeanne's comment (#2) comes before Paul's reply to Marie (#3).
    result = run(runner, threads_index, "search", "trahison OR Conseil OR formule", "--group")
    lines = result.stdout.splitlines()
    order = [line_with(lines, f"#{n} ") for n in (1, 3, 4, 2)]
    assert order == sorted(order)


def test_a_matching_reply_shows_its_non_matching_parent_as_context(runner, threads_index):
    result = run(runner, threads_index, "search", "formule", "--group")
    lines = result.stdout.splitlines()
    # Only #4 matches; #1 and #3 are shown, snippet-less, so #4 sits under them.
    assert "(answered below)" in lines[line_with(lines, "#1 Marie Dubois")]
    assert "(answered below)" in lines[line_with(lines, "#3 Paul")]
    assert "formule" in result.stdout
    assert "il n’existe pas de vaccin" not in result.stdout


def test_group_marks_the_article_when_it_matches_too(runner, threads_index):
    result = run(runner, threads_index, "search", "vaccin", "--group")
    lines = result.stdout.splitlines()
    vaccins = lines[line_with(lines, "Vaccins : la campagne commence")]
    hub = lines[line_with(lines, "Le Health Data Hub confié à Microsoft")]
    assert vaccins.startswith("● ")
    assert not hub.startswith("●")
    assert result.stdout.count("article matches:") == 1


def test_group_limit_counts_posts_not_hits(runner, threads_index):
    result = run(runner, threads_index, "search", "vaccin", "--group", "--limit", "1")
    assert result.exit_code == 0
    assert "Vaccins : la campagne commence" in result.stdout
    assert "Health Data Hub" not in result.stdout
    assert result.stdout.count("Enfin le vaccin") == 1 and "vaccin est gratuit" in result.stdout
    assert "5 hit(s) in 2 post(s), 1 shown" in result.stderr


def test_flat_is_the_default_when_output_is_not_a_terminal(runner, threads_index):
    result = run(runner, threads_index, "search", "vaccin")
    assert result.stdout.count("\ncomment  ") + result.stdout.startswith("comment  ") == 4
    assert "5 hit(s)" in result.stderr and "post(s)" not in result.stderr


def test_group_is_the_default_on_a_terminal(runner, threads_index, monkeypatch):
    monkeypatch.setattr("searchkit.output.stdout_is_terminal", lambda: True)
    monkeypatch.setenv("NO_COLOR", "1")
    result = run(runner, threads_index, "search", "vaccin")
    assert "in 2 post(s)" in result.stderr
    assert result.stdout.startswith("● Vaccins")


def test_group_json_has_one_object_per_post_with_its_hits_in_thread_order(runner, threads_index):
    result = run(runner, threads_index, "search", "vaccin", "--group", "--json")
    posts = [json.loads(line) for line in result.stdout.splitlines()]
    assert [p["title"] for p in posts] == ["Vaccins : la campagne commence", "Le Health Data Hub confié à Microsoft"]
    hub = posts[1]
    assert hub["article_matches"] is False and hub["comment_count"] == 4
    assert [(h["number"], h["depth"]) for h in hub["hits"]] == [(3, 1), (4, 2)]


def test_groups_are_ranked_by_their_best_hit(runner, bitcoinfrance_index):
    flat = run(runner, bitcoinfrance_index, "search", "banque", "--flat", "--json", "--limit", "0")
    grouped = run(runner, bitcoinfrance_index, "search", "banque", "--group", "--json", "--limit", "5")
    first_post_of_each = []
    for hit in map(json.loads, flat.stdout.splitlines()):
        if hit["post_id"] not in first_post_of_each:
            first_post_of_each.append(hit["post_id"])
    assert [json.loads(line)["post_id"] for line in grouped.stdout.splitlines()] == first_post_of_each[:5]


def _xml_comments():
    """(author, 'YYYY-MM-DD HH:MM') → (wp comment id, wp parent id), straight from the export."""
    tree = etree.parse(str(BITCOINFRANCE))
    found = {}
    for c in tree.iter(f"{WP}comment"):
        if c.findtext(f"{WP}comment_approved") != "1" or c.findtext(f"{WP}comment_type") not in (None, "", "comment"):
            continue
        key = ((c.findtext(f"{WP}comment_author") or "").strip(), c.findtext(f"{WP}comment_date")[:16])
        found[key] = (c.findtext(f"{WP}comment_id"), c.findtext(f"{WP}comment_parent"))
    return found


def test_bitcoinfrance_reply_is_indented_under_the_comment_it_answers(runner, bitcoinfrance_index):
    hits = [json.loads(line) for line in
            run(runner, bitcoinfrance_index, "search", "bitcoin", "--flat", "--json", "-n", "0").stdout.splitlines()]
    by_id = {h["id"]: h for h in hits}
    reply = next(h for h in hits if h["parent_id"] in by_id)
    parent = by_id[reply["parent_id"]]
    # The export itself says that this reply answers that comment.
    xml = _xml_comments()
    key = lambda h: (h["author"] or "", h["date"][:16].replace("T", " "))  # noqa: E731
    assert xml[key(reply)][1] == xml[key(parent)][0]

    result = run(runner, bitcoinfrance_index, "search", "bitcoin", "--group", "-n", "0")
    lines = result.stdout.splitlines()
    p, r = line_with(lines, parent["id"]), line_with(lines, reply["id"])
    assert p < r
    assert indent(lines[r]) > indent(lines[p])
    between = lines[p + 1:r]
    assert all(indent(line) > indent(lines[p]) for line in between)


def test_streamed_groups_print_what_the_whole_records_say(runner, threads_index):
    # The CLI prints a post a comment at a time; the web API builds the whole record: same JSON,
    # same thread, same terminal text.
    from searchkit.api import open_archive
    from searchkit.output.records import group_record, json_line
    from searchkit.output.terminal import render_group
    from searchkit.output.text import Style

    printed = run(runner, threads_index, "search", "vaccin OR microsoft", "--group", "--json").stdout
    with open_archive(threads_index) as archive:
        whole = archive.search_grouped("vaccin OR microsoft", limit=None)
        streamed = archive.search_grouped("vaccin OR microsoft", limit=None, stream=True)
        assert printed == "".join(json_line(group_record(g)) + "\n" for g in whole.groups)
        assert [render_group(g, Style(), 80) for g in streamed.groups] == \
            [render_group(g, Style(), 80) for g in whole.groups]
        assert [len(g.comments) for g in streamed.groups] == [len(g.comments) for g in whole.groups] != []
        thread = archive.thread(whole.groups[1].article.id, stream=True)
        assert [(e.doc.id, e.depth) for e in thread.comments] == \
            [(e.doc.id, e.depth) for e in archive.thread(whole.groups[1].article.id).comments]
