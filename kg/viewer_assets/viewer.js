/* gongan-kg viewer.  Every piece of text from the graph goes into the page through
   textContent / createTextNode (or vis' plain-string tooltips, set with innerText):
   article text is data, never markup.

   DATA.nodes holds every entity (the search index); the first DATA.overview of them are
   drawn on open, the others are drawn with their neighbours when opened.  Nodes marked
   q:1 carry no sources: with DATA.endpoint they are fetched from the SPARQL endpoint. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("data").textContent);
  var T = DATA.types, P = DATA.preds, N = DATA.nodes, E = DATA.edges;
  var S = DATA.sentences, A = DATA.articles;
  var OV = DATA.overview === undefined ? N.length : DATA.overview;
  var FONT = '"Noto Sans CJK SC", "WenQuanYi Zen Hei", "PingFang SC", "Microsoft YaHei", sans-serif';
  var LIST_CAP = 50, NEIGHBOUR_CAP = 60, QUERY_LIMIT = 500;
  var LABEL_PX = 13, LABEL_MAX = 60, DRAW_THRESHOLD = 6;
  var KG = "https://w3id.org/gongan-kg/ontology#";

  // ---------------------------------------------------------------- helpers
  function el(tag, cls, children) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return e;
  }
  function swatch(t) {
    var s = el("span", "swatch");
    s.style.background = T[t].colour;
    return s;
  }
  function typeName(t) { return T[t].zh + " / " + T[t].name; }
  function predName(p) { return P[p].zh + " / " + P[p].name; }
  function shade(hex, f) {
    var n = parseInt(hex.slice(1), 16), r = (n >> 16) & 255, g = (n >> 8) & 255, b = n & 255;
    function c(v) { return Math.max(0, Math.min(255, Math.round(v * f))); }
    return "rgb(" + c(r) + "," + c(g) + "," + c(b) + ")";
  }
  function local(iri) { var m = /[^#\/]*$/.exec(iri); return (m && m[0]) || iri; }

  // ---------------------------------------------------------------- graph structure
  var iriIndex = new Map(), predIndex = new Map(), edgeIndex = new Map();
  N.forEach(function (n, i) { n.id = i; iriIndex.set(n.iri, i); });
  P.forEach(function (p, i) { predIndex.set(p.name, i); });
  var adj = N.map(function () { return []; });
  var outE = N.map(function () { return []; });
  var inE = N.map(function () { return []; });
  function linkEdge(e, j) {
    e.id = j;
    edgeIndex.set(e.f + "|" + e.p + "|" + e.to, j);
    adj[e.f].push(e.to); adj[e.to].push(e.f);
    outE[e.f].push(e); inE[e.to].push(e);
  }
  E.forEach(linkEdge);
  var typeOn = T.map(function () { return true; });
  var opening = null;   // the entity last asked for (answers for earlier ones are not shown)
  var selected = null, hops = "all", focusSet = null;

  function fontSize(id) {
    // Hubs get larger labels, so they stay readable when the whole graph is in view.
    return Math.round(14 + Math.min(30, 3 * Math.sqrt(Math.max(0, adj[id].length - 2))));
  }
  function visNode(n) {
    var c = T[n.t].colour, deg = adj[n.id].length;
    var tip = typeName(n.t) + "\n" + n.l;
    if (n.a && n.a.length) tip += "\n别名 / aliases: " + n.a.join("、");
    return {
      id: n.id, label: n.l, title: tip, x: n.x, y: n.y,
      size: 9 + Math.min(18, 3 * Math.sqrt(deg)),
      font: { size: fontSize(n.id) },
      color: { background: c, border: shade(c, 0.7),
               highlight: { background: c, border: "#111" }, hover: { background: c, border: "#111" } }
    };
  }
  function visEdge(e) {
    var p = P[e.p];
    return {
      id: e.id, from: e.f, to: e.to,
      label: DATA.edgeLabels ? p.zh + "\n" + p.name : undefined,
      title: N[e.f].l + " —" + predName(e.p) + "→ " + N[e.to].l
    };
  }
  var drawn = new Set();
  for (var i0 = 0; i0 < OV; i0++) drawn.add(i0);
  var nodes = new vis.DataSet(N.slice(0, OV).map(visNode));
  var edges = new vis.DataSet(E.filter(function (e) { return drawn.has(e.f) && drawn.has(e.to); }).map(visEdge));
  function visible(id) { return typeOn[N[id].t] && (!focusSet || focusSet.has(id)); }
  var nodesView = new vis.DataView(nodes, { filter: function (n) { return visible(n.id); } });
  var edgesView = new vis.DataView(edges, {
    filter: function (e) { return visible(e.from) && visible(e.to); } });

  var options = {
    autoResize: true,
    nodes: { shape: "dot", borderWidth: 1.5,
             font: { face: FONT, size: 14, color: "#222", strokeWidth: 3, strokeColor: "#ffffff" },
             scaling: { label: { drawThreshold: DRAW_THRESHOLD } } },
    edges: { width: 1, arrows: { to: { enabled: true, scaleFactor: 0.5 } },
             color: { color: "#a3adbb", highlight: "#333333", hover: "#555555",
                      opacity: DATA.static ? 0.35 : 1.0 },   // a large overview: lighter edges
             font: { face: FONT, size: 9, color: "#666", strokeWidth: 3, strokeColor: "#ffffff",
                     align: "horizontal", multi: false },
             smooth: DATA.static ? false : { enabled: true, type: "continuous", roundness: 0.4 } },
    interaction: { hover: true, tooltipDelay: 120, hideEdgesOnDrag: DATA.static,
                   hideEdgesOnZoom: DATA.static, keyboard: false },
    layout: { randomSeed: 7, improvedLayout: false },
    physics: DATA.static ? { enabled: false } : {
      enabled: true, solver: "forceAtlas2Based",
      forceAtlas2Based: { gravitationalConstant: -90, centralGravity: 0.01, springLength: 120,
                          springConstant: 0.06, damping: 0.5, avoidOverlap: 0.6 },
      maxVelocity: 60, minVelocity: 1,
      stabilization: { enabled: true, iterations: 400, updateInterval: 25, fit: true }
    }
  };
  var container = document.getElementById("graph");
  var network = new vis.Network(container, { nodes: nodesView, edges: edgesView }, options);
  var status = document.getElementById("status");

  var kgView = window.kgView = {
    network: network, nodes: nodes, edges: edges, nodesView: nodesView, edgesView: edgesView,
    data: DATA, stable: false, loading: 0,
    visibleNodeIds: function () { return network.body.nodeIndices.slice(); },
    drawnNodeIds: function () { return Array.from(drawn).sort(function (a, b) { return a - b; }); },
    selected: function () { return selected; },
    selectNode: function (id) { openNode(id, true); },
    overlayLabels: []
  };
  function markStable() {
    if (kgView.stable) return;
    kgView.stable = true;
    document.body.setAttribute("data-stable", "1");
    status.textContent = "";
  }
  if (DATA.static || !OV) {
    network.once("afterDrawing", markStable);
    if (!OV) markStable();
  } else {
    status.textContent = "布局中 / Laying out…";
    network.on("stabilizationProgress", function (p) {
      status.textContent = "布局中 / Laying out… " + Math.round(100 * p.iterations / p.total) + "%";
    });
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: false });
      storePositions();
      network.fit();
      markStable();
    });
  }
  // network.storePositions() fails when a DataView hides nodes: keep positions ourselves.
  function storePositions() {
    var pos = network.getPositions(network.body.nodeIndices), upd = [];
    Object.keys(pos).forEach(function (id) {
      var n = nodes.get(Number(id)), x = Math.round(pos[id].x), y = Math.round(pos[id].y);
      if (n && (n.x !== x || n.y !== y)) upd.push({ id: Number(id), x: x, y: y });
      N[Number(id)].x = x; N[Number(id)].y = y;
    });
    if (upd.length) nodes.update(upd);
  }
  network.on("dragEnd", function (p) { if (p.nodes.length) storePositions(); });

  // ---------------------------------------------------------------- labels at overview zoom
  // vis skips labels smaller than DRAW_THRESHOLD px on screen; the best-connected visible
  // nodes (and the selection) get a fixed-size label drawn here instead, without overlaps.
  var byDegree = null;
  function degreeOrder() {
    if (!byDegree) byDegree = Array.from(drawn).sort(function (a, b) {
      return adj[b].length - adj[a].length || a - b; });
    return byDegree;
  }
  network.on("afterDrawing", function (ctx) {
    var scale = network.getScale(), placed = [], shown = [];
    var order = selected !== null && drawn.has(selected) ? [selected].concat(degreeOrder()) : degreeOrder();
    var px = LABEL_PX / scale;
    ctx.save();
    ctx.font = px + "px " + FONT;
    ctx.textAlign = "center"; ctx.textBaseline = "top";
    ctx.lineWidth = 3 / scale; ctx.strokeStyle = "#ffffff"; ctx.fillStyle = "#222";
    for (var k = 0; k < order.length && shown.length < LABEL_MAX; k++) {
      var id = order[k], body = network.body.nodes[id];
      if (!body || !visible(id) || shown.indexOf(id) >= 0) continue;
      if (fontSize(id) * scale >= DRAW_THRESHOLD - 1) continue;   // vis draws this one itself
      var w = ctx.measureText(N[id].l).width, x = body.x, y = body.y + body.options.size + 2 / scale;
      var box = [x - w / 2, y, x + w / 2, y + px];
      if (placed.some(function (b) { return box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]; }))
        continue;
      placed.push(box); shown.push(id);
      ctx.strokeText(N[id].l, x, y);
      ctx.fillText(N[id].l, x, y);
    }
    ctx.restore();
    kgView.overlayLabels = shown;
  });

  // ---------------------------------------------------------------- drawing on demand
  function bounds() {
    var xs = [], ys = [];
    drawn.forEach(function (id) { if (N[id].x !== undefined) { xs.push(N[id].x); ys.push(N[id].y); } });
    if (!xs.length) return { x0: 0, x1: 0, y0: 0, y1: 0 };
    return { x0: Math.min.apply(null, xs), x1: Math.max.apply(null, xs),
             y0: Math.min.apply(null, ys), y1: Math.max.apply(null, ys) };
  }
  var parked = 0;
  function place(id) {
    var n = N[id];
    if (n.x !== undefined) return;
    var anchor = adj[id].filter(function (v) { return drawn.has(v) && N[v].x !== undefined; })[0];
    if (anchor !== undefined) {
      var a = 2 * Math.PI * ((id * 0.618034) % 1);
      n.x = Math.round(N[anchor].x + 160 * Math.cos(a)); n.y = Math.round(N[anchor].y + 160 * Math.sin(a));
    } else {   // no drawn neighbour: a column right of everything drawn
      var b = bounds();
      n.x = Math.round(b.x1 + 300); n.y = Math.round(b.y0 + 220 * (parked++ % 20));
    }
  }
  function draw(ids) {
    var add = [];
    ids.forEach(function (id) {
      if (drawn.has(id)) return;
      place(id);
      drawn.add(id);
      add.push(id);
    });
    if (!add.length) return;
    byDegree = null;
    nodes.add(add.map(function (id) { return visNode(N[id]); }));
    var es = [];
    add.forEach(function (id) {
      outE[id].concat(inE[id]).forEach(function (e) {
        if (drawn.has(e.f) && drawn.has(e.to) && !edges.get(e.id)) { es.push(visEdge(e)); }
      });
    });
    var seen = new Set();
    edges.add(es.filter(function (e) { if (seen.has(e.id)) return false; seen.add(e.id); return true; }));
    updateStats();
  }
  function expand(id) {
    // The node and its neighbours (ring around it), at most NEIGHBOUR_CAP new ones.
    var fresh = !drawn.has(id);
    draw([id]);
    var c = N[id], ring = [];
    adj[id].forEach(function (v) { if (!drawn.has(v) && ring.indexOf(v) < 0) ring.push(v); });
    ring.sort(function (a, b) { return a - b; });
    ring = ring.slice(0, NEIGHBOUR_CAP);
    var r = 140 + 6 * ring.length;
    ring.forEach(function (v, k) {
      var a = 2 * Math.PI * k / ring.length;
      N[v].x = Math.round(c.x + r * Math.cos(a)); N[v].y = Math.round(c.y + r * Math.sin(a));
    });
    draw(ring);
    return fresh || ring.length > 0;
  }

  // ---------------------------------------------------------------- the SPARQL endpoint
  var PREFIXES = "PREFIX kg: <" + KG + ">\nPREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n" +
    "PREFIX dcterms: <http://purl.org/dc/terms/>\nPREFIX prov: <http://www.w3.org/ns/prov#>\n";
  function sparql(q) {
    return fetch(DATA.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded",
                 "Accept": "application/sparql-results+json" },
      body: "query=" + encodeURIComponent(PREFIXES + q)
    }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(function (j) { return j.results.bindings; });
  }
  function val(b, k) { return b[k] ? b[k].value : undefined; }
  var fetchedSentences = new Map(), fetchedArticles = new Map();
  function articleId(b) {
    var iri = val(b, "a");
    if (iri === undefined) return -1;
    if (!fetchedArticles.has(iri)) {
      fetchedArticles.set(iri, A.length);
      A.push({ title: val(b, "title") || val(b, "file") || local(iri), file: val(b, "file") || "" });
    }
    return fetchedArticles.get(iri);
  }
  function sentenceId(b) {
    var iri = val(b, "d");
    if (iri === undefined || val(b, "text") === undefined) return -1;
    if (!fetchedSentences.has(iri)) {
      fetchedSentences.set(iri, S.length);
      var i = parseInt(val(b, "i"), 10);
      S.push({ text: val(b, "text"), a: articleId(b), i: isNaN(i) ? -1 : i });
    }
    return fetchedSentences.get(iri);
  }
  function predId(iri) {
    var name = local(iri);
    if (!predIndex.has(name)) { predIndex.set(name, P.length); P.push({ name: name, zh: name }); }
    return predIndex.get(name);
  }
  function addEdge(f, p, to) {
    var key = f + "|" + p + "|" + to;
    if (!edgeIndex.has(key)) { var e = { f: f, to: to, p: p, ev: [] }; E.push(e); linkEdge(e, E.length - 1); }
    return E[edgeIndex.get(key)];
  }
  function bySource(a, b) {   // sentences in reading order: article title, then index
    var ta = S[a].a >= 0 ? A[S[a].a].title : "", tb = S[b].a >= 0 ? A[S[b].a].title : "";
    return ta < tb ? -1 : ta > tb ? 1 : S[a].i - S[b].i || a - b;
  }
  function pushNew(list, x) { if (x >= 0 && list.indexOf(x) < 0) list.push(x); }
  var SRC = " OPTIONAL { ?d kg:index ?i } OPTIONAL { ?a dcterms:title ?title } OPTIONAL { ?a kg:sourceFile ?file } ";
  function load(id) {
    // Facts, positions, evidence, mentions and articles of one entity, from the endpoint.
    var n = N[id], x = "<" + n.iri + ">";
    if (/[<>"{}|^`\\\s]/.test(n.iri)) return Promise.reject(new Error("IRI not usable in SPARQL"));
    var qs = [
      "SELECT ?s ?p ?o ?v WHERE { { " + x + " ?p ?o FILTER(isIRI(?o)) BIND(" + x + " AS ?s) } UNION { ?s ?p " + x +
        " FILTER(?p != kg:denotes) BIND(" + x + " AS ?o) } UNION { " + x + " kg:holdsPosition ?v FILTER isLiteral(?v) } " +
        "FILTER(!BOUND(?p) || STRSTARTS(STR(?p), \"" + KG + "\") && ?p != kg:mentionedIn) } LIMIT " + 4 * QUERY_LIMIT,
      "SELECT ?s ?p ?o ?d ?text ?i ?a ?title ?file WHERE { { ?r rdf:subject " + x + " ; rdf:object ?o BIND(" + x +
        " AS ?s) } UNION { ?r rdf:object " + x + " ; rdf:subject ?s BIND(" + x + " AS ?o) } ?r rdf:predicate ?p ; " +
        "prov:wasDerivedFrom ?d . ?d kg:text ?text OPTIONAL { ?d dcterms:isPartOf ?a }" + SRC + "} LIMIT " + QUERY_LIMIT,
      "SELECT ?v ?d ?text ?i ?a ?title ?file WHERE { ?m kg:denotes " + x + " ; kg:surface ?v OPTIONAL { ?m dcterms:source ?a } " +
        "OPTIONAL { ?m prov:wasDerivedFrom ?d . ?d kg:text ?text }" + SRC + "} LIMIT " + LIST_CAP,
      "SELECT ?a ?title ?file WHERE { " + x + " kg:mentionedIn ?a" + SRC.replace(" OPTIONAL { ?d kg:index ?i }", "") +
        "} LIMIT " + QUERY_LIMIT
    ];
    kgView.loading++;
    status.textContent = "查询中 / Querying…";
    return Promise.all(qs.map(sparql)).then(function (res) {
      var pos = new Map();
      res[0].forEach(function (b) {
        if (b.v) { if (!pos.has(b.v.value)) pos.set(b.v.value, []); return; }
        var f = iriIndex.get(val(b, "s")), to = iriIndex.get(val(b, "o"));
        if (f !== undefined && to !== undefined) addEdge(f, predId(val(b, "p")), to);
      });
      res[1].forEach(function (b) {
        var sid = sentenceId(b);
        if (b.o.type === "literal") { if (!pos.has(b.o.value)) pos.set(b.o.value, []); pushNew(pos.get(b.o.value), sid); return; }
        var f = iriIndex.get(val(b, "s")), to = iriIndex.get(val(b, "o"));
        if (f !== undefined && to !== undefined) pushNew(addEdge(f, predId(val(b, "p")), to).ev, sid);
      });
      if (pos.size) n.p = Array.from(pos.keys()).sort().map(function (p) { return [p, pos.get(p).sort(bySource)]; });
      outE[id].concat(inE[id]).forEach(function (e) { e.ev.sort(bySource); });
      n.m = res[2].map(function (b) {
        var sid = sentenceId(b);
        return sid >= 0 ? [val(b, "v"), sid, -1] : [val(b, "v"), -1, articleId(b)];
      });
      if (res[2].length >= LIST_CAP) n.mn = LIST_CAP + 1;
      n.ar = [];
      res[3].forEach(function (b) { pushNew(n.ar, articleId(b)); });
      if (res[3].length >= QUERY_LIMIT) n.arn = QUERY_LIMIT + 1;
      n.q = 0;
      byDegree = null;
    }).finally(function () {
      kgView.loading--;
      status.textContent = kgView.stable ? "" : status.textContent;
    });
  }
  function ensure(id) {
    if (N[id].q && DATA.endpoint) return load(id);
    return null;
  }

  // ---------------------------------------------------------------- filters and focus
  var stats = document.getElementById("stats"), omitted = document.getElementById("omitted");
  function fmt(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  function updateStats() {
    var shown = nodesView.length;
    var text = fmt(N.length) + " 实体 / entities · " + fmt(DATA.totalEdges === undefined ? E.length : DATA.totalEdges) +
      " 关系 / edges";
    if (shown !== drawn.size || drawn.size !== N.length) text += "\n显示 / showing " + fmt(shown);
    stats.textContent = text;
    if (DATA.omitted) {
      omitted.textContent = "总览 / overview: " + fmt(OV) + " · 未显示 / left out: " + fmt(DATA.omitted) +
        "（搜索可找到全部 / search finds all）";
      omitted.hidden = false;
    }
  }
  function refresh() {   // positions are stored after layout and after each drag
    nodesView.refresh();
    edgesView.refresh();
    updateStats();
  }
  function recomputeFocus() {
    if (hops === "all" || selected === null) { focusSet = null; return; }
    var max = parseInt(hops, 10), seen = new Set([selected]), frontier = [selected];
    for (var d = 0; d < max && frontier.length; d++) {
      var next = [];
      frontier.forEach(function (u) {
        adj[u].forEach(function (v) { if (!seen.has(v)) { seen.add(v); next.push(v); } });
      });
      frontier = next;
    }
    focusSet = seen;
  }
  function fitVisible(animate) {
    var ids = network.body.nodeIndices.slice();
    if (ids.length) network.fit({ nodes: ids, animation: animate === false ? false : { duration: 300 } });
  }

  var filters = document.getElementById("type-filters");
  T.forEach(function (t, i) {
    var box = el("input");
    box.type = "checkbox"; box.checked = true; box.id = "type-" + t.name;
    box.setAttribute("data-type", t.name);
    box.addEventListener("change", function () {
      typeOn[i] = box.checked;
      if (selected !== null && !typeOn[N[selected].t]) clearSelection();
      else refresh();
      fitVisible();
    });
    var label = el("label", t.count ? "" : "empty",
                   [box, swatch(i), t.zh + " / " + t.name, el("span", "count", [fmt(t.count)])]);
    label.htmlFor = box.id;
    filters.appendChild(label);
  });
  var hopsBox = document.getElementById("hops");
  hopsBox.addEventListener("change", function () {
    hops = hopsBox.value;
    recomputeFocus();
    refresh();
    if (selected !== null) { network.selectNodes([selected]); }
    fitVisible();
  });
  document.getElementById("fit").addEventListener("click", function () { fitVisible(); });
  document.getElementById("reset").addEventListener("click", reset);
  function reset() {
    selected = null; opening = null; hops = "all"; hopsBox.value = "all"; focusSet = null;
    T.forEach(function (t, i) { typeOn[i] = true; document.getElementById("type-" + t.name).checked = true; });
    var extra = Array.from(drawn).filter(function (id) { return id >= OV; });
    extra.forEach(function (id) { drawn.delete(id); });
    if (extra.length) {
      var gone = new Set(extra);
      nodes.remove(extra);
      edges.remove(edges.getIds({ filter: function (e) { return gone.has(e.from) || gone.has(e.to); } }));
      byDegree = null;
    }
    search.value = "";
    showHits();
    network.unselectAll();
    panel.hidden = true;
    refresh();
    network.redraw();
    fitVisible(false);
  }

  // ---------------------------------------------------------------- selection and panel
  var panel = document.getElementById("panel"), body = document.getElementById("panel-body");
  function openNode(id, zoom) {
    id = Number(id);
    if (!(id >= 0 && id < N.length)) return Promise.resolve();
    var pending = ensure(id);
    opening = id;
    if (!pending) { selectNode(id, zoom); return Promise.resolve(); }
    showPanel(id, false);   // the search entry now, the rest when the endpoint answers
    return pending.then(function () { if (opening === id) selectNode(id, zoom); },
      function (err) {
        status.textContent = "查询失败 / query failed: " + err.message;
        if (opening === id) selectNode(id, zoom);
      });
  }
  function selectNode(id, zoom) {
    var t = N[id].t;
    if (!typeOn[t]) { typeOn[t] = true; document.getElementById("type-" + T[t].name).checked = true; }
    var grew = id >= OV ? expand(id) : false;
    selected = id;
    recomputeFocus();
    refresh();
    network.selectNodes([id]);
    showPanel(id, false);   // first: opening the panel narrows the canvas
    if (zoom || grew) {
      network.redraw();
      if (focusSet) fitVisible();
      else network.focus(id, { scale: Math.max(network.getScale(), 1.1), animation: { duration: 400 } });
    }
  }
  function clearSelection() {
    selected = null; opening = null;
    recomputeFocus();
    refresh();
    network.unselectAll();
    panel.hidden = true;
  }
  document.getElementById("panel-close").addEventListener("click", clearSelection);
  network.on("click", function (p) {
    if (p.nodes.length) openNode(p.nodes[0], false);
    else if (!p.edges.length) clearSelection();
  });

  function nodeLink(id) {
    var b = el("button", "link", [N[id].l]);
    b.type = "button";
    b.title = typeName(N[id].t);
    b.addEventListener("click", function () { openNode(id, true); });
    return b;
  }
  function sentence(si) {
    var s = S[si], q = el("blockquote", null, [s.text]);
    q.appendChild(source(s.a, s.i));
    return q;
  }
  function source(ai, index) {
    var parts = [];
    if (ai >= 0) {
      parts.push("《" + A[ai].title + "》");
      if (A[ai].date) parts.push(A[ai].date);
      if (A[ai].file) parts.push(A[ai].file);
    }
    if (index >= 0) parts.push("句\u00a0#" + index);
    return el("span", "src", [parts.join(" · ")]);
  }
  function moreNote(shown, total) {
    return el("p", "more-note", ["另有 / " + fmt(total - shown) + " more " +
      (DATA.endpoint ? "(SPARQL)" : "— 见 / see kg query, kg serve")]);
  }
  function section(title, items, render, all, redraw, total) {
    if (!items.length && !total) return;
    var count = total && total > items.length ? items.length + " / " + fmt(total) : String(items.length);
    body.appendChild(el("h3", null, [title + " (" + count + ")"]));
    var ul = el("ul");
    (all ? items : items.slice(0, LIST_CAP)).forEach(function (x) { ul.appendChild(render(x)); });
    body.appendChild(ul);
    if (!all && items.length > LIST_CAP) {
      var more = el("button", "link more", ["显示全部 / show all " + items.length]);
      more.type = "button";
      more.addEventListener("click", redraw);
      body.appendChild(more);
    }
    if (total && total > items.length) body.appendChild(moreNote(items.length, total));
  }
  function showPanel(id, all) {
    var n = N[id];
    while (body.firstChild) body.removeChild(body.firstChild);
    body.appendChild(el("h2", null, [n.l]));
    body.appendChild(el("div", "type", [swatch(n.t), typeName(n.t)]));
    if (id >= OV) body.appendChild(el("p", "outside", ["不在总览中 / not in the overview"]));
    var redraw = function () { showPanel(id, true); };
    if (n.a && n.a.length) {
      body.appendChild(el("h3", null, ["别名 / Aliases"]));
      body.appendChild(el("p", "aliases", [n.a.join("、")]));
    }
    if (n.q && DATA.endpoint) body.appendChild(el("p", "loading", ["查询中 / loading…"]));
    section("职务 / Positions", n.p || [], function (p) {
      var li = el("li", "position", [p[0]]);
      if (p[1].length) {   // collapsed: the same sentences usually back the facts below
        var d = el("details", null, [el("summary", null, ["来源 / sources (" + p[1].length + ")"])]);
        p[1].forEach(function (si) { d.appendChild(sentence(si)); });
        if (p[2] > p[1].length) d.appendChild(moreNote(p[1].length, p[2]));
        li.appendChild(d);
      }
      return li;
    }, all, redraw);
    var facts = outE[id].map(function (e) { return [e, true]; })
      .concat(inE[id].map(function (e) { return [e, false]; }));
    section("关系 / Facts", facts, function (x) {
      var e = x[0], pred = el("span", "pred", [" —" + predName(e.p) + "→ "]);
      var li = el("li", "fact", e.f === id && e.to === id ? [el("b", null, [n.l]), pred, el("b", null, [n.l])]
        : x[1] ? [el("b", null, [n.l]), pred, nodeLink(e.to)] : [nodeLink(e.f), pred, el("b", null, [n.l])]);
      e.ev.forEach(function (si) { li.appendChild(sentence(si)); });
      if (e.en > e.ev.length) li.appendChild(moreNote(e.ev.length, e.en));
      return li;
    }, all, redraw);
    section("原文提及 / Mentions", n.m || [], function (m) {
      var li = el("li", "mention", ["「" + m[0] + "」"]);
      if (m[1] >= 0) li.appendChild(sentence(m[1]));
      else li.appendChild(source(m[2], -1));
      return li;
    }, all, redraw, n.mn);
    section("文章 / Articles", n.ar || [], function (ai) {
      return el("li", "article", ["《" + A[ai].title + "》" + (A[ai].date ? " " + A[ai].date : "") +
                                  (A[ai].file ? " " + A[ai].file : "")]);
    }, all, redraw, n.arn);
    body.appendChild(el("div", "iri", [n.iri]));
    panel.hidden = false;
    panel.scrollTop = 0;
  }

  // ---------------------------------------------------------------- search
  var search = document.getElementById("search"), results = document.getElementById("search-results");
  var keys = N.map(function (n) {
    return [n.l.toLowerCase()].concat((n.a || []).map(function (a) { return a.toLowerCase(); }));
  });
  function find(q) {
    var hits = [];
    keys.forEach(function (k, id) {
      var best = -1, alias = null;
      k.forEach(function (s, j) {
        var i = s.indexOf(q);
        if (i < 0) return;
        var r = (s === q ? 0 : i === 0 ? 2 : 4) + (j ? 1 : 0);
        if (best < 0 || r < best) { best = r; alias = j ? N[id].a[j - 1] : null; }
      });
      if (best >= 0) hits.push({ id: id, rank: best, alias: alias });
    });
    hits.sort(function (a, b) {
      return a.rank - b.rank || N[a.id].l.length - N[b.id].l.length || a.id - b.id;
    });
    return hits;
  }
  var lastHits = [];
  function showHits() {
    var q = search.value.trim().toLowerCase();
    while (results.firstChild) results.removeChild(results.firstChild);
    lastHits = q ? find(q) : [];
    if (!q) return;
    if (!lastHits.length) { results.appendChild(el("li", "none", ["无结果 / no match"])); return; }
    lastHits.slice(0, LIST_CAP).forEach(function (h) {
      var n = N[h.id];
      var b = el("button", h.id >= OV ? "outside" : null, [swatch(n.t), n.l,
        h.alias ? el("span", "alias", ["(" + h.alias + ")"]) : null]);
      b.type = "button";
      b.title = typeName(n.t) + (h.id >= OV ? " · 不在总览中 / not in the overview" : "");
      b.setAttribute("data-id", String(h.id));
      b.addEventListener("click", function () { openNode(h.id, true); });
      results.appendChild(el("li", null, [b]));
    });
    if (lastHits.length > LIST_CAP)
      results.appendChild(el("li", "none", ["… 共 / total " + lastHits.length]));
  }
  search.addEventListener("input", showHits);
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && lastHits.length) { ev.preventDefault(); openNode(lastHits[0].id, true); }
  });

  updateStats();
})();
