"""The offline interactive HTML graph.

`render_html(graph)` reads a graph in the layout of docs/rdf-layout.md and returns one
self-contained HTML page: vis-network's JS/CSS (shipped inside pyvis) are inlined, the
graph goes in as JSON inside `<script type="application/json">`, and the page's own
script builds every piece of text with `textContent`.  No external URL, no CDN.

Nodes are the resources typed with one of our 8 entity classes; edges are kg: triples
between two of them.  Each node carries what the side panel shows: type, label, aliases,
positions, articles, mentions (surface + sentence) and, per edge, the evidence sentences.

Small graphs settle with vis' physics, which is then switched off; above
`STATIC_LAYOUT_THRESHOLD` nodes positions are computed here (a radial tree per connected
component, O(n log n)) and physics starts off.  Output is deterministic.
"""
from __future__ import annotations

import html
import json
import math
import re
from collections import defaultdict
from functools import lru_cache
from importlib import resources
from pathlib import Path

import rdflib
from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from .fileio import write_atomic
from .errors import GraphError, ResourceError
from .rdf import KG
from .model import ENTITY_TYPES

ASSETS = Path(str(resources.files("kg") / "viewer_assets"))
STATIC_LAYOUT_THRESHOLD = 800   # above this many nodes: layout in Python, physics off
_EDGE_LABEL_THRESHOLD = 800     # above this many nodes: no edge labels drawn on the canvas

_TYPE_IRIS = {KG[t]: t for t in ENTITY_TYPES}
_TYPE_RANK = {t: i for i, t in enumerate(ENTITY_TYPES)}  # Official before Person, Bureau before Organization
_KG_NS = str(KG)


# --------------------------------------------------------------------------- assets

@lru_cache(maxsize=None)
def _labels() -> tuple[dict, dict]:
    """(types, predicates) from viewer_assets/labels.tsv, validated with file:line errors."""
    path = ASSETS / "labels.tsv"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ResourceError(f"{path}: cannot read ({e})") from None
    types: dict[str, dict] = {}
    preds: dict[str, dict] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cells = line.split("\t")
        kind = cells[0]
        if kind == "type":
            if len(cells) != 4 or not re.fullmatch(r"#[0-9a-fA-F]{6}", cells[3]):
                raise ResourceError(f"{path}:{n}: expected type<TAB>name<TAB>label<TAB>#rrggbb")
            if cells[1] not in _TYPE_RANK:
                raise ResourceError(f"{path}:{n}: unknown entity type {cells[1]!r}")
            types[cells[1]] = {"zh": cells[2], "colour": cells[3].lower()}
        elif kind == "predicate":
            if len(cells) != 3 or not cells[1] or not cells[2]:
                raise ResourceError(f"{path}:{n}: expected predicate<TAB>name<TAB>label")
            preds[cells[1]] = {"zh": cells[2]}
        else:
            raise ResourceError(f"{path}:{n}: unknown kind {kind!r} (expected type or predicate)")
    missing = [t for t in ENTITY_TYPES if t not in types]
    if missing:
        raise ResourceError(f"{path}: no display entry for type(s) {', '.join(missing)}")
    return types, preds


def _vis_file(name: str) -> str:
    """A file of the vis-network build shipped inside the pyvis package."""
    try:
        base = resources.files("pyvis") / "lib" / "vis-9.1.2"
        return (base / name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError) as e:
        raise ResourceError(f"vis-network's {name} not found in the pyvis package ({e}); "
                            "reinstall pyvis>=0.3.2") from None


def _asset(name: str) -> str:
    path = ASSETS / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError as e:
        raise ResourceError(f"{path}: viewer asset missing or unreadable ({e})") from None


def _inline(code: str, tag: str, what: str) -> str:
    """Code safe to place inside <tag>…</tag>: it must not close the element early."""
    if re.search(rf"</{tag}|<!--", code, re.IGNORECASE):
        raise ResourceError(f"{what} contains '</{tag}' or '<!--' and cannot be inlined")
    return code


# --------------------------------------------------------------------------- reading

def _local(iri) -> str:
    s = str(iri)
    return re.split(r"[#/]", s)[-1] or s


def _pick(values: list[Literal]) -> str | None:
    """The preferred literal: @zh first, then untagged, then any; ties by text."""
    if not values:
        return None

    def rank(lit):
        lang = getattr(lit, "language", None) or ""
        return (0 if lang.startswith("zh") else 1 if not lang else 2, str(lit))
    return str(min(values, key=rank))


class _Collected:
    """Everything the page needs, read from the graph in one pass."""

    def __init__(self, graph: rdflib.Graph):
        types: dict = defaultdict(set)
        labels: dict = defaultdict(list)
        alt: dict = defaultdict(set)
        positions: dict = defaultdict(set)
        mentioned: dict = defaultdict(set)
        kg_links: list = []
        titles: dict = defaultdict(list)
        source_file: dict = {}
        pub_date: dict = {}
        ident: dict = {}
        s_text: dict = defaultdict(list)
        s_part: dict = {}
        s_index: dict = {}
        r_subj: dict = {}
        r_pred: dict = {}
        r_obj: dict = {}
        derived: dict = defaultdict(set)
        denotes: dict = {}
        surface: dict = {}
        src: dict = {}
        mention_p = KG.mentionedIn
        for s, p, o in graph.triples((None, None, None)):
            if p == RDF.type:
                t = _TYPE_IRIS.get(o)
                if t:
                    types[s].add(t)
            elif p == RDFS.label:
                labels[s].append(o)
            elif p == SKOS.altLabel:
                alt[s].add(str(o))
            elif p == KG.holdsPosition:
                positions[s].add(str(o))
            elif p == mention_p:
                mentioned[s].add(o)
            elif p == DCTERMS.title:
                titles[s].append(o)
            elif p == KG.sourceFile:
                source_file[s] = str(o)
            elif p == DCTERMS.identifier:
                ident[s] = str(o)
            elif p == DCTERMS.date:
                pub_date[s] = str(o)
            elif p == KG.text:
                s_text[s].append(o)
            elif p == DCTERMS.isPartOf:
                s_part[s] = o
            elif p == KG["index"]:  # KG.index would be str.index
                try:
                    s_index[s] = int(o)
                except (TypeError, ValueError):
                    pass
            elif p == RDF.subject:
                r_subj[s] = o
            elif p == RDF.predicate:
                r_pred[s] = o
            elif p == RDF.object:
                r_obj[s] = o
            elif p == PROV.wasDerivedFrom:
                derived[s].add(o)
            elif p == KG.denotes:
                denotes[s] = o
            elif p == KG.surface:
                surface[s] = str(o)
            elif p == DCTERMS.source:
                src[s] = o
            elif isinstance(o, (URIRef, rdflib.BNode)) and str(p).startswith(_KG_NS):
                kg_links.append((s, p, o))

        # Nodes: sorted by IRI; the most specific of our classes wins.
        self.node_terms = sorted(types, key=lambda t: (str(t), t.n3()))
        index = {t: i for i, t in enumerate(self.node_terms)}
        self.index = index
        self.node_type = [min(types[t], key=_TYPE_RANK.__getitem__) for t in self.node_terms]
        self.node_label = [_pick(labels.get(t, [])) or _local(t) for t in self.node_terms]
        self.node_alias = [sorted(alt.get(t, set()) - {lab})
                           for t, lab in zip(self.node_terms, self.node_label)]
        self.node_pos = [sorted(positions.get(t, ())) for t in self.node_terms]

        # Edges: kg: triples between two nodes, sorted.
        edges = {(index[s], _local(p), index[o]) for s, p, o in kg_links
                 if s in index and o in index}
        self.edges = sorted(edges)

        # Articles referenced by nodes, sentences or evidence.
        self._titles, self._file, self._ident = titles, source_file, ident
        self.s_text, self.s_part, self.s_index = s_text, s_part, s_index
        self.article_ids: dict = {}
        self.articles: list = []
        self.sentence_ids: dict = {}
        self.sentences: list = []

        # Evidence: (s, p, o) -> sentences.  Positions keep literal objects.
        edge_ev: dict = defaultdict(set)
        pos_ev: dict = defaultdict(set)
        sent_refs: set = set()
        for r, subj in r_subj.items():
            pred, obj = r_pred.get(r), r_obj.get(r)
            if subj not in index or pred is None or obj is None:
                continue
            sents = {d for d in derived.get(r, ()) if d in s_text}
            if not sents:
                continue
            if isinstance(obj, Literal):
                pos_ev[(index[subj], str(obj))] |= sents
            elif obj in index:
                edge_ev[(index[subj], _local(pred), index[obj])] |= sents
            sent_refs |= sents
        node_mentions: dict = defaultdict(set)
        for m, target in denotes.items():
            if target not in index:
                continue
            for d in derived.get(m, ()):
                if d in s_text:
                    node_mentions[index[target]].add((surface.get(m, ""), d))
                    sent_refs.add(d)
            if not any(d in s_text for d in derived.get(m, ())) and m in src:
                node_mentions[index[target]].add((surface.get(m, ""), src[m]))

        node_articles = [set(mentioned.get(t, ())) for t in self.node_terms]
        art_refs = set().union(*node_articles) if node_articles else set()
        art_refs |= {s_part[s] for s in sent_refs if s in s_part}
        for terms in node_mentions.values():
            art_refs |= {x for _, x in terms if x not in s_text}
        for a in sorted(art_refs, key=self._article_key):
            self.article_ids[a] = len(self.articles)
            entry = {"title": self._article_title(a), "file": source_file.get(a, "")}
            if a in pub_date:   # the publication date, shown next to every source
                entry["date"] = pub_date[a]
            self.articles.append(entry)
        for s in sorted(sent_refs, key=self._sentence_key):
            self.sentence_ids[s] = len(self.sentences)
            part = s_part.get(s)
            self.sentences.append({"text": _pick(s_text[s]) or "",
                                   "a": self.article_ids.get(part, -1),
                                   "i": s_index.get(s, -1)})

        self.node_articles = [sorted(self.article_ids[a] for a in arts if a in self.article_ids)
                              for arts in node_articles]
        self.edge_ev = {k: sorted(self.sentence_ids[s] for s in v) for k, v in edge_ev.items()}
        self.pos_ev = {k: sorted(self.sentence_ids[s] for s in v) for k, v in pos_ev.items()}
        self.node_mentions = {}
        for n, items in node_mentions.items():
            rows = []
            for surf, x in items:
                if x in self.sentence_ids:
                    rows.append([surf, self.sentence_ids[x], -1])
                elif x in self.article_ids:
                    rows.append([surf, -1, self.article_ids[x]])
            self.node_mentions[n] = sorted(rows, key=lambda r: (r[1], r[2], r[0]))

    def _article_title(self, a) -> str:
        return _pick(self._titles.get(a, [])) or self._file.get(a) or self._ident.get(a) or _local(a)

    def _article_key(self, a):
        return (self._article_title(a), self._file.get(a, ""), str(a))

    def _sentence_key(self, s):
        part = self.s_part.get(s)
        art = self._article_key(part) if part is not None else ("", "", "")
        return (art, self.s_index.get(s, -1), str(s))


# --------------------------------------------------------------------------- layout

def _layout(n: int, edges: list[tuple[int, str, int]]) -> list[tuple[float, float]]:
    """Deterministic positions: a radial tree per connected component (BFS from the
    highest-degree node, each subtree gets an angular wedge proportional to its size),
    components packed on shelves, largest first.  O(n log n)."""
    adj: list[set] = [set() for _ in range(n)]
    for a, _, b in edges:
        if a != b:
            adj[a].add(b)
            adj[b].add(a)
    deg = [len(x) for x in adj]
    order = sorted(range(n), key=lambda i: (-deg[i], i))
    seen = [False] * n
    comps = []
    for root in order:
        if seen[root]:
            continue
        seen[root] = True
        parent = {root: -1}
        bfs = [root]
        children: dict[int, list[int]] = defaultdict(list)
        k = 0
        while k < len(bfs):
            u = bfs[k]
            k += 1
            for v in sorted(adj[u], key=lambda i: (-deg[i], i)):
                if not seen[v]:
                    seen[v] = True
                    parent[v] = u
                    children[u].append(v)
                    bfs.append(v)
        comps.append((root, bfs, children))

    ring, gap = 170.0, 60.0
    pos: list[tuple[float, float]] = [(0.0, 0.0)] * n
    placed = []
    for root, bfs, children in comps:
        size = {}
        for u in reversed(bfs):
            size[u] = 1 + sum(size[c] for c in children.get(u, ()))
        depth = {root: 0}
        for u in bfs:
            for c in children.get(u, ()):
                depth[c] = depth[u] + 1
        per_depth: dict[int, int] = defaultdict(int)
        for u in bfs:
            per_depth[depth[u]] += 1
        radius = {0: 0.0}
        for d in range(1, max(depth.values()) + 1):
            radius[d] = max(radius[d - 1] + ring, per_depth[d] * gap / (2 * math.pi))
        local = {root: (0.0, 0.0)}
        wedge = {root: (0.0, 2 * math.pi)}
        for u in bfs:
            lo, hi = wedge[u]
            kids = children.get(u, ())
            total = sum(size[c] for c in kids) or 1
            a = lo
            for c in kids:
                span = (hi - lo) * size[c] / total
                wedge[c] = (a, a + span)
                mid = a + span / 2
                r = radius[depth[c]]
                local[c] = (r * math.cos(mid), r * math.sin(mid))
                a += span
        extent = max(radius.values()) + gap
        placed.append((extent, bfs, local))

    # Shelf packing: rows of components, row width ~ sqrt of the total area.
    total_area = sum((2 * e) ** 2 for e, _, _ in placed)
    row_width = max(math.sqrt(total_area) * 1.2, max((2 * e for e, _, _ in placed), default=0))
    x = y = row_h = 0.0
    for extent, bfs, local in placed:
        w = 2 * extent
        if x > 0 and x + w > row_width:
            x, y, row_h = 0.0, y + row_h, 0.0
        cx, cy = x + extent, y + extent
        for u in bfs:
            lx, ly = local[u]
            pos[u] = (cx + lx, cy + ly)
        x += w
        row_h = max(row_h, w)
    # Centre on the origin.
    if n:
        mx = (min(p[0] for p in pos) + max(p[0] for p in pos)) / 2
        my = (min(p[1] for p in pos) + max(p[1] for p in pos)) / 2
        pos = [(p[0] - mx, p[1] - my) for p in pos]
    return [(round(px, 1), round(py, 1)) for px, py in pos]


# --------------------------------------------------------------------------- page

def graph_data(graph: rdflib.Graph, *, title: str = "gongan-kg") -> dict:
    """The JSON-ready data the page is drawn from (useful in notebooks and tests)."""
    if not isinstance(graph, rdflib.Graph):
        raise GraphError(f"render_html expects an rdflib.Graph, got {type(graph).__name__}")
    types, preds = _labels()
    c = _Collected(graph)
    n = len(c.node_terms)
    static = n > STATIC_LAYOUT_THRESHOLD
    xy = _layout(n, c.edges)
    pred_names = sorted({p for _, p, _ in c.edges} | {"holdsPosition"})
    pred_idx = {p: i for i, p in enumerate(pred_names)}
    counts = defaultdict(int)
    for t in c.node_type:
        counts[t] += 1
    nodes = []
    for i in range(n):
        node = {"id": i, "t": _TYPE_RANK[c.node_type[i]], "l": c.node_label[i],
                "iri": str(c.node_terms[i]), "x": xy[i][0], "y": xy[i][1]}
        if c.node_alias[i]:
            node["a"] = c.node_alias[i]
        if c.node_pos[i]:
            node["p"] = [[p, c.pos_ev.get((i, p), [])] for p in c.node_pos[i]]
        if c.node_articles[i]:
            node["ar"] = c.node_articles[i]
        if i in c.node_mentions:
            node["m"] = c.node_mentions[i]
        nodes.append(node)
    edges = [{"id": j, "f": a, "to": b, "p": pred_idx[p], "ev": c.edge_ev.get((a, p, b), [])}
             for j, (a, p, b) in enumerate(c.edges)]
    return {
        "title": title,
        "static": static,
        "edgeLabels": n <= _EDGE_LABEL_THRESHOLD,
        "types": [{"name": t, "zh": types[t]["zh"], "colour": types[t]["colour"],
                   "count": counts[t]} for t in ENTITY_TYPES],
        "preds": [{"name": p, "zh": preds.get(p, {}).get("zh", p)} for p in pred_names],
        "nodes": nodes,
        "edges": edges,
        "articles": c.articles,
        "sentences": c.sentences,
    }


def _json_for_script(data: dict) -> str:
    """JSON that cannot end the <script> element or open markup: <, >, & as \\u escapes."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


_SLOT = re.compile(r"/\*@(\w+)@\*/")


def render_html(graph: rdflib.Graph, *, title: str = "gongan-kg") -> str:
    """The whole page as a string: self-contained, offline, deterministic."""
    data = graph_data(graph, title=title)
    slots = {
        "TITLE": html.escape(title),
        "VIS_CSS": _inline(_vis_file("vis-network.css"), "style", "vis-network.css"),
        "VIEWER_CSS": _inline(_asset("viewer.css"), "style", "viewer.css"),
        "VIS_JS": _inline(_vis_file("vis-network.min.js"), "script", "vis-network.min.js"),
        "VIEWER_JS": _inline(_asset("viewer.js"), "script", "viewer.js"),
        "DATA": _json_for_script(data),
    }
    template = _asset("template.html")
    missing = set(slots) - set(_SLOT.findall(template))
    if missing:
        raise ResourceError(f"{ASSETS / 'template.html'}: missing slot(s) {sorted(missing)}")
    # One pass, so inserted text is never scanned for slots again.
    return _SLOT.sub(lambda m: slots.get(m.group(1), m.group(0)), template)


def write_html(graph: rdflib.Graph, out: Path, *, title: str = "gongan-kg") -> Path:
    """Render and write atomically (temp file in the same folder, then os.replace)."""
    out = Path(out)
    page = render_html(graph, title=title)
    write_atomic(page.encode("utf-8"), out, what="cannot write the viewer page")
    return out
