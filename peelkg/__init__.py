"""peelkg: police inspection (HMICFRS PEEL) reports as an RDF knowledge graph."""

__version__ = "0.1.0"
