"""The ontology, the SHACL shapes and the ready queries, shipped as the package kg.ontology (see kg/paths.py)."""
