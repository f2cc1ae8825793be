"""Network views of the knowledge graph: project (RDF -> networkx, by SPARQL),
render (networkx -> one offline HTML page; GraphML/GEXF), analyse (centrality,
communities, units most linked to weaknesses)."""

from peelkg.graph.project import DEFAULT_TYPES, NODE_TYPES, aggregate, ego, for_view, match_nodes, project

__all__ = ["DEFAULT_TYPES", "NODE_TYPES", "aggregate", "ego", "for_view", "match_nodes", "project"]
