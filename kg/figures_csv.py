"""The observations of a graph as one flat table (`kg export --format csv --what observations`):
a row per kg:Observation, the columns a researcher sorts and filters in a spreadsheet.

    observations_csv(graph) -> bytes          (UTF-8 with a BOM, so spreadsheets read the Chinese)
    write_observations_csv(graph, out) -> out  (written atomically)
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import rdflib
from rdflib import RDF, RDFS
from rdflib.namespace import DCTERMS, PROV

from .fileio import write_atomic
from .rdf import KG

COLUMNS = ("subject", "subject_type", "period", "indicator", "value", "unit", "approximate", "change",
           "direction", "figure", "article", "article_date", "sentence_index", "sentence")


def _s(v) -> str:
    return "" if v is None else str(v)


def _plain(v) -> str:
    """26000.0 -> 26000 (a spreadsheet cell), 22.71 stays."""
    s = _s(v)
    return s[:-2] if s.endswith(".0") else s


def observation_rows(graph: rdflib.Graph) -> list[dict[str, str]]:
    """One dict per observation, sorted by subject, period, indicator, article and position."""
    rows = []
    for o in set(graph.subjects(RDF.type, KG.Observation)):
        subj = graph.value(o, KG.subject)
        typ = graph.value(subj, RDF.type) if subj is not None else None
        art = graph.value(o, DCTERMS.source)
        sent = graph.value(o, PROV.wasDerivedFrom)
        idx = graph.value(sent, KG["index"]) if sent is not None else None
        rows.append({
            "subject": _s(graph.value(subj, RDFS.label)) if subj is not None else "",
            "subject_type": str(typ).rsplit("#", 1)[-1] if typ is not None else "",
            "period": _s(graph.value(o, KG.period)),
            "indicator": _s(graph.value(o, KG.indicator)),
            "value": _plain(graph.value(o, KG.value)),
            "unit": _s(graph.value(o, KG.unit)),
            "approximate": "true" if graph.value(o, KG.approximate) is not None and graph.value(o, KG.approximate).toPython() else "false",
            "change": _s(graph.value(o, KG.change)),
            "direction": _s(graph.value(o, KG.direction)),
            "figure": _s(graph.value(o, KG.figureText)),
            "article": _s(graph.value(art, KG.sourceFile)) if art is not None else "",
            "article_date": _s(graph.value(art, DCTERMS.date)) if art is not None else "",
            "sentence_index": _s(idx),
            "sentence": _s(graph.value(sent, KG["text"])) if sent is not None else "",
        })
    rows.sort(key=lambda r: (r["subject"], r["period"], r["indicator"], r["article"],
                             int(r["sentence_index"] or -1), r["figure"], r["value"]))
    return rows


def observations_csv(graph: rdflib.Graph) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\r\n")
    w.writeheader()
    w.writerows(observation_rows(graph))
    return buf.getvalue().encode("utf-8-sig")


def write_observations_csv(graph: rdflib.Graph, out: Path) -> Path:
    return write_atomic(observations_csv(graph), Path(out))
