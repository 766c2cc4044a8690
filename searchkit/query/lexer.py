"""The query text cut into tokens: parentheses, operators, phrases, fields, words.

One pass over the text, left to right, never looking back: the time is linear
in the length of the query (a regular expression over the whole text, as the
old URL finder was, took 95 s on one 64 KB word).

>>> [t.text for t in scan('title:"Privacy Shield" OR (rgpd* NOT x)')]
['title', 'Privacy Shield', 'OR', '(', 'rgpd*', 'NOT', 'x', ')']
>>> [(t.kind, t.text) for t in scan("voir https://example.com/a?b=1, date:[2021 to 2022]")]
[('word', 'voir'), ('url', 'https://example.com/a?b=1'), ('word', ','), ('field', 'date'), ('range', '2021 to 2022')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from searchkit.errors import QueryError
from searchkit.query.tree import FIELD_NAMES

OPERATORS = frozenset(("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"))

# ``name:`` at the start of a word; ``santé : x`` and ``Note: x`` stay words.
_FIELD = re.compile(r"([^\W\d]\w*):")
_URL_START = re.compile(r"(?:https?|ftp)://|www\.", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL_TRAIL = ".,;:!?)»"
# After a phrase: ``~2`` (slop) and ``^2`` (boost), each optional.
_PHRASE_SUFFIX = re.compile(r"(?:~(\d{1,3}))?(?:\^(\d{1,3}(?:\.\d{1,3})?))?")
_BOOST = re.compile(r"\^(\d{1,3}(?:\.\d{1,3})?)$")


@dataclass
class Tok:
    """One token: ``(``, ``)``, ``op``, ``field``, ``empty field``, ``phrase``, ``url``, ``word`` or ``range``."""

    kind: str
    text: str
    slop: int = 1
    boost: float = 1.0


def unknown_field(name: str) -> QueryError:
    return QueryError(
        f"unknown field {name + ':'!r} in the query; the fields are {', '.join(FIELD_NAMES)} "
        f"(put the text in quotes to search it as words)"
    )


def scan(text: str) -> list[Tok]:
    """The tokens of ``text``; an unknown ``field:`` raises ``QueryError``."""
    toks: list[Tok] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "()":
            toks.append(Tok(c, c))
            i += 1
        elif c == '"':
            end = text.find('"', i + 1)
            if end == -1:  # an unbalanced quote: closed at the end
                end = n
            tok = Tok("phrase", text[i + 1:end])
            m = _PHRASE_SUFFIX.match(text, end + 1)
            assert m is not None  # every part of it is optional
            if m.group(1):
                tok.slop = max(1, int(m.group(1)))
            if m.group(2):
                tok.boost = float(m.group(2))
            toks.append(tok)
            i = max(m.end(), end + 1)
        else:
            i = _bare(text, i, toks)
    return toks


def _bare(text: str, i: int, toks: list[Tok]) -> int:
    """Scan what starts at ``i`` (not a space, parenthesis or quote); return where it ends."""
    n = len(text)
    if _URL_START.match(text, i):
        end = i
        while end < n and not text[end].isspace() and text[end] not in '"':
            end += 1
        while end > i and text[end - 1] in _URL_TRAIL:  # « (voir https://x.fr). »
            end -= 1
        toks.append(Tok("url", text[i:end]))
        return end
    m = _FIELD.match(text, i)
    if m:
        name, after = m.group(1), m.end()
        follows = text[after] if after < n else ""
        if follows and not follows.isspace() and follows not in ":)":
            if name.lower() not in FIELD_NAMES:
                raise unknown_field(name)
            toks.append(Tok("field", name.lower()))
            if name.lower() == "date" and follows == "[":
                close = text.find("]", after)
                close = n if close == -1 else close
                toks.append(Tok("range", text[after + 1:close].strip()))
                return close + 1
            return after
        if name.lower() in FIELD_NAMES or not follows or follows == ")":
            # ``title:`` with nothing right after it: the parser says so.
            if name.lower() not in FIELD_NAMES:
                raise unknown_field(name)
            toks.append(Tok("empty field", name.lower()))
            return after
    end = i
    while end < n and not text[end].isspace() and text[end] not in '()"':
        end += 1
    word = text[i:end]
    if word in OPERATORS:
        toks.append(Tok("op", word))
        return end
    trimmed = word.rstrip(_URL_TRAIL)
    if "@" in trimmed and _EMAIL.fullmatch(trimmed):
        toks.append(Tok("url", trimmed))
        return i + len(trimmed)
    tok = Tok("word", word)
    b = _BOOST.search(word)
    if b and b.start() > 0:
        tok.text, tok.boost = word[:b.start()], float(b.group(1))
    toks.append(tok)
    return end
