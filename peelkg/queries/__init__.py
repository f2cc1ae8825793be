"""SPARQL over the built graph: named queries (``*.rq`` in this package), ad-hoc
SPARQL, the SPARQL endpoint (``server``) and Graph Store upload (``push``).

See ``runner`` for the API other parts of peelkg code against.
"""

from peelkg.queries.runner import (  # noqa: F401
    NamedQuery,
    Param,
    QueryResult,
    format_result,
    list_queries,
    load_query,
    open_store,
    run_named,
    run_sparql,
    select,
)
