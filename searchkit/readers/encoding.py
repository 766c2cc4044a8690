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
# A lone UTF-16 surrogate (JSON's "\ud800") is no character: no UTF-8 encoder
# takes it, so stored text holding one would break every output.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
REPLACEMENT = "\ufffd"
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


# Where a document declares its charset, in the order a browser believes them
# after a BOM: the HTTP header (WARC), an XML declaration, then <meta charset>
# or <meta http-equiv="Content-Type"> in the first bytes (HTML's "prescan",
# widened: saved pages often carry long <head>s before it).
_CONTENT_TYPE_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
PRESCAN_BYTES = 16384


def charset_of_content_type(value: str | None) -> str | None:
    """The charset parameter of an HTTP ``Content-Type`` value.

    >>> charset_of_content_type('text/html; charset="ISO-8859-1"')
    'ISO-8859-1'
    >>> charset_of_content_type("text/html") is None
    True
    """
    m = _CONTENT_TYPE_CHARSET.search(value or "")
    return m.group(1) if m else None


def declared_charset(data: bytes, content_type: str | None = None) -> str | None:
    """The charset a document declares: HTTP header, XML declaration, then <meta>.

    When they disagree, the first whose codec can decode the bytes wins: a
    server's default header (« charset=utf-8 » on a Latin-9 page) must not
    hide the page's own, right, ``<meta>``.

    >>> declared_charset(b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1" />')
    'iso-8859-1'
    >>> declared_charset(b"<meta charset=utf-8>", "text/html; charset=windows-1252")
    'windows-1252'
    >>> declared_charset("<meta charset=iso-8859-15>5 €".encode("iso-8859-15"), "text/html; charset=utf-8")
    'iso-8859-15'
    >>> declared_charset(b"<?xml version='1.0' encoding='ISO-8859-15'?><html>")
    'ISO-8859-15'
    >>> declared_charset(b"<p>rien</p>") is None
    True
    """
    found = [label for label in (charset_of_content_type(content_type), _first_group(_XML_DECLARATION, data),
                                 _first_group(_META_CHARSET, data[:PRESCAN_BYTES]))
             if label and normalise_label(label)]
    for label in found:
        try:
            data.decode(normalise_label(label) or label)
            return label
        except (UnicodeDecodeError, LookupError):
            continue
    return found[0] if found else None


def _first_group(pattern: re.Pattern, data: bytes) -> str | None:
    m = pattern.search(data)
    return m.group(1).decode("ascii", "replace") if m else None


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data``: BOM, then UTF-8, then the declared charset, then the content.

    Returns the text and the encoding used. Valid UTF-8 wins over a
    declaration because it cannot match by accident; text that is mostly UTF-8
    with stray Windows-1252 bytes (a page edited in two tools) is read as
    both (``utf-8+cp1252``); a Latin-1 declaration is read as Windows-1252.
    Without a usable declaration, Windows-1252 is tried before any guess:
    these archives are French, and statistical guessers take short French
    text for Central European code pages (« là » read as « lą »).
    charset-normalizer is asked only when Windows-1252 cannot decode it.

    >>> decode("été".encode("cp1252"), "iso-8859-1")
    ('été', 'cp1252')
    >>> decode("l’été".encode("utf-8"), "iso-8859-1")
    ('l’été', 'utf-8')
    >>> decode("déjà là".encode("cp1252"), "utf-8")
    ('déjà là', 'cp1252')
    >>> decode("l’été ".encode("utf-8") + "à".encode("cp1252"))
    ('l’été à', 'utf-8+cp1252')
    """
    for bom, name in BOMS:
        if data.startswith(bom):
            return data.decode(name, errors="replace"), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):
        return data.decode("utf-8", errors=_CP1252_FALLBACK), "utf-8+cp1252"
    for candidate in (normalise_label(declared), "cp1252"):
        if candidate and candidate != "utf-8":
            name = candidate
            try:
                return data.decode(name), name
            except (UnicodeDecodeError, LookupError):
                pass
    guessed = _guess(data)
    try:
        return data.decode(guessed), guessed
    except (UnicodeDecodeError, LookupError):
        return data.decode("cp1252", errors="replace"), "cp1252"


_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


def _mostly_utf8(data: bytes) -> bool:
    """More non-ASCII bytes sit in well-formed UTF-8 sequences than outside them."""
    in_sequences = sum(len(m) for m in _UTF8_SEQUENCE.findall(data))
    return in_sequences > 0 and in_sequences >= len(_HIGH_BYTE.findall(data)) - in_sequences


def _cp1252_for_invalid_utf8(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: bytes that are not UTF-8 read as Windows-1252."""
    assert isinstance(exc, UnicodeDecodeError)  # registered for decoding only
    bad = exc.object[exc.start:exc.end]
    return bad.decode("cp1252", errors="replace"), exc.end


_CP1252_FALLBACK = "searchkit-cp1252"
codecs.register_error(_CP1252_FALLBACK, _cp1252_for_invalid_utf8)


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


def replace_surrogates(text: str) -> str:
    """Every lone surrogate code point replaced with U+FFFD.

    >>> replace_surrogates("a\\udc80b") == "a\\ufffdb"
    True
    """
    return _SURROGATE.sub(REPLACEMENT, text) if has_surrogates(text) else text


def has_surrogates(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def clean_text(text: str) -> str:
    """Text fit to index and show: mojibake repaired, no control characters.

    Tabs and newlines stay; ANSI escape sequences go whole, other control
    characters are dropped.

    >>> clean_text("rouge \\x1b[31mALERTE\\x1b[0m fin\\x07")
    'rouge ALERTE fin'
    >>> clean_text("avant \\ud800 après")
    'avant \ufffd après'
    """
    text = replace_surrogates(text)
    text = repair_mojibake(text)
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
