"""Dated releases: the ontology in three syntaxes, the knowledge base, documentation, a
manifest of hashes and a semantic changelog (``bortekg release``)."""

from bortekg.release.artefacts import (
    ARTEFACTS,
    EXPORT_ARTEFACTS,
    Artefact,
    ArtefactMissing,
    ReleaseContext,
)
from bortekg.release.build import ReleaseError, ReleaseResult, build_release

__all__ = [
    "ARTEFACTS",
    "EXPORT_ARTEFACTS",
    "Artefact",
    "ArtefactMissing",
    "ReleaseContext",
    "ReleaseError",
    "ReleaseResult",
    "build_release",
]
