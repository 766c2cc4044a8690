"""Property: whatever is typed, searching raises nothing but ``QueryError``, with a message of its own.

Thousands of generated queries (any Unicode, and mixes of operators, quotes,
parentheses, fields, wildcards, apostrophes and French words) run against a
real small index, with snippets and did-you-mean as the CLI runs them.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_query import build_query_index

from searchkit.api import open_archive
from searchkit.errors import QueryError

PIECES = [
    "AND", "OR", "NOT", "and", "or", "not", "ANDNOT", "ANDMAYBE", "TO", "to", "(", ")", '"', "'", "’", "«", "»",
    "*", "?", "~", "~2", "^2", "-", "+", ":", "..", "[", "]", "{", "}", "<", ">", "=", "\\", "/", ",", ";", "!",
    "title:", "body:", "author:", "kind:", "kind:comment", "date:", "date:2021", "date:2021-01..2021-03",
    "date:[2021 to 2022]", "date:>2020", "source:", "id:", "post_id:", "foo:", "http://", "https://x.fr/a?b=1",
    "a@b.fr", "c'est", "l’État", "aujourd'hui", "données", "DONNÉES", "microsoft", "rapatri*", "donn*", "vacin~",
    "R.G.P.D.", "États-Unis", "19/02/2021", "été", "les", "œuvre", "\u00a0", "\u202f", "👍", "\x00", "\u0301",
    "\t", "\n", " ", "", "wifi~1/5", "bitcoin~5", "naïve~9", "date:2013-02-30", "date:hier", "date:0001..0001",
    "e-mail", "crypto-monnaie", "jusqu'à", "tag:", "category:bitcoin", "x^2", '"a b"~2', "((", "))",
]
# Text that only a Python or Whoosh internal error would put in a message, and
# the old catch-all's wording: none of it may reach a user.
INTERNAL = ("cannot parse", "Traceback", "list index", "unexpected keyword", "has no attribute", "object is not",
            "NoneType", "Error(", "whoosh")

piece_queries = st.lists(st.sampled_from(PIECES), max_size=8).map(lambda xs: " ".join(xs)) | \
    st.lists(st.sampled_from(PIECES), max_size=8).map("".join)
any_text = st.text(max_size=40)
mixed = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=8).map(" ".join)


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    ix = build_query_index(tmp_path_factory.mktemp("fuzz") / "index")
    with open_archive(ix) as s:
        yield s


def run(searcher, text):
    try:
        results = searcher.search(text, limit=3)
        searcher.did_you_mean(text, found=results.total)
    except QueryError as exc:
        message = str(exc)
        assert message and not any(bit in message for bit in INTERNAL), message


FUZZ = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.slow
@FUZZ
@given(text=any_text)
def test_any_unicode_query_raises_only_query_error(searcher, text):
    run(searcher, text)


@pytest.mark.slow
@FUZZ
@given(text=piece_queries)
def test_operator_soup_raises_only_query_error(searcher, text):
    run(searcher, text)


@pytest.mark.slow
@FUZZ
@given(text=mixed)
def test_syntax_mixed_with_unicode_raises_only_query_error(searcher, text):
    run(searcher, text)
