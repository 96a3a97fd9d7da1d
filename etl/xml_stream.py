"""Parse an untrusted XML stream chunk by chunk, refusing DTDs and entity declarations.

The parser is expat (pyexpat) with defusedxml's handlers: a document type declaration, an
entity declaration or an external reference raises defusedxml's exception before anything is
expanded, so entity bombs and external entities never run. Callers feed chunks and get
element starts and ends through plain callbacks (no tree is built), so memory stays bounded
by the chunk size whatever the part holds; a caller stops the parse by raising from a callback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from xml.parsers import expat

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

# Everything a defused parse can raise for a hostile or broken part.
XmlRefused = (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden)
XmlBroken = expat.ExpatError

StartHandler = Callable[[str, list[str]], None]  # name, [attribute, value, attribute, value, …]
EndHandler = Callable[[str], None]


def _forbid_dtd(name, sysid, pubid, has_internal_subset):
    raise DTDForbidden(name, sysid, pubid)


def _forbid_entity(name, is_parameter_entity, value, base, sysid, pubid, notation_name):
    raise EntitiesForbidden(name, value, base, sysid, pubid, notation_name)


def _forbid_unparsed_entity(name, base, sysid, pubid, notation_name):
    raise EntitiesForbidden(name, None, base, sysid, pubid, notation_name)


def _forbid_external(context, base, sysid, pubid):
    raise ExternalReferenceForbidden(context, base, sysid, pubid)


def defused_parser(start: StartHandler | None = None, end: EndHandler | None = None):
    """An expat parser without namespace processing (names keep their prefix, as written)."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _forbid_dtd
    parser.EntityDeclHandler = _forbid_entity
    parser.UnparsedEntityDeclHandler = _forbid_unparsed_entity
    parser.ExternalEntityRefHandler = _forbid_external
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    # Attributes as a flat list: cheaper than a dict per element, which counts in a sheet of
    # millions of cells.
    parser.ordered_attributes = True
    parser.buffer_text = True  # no character-data handler: text costs nothing
    if start is not None:
        parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    return parser


def parse_chunks(
    chunks: Iterable[bytes], start: StartHandler | None = None, end: EndHandler | None = None
) -> None:
    """Parse the document made of ``chunks``; raises XmlRefused, XmlBroken or what a handler
    raises."""
    parser = defused_parser(start, end)
    for chunk in chunks:
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


def local_name(name: str) -> str:
    """``x:row`` → ``row``: readers (calamine) match elements by local name, whatever prefix."""
    return name.rpartition(":")[2]


def attribute(attributes: list[str], name: str) -> str | None:
    """The value of attribute ``name`` (exactly as written, prefix included) in an ordered list."""
    for index in range(0, len(attributes), 2):
        if attributes[index] == name:
            return attributes[index + 1]
    return None
