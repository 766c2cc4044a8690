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


def _reference_thread_order(comments):
    """The straightforward thread order (sets, dicts and key tuples a comment) that ``thread_positions``,
    made of a few arrays, must give exactly."""
    docs = sorted(comments, key=lambda d: (d.number if d.number is not None else float("inf"),
                                           d.date.isoformat() if d.date else "", d.id))
    ids = {d.id for d in docs}
    children = {}
    for d in docs:
        children.setdefault(d.parent_id if d.parent_id in ids and d.parent_id != d.id else None, []).append(d)
    ordered, seen = [], set()

    def visit(root):
        stack = [(root, 0)]
        while stack:
            doc, depth = stack.pop()
            if doc.id not in seen:
                seen.add(doc.id)
                ordered.append((doc, depth))
                stack.extend((child, depth + 1) for child in reversed(children.get(doc.id, ())))

    for root in children.get(None, ()):
        visit(root)
    for d in docs:
        visit(d)
    return ordered


def test_thread_positions_order_messy_threads_as_the_reference_does():
    """Shared ids, missing, empty and self parents, cycles, missing numbers and dates, dates with and without
    a time zone: the same order, depths, and the place of each comment's given parent."""
    import random
    from datetime import datetime, timedelta, timezone

    from searchkit.records import Outline
    from searchkit.search.threads import thread_order, thread_positions

    rng = random.Random(13)
    for _ in range(2000):
        n = rng.randint(0, 25)
        ids = [f"c{rng.randint(0, n)}" for _ in range(n)]
        zone = rng.choice([None, None, timezone(timedelta(hours=rng.choice([0, 1, -2])))])

        def date(zone=zone):
            if rng.random() < 0.3:
                return None
            seconds = rng.choice([0, 0.5, 1, 60, 86400]) * rng.randint(0, 3)
            return (datetime(2020, 1, 1) + timedelta(seconds=seconds)).replace(tzinfo=zone and rng.choice([zone, None]))

        comments = [Outline(ids[k], "comment", rng.choice([None, "", rng.choice(ids), f"c{rng.randint(0, n + 3)}"]),
                            rng.choice([None, rng.randint(0, 5)]), date(), k) for k in range(n)]
        expected = [(o.ref, depth) for o, depth in _reference_thread_order(comments)]
        assert [(o.ref, depth) for o, depth in thread_order(comments)] == expected
        reading, depths, parents = thread_positions(comments)
        assert list(zip(reading, depths, strict=True)) == expected
        place = {comments[i].id: k for k, i in enumerate(reading)}
        assert list(parents) == [place.get(comments[i].parent_id, -1) if comments[i].parent_id else -1
                                 for i in reading]
