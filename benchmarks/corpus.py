"""Deterministic benchmark corpora of French blog posts, built from ELTeC prose.

Part of the benchmark only (nothing in ``searchkit`` imports it). Real French
paragraphs from the public-domain ELTeC novels (``../shared/corpora/
eltec-fra-paragraphs.tsv.xz``) are cut into blog posts written as JSON Lines,
one post a line, in the schema ``searchkit.readers.jsonl`` reads::

    {"id", "title", "body", "url", "author", "date": "YYYY-MM-DDTHH:MM:SS",
     "comments": [{"id", "parent", "author", "date", "body"}]}

An article is 5–15 consecutive paragraphs of one novel, followed by 0–40
comments of one paragraph each; dates spread over 2015–2021. A known set of
documents gets a sentence naming the "Privacy Shield" (the phrase never occurs
in ELTeC), some bodies have their accents stripped and some their ASCII
apostrophes typed as ’, as in real archives. The same ``size`` and ``seed``
always give byte-identical files, and a manifest (``<out_dir>.json``, beside
the folder so that no search tool scans it) records the counts the benchmark
checks search results against.

>>> strip_accents("Élève à l’église, cœur")
'Eleve a l’eglise, cœur'
"""

from __future__ import annotations

import json
import lzma
import random
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

FORMAT_VERSION = 2  # bump when the generated text changes, so old corpora are rebuilt
# 2: articles start at distinct paragraphs (v1 drew ~n²/2×2.5M identical
#    articles, which searchkit's de-duplication rightly indexed once)
POSTS_PER_FILE = 200
PHRASE = "Privacy Shield"
# Sentences planted in documents; each holds PHRASE exactly once, spelled as is.
PLANTED = (
    "Le Privacy Shield a été invalidé par la Cour de justice, rappelons-le.",
    "On nous parle encore du Privacy Shield, mais qui y croit ?",
    "Après le Privacy Shield, que reste-t-il pour nos données ?",
    "C’est exactement ce que disait la CNIL à propos du Privacy Shield.",
)
FIRST_NAMES = ("Jeanne Pierre Marie Louis Camille Hélène Étienne Zoé Benoît Agnès Noël Françoise "
               "Mathieu Léa Hugo Inès Gaëlle Jérôme Chloé Rémi").split()
LAST_NAMES = ("Martin Bernard Dubois Lefèvre Girard Moreau Laurent Fournier Rousseau Mercier "
              "Chevalier Blanc Guérin Faure André Gauthier Perrin Roux Bonnet Lemaître").split()
START = datetime(2015, 1, 1)
SPAN_SECONDS = 7 * 365 * 24 * 3600
ACCENTLESS_RATE = 0.05  # share of documents whose accents are stripped
CURLY_RATE = 0.30  # share of documents whose ' are typed ’


@dataclass
class Manifest:
    """What a generated corpus holds: the figures results are checked against."""

    size: int
    seed: int
    format_version: int = FORMAT_VERSION
    posts: int = 0
    articles: int = 0
    comments: int = 0
    files: int = 0
    bytes: int = 0
    phrase: str = PHRASE
    phrase_docs: int = 0  # documents holding the phrase
    phrase_comments: int = 0
    phrase_posts: int = 0  # JSON lines holding it: what `rg -c` counts
    accentless_docs: int = 0
    curly_docs: int = 0
    file_names: list[str] = field(default_factory=list)

    @property
    def documents(self) -> int:
        return self.articles + self.comments


def strip_accents(text: str) -> str:
    """Remove combining accents, keeping ligatures and punctuation."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def load_paragraphs(tsv_xz: Path) -> list[tuple[str, str]]:
    """(novel, paragraph) pairs in corpus order, headings and scraps left out."""
    out = []
    with lzma.open(tsv_xz, "rt", encoding="utf-8") as fh:
        for line in fh:
            book, _, text = line.rstrip("\n").partition("\t")
            text = text.strip()
            if len(text) >= 40:
                out.append((book, text))
    return out


_WORDS = re.compile(r"[^\W\d_]+(?:[’'-][^\W\d_]+)*")


def title_from(text: str, rng: random.Random) -> str:
    words = _WORDS.findall(text)[: rng.randint(4, 9)]
    title = " ".join(words) or "Sans titre"
    return title[0].upper() + title[1:]


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", strip_accents(title).lower()).strip("-")[:60]


def build(size: int, out_dir: Path, source: Path, seed: int = 2026) -> Manifest:
    """Write a corpus of exactly ``size`` documents (articles + comments) to ``out_dir``."""
    rng = random.Random(seed)
    paragraphs = load_paragraphs(source)
    n_par = len(paragraphs)
    # About 1 document in 1,000 holds the phrase, half of them articles
    # (an article in ~50, a comment in ~2,000); the exact count is in the manifest.
    plant_rate = {False: 0.02, True: 0.0005}
    authors = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    m = Manifest(size=size, seed=seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("posts-*.jsonl"):
        old.unlink()

    def finish(text: str, is_comment: bool) -> tuple[str, bool]:
        has_phrase = False
        if rng.random() < plant_rate[is_comment]:
            sentence = rng.choice(PLANTED)
            text = f"{text} {sentence}" if rng.random() < 0.5 else f"{sentence} {text}"
            m.phrase_docs += 1
            m.phrase_comments += is_comment
            has_phrase = True
        if rng.random() < ACCENTLESS_RATE:
            text = strip_accents(text)
            m.accentless_docs += 1
        if rng.random() < CURLY_RATE:
            text = text.replace("'", "’")
            m.curly_docs += 1
        return text, has_phrase

    doc_no = 0
    lines: list[str] = []

    def flush() -> None:
        name = f"posts-{m.files:05d}.jsonl"
        data = "".join(lines).encode("utf-8")
        (out_dir / name).write_bytes(data)
        m.files += 1
        m.bytes += len(data)
        m.file_names.append(name)
        lines.clear()

    used_starts: set[int] = set()
    while doc_no < size:
        post_no = m.posts
        start = rng.randrange(n_par)
        if len(used_starts) == n_par:  # a corpus bigger than the prose: repeats unavoidable
            used_starts.clear()
        while start in used_starts:  # no two identical articles (see FORMAT_VERSION)
            start = rng.randrange(n_par)
        used_starts.add(start)
        count = rng.randint(5, 15)
        book = paragraphs[start][0]
        paras = [t for b, t in paragraphs[start:start + count] if b == book] or [paragraphs[start][1]]
        title = title_from(paras[0], rng)
        body, post_has = finish("\n\n".join(paras), False)
        doc_no += 1
        date = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
        pid = f"p{post_no:07d}"
        comments = []
        for c in range(min(rng.randint(0, 40), size - doc_no)):
            text, has = finish(paragraphs[rng.randrange(n_par)][1], True)
            post_has |= has
            doc_no += 1
            date_c = date + timedelta(minutes=rng.randint(1, 60 * 24 * 30))
            parent = comments[rng.randrange(len(comments))]["id"] if comments and rng.random() < 0.25 else None
            comments.append({"id": f"{pid}-c{c + 1}", "parent": parent, "author": rng.choice(authors),
                             "date": date_c.strftime("%Y-%m-%dT%H:%M:%S"), "body": text})
        record = {
            "id": pid, "title": title, "body": body,
            "url": f"https://blog.example.fr/{date:%Y/%m}/{slug(title)}-{post_no}/",
            "author": rng.choice(authors), "date": date.strftime("%Y-%m-%dT%H:%M:%S"),
            "comments": comments,
        }
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
        m.posts += 1
        m.articles += 1
        m.comments += len(comments)
        m.phrase_posts += post_has
        if len(lines) == POSTS_PER_FILE:
            flush()
    if lines:
        flush()
    manifest_path(out_dir).write_text(json.dumps(asdict(m), indent=1) + "\n", "utf-8")
    return m


def manifest_path(out_dir: Path) -> Path:
    return out_dir.with_name(out_dir.name + ".json")


def load_manifest(out_dir: Path) -> Manifest | None:
    try:
        data = json.loads(manifest_path(out_dir).read_text("utf-8"))
        return Manifest(**data)
    except (OSError, ValueError, TypeError):
        return None


def ensure(size: int, out_dir: Path, source: Path, seed: int = 2026) -> Manifest:
    """The corpus at ``out_dir``, built unless an identical one is already there."""
    m = load_manifest(out_dir)
    if (m and m.size == size and m.seed == seed and m.format_version == FORMAT_VERSION
            and all((out_dir / n).exists() for n in m.file_names)):
        return m
    return build(size, out_dir, source, seed)
