"""`kg eval`: score a graph in our layout against the gold annotations.

The corpus-level numbers follow the reference scorer (../shared/tools/score_reference.py)
exactly, quirks included, so `kg eval` and the reference agree:

- entities match by scored type and normalised label (rdfs:label / skos:prefLabel only, not
  skos:altLabel) against a gold name or alias; classes are compared by local name and mapped to
  the scored types through rdfs:subClassOf (in the graph or the ontology);
- a gold entity counts once however many nodes hit it; false items are counted per distinct label;
- a node that matches an `optional` gold entity is neither a hit nor a false item;
- relation endpoints are mapped to a gold name of any type; holdsPosition objects are compared
  as normalised literals.

On top of that, a per-article breakdown: each gold file against the part of the graph its article
supports (entities mentioned in it, relations with evidence from it).
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib import RDF, RDFS, Literal
from rdflib.namespace import DCTERMS, SKOS

from .errors import GoldError, GraphError
from .rdf import KG
from .model import CORE_TYPES, PREDICATES
from .vocab import ENTITY_TYPES

TYPES = list(ENTITY_TYPES)
CORE = list(CORE_TYPES)
PREDS = list(PREDICATES)
_GENERIC = ("Person", "Organization")

# The reference scorer's normalisation: NFKC, one middle dot, no quotes/brackets/spaces, lower case.
QUOTES = "\"'“”‘’「」『』《》〈〉【】()（）[]［］ \t\r\n\u3000"
DOTS = "·•・‧∙⋅．"


def norm(s) -> str:
    s = unicodedata.normalize("NFKC", str(s))
    for d in DOTS:
        s = s.replace(d, "·")
    s = "".join(ch for ch in s if ch not in QUOTES)
    return s.lower()


def local(iri) -> str:
    return re.split(r"[#/:]", str(iri))[-1]


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


# ---------------------------------------------------------------- report objects

@dataclass
class Score:
    """One row: an entity type or a predicate.  `missed` are gold items not found, `false` are
    predicted items that match nothing in the gold (entity labels, or (s, p, o) triples)."""
    gold: int
    tp: int
    fp: int
    fn: int
    p: float
    r: float
    f1: float
    missed: list = field(default_factory=list)
    false: list = field(default_factory=list)


@dataclass
class Micro:
    tp: int
    fp: int
    fn: int
    p: float
    r: float
    f1: float


@dataclass
class ArticleReport:
    """The scores of one gold file against the part of the graph its article supports."""
    doc: str                    # the gold "doc": the article's file name
    gold_file: str
    in_graph: bool              # an article node with kg:sourceFile == doc exists
    entities: dict[str, Score]
    relations: dict[str, Score]
    entity_core_micro: Micro
    entity_all_micro: Micro
    relation_micro: Micro


@dataclass
class EvalReport:
    gold_dir: str
    graph: str
    entities: dict[str, Score]
    relations: dict[str, Score]
    entity_core_micro: Micro
    entity_all_micro: Micro
    relation_micro: Micro
    articles: list[ArticleReport] = field(default_factory=list)
    unattributed_relations: int = 0   # predicted relation triples with no evidence in any gold article


# ---------------------------------------------------------------- gold

@dataclass
class _GoldFile:
    path: Path
    doc: str
    data: dict


@dataclass
class _Gold:
    ents: dict            # (type, gold name) -> set of normalised forms
    opt_forms: dict       # type or "*" -> set of normalised forms
    rels: set             # (s, p, o) canonical
    opt_rels: set
    alias: dict           # normalised form -> gold name (any type)

    def by_form(self) -> dict:
        """Normalised form -> [(position in ents, type, name)], for lookups in large graphs."""
        idx = defaultdict(list)
        for i, ((t, name), forms) in enumerate(self.ents.items()):
            for fm in forms:
                idx[fm].append((i, t, name))
        return idx


def _fail(path: Path, where: str, msg: str):
    raise GoldError(f"{path}: {where}: {msg}")


def _check_gold(path: Path, d) -> None:
    """Structural checks, so a typo in the gold is an error instead of a silently dropped item."""
    if not isinstance(d, dict):
        _fail(path, "top level", "expected a JSON object")
    for key in ("entities", "relations"):
        if not isinstance(d.get(key), list):
            _fail(path, key, "missing or not a list")
    if "optional" in d and not isinstance(d["optional"], list):
        _fail(path, "optional", "not a list")
    if "doc" in d and not isinstance(d["doc"], str):
        _fail(path, "doc", "not a string")

    def strings(where, obj, key, required=True):
        v = obj.get(key)
        if v is None and not required:
            return
        if not isinstance(v, str) or not v.strip():
            _fail(path, f"{where}.{key}", "missing or not a non-empty string")

    def string_list(where, obj, key):
        v = obj.get(key)
        if v is not None and not (isinstance(v, list) and all(isinstance(x, str) for x in v)):
            _fail(path, f"{where}.{key}", "not a list of strings")

    for i, e in enumerate(d["entities"]):
        where = f"entities[{i}]"
        if not isinstance(e, dict):
            _fail(path, where, "expected an object")
        strings(where, e, "name")
        strings(where, e, "type")
        if e["type"] not in TYPES:
            _fail(path, f"{where}.type", f"unknown type {e['type']!r} (expected one of {', '.join(TYPES)})")
        string_list(where, e, "aliases")
        string_list(where, e, "positions")
    for i, r in enumerate(d["relations"]):
        where = f"relations[{i}]"
        if not isinstance(r, dict):
            _fail(path, where, "expected an object")
        for k in ("s", "p", "o"):
            strings(where, r, k)
        if r["p"] not in PREDS:
            _fail(path, f"{where}.p", f"unknown predicate {r['p']!r} (expected one of {', '.join(PREDS)})")
    for i, e in enumerate(d.get("optional", [])):
        where = f"optional[{i}]"
        if not isinstance(e, dict):
            _fail(path, where, "expected an object")
        if "name" in e:
            strings(where, e, "name")
            strings(where, e, "type", required=False)
            if "type" in e and e["type"] not in TYPES:
                _fail(path, f"{where}.type", f"unknown type {e['type']!r}")
            string_list(where, e, "aliases")
        elif "s" in e:
            for k in ("s", "p", "o"):
                strings(where, e, k)
            if e["p"] not in PREDS:
                _fail(path, f"{where}.p", f"unknown predicate {e['p']!r}")
        else:
            _fail(path, where, 'expected an entity ("name") or a relation ("s", "p", "o")')


def read_gold(gold_dir: Path) -> list[_GoldFile]:
    """Read and check every *.json in `gold_dir` (sorted by name, as the reference scorer does)."""
    gold_dir = Path(gold_dir)
    if not gold_dir.is_dir():
        raise GoldError(f"{gold_dir}: gold folder not found")
    files = sorted(f for f in gold_dir.glob("*.json") if not f.name.endswith(".figures.json"))
    if not files:
        raise GoldError(f"{gold_dir}: no *.json gold files in this folder")
    out = []
    for f in files:
        try:
            text = f.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            raise GoldError(f"{f}: not UTF-8 (byte {e.start})") from None
        except OSError as e:
            raise GoldError(f"{f}: cannot read ({e.strerror})") from None
        try:
            d = json.loads(text)
        except json.JSONDecodeError as e:
            raise GoldError(f"{f}:{e.lineno}:{e.colno}: malformed JSON ({e.msg})") from None
        _check_gold(f, d)
        out.append(_GoldFile(f, d.get("doc") or f.stem + ".txt", d))
    return out


def _build_gold(files: list[_GoldFile]) -> _Gold:
    """The reference scorer's load_gold, over the given files."""
    ents: dict = {}
    opt_forms: dict = defaultdict(set)
    rels, opt_rels = set(), set()
    alias: dict = {}
    for gf in files:
        d = gf.data
        for e in d["entities"]:
            forms = ents.setdefault((e["type"], e["name"]), set())
            forms.add(norm(e["name"]))
            for a in e.get("aliases", []):
                forms.add(norm(a))
            for p in e.get("positions", []) or []:
                rels.add((e["name"], "holdsPosition", norm(p)))
        for e in d.get("optional", []):
            if "name" in e:
                opt_forms[e.get("type", "*")].add(norm(e["name"]))
                for a in e.get("aliases", []):
                    opt_forms[e.get("type", "*")].add(norm(a))
                alias.setdefault(norm(e["name"]), e["name"])
            elif "s" in e:
                opt_rels.add((e["s"], e["p"], e["o"] if e["p"] != "holdsPosition" else norm(e["o"])))
        for r in d["relations"]:
            o = norm(r["o"]) if r["p"] == "holdsPosition" else r["o"]
            rels.add((r["s"], r["p"], o))
    for (_t, name), forms in ents.items():
        for fm in forms:
            alias.setdefault(fm, name)
    return _Gold(ents, opt_forms, {_canon(r, alias) for r in rels}, {_canon(r, alias) for r in opt_rels}, alias)


def _canon(r, alias):
    """Relation endpoints written with other quotes or an alias -> the gold name."""
    s, p, o = r
    s = alias.get(norm(s), s)
    if p != "holdsPosition":
        o = alias.get(norm(o), o)
    return (s, p, o)


# ---------------------------------------------------------------- graph

_DATASET_FORMATS = {"trig", "nquads", "trix"}


def _parse(path: Path, what: str) -> rdflib.Graph:
    path = Path(path)
    if not path.is_file():
        raise GraphError(f"{path}: {what} file not found")
    fmt = rdflib.util.guess_format(str(path)) or "turtle"
    try:
        if fmt in _DATASET_FORMATS:
            # a plain Graph silently drops named graphs: read the union of all graphs
            ds = rdflib.Dataset(default_union=True)
            ds.parse(str(path), format=fmt)
            g = rdflib.Graph()
            for t in ds.triples((None, None, None)):
                g.add(t[:3])
            return g
        g = rdflib.Graph()
        g.parse(str(path), format=fmt)
        return g
    except Exception as e:  # rdflib raises many different types for bad input
        raise GraphError(f"{path}: cannot read {what} as {fmt} ({type(e).__name__}: {e})") from None


@dataclass
class _Pred:
    nodes: dict           # node -> (scored type, set of labels)
    rels: list            # (s, predicate local name, o, predicate IRI)
    labels: dict          # node -> set of labels


def _load_pred(graphs: list[rdflib.Graph]) -> _Pred:
    """The reference scorer's load_pred over the union of `graphs` (data first, ontology last)."""
    def triples(pattern):
        for g in graphs:
            yield from g.triples(pattern)

    sup = defaultdict(set)
    for c, _, p in triples((None, RDFS.subClassOf, None)):
        sup[c].add(p)

    def scored(cls, seen=None):
        seen = seen or set()
        if local(cls) in TYPES:
            return local(cls)
        for p in sup.get(cls, ()):
            if p not in seen:
                seen.add(p)
                r = scored(p, seen)
                if r:
                    return r
        return None

    labels = defaultdict(set)
    for s, p, o in triples((None, None, None)):
        if p in (RDFS.label, SKOS.prefLabel) and isinstance(o, Literal):
            labels[s].add(str(o))
    nodes = {}
    for s, _, c in triples((None, RDF.type, None)):
        t = scored(c)
        if t and labels.get(s):
            # most specific scored type wins: Official over Person, Bureau over Organization
            prev = nodes.get(s)
            if prev is None or (prev[0] in _GENERIC and t not in _GENERIC):
                nodes[s] = (t, labels[s])
    rels = []
    for s, p, o in triples((None, None, None)):
        lp = local(p)
        if lp in PREDS and s in nodes:
            rels.append((s, lp, o, p))
    return _Pred(nodes, rels, labels)


def _node_gold(pred: _Pred, gold: _Gold) -> dict:
    """Node -> the gold name (any type) its label denotes, as the reference scorer maps endpoints."""
    out = {}
    idx = gold.by_form()
    for n, (_t, labs) in pred.nodes.items():
        forms = {norm(lab) for lab in labs}
        anytype = [hit for fm in forms for hit in idx.get(fm, ())]
        if anytype:
            out[n] = min(anytype)[2]     # the first gold entity in file order, as the scorer
        else:
            for fm in forms:
                if fm in gold.alias:
                    out[n] = gold.alias[fm]
    return out


def _pred_rel(pred: _Pred, node_gold: dict, s, p, o):
    """A predicted triple in gold terms, or None when the scorer would ignore it."""
    gs = node_gold.get(s)
    if gs is None:
        return ("?" + sorted(pred.labels[s])[0], p, "?")
    if p == "holdsPosition":
        if isinstance(o, Literal):
            return (gs, p, norm(o))
        if pred.labels.get(o):
            return (gs, p, norm(sorted(pred.labels[o])[0]))
        return None
    go = node_gold.get(o)
    if go is None:
        lab = sorted(pred.labels[o])[0] if pred.labels.get(o) else str(o)
        return (gs, p, "?" + lab)
    return (gs, p, go)


def _micro(block: dict, keys) -> Micro:
    tp = sum(block[k].tp for k in keys)
    fp = sum(block[k].fp for k in keys)
    fn = sum(block[k].fn for k in keys)
    return Micro(tp, fp, fn, *prf(tp, fp, fn))


def _score(gold: _Gold, pred: _Pred, nodes, rels, node_gold):
    """Score the given nodes (subset of pred.nodes) and relations against `gold`."""
    entities: dict[str, Score] = {}
    hit_gold = defaultdict(set)
    fp = defaultdict(list)
    idx = gold.by_form()
    for n in nodes:
        t, labs = pred.nodes[n]
        forms = {norm(lab) for lab in labs}
        match = [name for fm in forms for (_i, gt, name) in idx.get(fm, ()) if gt == t]
        if match:
            hit_gold[t].update(match)
        elif forms & (gold.opt_forms.get(t, set()) | gold.opt_forms.get("*", set())):
            pass
        else:
            fp[t].append(sorted(labs)[0])
    for t in TYPES:
        gold_t = {name for (gt, name) in gold.ents if gt == t}
        tp = len(hit_gold[t])
        false = sorted(set(fp[t]))
        missed = sorted(gold_t - hit_gold[t])
        entities[t] = Score(len(gold_t), tp, len(false), len(missed), *prf(tp, len(false), len(missed)),
                            missed=missed, false=false)
    pred_set = set()
    for s, p, o, _piri in rels:
        r = _pred_rel(pred, node_gold, s, p, o)
        if r is not None:
            pred_set.add(r)
    relations: dict[str, Score] = {}
    for p in PREDS:
        g = {r for r in gold.rels if r[1] == p}
        pr = {r for r in pred_set if r[1] == p}
        opt = {r for r in gold.opt_rels if r[1] == p}
        tp = len(g & pr)
        false = sorted(pr - g - opt)
        missed = sorted(g - pr)
        relations[p] = Score(len(g), tp, len(false), len(missed), *prf(tp, len(false), len(missed)),
                             missed=missed, false=false)
    return (entities, relations, _micro(entities, CORE), _micro(entities, TYPES), _micro(relations, PREDS))


# ---------------------------------------------------------------- per article

def _article_index(g: rdflib.Graph):
    """kg:sourceFile -> article nodes; article -> entities mentioned; article -> evidenced triples."""
    by_file = defaultdict(set)
    for a, _, f in g.triples((None, KG.sourceFile, None)):
        by_file[str(f)].add(a)
    mentioned = defaultdict(set)
    for e, _, a in g.triples((None, KG.mentionedIn, None)):
        mentioned[a].add(e)
    for m, _, a in g.triples((None, DCTERMS.source, None)):   # mention nodes, as a second route
        for e in g.objects(m, KG.denotes):
            mentioned[a].add(e)
    evidenced = defaultdict(set)
    for ev, _, a in g.triples((None, DCTERMS.source, None)):
        s = g.value(ev, RDF.subject)
        p = g.value(ev, RDF.predicate)
        if s is None or p is None:
            continue
        for o in g.objects(ev, RDF.object):
            evidenced[a].add((s, p, o))
    return by_file, mentioned, evidenced


def _article_gold(gf: _GoldFile, corpus: _Gold) -> _Gold:
    """One file's gold, with names resolved against the whole gold (aliases are corpus-wide)."""
    own = _build_gold([gf])
    ents = {k: corpus.ents[k] for k in own.ents}
    rels = {_canon(r, corpus.alias) for r in _raw_rels(gf.data)}
    opt_rels = {_canon(r, corpus.alias) for r in _raw_opt_rels(gf.data)}
    return _Gold(ents, own.opt_forms, rels, opt_rels, corpus.alias)


def _raw_rels(d):
    for e in d["entities"]:
        for p in e.get("positions", []) or []:
            yield (e["name"], "holdsPosition", norm(p))
    for r in d["relations"]:
        yield (r["s"], r["p"], norm(r["o"]) if r["p"] == "holdsPosition" else r["o"])


def _raw_opt_rels(d):
    for e in d.get("optional", []):
        if "s" in e:
            yield (e["s"], e["p"], e["o"] if e["p"] != "holdsPosition" else norm(e["o"]))


# ---------------------------------------------------------------- public API

def evaluate(gold_dir: Path, graph: Path | rdflib.Graph, ontology: Path | None = None) -> EvalReport:
    """Score `graph` (a file in our layout, or an rdflib Graph) against the gold folder.

    `ontology` (e.g. ontology/kg.ttl) supplies rdfs:subClassOf for classes the graph does not
    declare.  Raises GoldError for a bad gold folder/file and GraphError for an unreadable graph.
    """
    gold_files = read_gold(Path(gold_dir))
    if isinstance(graph, rdflib.Graph):
        data, graph_name = graph, "<graph>"
    else:
        data, graph_name = _parse(Path(graph), "graph"), str(graph)
    graphs = [data]
    if ontology is not None:
        graphs.append(_parse(Path(ontology), "ontology"))

    gold = _build_gold(gold_files)
    pred = _load_pred(graphs)
    node_gold = _node_gold(pred, gold)
    ents, rels, core, all_, rel = _score(gold, pred, list(pred.nodes), pred.rels, node_gold)
    report = EvalReport(str(gold_dir), graph_name, ents, rels, core, all_, rel)

    by_file, mentioned, evidenced = _article_index(data)
    attributed = set()
    for gf in gold_files:
        arts = by_file.get(gf.doc, set())
        nodes = [n for n in pred.nodes if any(n in mentioned[a] for a in arts)]
        triples = set().union(*(evidenced[a] for a in arts)) if arts else set()
        a_rels = [r for r in pred.rels if (r[0], r[3], r[2]) in triples]
        attributed.update(a_rels)
        a_gold = _article_gold(gf, gold)
        e, r, c, al, rl = _score(a_gold, pred, nodes, a_rels, node_gold)
        report.articles.append(ArticleReport(gf.doc, gf.path.name, bool(arts), e, r, c, al, rl))
    report.unattributed_relations = len(set(pred.rels) - attributed)
    return report


def _fmt_rel(r) -> str:
    s, p, o = r
    return f"{s} —{p}→ {o}"


def _table(entities: dict, relations: dict, micros: list[tuple[str, Micro]], detail: bool,
           compact: bool = False) -> list[str]:
    """Rows of scores; `compact` leaves out rows with nothing in the gold and nothing predicted."""
    out = [f"{'type':18} gold   tp   fp   fn     P     R    F1"]

    def row(name, v: Score, rel: bool):
        if compact and not (v.gold or v.fp):
            return
        out.append(f"{name:18} {v.gold:4} {v.tp:4} {v.fp:4} {v.fn:4} {v.p:5.2f} {v.r:5.2f} {v.f1:5.2f}")
        if detail and (v.missed or v.false):
            fmt = _fmt_rel if rel else str
            if rel:
                for m in v.missed:
                    out.append(f"    missed: {fmt(m)}")
                for f in v.false:
                    out.append(f"    false:  {fmt(f)}")
            else:
                if v.missed:
                    out.append("    missed: " + "、".join(v.missed))
                if v.false:
                    out.append("    false:  " + "、".join(v.false))

    for t, v in entities.items():
        row(t, v, False)
    for p, v in relations.items():
        row(p, v, True)
    for name, m in micros:
        out.append(f"{name}: P={m.p:.3f} R={m.r:.3f} F1={m.f1:.3f}  (tp={m.tp} fp={m.fp} fn={m.fn})")
    return out


def _micros(x) -> list[tuple[str, Micro]]:
    return [("entity_core_micro", x.entity_core_micro), ("entity_all_micro", x.entity_all_micro),
            ("relation_micro", x.relation_micro)]


def format_report(report: EvalReport, *, detail: bool = False, per_article: bool = False) -> str:
    """A readable table like the reference scorer's; `detail` adds the missed and false items
    (all of them), `per_article` adds one table per gold article."""
    out = [f"gold: {report.gold_dir}   graph: {report.graph}", ""]
    out += _table(report.entities, report.relations, _micros(report), detail)
    if per_article:
        out += ["", "Per article (entities mentioned in the article, relations with evidence from it):",
                f"{'article':34} {'core F1':>8} {'all F1':>8} {'rel F1':>8}"]
        for a in report.articles:
            note = "" if a.in_graph else "  (not in graph)"
            out.append(f"{a.doc:34} {a.entity_core_micro.f1:8.3f} {a.entity_all_micro.f1:8.3f} "
                       f"{a.relation_micro.f1:8.3f}{note}")
        for a in report.articles:
            out += ["", f"== {a.doc} (gold {a.gold_file})"
                    + ("" if a.in_graph else ": no article with this kg:sourceFile in the graph")]
            out += _table(a.entities, a.relations, _micros(a), detail, compact=True)
        if report.unattributed_relations:
            out += ["", f"{report.unattributed_relations} predicted relation triple(s) have no evidence "
                        "from any gold article and appear in no per-article table."]
    return "\n".join(out)


def _score_json(v: Score, rel: bool) -> dict:
    d = {k: getattr(v, k) for k in ("gold", "tp", "fp", "fn", "p", "r", "f1")}
    d["missed"] = [list(x) for x in v.missed] if rel else list(v.missed)
    d["false"] = [list(x) for x in v.false] if rel else list(v.false)
    return d


def _block_json(x) -> dict:
    d = {"entities": {t: _score_json(v, False) for t, v in x.entities.items()},
         "relations": {p: _score_json(v, True) for p, v in x.relations.items()}}
    for name, m in _micros(x):
        d[name] = {"p": m.p, "r": m.r, "f1": m.f1, "tp": m.tp, "fp": m.fp, "fn": m.fn}
    return d


def report_json(report: EvalReport) -> dict:
    """A JSON-ready dict: the reference scorer's `--json` keys, plus "articles"."""
    d = {"gold_dir": report.gold_dir, "graph": report.graph}
    d.update(_block_json(report))
    d["unattributed_relations"] = report.unattributed_relations
    d["articles"] = []
    for a in report.articles:
        ad = {"doc": a.doc, "gold_file": a.gold_file, "in_graph": a.in_graph}
        ad.update(_block_json(a))
        d["articles"].append(ad)
    return d


# ---------------------------------------------------------------- dates and figures
# The second gold layer (*.figures.json), scored exactly as ../shared/tools/figscore_reference.py
# scores it: predicates and classes by local name, articles by kg:sourceFile / dcterms:identifier
# stem, an observation found when value (to 0.01), unit, change kind, direction and indicator
# (one contains the other, spaces and quotes removed) agree; period and subject are accuracies
# over the found ones; a prediction matching an optional observation is neither hit nor false.

@dataclass
class FiguresReport:
    gold_dir: str
    graph: str
    tp: int
    fp: int
    fn: int
    p: float
    r: float
    f1: float
    period_acc: float
    subject_acc: float
    dates_ok: int
    dates: int
    date_acc: float
    detail: list[str] = field(default_factory=list)


_FIG_STRIP = re.compile(r"[\s“”\"'‘’《》()（）]")


def _fnorm(s) -> str:
    return _FIG_STRIP.sub("", str(s or ""))


def _fdec(x):
    from decimal import Decimal, InvalidOperation
    try:
        return Decimal(str(x))
    except (InvalidOperation, TypeError):
        return None


def read_figures_gold(gold_dir: Path) -> list[tuple[Path, dict]]:
    gold_dir = Path(gold_dir)
    files = sorted(gold_dir.glob("*.figures.json")) if gold_dir.is_dir() else []
    if not files:
        raise GoldError(f"{gold_dir}: no *.figures.json gold files in this folder")
    out = []
    for f in files:
        try:
            d = json.loads(f.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, OSError) as e:
            raise GoldError(f"{f}: cannot read ({e})") from None
        except json.JSONDecodeError as e:
            raise GoldError(f"{f}:{e.lineno}:{e.colno}: malformed JSON ({e.msg})") from None
        if not isinstance(d, dict) or not isinstance(d.get("doc"), str) or not isinstance(d.get("observations"), list):
            raise GoldError(f"{f}: expected an object with \"doc\" and \"observations\"")
        for i, o in enumerate(d["observations"] + d.get("optional_observations", [])):
            if not isinstance(o, dict) or not {"indicator", "value", "unit"} <= set(o):
                raise GoldError(f"{f}: observation {i}: needs indicator, value and unit")
        out.append((f, d))
    return out


def evaluate_figures(gold_dir: Path, graph: Path | rdflib.Graph) -> FiguresReport:
    """Dates and observations of `graph` against the *.figures.json files of `gold_dir`."""
    gold = read_figures_gold(Path(gold_dir))
    if isinstance(graph, rdflib.Graph):
        g, name = graph, "<graph>"
    else:
        g, name = _parse(Path(graph), "graph"), str(graph)
    props: dict = {}
    for s, p, o in g:
        props.setdefault(s, {}).setdefault(local(p).split(":")[-1], []).append(o)
    article_of = {}
    for s, ps in props.items():
        for key in ("sourceFile", "identifier"):
            for v in ps.get(key, []):
                article_of[Path(str(v)).stem] = s
    labels = {s: str(ps["label"][0]) for s, ps in props.items() if ps.get("label")}
    obs_by_article: dict = {}
    for s, ps in props.items():
        if not any(local(t) == "Observation" for t in ps.get("type", [])):
            continue
        src = ps.get("source", [None])[0]
        if src is None:
            sent = ps.get("wasDerivedFrom", [None])[0]
            src = props.get(sent, {}).get("isPartOf", [None])[0]
        obs_by_article.setdefault(src, []).append(ps)

    def first(ps, k):
        v = ps.get(k)
        return None if not v else v[0]

    def pred(ps):
        ch, d, subj = first(ps, "change"), first(ps, "direction"), first(ps, "subject")
        return {"indicator": _fnorm(first(ps, "indicator")), "value": _fdec(first(ps, "value")),
                "unit": _fnorm(first(ps, "unit")), "change": bool(ch and str(ch).strip()),
                "direction": str(d) if d is not None else None,
                "period": str(first(ps, "period") or "") or None,
                "subject": _fnorm(labels.get(subj, subj)) if subj is not None else None}

    def match(go, p):
        from decimal import Decimal
        gv, pv = _fdec(go["value"]), p["value"]
        if gv is None or pv is None or abs(gv - pv) > Decimal("0.01"):
            return False
        if _fnorm(go["unit"]) != p["unit"]:
            return False
        if bool(go.get("change")) != p["change"] or (go.get("direction") or None) != (p["direction"] or None):
            return False
        gi = _fnorm(go["indicator"])
        return bool(gi) and bool(p["indicator"]) and (gi in p["indicator"] or p["indicator"] in gi)

    tp = fp = fn = dates_ok = dates = per_ok = sub_ok = 0
    detail: list[str] = []
    for f, d in gold:
        stem = Path(d["doc"]).stem
        art = article_of.get(stem)
        if d.get("date"):
            dates += 1
            got = [str(x) for x in props.get(art, {}).get("date", [])] if art is not None else []
            if d["date"] in got:
                dates_ok += 1
            else:
                detail.append(f"{stem}: date gold {d['date']} got {got}")
        preds = [pred(ps) for ps in obs_by_article.get(art, [])] if art is not None else []
        optional = d.get("optional_observations", [])
        used: set = set()
        for go in d["observations"]:
            hit = next((i for i, p in enumerate(preds) if i not in used and match(go, p)), None)
            if hit is None:
                fn += 1
                detail.append(f"{stem}: missed {go['indicator']} {go['value']}{go['unit']} "
                              f"{go.get('change') or ''}{go.get('direction') or ''}")
                continue
            used.add(hit)
            tp += 1
            p = preds[hit]
            per_ok += (str(go.get("period")) == str(p["period"])) if go.get("period") else 1
            sub_ok += (_fnorm(go.get("subject")) == p["subject"]) if go.get("subject") else 1
        for i, p in enumerate(preds):
            if i in used or any(match(o, p) for o in optional):
                continue
            fp += 1
            detail.append(f"{stem}: false {p['indicator']} {p['value']}{p['unit']}")
    P, R, F = prf(tp, fp, fn)
    return FiguresReport(str(gold_dir), name, tp, fp, fn, round(P, 3), round(R, 3), round(F, 3),
                         round(per_ok / tp, 3) if tp else 0.0, round(sub_ok / tp, 3) if tp else 0.0,
                         dates_ok, dates, round(dates_ok / dates, 3) if dates else 0.0, detail)


def format_figures(r: FiguresReport, *, detail: bool = False) -> str:
    out = [f"figures gold: {r.gold_dir}   graph: {r.graph}",
           f"observations P/R/F1 {r.p:.2f}/{r.r:.2f}/{r.f1:.2f} (tp={r.tp} fp={r.fp} fn={r.fn}); "
           f"period acc {r.period_acc}, subject acc {r.subject_acc}; dates {r.dates_ok}/{r.dates}"]
    if detail:
        out += ["    " + d for d in r.detail]
    return "\n".join(out)


def figures_json(r: FiguresReport) -> dict:
    """The reference scorer's --json keys."""
    return {"observations": {"p": r.p, "r": r.r, "f1": r.f1, "tp": r.tp, "fp": r.fp, "fn": r.fn},
            "period_acc": r.period_acc, "subject_acc": r.subject_acc, "date_acc": r.date_acc,
            "dates": r.dates}
