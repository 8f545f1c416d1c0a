"""Check that an RDF/XML submission is well-formed XML, without DTDs and not nested too deep,
before the RDF parser sees it.

The RDF/XML parser accepts a file that ends inside an element (a truncated download would
"conform" with half its triples), and its time grows with the square of the nesting depth.
The standard library's expat parser checks well-formedness in one linear pass; here it
reads no DTD, no external entity and no parameter entity: any DOCTYPE or ENTITY stops it.
"""

from __future__ import annotations

from typing import NoReturn
from xml.parsers import expat

from bortekg.ingest.problems import SURROGATE_HINT, Problem

#: The deepest element nesting accepted in RDF/XML.
MAX_XML_DEPTH = 100

_COMPLETE_HINT = "check that every element is closed and the file is complete"
#: Hints for expat's messages that are not about an incomplete file.
_HINTS = {
    expat.errors.XML_ERROR_BAD_CHAR_REF: "a character reference names no character; " + SURROGATE_HINT,
    expat.errors.XML_ERROR_INVALID_TOKEN: "check the file's characters and markup (a NUL byte, "
                                          "a stray '<' or '&')",
}


class _Refused(Exception):
    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def xml_problem(data: bytes, max_depth: int = MAX_XML_DEPTH) -> Problem | None:
    """The first reason ``data`` is not acceptable XML, with its line; None when it is."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    depth = 0

    def start(_name: str, _attributes: dict) -> None:
        nonlocal depth
        depth += 1
        if depth > max_depth:
            raise _Refused(f"XML elements nested more than {max_depth} deep are refused "
                           f"(the limit is {max_depth})",
                           "flatten the description: give nested nodes their own rdf:about")

    def end(_name: str) -> None:
        nonlocal depth
        depth -= 1

    def declaration(*_args: object) -> NoReturn:
        raise _Refused("RDF/XML with a DOCTYPE or ENTITY declaration is refused (entity "
                       "declarations can expand without bound or read other files)",
                       "remove the DOCTYPE and write entities out in full")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = declaration
    parser.EntityDeclHandler = declaration
    parser.ExternalEntityRefHandler = declaration
    try:
        parser.Parse(data, True)
    except _Refused as refused:
        return Problem(refused.message, line=parser.CurrentLineNumber, hint=refused.hint)
    except expat.ExpatError as error:
        return Problem(f"not well-formed XML: {expat.ErrorString(error.code)}",
                       line=error.lineno, column=error.offset + 1,
                       hint=_HINTS.get(expat.ErrorString(error.code), _COMPLETE_HINT))
    return None
