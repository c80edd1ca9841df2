"""A small, safe XML reader that remembers the line each element starts on.

ElementTree forgets positions, and a skipped feed entry should be reported as "line 42", so the
tree is built from expat events directly. Feeds are untrusted input: a document type declaration
(the door to entity-expansion bombs and external entities) is refused outright; real arXiv and
RSS feeds never carry one.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.parsers import expat

from recommender.domain import InvalidInputError


@dataclass
class Document:
    root: ET.Element
    lines: dict[ET.Element, int] = field(default_factory=dict)

    def line(self, element: ET.Element) -> int:
        return self.lines.get(element, 0)


def _tag(name: str) -> str:
    """expat's `uri}local` (with our separator) -> ElementTree's `{uri}local`."""
    return "{" + name if "}" in name else name


def _refuse_dtd(*_: object) -> None:
    raise InvalidInputError("XML with a document type declaration is not accepted")


def parse_xml(data: bytes) -> Document:
    """Parse `data` into an ElementTree with start lines; InvalidInputError when it is not XML."""
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    lines: dict[ET.Element, int] = {}

    def start(name: str, attrs: dict[str, str]) -> None:
        element = builder.start(_tag(name), {_tag(k): v for k, v in attrs.items()})
        lines[element] = parser.CurrentLineNumber

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda name: builder.end(_tag(name))
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        message = expat.ErrorString(exc.code) if exc.code else str(exc)
        raise InvalidInputError(f"not valid XML: {message} (line {exc.lineno})") from None
    return Document(root=builder.close(), lines=lines)
