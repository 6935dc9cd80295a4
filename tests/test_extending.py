"""docs/extending.md's claim: a new entity type touches four files, the extractor (a module
of kg/extract/), a resource (kg/resources/), the ontology (kg.ttl) and the viewer's labels.

The test copies the package as it is installed (kg/, with ontology/ as kg/ontology/), adds a
type `Vehicle` (涉案车辆: plates such as 浙G12345) to the copy by writing exactly those four
files, and builds an article with the copy in a fresh interpreter: the vehicle is extracted,
typed kg:Vehicle in graph.ttl with its mention traced to the sentence, shown in the viewer with
its label and colour, and the graph conforms to the shapes.  The product itself is untouched.
"""
from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from kg.vocab import ENTITY_TYPES

ROOT = Path(__file__).resolve().parent.parent

EXTRACTOR = '''"""Vehicles involved in a case, by their number plates (浙G12345)."""
from __future__ import annotations

import re
from functools import lru_cache

from .. import lexicon
from ..model import Span
from .registry import SentenceView, extractor


@lru_cache(maxsize=1)
def _plate() -> re.Pattern:
    regions = "".join(lexicon.words("plate_regions.txt"))
    return re.compile(f"(?<![A-Za-z0-9])[{regions}][A-Z][A-HJ-NP-Z0-9]{{5,6}}(?![A-Za-z0-9])")


@extractor(80)
def find_vehicles(view: SentenceView) -> list[Span]:
    out = []
    for m in _plate().finditer(view.text):
        if view.free(m.start(), m.end()):
            sp = Span(m.start(), m.end(), "Vehicle", m.group(), m.group())
            view.take(sp)
            out.append(sp)
    return out
'''

REGIONS = "# The one-character region of a Chinese number plate.\n" + "\n".join(
    "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼") + "\n"

ONTOLOGY = '''
kg:Vehicle a owl:Class ;
    rdfs:label "Vehicle"@en, "涉案车辆"@zh ;
    rdfs:subClassOf kg:Entity ;
    rdfs:comment "A vehicle involved in a case, named by its number plate."@en .
'''

LABEL = "type\tVehicle\t涉案车辆\t#17becf\n"

ARTICLE = ("永康市公安局交警大队查获一辆套牌车\n\n"
           "本报讯 近日，浙江省永康市公安局交警大队在芝英镇查获一辆套牌小型轿车浙G12345，"
           "驾驶人徐某被依法处理。\n")

CHECK = r'''
import json, sys
from pathlib import Path
import rdflib
from rdflib import RDF, RDFS
import kg
from kg.cli import main
from kg.validate import validate
from kg.viewer import graph_data
from kg.vocab import ENTITY_TYPES

out = Path(sys.argv[1])
assert main(["build", sys.argv[2], "-o", str(out), "--workers", "1", "-q", "--no-html"]) == 0
g = rdflib.Graph().parse(out / "graph.ttl", format="turtle")
KG = rdflib.Namespace("https://w3id.org/gongan-kg/ontology#")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
vehicles = sorted(g.subjects(RDF.type, KG.Vehicle))
sentences = [str(g.value(s, KG.text)) for v in vehicles for m in g.subjects(KG.denotes, v)
             for s in g.objects(m, PROV.wasDerivedFrom)]
data = graph_data(g)
vtype = [i for i, t in enumerate(data["types"]) if t["name"] == "Vehicle"]
print(json.dumps({
    "package": kg.__file__,
    "types": list(ENTITY_TYPES),
    "labels": [str(l) for v in vehicles for l in g.objects(v, RDFS.label)],
    "sentences": sentences,
    "viewer_type": [t for t in data["types"] if t["name"] == "Vehicle"],
    "viewer_nodes": [n["l"] for n in data["nodes"] if n["t"] in vtype],
    "conforms": validate(out / "graph.ttl").conforms,
}, ensure_ascii=False))
'''


def _changed(a: Path, b: Path) -> set[str]:
    """Files of tree b that are not in tree a or differ from it."""
    out = set()
    for p in b.rglob("*"):
        if p.is_file() and "__pycache__" not in p.parts:
            q = a / p.relative_to(b)
            if not q.is_file() or not filecmp.cmp(p, q, shallow=False):
                out.add(p.relative_to(b).as_posix())
    return out


def test_a_new_entity_type_is_four_files(tmp_path):
    ignore = shutil.ignore_patterns("__pycache__")
    pristine = tmp_path / "pristine"
    shutil.copytree(ROOT / "kg", pristine / "kg", ignore=ignore)
    shutil.copytree(ROOT / "ontology", pristine / "kg" / "ontology", ignore=ignore)
    site = tmp_path / "site"
    shutil.copytree(pristine, site)
    pkg = site / "kg"

    (pkg / "extract" / "vehicles.py").write_text(EXTRACTOR, encoding="utf-8")
    (pkg / "resources" / "plate_regions.txt").write_text(REGIONS, encoding="utf-8")
    with open(pkg / "ontology" / "kg.ttl", "a", encoding="utf-8") as f:
        f.write(ONTOLOGY)
    with open(pkg / "viewer_assets" / "labels.tsv", "a", encoding="utf-8") as f:
        f.write(LABEL)
    assert _changed(pristine, site) == {"kg/extract/vehicles.py", "kg/resources/plate_regions.txt",
                                        "kg/ontology/kg.ttl", "kg/viewer_assets/labels.tsv"}

    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "plate.txt").write_text(ARTICLE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1"}
    run = subprocess.run([sys.executable, "-c", CHECK, str(tmp_path / "out"), str(articles)],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout.strip().splitlines()[-1])

    assert Path(got["package"]).is_relative_to(site)          # the copy ran, not the product
    assert got["types"] == [*ENTITY_TYPES, "Vehicle"]
    assert got["labels"] == ["浙G12345"]
    assert len(got["sentences"]) == 1 and "浙G12345" in got["sentences"][0]
    assert got["viewer_type"] == [{"name": "Vehicle", "zh": "涉案车辆", "colour": "#17becf", "count": 1}]
    assert got["viewer_nodes"] == ["浙G12345"]
    assert got["conforms"] is True
    assert "Vehicle" not in ENTITY_TYPES                       # the product is unchanged
