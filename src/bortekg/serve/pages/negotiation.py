"""Content negotiation for dereferenceable IRIs: which representation an Accept header asks for."""

from __future__ import annotations

HTML = "text/html"
TURTLE = "text/turtle"
JSON_LD = "application/ld+json"
#: What a node's IRI can be answered with, in the order preferred when the client is indifferent.
NODE_TYPES = (HTML, TURTLE, JSON_LD)
#: Types a browser may name for the page (XHTML is what some ask for first).
_HTML_ALIASES = {"application/xhtml+xml": HTML}


def _ranges(accept: str) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their quality (RFC 9110, 12.5.1)."""
    found = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            continue
        quality = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        found.append((_HTML_ALIASES.get(media, media), quality))
    return found


def _quality(offered: str, ranges: list[tuple[str, float]]) -> float:
    """The quality the most specific matching range gives ``offered`` (0 when none matches)."""
    kind = offered.split("/")[0]
    best_specificity, quality = -1, 0.0
    for media, q in ranges:
        if media == offered:
            specificity = 2
        elif media == f"{kind}/*":
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best_specificity, quality = specificity, q
    return quality


def choose(accept: str | None, offered: tuple[str, ...] = NODE_TYPES) -> str | None:
    """The offered type the client accepts with the highest quality (ties: the earlier offered);
    None when it accepts none of them. No Accept header accepts anything."""
    if not accept or not accept.strip():
        return offered[0]
    ranges = _ranges(accept)
    scored = [(_quality(media, ranges), -position, media) for position, media in enumerate(offered)]
    quality, _, media = max(scored)
    return media if quality > 0 else None
