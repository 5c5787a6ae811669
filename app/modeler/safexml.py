"""Safe XML parsing (安全解析) of diagrams uploaded from the browser.

Diagrams come from people's browsers, so they are parsed defensively: at most `MAX_BYTES` of
UTF-8, no DOCTYPE at all (which refuses external entities and entity-expansion bombs before
anything is expanded), no network access, no huge trees. Elements keep `.sourceline`.
"""

from __future__ import annotations

import re

from lxml import etree

MAX_BYTES = 2 * 1024 * 1024

_DECLARATIONS = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_ENCODING = re.compile(r"""\A\ufeff?\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']+)["']""")


class XmlRefused(ValueError):
    """XML that is not parsed. `code` is xml.too_large, xml.dtd or xml.malformed; `line` the
    line where the problem is (when known); `detail` the parser's words or what was found."""

    def __init__(self, code: str, detail: str, line: int | None = None,
                 size: int | None = None) -> None:
        super().__init__(f"{code}: {detail}" + (f" (line {line})" if line else ""))
        self.code, self.detail, self.line, self.size = code, detail, line, size


def _line_at(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _parser(comments: bool = True) -> etree.XMLParser:
    """A new parser per call (lxml parsers must not be shared between threads)."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, dtd_validation=False, remove_comments=not comments)


def check_text(text: str) -> bytes:
    """The UTF-8 bytes of `text`, or XmlRefused when too large, with a DOCTYPE or entity
    declaration, or declaring an encoding other than UTF-8 (the text is already decoded)."""
    if len(text) > MAX_BYTES:  # each character is at least one byte
        raise XmlRefused("xml.too_large", f"more than {MAX_BYTES} bytes", size=len(text))
    data = text.encode("utf-8", errors="surrogatepass")
    if len(data) > MAX_BYTES:
        raise XmlRefused("xml.too_large", f"{len(data)} bytes", size=len(data))
    found = _DECLARATIONS.search(text)
    if found:
        raise XmlRefused("xml.dtd", found.group(0), _line_at(text, found.start()))
    declared = _ENCODING.match(text)
    if declared and declared.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise XmlRefused("xml.malformed", f"encoding {declared.group(1)!r} is not UTF-8", 1)
    return data


def parse(text: str, comments: bool = True) -> etree._Element:
    """The root element of `text` (without XML comments when `comments` is false), or
    XmlRefused (see `check_text`; malformed XML with the parser's message and line)."""
    data = check_text(text)
    try:
        root = etree.fromstring(data, _parser(comments))
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or (exc.position[0] if exc.position else None)
        raise XmlRefused("xml.malformed", exc.msg or str(exc), line) from None
    if root.getroottree().docinfo.doctype:  # pragma: no cover - refused by check_text
        raise XmlRefused("xml.dtd", root.getroottree().docinfo.doctype, 1)
    return root


__all__ = ["MAX_BYTES", "XmlRefused", "check_text", "parse"]
