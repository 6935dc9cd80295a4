"""The entity types, read from the ontology: the classes under kg:Entity in ontology/kg.ttl.

`ENTITY_TYPES` lists them most specific first (Official before Person, Bureau before
Organization), otherwise in the order kg.ttl declares them; it is the viewer's legend order
and the order `kg eval` reports in.  A new type is a class `rdfs:subClassOf kg:Entity` in
kg.ttl: nothing in the code lists the types.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

from .errors import ResourceError
from .iri import KG_NS
from .paths import ontology_file

ENTITY = "Entity"
_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"


def entity_types(path: Path | None = None) -> tuple[str, ...]:
    """The local names of the classes under kg:Entity in an ontology file (default: kg.ttl)."""
    path = path or ontology_file("kg.ttl")
    children: dict[str, list[str]] = defaultdict(list)   # class -> its kg: subclasses, in file order
    try:
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):   # in file order
            if t.predicate.value == _SUBCLASS and isinstance(t.object, ox.NamedNode) \
                    and t.subject.value.startswith(KG_NS) and t.object.value.startswith(KG_NS):
                children[t.object.value[len(KG_NS):]].append(t.subject.value[len(KG_NS):])
    except (OSError, SyntaxError, ValueError) as e:
        raise ResourceError(f"{path}: cannot read the ontology ({e})") from None
    out: list[str] = []

    def visit(c: str, seen: tuple[str, ...]) -> None:
        for sub in children.get(c, ()):
            if sub not in seen:
                visit(sub, seen + (sub,))
        if c not in out:
            out.append(c)
    for c in children.get(ENTITY, ()):
        visit(c, (c,))
    if not out:
        raise ResourceError(f"{path}: no class is rdfs:subClassOf kg:{ENTITY}")
    return tuple(out)


ENTITY_TYPES = entity_types()
