"""How the bytes of a saved web page become text: a byte-order mark; else valid UTF-8
(pages that declare a legacy encoding but are UTF-8 are common, the reverse is rare);
else the server's or the page's own declaration, read as browsers read labels
("iso-8859-1" is windows-1252); else the legacy encoding browsers fall back to for the
page's language, unless charset_normalizer finds one that reads the bytes clearly better."""
from __future__ import annotations

import codecs
import logging
import re

from .errors import InputError

__all__ = ["decode_html", "detected_encoding"]

log = logging.getLogger(__name__)

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# <meta charset=x> or <meta http-equiv="Content-Type" content="text/html; charset=x">, in the page's head.
_META_CHARSET = re.compile(rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9_:.+-]{1,40})""", re.I)
_PRESCAN_BYTES = 16_384
# Labels the WHATWG Encoding standard reads as windows-1252 (what browsers do, and what these pages mean).
_WINDOWS_1252 = {"ascii", "us-ascii", "ansi_x3.4-1968", "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1",
                 "cp819", "ibm819", "csisolatin1", "iso-ir-100", "windows-1252", "cp1252", "x-cp1252"}

# The language an undeclared legacy page names (``<html lang="pl">``), and the encoding
# browsers fall back to for it (WHATWG Encoding, "the fallback encoding" by locale).
_RAW_LANG = re.compile(rb"""<html[^>]{0,512}?\blang\s*=\s*["']?([A-Za-z]{2,3})""", re.I)
_LEGACY_BY_LANGUAGE = {
    **dict.fromkeys(("ru", "uk", "be", "bg", "mk", "sr", "kk", "ky", "tt", "ba"), "windows-1251"),
    **dict.fromkeys(("cs", "sk", "pl", "hu", "hr", "sl", "ro", "bs"), "windows-1250"),
    **dict.fromkeys(("lt", "lv"), "windows-1257"), "el": "windows-1253", "tr": "windows-1254",
    "he": "windows-1255", "ar": "windows-1256", "fa": "windows-1256", "vi": "windows-1258",
    "th": "windows-874", "ja": "shift_jis", "ko": "euc-kr", "zh": "gb18030",
}


def decode_html(raw: bytes, source: str, charset: str = "") -> tuple[str, str]:
    """The page as text, and the encoding used with how it was chosen. ``charset`` is
    the server's declaration (HTTP Content-Type); it takes the place of the page's own.

    Raises:
        InputError: binary data (NUL bytes outside UTF-16), or bytes no encoding reads.
    """
    for bom, name in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(name), f"{name} (byte-order mark)"
            except UnicodeDecodeError:
                raise InputError(f"{source}: starts with a {name} byte-order mark but is not valid {name}") from None
    if b"\x00" in raw:
        raise InputError(f"{source}: looks like a binary file (it contains NUL bytes), not a web page")
    declared = _encoding_label(charset) if charset else _declared_encoding(raw[:_PRESCAN_BYTES])
    if raw.isascii():
        return raw.decode("ascii"), f"{declared} (declared)" if declared else "utf-8"
    try:  # valid UTF-8 beyond ASCII is UTF-8 whatever the page declares (legacy bytes almost never are)
        return raw.decode("utf-8"), "utf-8" if declared in (
            "",
            "utf-8",
        ) else f"utf-8 (valid UTF-8; declared {declared})"
    except UnicodeDecodeError:
        pass
    if declared and declared != "utf-8":
        try:
            return raw.decode(declared), f"{declared} (declared)"
        except UnicodeDecodeError:
            log.info("%s: not valid %s as declared; detecting", source, declared)
    guess = detected_encoding(raw)
    if guess:
        return raw.decode(guess, errors="replace"), f"{guess} (detected)"
    raise InputError(f"{source}: the page's encoding could not be found (no valid declaration, not UTF-8)")


def _declared_encoding(head: bytes) -> str:
    match = _META_CHARSET.search(head)
    return _encoding_label(match.group(1).decode("ascii")) if match else ""


def _encoding_label(label: str) -> str:
    """The codec a declared label names, as browsers read labels ("" when unknown)."""
    label = label.strip().lower()
    if label in _WINDOWS_1252:
        return "windows-1252"
    if label.startswith(("utf-16", "utf-32")):  # a page whose meta tag reads as ASCII is not UTF-16 (WHATWG)
        return "utf-8"
    try:
        return codecs.lookup(label).name.replace("_", "-")
    except LookupError:
        return ""


def detected_encoding(raw: bytes) -> str:
    """The legacy encoding of bytes that are not UTF-8 and declare none: the one browsers
    fall back to for the page's ``<html lang>`` (windows-1252 for most, and for plain text,
    as WHATWG's table gives), unless charset_normalizer finds one that reads the bytes
    clearly better (a short text fits several single-byte encodings equally well; the
    language decides then). "" when no encoding reads them."""
    from charset_normalizer import from_bytes

    sample = raw[:200_000]
    lang = _RAW_LANG.search(sample[:_PRESCAN_BYTES])
    fallback = _LEGACY_BY_LANGUAGE.get(lang.group(1).decode("ascii").lower() if lang else "", "windows-1252")
    best = from_bytes(sample).best()
    fits = from_bytes(sample, cp_isolation=[fallback]).best()
    if fits is not None and (best is None or fits.chaos <= best.chaos + 0.01):
        return fallback
    return codecs.lookup(best.encoding).name.replace("_", "-") if best else ""
