"""The help text shared by ``--help`` and ``docs/cli.md``: query language, dates, exit codes, examples.

Paragraphs after a ``\\b`` line are printed as written (click does not rewrap
them); everything here is the one source of the command-line documentation.
"""

from __future__ import annotations

QUERY_LANGUAGE = """\b
Query language (search and count):
  bitcoin monnaie          both words (AND is the default)
  bitcoin OR monnaie       either word
  bitcoin NOT monnaie      the first without the second
  "Privacy Shield"         a phrase, matched as written
  rapatri*                 any word starting with rapatri
  microsft~                a word within one edit (~2: two edits)
  title:Microsoft          one field: title, body, author, kind, date, source
  date:2021-02..2021-06    a date range (see Dates)
  (a OR b) AND c           groups
Accents and case do not matter; l'assurance finds l’Assurance.
A word starting with - is read as an option: put -- before the query
(searchkit search -- -bitcoin), or write NOT bitcoin to leave it out."""

DATES = """\b
Dates (--since, --until, date:):
  2021          the whole year
  2021-02       the whole month
  2021-02-19    one day
--since takes the first day of the period, --until the last."""

EXIT_CODES = """\b
Exit codes:
  0   something matched (or the command did its job)
  1   nothing matched, or no document with that id
  2   an error: bad query, no index, unreadable files, output not written
  130 interrupted (Ctrl-C); the index keeps its last committed state
  143 terminated (SIGTERM), the same clean stop as Ctrl-C"""

ENVIRONMENT = """\b
Environment:
  SEARCHKIT_INDEX   the index folder when there is no --index (else ./index)
  NO_COLOR          no colours on a terminal (matches stay in bold)
  COLUMNS           the width to lay results out in (default: the terminal's)"""

COMPLETION = """\b
Shell completion (bash; zsh and fish likewise with zsh_source, fish_source):
  eval "$(_SEARCHKIT_COMPLETE=bash_source searchkit)"    (in ~/.bashrc)"""

MAIN = f"""Full-text search for archived French blog posts and their reader comments.

\b
Start here:
  searchkit index corpus/ --index index/  index archives (new, changed files)
  searchkit search '"Privacy Shield"'     ranked search, hits under their post
  searchkit show ID --thread              a document and its whole thread
  searchkit count bitcoin --by year       a histogram of matching documents
  searchkit stats                         what the index holds

{QUERY_LANGUAGE}

{DATES}

{ENVIRONMENT}

{EXIT_CODES}

{COMPLETION}"""

INDEX = """Index archive files (default: corpus/) into the index.

Reads WordPress exports (WXR), saved HTML pages, JSON Lines, WARC files and
text page dumps, in files or folders. Only new and changed files are read on
a later run; files gone from a folder are removed from the index.

\b
Examples:
  searchkit index corpus/ --index index/
  searchkit index blog.xml pages/ --index ~/archives/index
  searchkit index --rebuild     a new index, swapped in when complete
  searchkit index corpus/ --index http://127.0.0.1:9200/blogs --shards 3 --replicas 1

Exit 2 when a file could not be read (it is named; the others are indexed)."""

SEARCH = f"""Ranked search of articles and comments; QUERY may be several words.

On a terminal, hits are gathered under their post (--group) with replies
indented; in a pipe, one hit after another (--flat). --json and --csv give
every hit when the output is not a terminal, unless --limit is set.

\b
Examples:
  searchkit search bitcoin monnaie
  searchkit search '"données de santé"' --since 2020 --kind comment
  searchkit search Microsoft --in-article '"Health Data Hub"'
  searchkit search 'title:vaccin OR vaccins' --sort -date -n 20
  searchkit search bitcoin --json --full > hits.jsonl
  searchkit search bitcoin --csv > hits.csv
  searchkit search -- -bitcoin

{QUERY_LANGUAGE}

{DATES}"""

SHOW = """Show one document in full (ID as search prints it), or with --thread its whole post.

\b
Examples:
  searchkit show 07fd83c992e8             an article: every field and its text
  searchkit show 07fd83c992e8-c3 --thread the post, comment 3 marked with ▶
  searchkit show 07fd83c992e8 --thread --json

Exit 1 when no document has that id."""

COUNT = f"""Count matching documents by kind, month, year, author or source (nothing ranked).

--by month and --by year draw a histogram with every period, empty ones included.

\b
Examples:
  searchkit count bitcoin --by year
  searchkit count 'kind:article OR kind:comment' --by month --since 2012
  searchkit count vaccin --by author --json
  searchkit count vaccin --by source --csv > counts.csv

{QUERY_LANGUAGE}

{DATES}"""

STATS = """Show what the index holds: documents by kind, sources and size.

\b
Examples:
  searchkit stats
  SEARCHKIT_INDEX=~/archives/index searchkit stats --json"""
