"""`kg validate`: check a graph against the SHACL shapes in ontology/shapes.ttl.

    >>> report = validate("exports/graph.ttl")
    >>> report.conforms, len(report.violations)
    >>> print(report.text)

Runs pySHACL without inference, with ontology/kg.ttl mixed in as the ontology graph: the
entity shapes find the entity classes through its rdfs:subClassOf axioms (the classes under
kg:Entity), and RDFS inference would give an Official the class kg:Person too, breaking the
"exactly one class of ours" rule.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib import RDFS, Literal, URIRef
from rdflib.namespace import SH

from .errors import InputError, KGError
from .graphio import QUERY_PREFIXES, load_graph
from .paths import ontology_file, shapes_file

ONTOLOGY = ontology_file("kg.ttl")
SHAPES = shapes_file()


class ValidationError(KGError):
    """pySHACL could not run (bad shapes or ontology file, engine failure)."""
    exit_code = 2


@dataclass
class Violation:
    focus: str                 # focus node IRI (or blank node id)
    label: str | None          # its rdfs:label in the data graph, if any
    path: str | None           # the property path, compacted (e.g. "kg:memberOf")
    value: str | None          # the offending value, if reported
    message: str
    severity: str              # Violation | Warning | Info

    def line(self) -> str:
        node = f"{self.label} <{self.focus}>" if self.label else f"<{self.focus}>"
        where = f" [{self.path}]" if self.path else ""
        value = f" (value: {self.value})" if self.value is not None else ""
        return f"{self.severity}: {node}{where}: {self.message}{value}"


@dataclass
class ValidationReport:
    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    text: str = ""


def _read(graph: rdflib.Graph | str | Path) -> rdflib.Graph:
    """The data graph; InputError if it holds no triple (nothing to validate)."""
    name = "the graph"
    if not isinstance(graph, rdflib.Graph):
        name = str(graph)
        graph = load_graph(graph)  # one loader for every format, raises GraphError
    if next(iter(graph.triples((None, None, None))), None) is None:
        raise InputError(f"{name}: the graph is empty (no triples): nothing to validate")
    return graph


def _read_shapes(path: Path, what: str) -> rdflib.Graph:
    try:
        return rdflib.Graph().parse(str(path), format="turtle")
    except FileNotFoundError:
        raise ValidationError(f"{path}: {what} file is missing") from None
    except Exception as e:  # noqa: BLE001 - any parser failure means we cannot run
        raise ValidationError(f"{path}: cannot parse {what}: {e}") from None


def _short(node) -> str:
    from .query import _compact
    return _compact(node, QUERY_PREFIXES)


def _value(data: rdflib.Graph, node) -> str:
    label = _label(data, node) if isinstance(node, URIRef) else None
    return f"{label} {_short(node)}" if label else _short(node)


def _label(data: rdflib.Graph, node) -> str | None:
    labels = sorted(str(o) for o in data.objects(node, RDFS.label) if isinstance(o, Literal))
    zh = sorted(str(o) for o in data.objects(node, RDFS.label)
                if isinstance(o, Literal) and (o.language or "").startswith("zh"))
    return (zh or labels or [None])[0]


def validate(graph: rdflib.Graph | str | Path, shapes: Path | None = None,
             ontology: Path | None = None) -> ValidationReport:
    """Validate `graph` (a Graph, or a path load_graph can read) against the SHACL shapes.

    Raises GraphError if the graph cannot be read, InputError if it holds no triple,
    ValidationError (a KGError) if pySHACL cannot run.  The CLI maps: conforms -> 0, does not
    conform or nothing to validate (InputError) -> 1, could not run -> 2.
    """
    data = _read(graph)
    shapes_g = _read_shapes(Path(shapes) if shapes else SHAPES, "SHACL shapes")
    ont_g = _read_shapes(Path(ontology) if ontology else ONTOLOGY, "ontology")
    try:
        from pyshacl import validate as shacl_validate
        conforms, results, _ = shacl_validate(
            data, shacl_graph=shapes_g, ont_graph=ont_g, inference="none",
            advanced=True, allow_warnings=False, meta_shacl=False)
    except KGError:
        raise
    except Exception as e:  # noqa: BLE001 - pySHACL raises many types
        raise ValidationError(f"SHACL validation could not run: {type(e).__name__}: {e}") from None
    if not isinstance(results, rdflib.Graph):  # pyshacl returns a ValidationFailure
        raise ValidationError(f"SHACL validation could not run: {results}")

    violations = []
    for r in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = results.value(r, SH.focusNode)
        path = results.value(r, SH.resultPath)
        value = results.value(r, SH.value)
        msgs = sorted(str(m) for m in results.objects(r, SH.resultMessage))
        sev = results.value(r, SH.resultSeverity)
        if not msgs:
            comp = results.value(r, SH.sourceConstraintComponent)
            msgs = [f"constraint {_short(comp)} failed" if comp else "constraint failed"]
        violations.append(Violation(
            focus=str(focus),
            label=_label(data, focus),
            path=_short(path) if isinstance(path, URIRef) else (str(path) if path else None),
            value=_value(data, value) if value is not None and value != focus else None,
            message=msgs[0],
            severity=str(sev).rsplit("#", 1)[-1] if sev else "Violation",
        ))
    violations.sort(key=lambda v: (v.message, v.focus, v.path or "", v.value or ""))
    if conforms:
        text = "Conforms: the graph satisfies every shape."
    else:
        lines = [v.line() for v in violations]
        text = "\n".join([f"Does not conform: {len(violations)} violation(s)", *lines])
    return ValidationReport(conforms=bool(conforms), violations=violations, text=text)
