"""Bytes to clean text: encoding detection, mojibake repair, control characters.

Readers call ``decode`` on raw file bytes and ``clean_text`` on every string
they put in a record, so nothing downstream ever sees undecodable bytes,
« Ã© » for « é », or raw terminal escapes from archived text.
"""

from __future__ import annotations

import codecs
import re

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# ISO-8859-1 as declared on the web almost always means Windows-1252 (the
# WHATWG encoding standard maps the label so): the bytes 0x80-0x9F are curly
# quotes and dashes there, and C1 control characters in true Latin-1.
ALIASES = {"iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252", "ascii": "cp1252",
           "us-ascii": "cp1252", "iso8859-1": "cp1252", "iso_8859-1": "cp1252"}

# ANSI escape sequences (CSI, OSC and two-byte forms), then any remaining C0/C1
# control character except tab and newline.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_MOJIBAKE_HINT = re.compile(r"[ÃÂâ][\x80-\xbf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ ¡-¿]")


def normalise_label(label: str | None) -> str | None:
    """A Python codec name for a declared charset, or None if unknown.

    >>> normalise_label("ISO-8859-1")
    'cp1252'
    >>> normalise_label("UTF8")
    'utf-8'
    >>> normalise_label("klingon") is None
    True
    """
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in ALIASES:
        return ALIASES[label]
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return ALIASES.get(name, name)


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data``: BOM first, then a valid UTF-8, then the declared charset.

    Returns the text and the encoding used. UTF-8 wins over a declaration
    because it cannot match by accident; a wrong Latin-1 declaration is read
    as Windows-1252, and undecodable bytes as a last resort are guessed by
    charset-normalizer.

    >>> decode("été".encode("cp1252"), "iso-8859-1")
    ('été', 'cp1252')
    >>> decode("l’été".encode("utf-8"), "iso-8859-1")
    ('l’été', 'utf-8')
    """
    for bom, name in BOMS:
        if data.startswith(bom):
            return data.decode(name, errors="replace"), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    name = normalise_label(declared)
    if name:
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            pass
    guessed = _guess(data)
    try:
        return data.decode(guessed), guessed
    except (UnicodeDecodeError, LookupError):
        return data.decode("cp1252", errors="replace"), "cp1252"


def _guess(data: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    return best.encoding if best else "cp1252"


def is_probably_binary(data: bytes) -> bool:
    """True for bytes no text archive holds: NULs outside UTF-16/32, or mostly controls.

    >>> is_probably_binary(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00\\x00\\rIHDR")
    True
    >>> is_probably_binary("Un texte en français".encode())
    False
    """
    head = data[:8192]
    if any(head.startswith(bom) for bom, _ in BOMS):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13, 12))
    return bool(head) and controls / len(head) > 0.05


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as Windows-1252 (« Ã© » → « é »), only where it is there.

    >>> repair_mojibake("Les donnÃ©es de santÃ©")
    'Les données de santé'
    >>> repair_mojibake("Déjà vu, à côté")
    'Déjà vu, à côté'
    """
    if not _MOJIBAKE_HINT.search(text):
        return text
    import ftfy

    return ftfy.fix_encoding(text)


def clean_text(text: str) -> str:
    """Text fit to index and show: mojibake repaired, no control characters.

    Tabs and newlines stay; ANSI escape sequences go whole, other control
    characters are dropped.

    >>> clean_text("rouge \\x1b[31mALERTE\\x1b[0m fin\\x07")
    'rouge ALERTE fin'
    """
    text = repair_mojibake(text)
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
