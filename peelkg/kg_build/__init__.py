"""Reports -> document model -> entities -> triples."""
