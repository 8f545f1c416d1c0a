"""IRIs of the bortekg namespaces and named graphs (plain strings: no rdflib on the query path)."""

from __future__ import annotations

BASE = "https://w3id.org/bortekg/"
BKG = BASE
BKE = BASE + "entity/"
BKC = BASE + "claim/"
BKS = BASE + "source/"
ONTOLOGY_IRI = BASE + "ontology"

GRAPH_ONTOLOGY = BASE + "graph/ontology"
GRAPH_KB = BASE + "graph/kb"
GRAPH_INFERRED = BASE + "graph/inferred"
GRAPH_META = BASE + "graph/meta"
GRAPH_SUBMISSION_PREFIX = BASE + "graph/submission/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"

#: Prefixes used for serialisation, CURIE display and CURIE parsing.
PREFIXES: dict[str, str] = {
    "bkg": BKG,
    "bke": BKE,
    "bkc": BKC,
    "bks": BKS,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "prov": PROV,
    "dcterms": DCTERMS,
}

#: Standard vocabularies the mappings use, CURIE prefix -> IRI prefix.
MAPPING_PREFIXES: dict[str, str] = {
    "CHEBI": "http://purl.obolibrary.org/obo/CHEBI_",
    "MONDO": "http://purl.obolibrary.org/obo/MONDO_",
    "HP": "http://purl.obolibrary.org/obo/HP_",
    "GO": "http://purl.obolibrary.org/obo/GO_",
    "UBERON": "http://purl.obolibrary.org/obo/UBERON_",
    "CL": "http://purl.obolibrary.org/obo/CL_",
    "DOID": "http://purl.obolibrary.org/obo/DOID_",
    "NCIT": "http://purl.obolibrary.org/obo/NCIT_",
    "MAXO": "http://purl.obolibrary.org/obo/MAXO_",
    "MESH": "http://id.nlm.nih.gov/mesh/",
    "UNIPROT": "http://purl.uniprot.org/uniprot/",
    "PUBCHEM.COMPOUND": "http://rdf.ncbi.nlm.nih.gov/pubchem/compound/CID",
    "DRUGBANK": "https://identifiers.org/drugbank:",
    "ATC": "https://identifiers.org/atc:",
    "HGNC": "https://identifiers.org/hgnc:",
    "MEDDRA": "https://identifiers.org/meddra:",
    "NCBIGENE": "https://identifiers.org/ncbigene:",
    "CVX": "https://identifiers.org/cvx:",
    "RXNORM": "http://purl.bioontology.org/ontology/RXNORM/",
}


# Longest namespace first, so that bke: wins over its parent bkg:.
_BY_LENGTH = sorted((*PREFIXES.items(), *MAPPING_PREFIXES.items()), key=lambda kv: -len(kv[1]))


def curie(iri: str) -> str:
    """Shorten an IRI with the known prefixes; return it unchanged if none fits."""
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def expand(curie_or_iri: str) -> str | None:
    """Expand ``prefix:local`` with the known prefixes (case-insensitive prefix); None if unknown."""
    if "://" in curie_or_iri:
        return curie_or_iri
    prefix, sep, local = curie_or_iri.partition(":")
    if not sep or not local:
        return None
    for known, ns in (*PREFIXES.items(), *MAPPING_PREFIXES.items()):
        if known.lower() == prefix.lower():
            return ns + local
    return None


#: The properties that hold a dose amount (their unit is ``bkg:doseUnit``): describe marks their
#: value conventions, the gate checks their plausibility.
DOSE_PROPERTIES: tuple[str, ...] = tuple(BKG + p for p in ("dose", "doseMin", "doseMax", "newDose", "cumulativeDose"))
