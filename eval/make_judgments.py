r"""Writes eval/judgments.json: each judged query, its criterion, and the documents judged relevant.

How the judgments were made: for each query a need was written from reading
the corpora, and a case-insensitive criterion (regular expressions over an
article's title and text, or a comment's text) lists every document that
could meet it, independently of searchkit and of FTS5. The matches were then
read in context (printed with 50 characters around the match; for the two
large sets, a sample) and those that use the word in another sense are
listed under ``excluded`` with the reason. Multi-word criteria use ``\s+``
between words, not a space: the archives put NBSPs inside phrases (« appareil
photo » in alienlebarge:6117), and a first version with plain spaces missed
them. Run from the repository root:
``.venv/bin/python eval/make_judgments.py``.
"""
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pathlib import Path

from wxr_minimal import read_posts

docs=[]
for f in ["alienlebarge-wordpress.xml","bitcoinfrance-wordpress.xml","thecoffeeworkshop-wordpress.xml"]:
    for p in read_posts(Path(__file__).resolve().parents[2] / "shared" / "corpora" / f):
        docs.extend(p.documents)
def text(d): return (d.title+"\n" if d.kind=="article" else "")+d.body
N = len(docs)
# id, query, kind, type, need, criterion (regex, case-insensitive, over title+body; all must match, 'not' must not), excluded {id: why}, read
Q = [
 ("ecran", "ecran", None, "word, accent left out", "screens (of phones, computers, TVs)", [r"\b[ée]crans?\b"], [], {}, "all"),
 ("evenement", "evenement", None, "word, accents left out", "events", [r"[ée]v[éèe]nements?"], [], {}, "all"),
 ("activites", "activites", None, "word, accents left out", "activities (any activité/activités)", [r"\bactivit[ée]s?\b"], [], {}, "all"),
 ("energie", "energie", None, "word, accent left out", "energy in the physical sense (electricity, energy consumption of mining, transport)", [r"[ée]nergies?"], [], {"alienlebarge:565": "figurative: energy of a band", "alienlebarge:608": "figurative: a lively child", "alienlebarge:790": "figurative: a singer's energy", "bitcoinfrance:754": "figurative: « les énergies et les talents »", "bitcoinfrance:1216": "figurative: « talents et d'énergies »"}, "all"),
 ("impots", "impots", None, "word, plural, accent left out", "taxes", [r"\bimp[ôo]ts?\b"], [], {}, "all"),
 ("grece", "grece", None, "word, accent left out", "Greece", [r"\bgr[èe]ce\b"], [], {}, "all"),
 ("television", "télévision", None, "word with accents", "television (sets, channels, Apple TV...)", [r"t[ée]l[ée]visions?|t[ée]l[ée]viseurs?|\btv\b"], [], {"alienlebarge:5462": "« TV Solothurn » is a handball club (Turnverein)", "alienlebarge:5831": "« TV Möhlin » is a handball club", "alienlebarge:5831#c2294": "« TV Möhlin » is a handball club"}, "all"),
 ("speculation", "spéculation", None, "word with accents", "speculation in markets (spéculation, spéculateurs, spéculatif)", [r"sp[ée]cul(ation|atif|ative|ateur)"], [], {"thecoffeeworkshop:79#c10": "speculation as conjecture (« spéculation astro-mythologique de Freud »), off-topic comment"}, "all"),
 ("hebergement", "hébergement", None, "word with accents", "web or data hosting (héberger, hébergé, hébergeur, hébergement)", [r"h[ée]b[ée]rg"], [], {"thecoffeeworkshop:337": "a meetup « hébergé par Valtech »: hosting an event, not data"}, "all"),
 ("velo", "vélo", None, "word with accents", "bicycles", [r"\bv[ée]los?\b"], [], {}, "all"),
 ("noel", "Noël", None, "word with diaeresis, capitalised", "Christmas", [r"\bno[ëe]l\b"], [], {}, "all"),
 ("monnaies", "monnaies", None, "word, plural typed", "money and currencies (monnaie, monnaies, also porte-monnaie: wallets)", [r"\bmonnaies?\b"], [], {}, "a sample of 15 read in context, all relevant"),
 ("dette", "dette", None, "word", "debt", [r"\bdettes?\b"], [], {}, "all"),
 ("inflation", "inflation", None, "word", "monetary or price inflation", [r"inflation"], [], {"bitcoinfrance:1378#c11622": "« l'inflation du registre »: growth of the blockchain, not of prices or money"}, "all"),
 ("handball", "handball", None, "word", "handball", [r"handball"], [], {}, "all"),
 ("iphone", "iPhone", None, "word, mixed case", "the iPhone", [r"iphone"], [], {}, "all"),
 ("wii", "wii", None, "word", "the Wii console", [r"\bwii\b"], [], {}, "all"),
 ("mockito", "mockito", None, "word", "the Mockito library", [r"mockito"], [], {}, "all"),
 ("cascades", "cascades", None, "word, plural typed", "waterfalls", [r"cascades?"], [], {"bitcoinfrance:1234": "figurative: « cascades de chaînes » (blockchains)"}, "all"),
 ("montagne", "montagne", None, "word", "mountains", [r"montagnes?"], [], {}, "all"),
 ("base_donnees", '"base de données"', None, "phrase", "databases", [r"bases?\s+de\s+donn[ée]es?"], [], {}, "all"),
 ("banque_centrale", '"banque centrale"', None, "phrase", "central banks", [r"banques?\s+centrales?"], [], {}, "all"),
 ("mot_de_passe", '"mot de passe"', None, "phrase", "passwords", [r"mots?\s+de\s+passe"], [], {}, "all"),
 ("etats_unis", '"États-Unis"', None, "phrase (hyphenated compound)", "the United States", [r"[ée]tats[-\s]unis"], [], {}, "all"),
 ("zone_euro", '"zone euro"', None, "phrase", "the euro area", [r"zone\s+euro"], [], {}, "all"),
 ("appareil_photo", '"appareil photo"', None, "phrase", "cameras", [r"appareils?\s+photo"], [], {}, "all"),
 ("bitcoin_inflation", "bitcoin AND inflation", None, "boolean AND", "bitcoin and inflation in the same document", [r"bitcoin", r"inflation"], [], {}, "all"),
 ("podcast_or_mix", "podcast OR mix", None, "boolean OR", "podcasts or DJ mixes", [r"podcast|\bmix\b"], [], {}, "all"),
 ("concert_not_festival", "concert NOT festival", None, "boolean NOT", "concerts, in documents that do not mention a festival", [r"\bconcerts?\b"], [r"\bfestivals?\b"], {}, "all"),
 ("typo3_not_infomaniak", "typo3 NOT infomaniak", None, "boolean NOT", "TYPO3, not about the Infomaniak host", [r"typo3"], [r"infomaniak"], {}, "all"),
 ("synchronis", "synchronis*", None, "prefix", "synchronisation (synchroniser, synchronisé...)", [r"synchronis"], [], {}, "all"),
 ("photograph", "photograph*", None, "prefix", "photography and photographers", [r"photograph"], [], {}, "a sample of 7 read in context, all relevant"),
 ("vinyl", "vinyl*", None, "prefix", "vinyl records", [r"vinyl"], [], {}, "all"),
 ("crypto", "crypto*", None, "prefix", "cryptography and crypto-currencies", [r"\bcrypto"], [], {}, "all"),
 ("probleme_comments", "probleme", "comment", "comment-only, accent left out", "comments that report or discuss a problem", [r"probl[èe]mes?"], [], {}, "all"),
 ("flickr_comments", "flickr", "comment", "comment-only", "comments mentioning Flickr", [r"flickr"], [], {}, "all"),
 ("bravo_comments", "bravo", "comment", "comment-only", "comments congratulating (bravo)", [r"bravo"], [], {}, "all"),
 ("match_comments", "match", "comment", "comment-only", "comments about a (sports) match", [r"\bmatch(s|es)?\b"], [], {"thecoffeeworkshop:211#c17": "« matches() » in Java code"}, "all"),
 ("festival_articles", "festival", "article", "article-only", "articles about festivals", [r"\bfestivals?\b"], [], {"bitcoinfrance:339": "figurative: « un festival de lobbying »"}, "all"),
 ("serveur_articles", "serveur", "article", "article-only", "articles about servers", [r"\bserveurs?\b"], [], {}, "all"),
]
out = []
for qid, query, kind, typ, need, musts, nots, excluded, read in Q:
    rx = [re.compile(p, re.I) for p in musts]
    nx = [re.compile(p, re.I) for p in nots]
    matched = [d.id for d in docs if (kind is None or d.kind == kind) and all(r.search(text(d)) for r in rx) and not any(r.search(text(d)) for r in nx)]
    bad = set(excluded) - set(matched)
    assert not bad, (qid, bad)
    relevant = [i for i in matched if i not in excluded]
    crit = " and ".join(f"/{p}/i" for p in musts) + "".join(f" and not /{p}/i" for p in nots)
    verified = (f"criterion {crit} over the title and text of the {N} documents of eval/wxr_minimal.py"
                + (f" restricted to {kind}s" if kind else "") + f": {len(matched)} matches; "
                + ("each read in context" if read == "all" else read)
                + (f"; {len(excluded)} judged not relevant (see excluded)" if excluded else "; all relevant"))
    out.append({"id": qid, "query": query, "kind": kind, "type": typ, "need": need, "relevant": relevant,
                "excluded": excluded, "verified": verified})
json.dump({"about": "Judged queries for eval/relevance.py over the published posts and approved comments of alienlebarge, bitcoinfrance and thecoffeeworkshop (../shared/corpora). Document ids are blog:wp_post_id for articles and blog:wp_post_id#cwp_comment_id for comments, as in the WXR files. Relevance is binary: the document meets the stated need.", "queries": out}, open(Path(__file__).resolve().parent / "judgments.json", "w"), ensure_ascii=False, indent=1)
print(len(out), [ (q["id"], len(q["relevant"])) for q in out])
