"""`searchkit show ID` (one document in full) and `show ID --thread` (the whole post)."""

import json

from searchkit.cli import main


def run(runner, index, *args):
    return runner.invoke(main, [*args, "--index", str(index)])


def find(runner, index, query, *args):
    result = run(runner, index, "search", query, "--flat", "--json", "-n", "0", *args)
    return [json.loads(line) for line in result.stdout.splitlines()]


def indent(line):
    return len(line) - len(line.lstrip(" "))


def test_show_prints_the_whole_text_and_every_field(runner, threads_index):
    article = find(runner, threads_index, '"Health Data Hub"', "--kind", "article")[0]
    result = run(runner, threads_index, "show", article["id"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Le gouvernement confie l’hébergement du Health Data Hub à Microsoft Azure." in out
    assert "Les données de santé de millions de patients partent sur un cloud américain." in out
    for value in ("https://blog.example.fr/health-data-hub-microsoft/", "sante-numerique.xml",
                  "redaction", "2020-06-10 09:00", article["id"]):
        assert value in out


def test_show_json_is_one_object_with_the_original_body(runner, threads_index):
    comment = find(runner, threads_index, "formule")[0]
    result = run(runner, threads_index, "show", comment["id"], "--json")
    record = json.loads(result.stdout)
    assert record["body"] == "Merci Paul, je retiens la formule sur le vaccin."
    assert record["author"] == "Marie Dubois"
    assert record["parent_id"] == comment["parent_id"] and record["parent_id"].endswith("-c3")
    assert record["date"] == "2020-06-12T21:30:00"


def test_show_thread_indents_replies_under_their_parent(runner, threads_index):
    article = find(runner, threads_index, '"Health Data Hub"', "--kind", "article")[0]
    result = run(runner, threads_index, "show", article["id"], "--thread")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    heads = {n: next(i for i, line in enumerate(lines) if f"#{n} " in line and article["id"] in line)
             for n in (1, 2, 3, 4)}
    assert heads[1] < heads[3] < heads[4] < heads[2]  # thread order, not file order
    assert indent(lines[heads[1]]) == indent(lines[heads[2]]) == 0
    assert indent(lines[heads[1]]) < indent(lines[heads[3]]) < indent(lines[heads[4]])
    assert lines.index("Le gouvernement confie l’hébergement du Health Data Hub à Microsoft Azure.") < heads[1]


def test_show_thread_of_a_comment_shows_its_post_and_marks_it(runner, threads_index):
    comment = find(runner, threads_index, "formule")[0]
    result = run(runner, threads_index, "show", comment["id"], "--thread")
    assert "Le gouvernement confie l’hébergement" in result.stdout
    marked = [line for line in result.stdout.splitlines() if "▶" in line]
    assert len(marked) == 1 and comment["id"] in marked[0]


def test_show_thread_json_lists_the_post_in_thread_order_with_depths(runner, threads_index):
    article = find(runner, threads_index, '"Health Data Hub"', "--kind", "article")[0]
    result = run(runner, threads_index, "show", article["id"], "--thread", "--json")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["kind"], r["number"], r["depth"]) for r in records] == [
        ("article", None, 0), ("comment", 1, 1), ("comment", 3, 2), ("comment", 4, 3), ("comment", 2, 1)]


def test_show_unknown_id_exits_1_with_a_message(runner, threads_index):
    result = run(runner, threads_index, "show", "000000000000-c9")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no document with id '000000000000-c9'" in result.stderr


def test_show_without_index_exits_2(runner, tmp_path):
    result = run(runner, tmp_path / "none", "show", "abc")
    assert result.exit_code == 2
    assert "no index at" in result.stderr


def test_bitcoinfrance_show_thread_puts_every_reply_right_under_its_parent(runner, bitcoinfrance_index):
    comments = find(runner, bitcoinfrance_index, "bitcoin OR banque OR merci", "--kind", "comment")
    replies = [c for c in comments if c["parent_id"]]
    post_id = max({c["post_id"] for c in replies}, key=lambda p: sum(c["post_id"] == p for c in replies))
    result = run(runner, bitcoinfrance_index, "show", post_id, "--thread", "--json")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records[0]["kind"] == "article" and records[0]["id"] == post_id
    position = {r["id"]: n for n, r in enumerate(records)}
    depth = {r["id"]: r["depth"] for r in records}
    nested = [r for r in records if r["parent_id"] in position]
    assert len(nested) >= 3
    for r in nested:
        # After its parent, one level deeper, and nothing shallower in between.
        p = position[r["parent_id"]]
        assert p < position[r["id"]]
        assert depth[r["id"]] == depth[r["parent_id"]] + 1
        assert all(depth[x["id"]] > depth[r["parent_id"]] for x in records[p + 1:position[r["id"]]])

    terminal = run(runner, bitcoinfrance_index, "show", post_id, "--thread").stdout.splitlines()
    reply = nested[0]
    head = lambda doc_id: next(line for line in terminal if doc_id in line and "#" in line)  # noqa: E731
    assert indent(head(reply["id"])) > indent(head(reply["parent_id"]))


def _comment(n, parent=None):
    from searchkit.model import Document

    return Document(f"p-c{n}", "comment", "p", "T", "", "s", number=n,
                    parent_id=f"p-c{parent}" if parent else None)


def test_thread_order_survives_a_reply_chain_deeper_than_python_recursion():
    from searchkit.search.threads import thread_order

    chain = [_comment(1)] + [_comment(n, n - 1) for n in range(2, 5001)]
    ordered = thread_order(reversed(chain))
    assert [d.number for d, _ in ordered] == list(range(1, 5001))
    assert ordered[-1][1] == 4999


def test_thread_order_keeps_comments_caught_in_a_parent_cycle():
    from searchkit.search.threads import thread_order

    ordered = thread_order([_comment(1), _comment(2, 3), _comment(3, 2)])
    assert sorted(d.number for d, _ in ordered) == [1, 2, 3]
