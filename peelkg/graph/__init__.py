"""Network views of the knowledge graph: project (RDF -> networkx), render
(networkx -> one self-contained HTML page), analyse (centrality, communities)."""

from peelkg.graph.project import DEFAULT_TYPES, NODE_TYPES, ego, project

__all__ = ["DEFAULT_TYPES", "NODE_TYPES", "ego", "project"]
